/* lp-cli-json.c: JSON text as the reference client prints it
 *
 * json-glib's pretty printer writes "key" : value; the reference client
 * (Go) writes "key": value. Scripts compare such output with diff, so the
 * layout is ours; escaping stays json-glib's.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-cli-json"

#include "config.h"

#include "lp-cli-json.h"

static void append_node (GString *out, JsonNode *node, guint indent);

char *
lp_cli_json_quote (const char *value)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), value);

  return json_to_string (node, FALSE);
}

static void
append_object (GString *out, JsonObject *object, guint indent)
{
  g_autoptr (GList) members = json_object_get_members (object);

  if (members == NULL)
    {
      g_string_append (out, "{}");
      return;
    }
  g_string_append (out, "{\n");
  for (GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *key = lp_cli_json_quote (l->data);

      g_string_append_printf (out, "%*s%s: ", (int) indent + 2, "", key);
      append_node (out, json_object_get_member (object, l->data), indent + 2);
      g_string_append (out, l->next != NULL ? ",\n" : "\n");
    }
  g_string_append_printf (out, "%*s}", (int) indent, "");
}

static void
append_array (GString *out, JsonArray *array, guint indent)
{
  guint n = json_array_get_length (array);

  if (n == 0)
    {
      g_string_append (out, "[]");
      return;
    }
  g_string_append (out, "[\n");
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (out, "%*s", (int) indent + 2, "");
      append_node (out, json_array_get_element (array, i), indent + 2);
      g_string_append (out, i + 1 < n ? ",\n" : "\n");
    }
  g_string_append_printf (out, "%*s]", (int) indent, "");
}

static void
append_node (GString *out, JsonNode *node, guint indent)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    append_object (out, json_node_get_object (node), indent);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    append_array (out, json_node_get_array (node), indent);
  else
    {
      g_autofree char *scalar = json_to_string (node, FALSE);

      g_string_append (out, scalar);
    }
}

char *
lp_cli_json_pretty (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  append_node (out, node, 0);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}
