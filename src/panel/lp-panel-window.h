/* lp-panel-window.h: the panel's one window, a settings page for livepatchd
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LP_PANEL_TYPE_WINDOW (lp_panel_window_get_type ())
G_DECLARE_FINAL_TYPE (LpPanelWindow, lp_panel_window, LP_PANEL, WINDOW, AdwApplicationWindow)

LpPanelWindow *lp_panel_window_new (GtkApplication *app);

G_END_DECLS
