/* lp-crash-point.h: fault-injection crash points for the faults suite
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "config.h"

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when this build has crash points (meson -Dcrash_points=true). */
gboolean lp_crash_points_enabled (void);

#if LP_CRASH_POINTS
/* Kills the process with SIGKILL, as a power cut or the OOM killer would,
 * when the environment variable LP_CRASH_AT is @name (first hit) or
 * "@name#N" (N-th hit); tests/faults uses it to prove each step of an apply
 * can be interrupted without harm.
 * Names in livepatchd, in the order of an apply: after-download (the
 * module memfd received, nothing on disk), after-verify, after-store (the
 * module and manifest stored, not recorded), after-lock, after-load;
 * during-state-write (any atomic write in the state directory, between
 * writing the temporary file and renaming it). after-extract is in the
 * tarball pipeline, which only livepatch-fetch and livepatch-verify run. */
void lp_crash_point (const char *name);
#else
/* Release builds: no code, no environment lookup. */
#define lp_crash_point(name) ((void) 0)
#endif

G_END_DECLS
