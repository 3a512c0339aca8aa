/* lp-atomic-file.h: files replaced whole or not at all
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @data to ".NAME.XXXXXX" (NAME the base name of @path) in the same directory with exactly
 * @mode, fsyncs it, renames it over @path and fsyncs the directory: a crash at any point leaves the
 * old or the new file, never half of one (the crash point "during-state-write" sits between the
 * write and the rename). On failure the temporary file is removed and @path is untouched
 * (LP_ERROR_INTERNAL with the errno text). */
gboolean lp_atomic_file_write (const char *path, const void *data, gsize len, int mode,
                               GError **error);

/* Removes @path (already gone is fine) and fsyncs its directory, so the
 * removal survives a power cut too. */
gboolean lp_atomic_file_remove (const char *path, GError **error);

/* Whether @name is a temporary file lp_atomic_file_write() left for
 * @base (".state.Ab12Cd" for "state"); any base when @base is NULL. The
 * leading '.' keeps temporaries apart from files named after modules
 * (lp-module-name.h), so a lock is never taken for a temporary. With a
 * @base, the name earlier versions used ("state.Ab12Cd") matches too: only
 * files of fixed names are cleaned by base. */
gboolean lp_atomic_file_is_temporary (const char *name, const char *base);

G_END_DECLS
