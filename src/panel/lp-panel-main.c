/* lp-panel-main.c: livepatch-panel, the reference settings page of livepatchd
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-panel"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lp-panel-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (LpPanelApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = lp_panel_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
