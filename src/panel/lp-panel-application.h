/* lp-panel-application.h: the panel's application object
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LP_PANEL_TYPE_APPLICATION (lp_panel_application_get_type ())
G_DECLARE_FINAL_TYPE (LpPanelApplication, lp_panel_application, LP_PANEL, APPLICATION,
                      AdwApplication)

LpPanelApplication *lp_panel_application_new (void);

G_END_DECLS
