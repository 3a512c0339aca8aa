/* lp-cli-sanitize.h: what the CLI prints from the daemon, stripped of
 * terminal control characters
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A copy of @text without C0 controls, DEL, C1 controls and escape
 * sequences (CSI, OSC, DCS and two-byte ESC sequences are removed whole),
 * invalid UTF-8 replaced by U+FFFD. Line feeds stay when @keep_newlines
 * (PEM values), and are removed otherwise. NULL reads as "". */
char *lp_cli_strip_controls (const char *text, gboolean keep_newlines);

/* @value (any type) with every string inside it passed through
 * lp_cli_strip_controls() without newlines; a new reference. Every
 * property dictionary and reply the CLI prints goes through this first. */
GVariant *lp_cli_strip_variant (GVariant *value);

G_END_DECLS
