/* lp-mode.h: the operating mode, from canonical_livepatch_mode= on the
 * kernel command line or else the mode file
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LP_MODE_NORMAL,     /* check, download and apply */
  LP_MODE_NO_APPLY,   /* check and download, never load */
  LP_MODE_NO_REFRESH, /* load what is stored, never call the server */
  LP_MODE_STOP,       /* do nothing */
} LpMode;

const char *lp_mode_to_string (LpMode mode);
gboolean lp_mode_from_string (const char *text, LpMode *out_mode);
/* Reads @cmdline_path (/proc/cmdline) then @mode_file; either may be NULL or
 * missing. An unknown value is ignored with a warning. */
LpMode lp_mode_read (const char *cmdline_path, const char *mode_file);

G_END_DECLS
