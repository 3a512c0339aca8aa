/* lp-module-name.c: the kernel's rules for module names
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-module-name"

#include "config.h"

#include "lp-error.h"
#include "lp-module-name.h"

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

gboolean
lp_module_name_check (const char *name, GError **error)
{
  gsize len = name != NULL ? strlen (name) : 0;
  gboolean ok = len > 0 && len <= LP_MODULE_NAME_MAX;
  g_autofree char *shown = NULL;

  for (gsize i = 0; ok && i < len; i++)
    ok = is_name_char (name[i]);
  if (ok)
    return TRUE;
  /* The name may be anything here: print it escaped. */
  shown = g_strescape (name != NULL ? name : "", NULL);
  g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
               "invalid module name \"%.80s\": a module name is 1 to %d letters, digits or '_'",
               shown, LP_MODULE_NAME_MAX);
  return FALSE;
}

char *
lp_module_name_from_file (const char *file_name, GError **error)
{
  g_autofree char *base = g_path_get_basename (file_name);

  if (g_str_has_suffix (base, ".ko"))
    base[strlen (base) - 3] = '\0';
  g_strdelimit (base, "-", '_');
  if (!lp_module_name_check (base, error))
    return NULL;
  return g_steal_pointer (&base);
}
