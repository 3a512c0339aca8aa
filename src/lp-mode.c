/* lp-mode.c: operating mode parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-mode"

#include "config.h"

#include "lp-mode.h"

#define LP_MODE_CMDLINE_KEY "canonical_livepatch_mode="

static const char *const lp_mode_names[] = { "normal", "no-apply", "no-refresh", "stop" };

const char *
lp_mode_to_string (LpMode mode)
{
  g_return_val_if_fail (mode < G_N_ELEMENTS (lp_mode_names), "normal");
  return lp_mode_names[mode];
}

gboolean
lp_mode_from_string (const char *text, LpMode *out_mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (lp_mode_names); i++)
    {
      if (g_strcmp0 (text, lp_mode_names[i]) == 0)
        {
          *out_mode = (LpMode) i;
          return TRUE;
        }
    }
  return FALSE;
}

static char *
mode_from_cmdline (const char *cmdline_path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) words = NULL;

  if (cmdline_path == NULL || !g_file_get_contents (cmdline_path, &text, NULL, NULL))
    return NULL;
  words = g_strsplit_set (g_strstrip (text), " \t\n", -1);
  /* The kernel lets the last occurrence of a parameter win; so do we. */
  for (guint i = g_strv_length (words); i > 0; i--)
    {
      if (g_str_has_prefix (words[i - 1], LP_MODE_CMDLINE_KEY))
        return g_strdup (words[i - 1] + strlen (LP_MODE_CMDLINE_KEY));
    }
  return NULL;
}

static char *
mode_from_file (const char *mode_file)
{
  g_autofree char *text = NULL;

  if (mode_file == NULL || !g_file_get_contents (mode_file, &text, NULL, NULL))
    return NULL;
  return g_strdup (g_strstrip (text));
}

static gboolean
mode_parse_source (const char *text, const char *origin, LpMode *out_mode)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  if (lp_mode_from_string (text, out_mode))
    return TRUE;
  g_warning ("ignoring unknown operating mode '%s' from %s", text, origin);
  return FALSE;
}

LpMode
lp_mode_read (const char *cmdline_path, const char *mode_file)
{
  g_autofree char *from_cmdline = mode_from_cmdline (cmdline_path);
  g_autofree char *from_file = NULL;
  LpMode mode = LP_MODE_NORMAL;

  if (mode_parse_source (from_cmdline, cmdline_path, &mode))
    return mode;
  from_file = mode_from_file (mode_file);
  if (mode_parse_source (from_file, mode_file, &mode))
    return mode;
  return LP_MODE_NORMAL;
}
