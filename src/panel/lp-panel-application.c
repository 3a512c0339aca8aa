/* lp-panel-application.c: the panel's application object
 *
 * One window per application: activating again presents it.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-panel"

#include "config.h"

#include "lp-panel-application.h"
#include "lp-panel-window.h"

#define LP_PANEL_APP_ID "com.canonical.Livepatch.Panel"

struct _LpPanelApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (LpPanelApplication, lp_panel_application, ADW_TYPE_APPLICATION)

static void
lp_panel_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (lp_panel_window_new (GTK_APPLICATION (app)));
  gtk_window_present (window);
}

static void
lp_panel_application_class_init (LpPanelApplicationClass *klass)
{
  G_APPLICATION_CLASS (klass)->activate = lp_panel_application_activate;
}

static void
lp_panel_application_init (LpPanelApplication *self)
{
}

LpPanelApplication *
lp_panel_application_new (void)
{
  return g_object_new (LP_PANEL_TYPE_APPLICATION, "application-id", LP_PANEL_APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, NULL);
}
