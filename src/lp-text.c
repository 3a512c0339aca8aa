/* lp-text.c: text from the server and from patch.json, checked where it
 * enters
 *
 * Such text reaches D-Bus properties (GVariant strings must be valid
 * UTF-8), logs and terminals (where an escape sequence can retitle the
 * window or clear the screen). Checking it once, at the parser, means
 * nothing downstream has to.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-text"

#include "config.h"

#include "lp-text.h"

#define LP_TEXT_REPLACEMENT 0xFFFD

gboolean
lp_text_is_control (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

static gboolean
lp_text_has_control (const char *valid_utf8)
{
  for (const char *p = valid_utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (lp_text_is_control (g_utf8_get_char (p)))
        return TRUE;
    }
  return FALSE;
}

char *
lp_text_clean (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (out, lp_text_is_control (c) ? LP_TEXT_REPLACEMENT : c);
    }
  return g_string_free (out, FALSE);
}

gboolean
lp_text_is_accepted (const char *text, LpTextKind kind, gsize max_len)
{
  g_autofree char *why = NULL;
  g_autofree char *accepted = lp_text_accept (text, kind, max_len, &why);

  return accepted != NULL && strcmp (accepted, text) == 0;
}

char *
lp_text_accept (const char *text, LpTextKind kind, gsize max_len, char **why)
{
  gsize len = strlen (text);

  if (len > max_len)
    {
      *why = g_strdup_printf ("is longer than %" G_GSIZE_FORMAT " bytes", max_len);
      return NULL;
    }
  if (kind == LP_TEXT_PROSE)
    return lp_text_clean (text);
  if (!g_utf8_validate (text, len, NULL))
    {
      *why = g_strdup ("is not UTF-8 text");
      return NULL;
    }
  if (lp_text_has_control (text))
    {
      *why = g_strdup ("contains a control character");
      return NULL;
    }
  return g_strdup (text);
}
