/* lp-yaml.c: YAML scalars and blocks for status --format yaml and config
 *
 * The reference client prints its own YAML tree (keys such as checkState,
 * fixes as one literal block), so the status code writes that tree itself
 * and only needs scalars quoted the way a YAML reader expects. A YAML
 * library would be a new dependency for that.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-yaml"

#include "config.h"

#include <string.h>

#include "lp-yaml.h"

static gboolean
looks_like_number (const char *s)
{
  char *endp = NULL;

  g_ascii_strtod (s, &endp);
  if (endp != NULL && endp != s && *endp == '\0')
    return TRUE;
  /* YAML 1.1 also reads 0x1F, 0o17, 1_000 and sexagesimal 1:30 as numbers */
  return g_ascii_isdigit (s[0]) && strpbrk (s, "_:xo") != NULL;
}

/* 2024-06-23 and 2024-06-23T10:00:00Z are timestamps to a YAML 1.1 reader */
static gboolean
looks_like_timestamp (const char *s)
{
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return s[4] == '-';
}

static gboolean
is_reserved_word (const char *s)
{
  static const char *const words[] = { "true", "false", "yes", "no",   "on",    "off",  "null",
                                       "y",    "n",     "~",   ".inf", "-.inf", ".nan", NULL };
  g_autofree char *lower = g_ascii_strdown (s, -1);

  return g_strv_contains (words, lower);
}

gboolean
lp_yaml_needs_quotes (const char *s)
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
  return is_reserved_word (s) || looks_like_number (s) || looks_like_timestamp (s);
}

static void
append_quoted (GString *out, const char *s)
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

void
lp_yaml_append_scalar (GString *out, const char *value)
{
  if (value == NULL || lp_yaml_needs_quotes (value))
    append_quoted (out, value != NULL ? value : "");
  else
    g_string_append (out, value);
}

void
lp_yaml_append_pair (GString *out, guint indent, const char *key, const char *value)
{
  g_string_append_printf (out, "%*s%s: ", (int) indent, "", key);
  lp_yaml_append_scalar (out, value);
  g_string_append_c (out, '\n');
}

void
lp_yaml_append_raw (GString *out, guint indent, const char *key, const char *raw)
{
  g_string_append_printf (out, "%*s%s: %s\n", (int) indent, "", key, raw);
}

void
lp_yaml_append_literal (GString *out, guint indent, const char *key, const char *text)
{
  g_auto (GStrv) lines = NULL;

  if (text == NULL || *text == '\0')
    {
      lp_yaml_append_pair (out, indent, key, "");
      return;
    }
  g_string_append_printf (out, "%*s%s: |-\n", (int) indent, "", key);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* a trailing newline is no line of its own ("|-" strips it) */
      if (lines[i + 1] == NULL && *lines[i] == '\0')
        break;
      g_string_append_printf (out, "%*s%s\n", (int) indent + 2, "", lines[i]);
    }
}
