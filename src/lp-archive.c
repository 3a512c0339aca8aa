/* lp-archive.c: safe reading of patch tarballs (libarchive)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-archive"

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-archive.h"
#include "lp-error.h"

#define LP_ARCHIVE_MAX_NAME 255
#define LP_ARCHIVE_BLOCK (64 * 1024)

typedef struct archive LpArchiveReader;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpArchiveReader, archive_read_free)

/* State of one extraction, so a failure can undo exactly what it wrote. */
typedef struct
{
  struct archive *ar;
  int dirfd;
  const LpArchiveLimits *limits;
  GPtrArray *names;   /* members seen, in order */
  GHashTable *seen;   /* duplicate detection */
  GPtrArray *created; /* files this call created in dirfd */
  GHashTable *memfds; /* name -> fd + 1, when extracting to memory (dirfd -1) */
  guint64 total;      /* unpacked bytes so far */
} LpExtract;

static const LpArchiveLimits lp_archive_default_limits = {
  .max_archive_size = LP_ARCHIVE_MAX_SIZE,
  .max_entries = 8,
  .max_entry_size = 64 * 1024 * 1024,
  .max_total_size = 128 * 1024 * 1024,
};

const LpArchiveLimits *
lp_archive_limits_default (void)
{
  return &lp_archive_default_limits;
}

static gboolean lp_archive_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
lp_archive_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INVALID_ARCHIVE, "patch archive: ", format, args);
  va_end (args);
  return FALSE;
}

/* Exactly the formats a patch comes in: a tar, plain or with one of five
 * compressions.  Enabling "all" would expose every parser libarchive has. */
static struct archive *
lp_archive_reader_new (void)
{
  struct archive *ar = archive_read_new ();

  archive_read_support_format_tar (ar);
  archive_read_support_filter_none (ar);
  archive_read_support_filter_gzip (ar);
  archive_read_support_filter_xz (ar);
  archive_read_support_filter_bzip2 (ar);
  archive_read_support_filter_zstd (ar);
  return ar;
}

/* Plain file names only: the directory is flat, so '/' is never needed, and a
 * narrow alphabet keeps control characters and tricks out of logs and paths. */
static gboolean
lp_archive_check_name (const char *name, GError **error)
{
  if (name == NULL || name[0] == '\0')
    return lp_archive_fail (error, "member without a name");
  if (name[0] == '/')
    return lp_archive_fail (error, "absolute path \"%s\"", name);
  if (strcmp (name, "..") == 0 || g_str_has_prefix (name, "../") || strstr (name, "/../") != NULL ||
      g_str_has_suffix (name, "/.."))
    return lp_archive_fail (error, "path with \"..\": \"%s\"", name);
  if (strchr (name, '/') != NULL)
    return lp_archive_fail (error, "path with a directory: \"%s\"", name);
  if (name[0] == '.' || strlen (name) > LP_ARCHIVE_MAX_NAME)
    return lp_archive_fail (error, "name \"%s\" is hidden or too long", name);
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("._+-", *p) == NULL)
        return lp_archive_fail (error, "name with a character outside [A-Za-z0-9._+-]");
    }
  return TRUE;
}

static const char *
lp_archive_type_name (mode_t type)
{
  switch (type)
    {
      case AE_IFLNK:
        return "symbolic link";
      case AE_IFDIR:
        return "directory";
      case AE_IFCHR:
        return "character device";
      case AE_IFBLK:
        return "block device";
      case AE_IFIFO:
        return "FIFO";
      case AE_IFSOCK:
        return "socket";
      default:
        return "special file";
    }
}

static gboolean
lp_archive_check_entry (LpExtract *x, struct archive_entry *entry, const char *name, GError **error)
{
  mode_t type = archive_entry_filetype (entry);
  la_int64_t size = archive_entry_size (entry);

  if (archive_entry_hardlink (entry) != NULL)
    return lp_archive_fail (error, "\"%s\" is a hard link", name);
  if (type != AE_IFREG || archive_entry_symlink (entry) != NULL)
    return lp_archive_fail (error, "\"%s\" is a %s, not a regular file", name,
                            lp_archive_type_name (type));
  if (archive_entry_sparse_count (entry) > 0)
    return lp_archive_fail (error, "\"%s\" is a sparse file", name);
  if (g_hash_table_contains (x->seen, name))
    return lp_archive_fail (error, "\"%s\" appears twice", name);
  if (!archive_entry_size_is_set (entry) || size < 0)
    return lp_archive_fail (error, "\"%s\" has no size", name);
  if ((guint64) size > x->limits->max_entry_size)
    return lp_archive_fail (
        error, "\"%s\" is %" G_GINT64_FORMAT " bytes, over the %" G_GUINT64_FORMAT "-byte cap",
        name, (gint64) size, x->limits->max_entry_size);
  if (x->total + (guint64) size > x->limits->max_total_size)
    return lp_archive_fail (error, "unpacked size over the %" G_GUINT64_FORMAT "-byte cap",
                            x->limits->max_total_size);
  return TRUE;
}

static gboolean
lp_archive_write_all (int fd, const guint8 *buf, gsize len, const char *name, GError **error)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "writing \"%s\": %s", name,
                       g_strerror (errno));
          return FALSE;
        }
      buf += n;
      len -= n;
    }
  return TRUE;
}

/* Counts what libarchive really produces: the header's size is a claim. */
static gboolean
lp_archive_copy_data (LpExtract *x, int fd, const char *name, guint64 header_size, GError **error)
{
  g_autofree guint8 *buf = g_malloc (LP_ARCHIVE_BLOCK);
  guint64 written = 0;

  for (;;)
    {
      la_ssize_t n = archive_read_data (x->ar, buf, LP_ARCHIVE_BLOCK);

      if (n == 0)
        break;
      if (n < 0)
        return lp_archive_fail (error, "reading \"%s\": %s", name, archive_error_string (x->ar));
      written += n;
      x->total += n;
      if (written > header_size || written > x->limits->max_entry_size ||
          x->total > x->limits->max_total_size)
        return lp_archive_fail (error, "\"%s\" is larger than its header or the caps say", name);
      if (!lp_archive_write_all (fd, buf, n, name, error))
        return FALSE;
    }
  if (written != header_size)
    return lp_archive_fail (
        error, "\"%s\" holds %" G_GUINT64_FORMAT " bytes, its header says %" G_GUINT64_FORMAT, name,
        written, header_size);
  return TRUE;
}

/* A memfd that can be sealed, so the module can be handed on unchangeable. */
static gboolean
lp_archive_extract_to_memfd (LpExtract *x, struct archive_entry *entry, const char *name,
                             GError **error)
{
  int fd = memfd_create (name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

  if (fd < 0)
    return lp_archive_fail (error, "cannot create \"%s\" in memory: %s", name, g_strerror (errno));
  g_hash_table_insert (x->memfds, g_strdup (name), GINT_TO_POINTER (fd + 1));
  return lp_archive_copy_data (x, fd, name, archive_entry_size (entry), error);
}

static gboolean
lp_archive_extract_entry (LpExtract *x, struct archive_entry *entry, GError **error)
{
  const char *name = archive_entry_pathname (entry);
  gboolean ok;
  int fd;

  if (!lp_archive_check_name (name, error) || !lp_archive_check_entry (x, entry, name, error))
    return FALSE;
  g_hash_table_add (x->seen, g_strdup (name));
  g_ptr_array_add (x->names, g_strdup (name));
  if (x->memfds != NULL)
    return lp_archive_extract_to_memfd (x, entry, name, error);
  fd = openat (x->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
               0600);
  if (fd < 0)
    return lp_archive_fail (error, "cannot create \"%s\": %s", name, g_strerror (errno));
  g_ptr_array_add (x->created, g_strdup (name));
  ok = lp_archive_copy_data (x, fd, name, archive_entry_size (entry), error);
  if (close (fd) < 0 && ok)
    return lp_archive_fail (error, "closing \"%s\": %s", name, g_strerror (errno));
  return ok;
}

static gboolean
lp_archive_extract_all (LpExtract *x, GError **error)
{
  guint count = 0;

  for (;;)
    {
      struct archive_entry *entry = NULL;
      int rc = archive_read_next_header (x->ar, &entry);

      if (rc == ARCHIVE_EOF)
        break;
      /* A warning is a header libarchive had to guess about: refuse it. */
      if (rc != ARCHIVE_OK)
        return lp_archive_fail (error, "%s",
                                archive_error_string (x->ar) ? archive_error_string (x->ar)
                                                             : "unreadable header");
      /* One compression at most (the count includes the raw reader): nested
       * filters are not a patch format and only multiply a bomb's ratio. */
      if (count == 0 && archive_filter_count (x->ar) > 2)
        return lp_archive_fail (error, "more than one layer of compression");
      if (++count > x->limits->max_entries)
        return lp_archive_fail (error, "more than %u members", x->limits->max_entries);
      if (!lp_archive_extract_entry (x, entry, error))
        return FALSE;
    }
  if (count == 0)
    return lp_archive_fail (error, "no members");
  return TRUE;
}

static gboolean
lp_archive_check_file (int archive_fd, const LpArchiveLimits *limits, GError **error)
{
  struct stat st;

  if (fstat (archive_fd, &st) < 0)
    return lp_archive_fail (error, "cannot stat: %s", g_strerror (errno));
  if (S_ISREG (st.st_mode) && (guint64) st.st_size > limits->max_archive_size)
    return lp_archive_fail (
        error, "%" G_GINT64_FORMAT " bytes, over the %" G_GUINT64_FORMAT "-byte download cap",
        (gint64) st.st_size, limits->max_archive_size);
  return TRUE;
}

static void
lp_archive_undo (LpExtract *x)
{
  for (guint i = 0; i < x->created->len; i++)
    unlinkat (x->dirfd, g_ptr_array_index (x->created, i), 0);
}

static void
lp_archive_close_memfd (gpointer fd_plus_one)
{
  close (GPOINTER_TO_INT (fd_plus_one) - 1);
}

static gboolean
lp_archive_run (LpExtract *x, int archive_fd, const LpArchiveLimits *limits, GError **error)
{
  g_autoptr (LpArchiveReader) ar = NULL;

  x->limits = limits != NULL ? limits : lp_archive_limits_default ();
  if (!lp_archive_check_file (archive_fd, x->limits, error))
    return FALSE;
  ar = lp_archive_reader_new ();
  x->ar = ar;
  if (archive_read_open_fd (ar, archive_fd, LP_ARCHIVE_BLOCK) != ARCHIVE_OK)
    return lp_archive_fail (error, "%s",
                            archive_error_string (ar) ? archive_error_string (ar) : "cannot open");
  if (!lp_archive_extract_all (x, error))
    {
      lp_archive_undo (x);
      return FALSE;
    }
  return TRUE;
}

gboolean
lp_archive_extract (int archive_fd, int dest_dirfd, const LpArchiveLimits *limits,
                    GPtrArray **out_names, GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  LpExtract x = { NULL, dest_dirfd, limits, names, seen, created, NULL, 0 };

  if (!lp_archive_run (&x, archive_fd, limits, error))
    return FALSE;
  if (out_names != NULL)
    *out_names = g_steal_pointer (&names);
  return TRUE;
}

GHashTable *
lp_archive_extract_to_memory (int archive_fd, const LpArchiveLimits *limits, GPtrArray **out_names,
                              GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) memfds =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, lp_archive_close_memfd);
  LpExtract x = { NULL, -1, limits, names, seen, created, memfds, 0 };

  if (!lp_archive_run (&x, archive_fd, limits, error))
    return NULL;
  if (out_names != NULL)
    *out_names = g_steal_pointer (&names);
  return g_steal_pointer (&memfds);
}
