/* lp-yaml.c: a small YAML emitter for JSON trees (status --format yaml)
 *
 * JSON is a subset of YAML, so `--format yaml` only has to present the same
 * tree the JSON output has in YAML's block style. A full YAML library would
 * be a new dependency for a few dozen lines of output.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-yaml"

#include "config.h"

#include <string.h>

#include "lp-yaml.h"

static void emit_node (GString *out, JsonNode *node, guint indent);

static gboolean
looks_like_number (const char *s)
{
  char *endp = NULL;

  if (*s == '\0')
    return FALSE;
  g_ascii_strtod (s, &endp);
  if (endp != NULL && *endp == '\0')
    return TRUE;
  /* YAML 1.1 also reads 0x1F, 0o17, 1_000 and sexagesimal 1:30 as numbers */
  return g_ascii_isdigit (s[0]) && strpbrk (s, "_:xo") != NULL;
}

static gboolean
is_reserved_word (const char *s)
{
  static const char *const words[] = { "true", "false", "yes", "no",   "on",    "off",  "null",
                                       "y",    "n",     "~",   ".inf", "-.inf", ".nan", NULL };
  g_autofree char *lower = g_ascii_strdown (s, -1);

  return g_strv_contains (words, lower);
}

static gboolean
needs_quotes (const char *s)
{
  gsize len = strlen (s);

  if (len == 0 || g_ascii_isspace (s[0]) || g_ascii_isspace (s[len - 1]))
    return TRUE;
  /* indicators that change the meaning of a plain scalar when leading */
  if (strchr ("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL)
    return TRUE;
  if (strstr (s, ": ") != NULL || strstr (s, " #") != NULL || s[len - 1] == ':')
    return TRUE;
  for (const char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return is_reserved_word (s) || looks_like_number (s);
}

static void
emit_quoted (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
emit_scalar (GString *out, JsonNode *node)
{
  GType type = json_node_get_value_type (node);

  if (json_node_is_null (node))
    g_string_append (out, "null");
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (type == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append (out, g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
    }
  else
    {
      const char *s = json_node_get_string (node);

      if (s == NULL || needs_quotes (s))
        emit_quoted (out, s != NULL ? s : "");
      else
        g_string_append (out, s);
    }
}

static gboolean
is_empty_container (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) == 0;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  return FALSE;
}

/* Writes what follows "key:" or "- ": a scalar on the same line, or a nested
 * block on the next lines. */
static void
emit_value_after_key (GString *out, JsonNode *value, guint indent)
{
  if (JSON_NODE_HOLDS_OBJECT (value) && !is_empty_container (value))
    {
      g_string_append_c (out, '\n');
      emit_node (out, value, indent + 2);
    }
  else if (JSON_NODE_HOLDS_ARRAY (value) && !is_empty_container (value))
    {
      /* sequences under a key stay at the key's indentation, as most emitters do */
      g_string_append_c (out, '\n');
      emit_node (out, value, indent);
    }
  else
    {
      g_string_append_c (out, ' ');
      if (JSON_NODE_HOLDS_OBJECT (value))
        g_string_append (out, "{}");
      else if (JSON_NODE_HOLDS_ARRAY (value))
        g_string_append (out, "[]");
      else
        emit_scalar (out, value);
      g_string_append_c (out, '\n');
    }
}

static void
emit_key (GString *out, const char *key)
{
  if (needs_quotes (key))
    emit_quoted (out, key);
  else
    g_string_append (out, key);
  g_string_append_c (out, ':');
}

/* @first_inline: the first member goes right after a "- " already written */
static void
emit_object (GString *out, JsonObject *object, guint indent, gboolean first_inline)
{
  g_autoptr (GList) members = json_object_get_members (object);
  gboolean first = TRUE;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;

      if (!(first && first_inline))
        g_string_append_printf (out, "%*s", (int) indent, "");
      emit_key (out, key);
      emit_value_after_key (out, json_object_get_member (object, key), indent);
      first = FALSE;
    }
}

static void
emit_array (GString *out, JsonArray *array, guint indent)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      g_string_append_printf (out, "%*s-", (int) indent, "");
      if (JSON_NODE_HOLDS_OBJECT (element) && !is_empty_container (element))
        {
          g_string_append_c (out, ' ');
          emit_object (out, json_node_get_object (element), indent + 2, TRUE);
        }
      else
        emit_value_after_key (out, element, indent + 2);
    }
}

static void
emit_node (GString *out, JsonNode *node, guint indent)
{
  if (JSON_NODE_HOLDS_OBJECT (node) && !is_empty_container (node))
    emit_object (out, json_node_get_object (node), indent, FALSE);
  else if (JSON_NODE_HOLDS_ARRAY (node) && !is_empty_container (node))
    emit_array (out, json_node_get_array (node), indent);
  else
    {
      g_string_append_printf (out, "%*s", (int) indent, "");
      if (JSON_NODE_HOLDS_OBJECT (node))
        g_string_append (out, "{}");
      else if (JSON_NODE_HOLDS_ARRAY (node))
        g_string_append (out, "[]");
      else
        emit_scalar (out, node);
      g_string_append_c (out, '\n');
    }
}

char *
lp_yaml_from_json_node (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  emit_node (out, node, 0);
  return g_string_free (out, FALSE);
}
