/* lp-panel-text.h: the panel's own, translated words for the service's
 * enumerated values and error names
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *lp_panel_text_supported (const char *supported);
const char *lp_panel_text_patch_state (const char *patch_state);
const char *lp_panel_text_check_state (const char *check_state);
const char *lp_panel_text_error_code (const char *code);
char *lp_panel_text_error_message (const char *code, const char *service_message);
char *lp_panel_text_error_from_call (const GError *error);
char *lp_panel_text_time (gint64 unix_seconds, const char *when_zero);

G_END_DECLS
