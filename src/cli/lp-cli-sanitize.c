/* lp-cli-sanitize.c: what the CLI prints from the daemon, stripped of
 * terminal control characters
 *
 * Fix descriptions, versions, tiers and error messages come from the
 * server or a patch's metadata through the daemon. The daemon validates
 * them where they enter; the CLI still never lets an escape sequence reach
 * a terminal (retitle the window, clear the screen, forge lines), because
 * a newer or older daemon may be less strict than this one.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-cli-sanitize"

#include "config.h"

#include <string.h>

#include "lp-cli-sanitize.h"

#define ESC 0x1b
#define BEL 0x07

/* Returns the end of the escape sequence that starts at @p (on ESC). */
static const char *
skip_escape_sequence (const char *p)
{
  guchar kind = (guchar) p[1];

  if (kind == '\0')
    return p + 1;
  if (kind == '[')
    {
      /* CSI: parameters and intermediates 0x20-0x3f, then one final byte */
      p += 2;
      while (*p != '\0' && (guchar) *p >= 0x20 && (guchar) *p <= 0x3f)
        p++;
      return *p != '\0' && (guchar) *p >= 0x40 && (guchar) *p <= 0x7e ? p + 1 : p;
    }
  if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_')
    {
      /* OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \) */
      p += 2;
      while (*p != '\0' && *p != BEL && !(*p == ESC && p[1] == '\\'))
        p++;
      if (*p == BEL)
        return p + 1;
      return *p == ESC ? p + 2 : p;
    }
  /* two-byte sequences (ESC c, ESC 7, ...) */
  return p + 2;
}

static gboolean
is_control (gunichar c, gboolean keep_newlines)
{
  if (c == '\n')
    return !keep_newlines;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

char *
lp_cli_strip_controls (const char *text, gboolean keep_newlines)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_sized_new (strlen (valid));
  const char *p = valid;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ESC)
        p = skip_escape_sequence (p);
      else
        {
          if (!is_control (c, keep_newlines))
            g_string_append_unichar (out, c);
          p = g_utf8_next_char (p);
        }
    }
  return g_string_free (out, FALSE);
}

GVariant *
lp_cli_strip_variant (GVariant *value)
{
  GVariantBuilder builder;
  GVariantIter iter;
  GVariant *child;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      g_autofree char *clean = lp_cli_strip_controls (g_variant_get_string (value, NULL), FALSE);

      return g_variant_ref_sink (g_variant_new_take_string (g_steal_pointer (&clean)));
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      g_autoptr (GVariant) clean = lp_cli_strip_variant (inner);

      return g_variant_ref_sink (g_variant_new_variant (clean));
    }
  if (!g_variant_is_container (value))
    return g_variant_ref (value);
  g_variant_builder_init (&builder, g_variant_get_type (value));
  g_variant_iter_init (&iter, value);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr (GVariant) owned = child;
      g_autoptr (GVariant) clean = lp_cli_strip_variant (owned);

      g_variant_builder_add_value (&builder, clean);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}
