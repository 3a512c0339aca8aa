/* lp-atomic-file.c: write a temporary file, fsync, rename, fsync the directory
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-atomic-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-atomic-file.h"
#include "lp-crash-point.h"
#include "lp-error.h"

static gboolean
set_errno_error (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot %s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

/* Without this the rename itself may be lost on power failure. */
static gboolean
fsync_dir_of (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc;

  if (fd < 0)
    return set_errno_error (error, errno, "open", dir);
  rc = fsync (fd);
  close (fd);
  return rc == 0 || set_errno_error (error, errno, "sync", dir);
}

static gboolean
write_all (int fd, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

#define LP_ATOMIC_FILE_SUFFIX_LEN 6 /* the XXXXXX of mkstemp */

static char *
temporary_template (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strconcat (".", base, ".XXXXXX", NULL);

  return g_build_filename (dir, name, NULL);
}

gboolean
lp_atomic_file_write (const char *path, const void *data, gsize len, int mode, GError **error)
{
  g_autofree char *tmp = temporary_template (path);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  int errsv;

  if (fd < 0)
    return set_errno_error (error, errno, "create", tmp);
  /* mkstemp honours the umask; the mode must be exact (0600 for secrets). */
  if (fchmod (fd, mode) != 0 || !write_all (fd, data, len) || fsync (fd) != 0)
    {
      errsv = errno;
      close (fd);
      g_unlink (tmp);
      return set_errno_error (error, errsv, "write", tmp);
    }
  close (fd);
  lp_crash_point ("during-state-write");
  if (g_rename (tmp, path) != 0)
    {
      errsv = errno;
      g_unlink (tmp);
      return set_errno_error (error, errsv, "rename to", path);
    }
  return fsync_dir_of (path, error);
}

gboolean
lp_atomic_file_remove (const char *path, GError **error)
{
  if (g_unlink (path) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "remove", path);
  return fsync_dir_of (path, error);
}

static gboolean
has_temporary_suffix (const char *name, gsize base_len)
{
  return strlen (name) == base_len + 1 + LP_ATOMIC_FILE_SUFFIX_LEN && name[base_len] == '.';
}

gboolean
lp_atomic_file_is_temporary (const char *name, const char *base)
{
  const char *dot = strrchr (name, '.');

  if (base == NULL)
    return name[0] == '.' && dot != name && strlen (dot + 1) == LP_ATOMIC_FILE_SUFFIX_LEN;
  if (name[0] == '.' && g_str_has_prefix (name + 1, base))
    return has_temporary_suffix (name + 1, strlen (base));
  return g_str_has_prefix (name, base) && has_temporary_suffix (name, strlen (base));
}
