/* lp-fetch-sandbox.h: the seccomp allow-list of the unprivileged download helper
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Confines the calling process for the rest of its life, all threads included:
 * sets PR_SET_NO_NEW_PRIVS, refuses to go on while any effective or permitted
 * capability is left (the caller must have dropped to the unprivileged user
 * first), then loads a seccomp filter that allows only what networking, TLS,
 * the GLib main loop and its threads, decompression and handing a sealed memfd
 * over a socket need.  Any other system call kills the whole process with
 * SIGSYS; opening a file for writing fails with EACCES, clone3 with ENOSYS (so
 * glibc falls back to clone, whose flags the filter can check).
 * Call it before reading any input.  Every failure is LP_ERROR_INTERNAL. */
gboolean lp_fetch_sandbox_enter (GError **error);

G_END_DECLS
