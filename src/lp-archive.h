/* lp-archive.h: safe reading of patch tarballs (libarchive)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The one cap on a patch: the download is refused when the server announces
 * more and stopped when more arrives (lp-client.c), and the archive read
 * from disk is refused when larger (docs/SECURITY.md). Patches are a few
 * MiB; this leaves room without letting a server fill the disk. */
#define LP_ARCHIVE_MAX_SIZE (64 * 1024 * 1024)

/* Caps applied while reading; every one is checked against the bytes really
 * produced, never only against what the tar headers claim. */
typedef struct
{
  guint64 max_archive_size; /* the compressed file itself (the download cap) */
  guint max_entries;        /* tar members, of any type */
  guint64 max_entry_size;   /* unpacked bytes of one member */
  guint64 max_total_size;   /* unpacked bytes of all members */
} LpArchiveLimits;

/* LP_ARCHIVE_MAX_SIZE (64 MiB) archive, 8 entries, 64 MiB per entry, 128 MiB in total. */
const LpArchiveLimits *lp_archive_limits_default (void);

/* Extracts the tarball read from @archive_fd (from its current offset) into
 * the directory @dest_dirfd, which must be fresh and empty (mode 0700).
 * Formats: tar only; filters: none, gzip, xz, bzip2, zstd.  Only regular files
 * with plain names (no '/', no "..", no leading '.'), each created with
 * openat (O_CREAT|O_EXCL|O_NOFOLLOW, 0600).  On failure files already written
 * into @dest_dirfd are removed again.  @out_names (optional) receives the
 * member names in archive order.  The archive-size cap applies when
 * @archive_fd is a regular file.  Errors: LP_ERROR_INVALID_ARCHIVE. */
gboolean lp_archive_extract (int archive_fd, int dest_dirfd, const LpArchiveLimits *limits,
                             GPtrArray **out_names, GError **error);

/* The same rules, each member written to its own memfd (MFD_ALLOW_SEALING)
 * instead of a directory: livepatch-fetch has none to write to. Returns
 * name -> GINT_TO_POINTER (fd + 1); the table closes the fds it still
 * holds when destroyed (g_hash_table_steal() one to keep it). On failure
 * NULL, and nothing is left open. */
GHashTable *lp_archive_extract_to_memory (int archive_fd, const LpArchiveLimits *limits,
                                          GPtrArray **out_names, GError **error);

G_END_DECLS
