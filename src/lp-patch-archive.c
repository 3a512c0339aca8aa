/* lp-patch-archive.c: the verification pipeline for a patch tarball
 * (livepatch-verify; livepatchd gets the module from livepatch-fetch and
 * checks it with lp_patch_verify_module())
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-patch"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-crash-point.h"
#include "lp-error.h"
#include "lp-patch-private.h"

static gboolean
lp_patch_check_cancelled (LpPatchRun *run, GError **error)
{
  if (!g_cancellable_is_cancelled (run->cancellable))
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_CANCELLED, "patch verification was cancelled");
  return FALSE;
}

static gboolean
lp_patch_make_directory (LpPatchRun *run, const char *parent, GError **error)
{
  g_autofree char *tmpl = g_build_filename (parent, "patch-XXXXXX", NULL);

  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot create a directory in %s: %s",
                   parent, g_strerror (errno));
      return FALSE;
    }
  run->directory = g_steal_pointer (&tmpl);
  run->dirfd = open (run->directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (run->dirfd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot open %s: %s", run->directory,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static char *
lp_patch_read_member (LpPatchRun *run, const char *name, gsize max, gsize *out_len, GError **error)
{
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local_error = NULL;
  int fd = openat (run->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  char *data;

  if (fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot open %s: %s", name,
                   g_strerror (errno));
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL || g_mapped_file_get_length (mapped) > max)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA, "%s: unreadable or too large", name);
      return NULL;
    }
  *out_len = g_mapped_file_get_length (mapped);
  data = g_malloc (*out_len + 1);
  if (*out_len > 0)
    memcpy (data, g_mapped_file_get_contents (mapped), *out_len);
  data[*out_len] = '\0';
  return data;
}

static gboolean
lp_patch_names_contain (GPtrArray *names, const char *name)
{
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

static gboolean
lp_patch_load_manifest (LpPatchRun *run, GError **error)
{
  g_autofree char *json = NULL;
  gsize len = 0;

  if (!lp_patch_names_contain (run->patch->entries, LP_MANIFEST_FILENAME))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE, "patch archive: no %s member",
                   LP_MANIFEST_FILENAME);
      return FALSE;
    }
  json = lp_patch_read_member (run, LP_MANIFEST_FILENAME, LP_MANIFEST_MAX_SIZE, &len, error);
  if (json == NULL)
    return FALSE;
  run->patch->manifest = lp_manifest_new_from_data (json, len, error);
  return run->patch->manifest != NULL &&
         lp_manifest_check_members (run->patch->manifest, run->patch->entries, error);
}

static gboolean
lp_patch_check_module (LpPatchRun *run, GError **error)
{
  const char *module = lp_manifest_get_module (run->patch->manifest);
  int fd = openat (run->dirfd, module, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot open %s: %s", module,
                   g_strerror (errno));
      return FALSE;
    }
  run->patch->module_fd = fd;
  run->patch->module_path = g_build_filename (run->directory, module, NULL);
  return lp_patch_check_module_fd (run, error);
}

static gboolean
lp_patch_run_checks (LpPatchRun *run, int tarball_fd, const char *extract_parent, GError **error)
{
  LpVerifiedPatch *patch = run->patch;

  /* Without an expected digest the caller checked it while downloading: a
   * second pass over a large patch would only cost time (the header says so). */
  if (run->expect->sha256 != NULL)
    {
      patch->sha256 = lp_patch_hash_fd (tarball_fd, error);
      if (patch->sha256 == NULL ||
          !lp_patch_compare_digest (patch->sha256, run->expect->sha256, error))
        return FALSE;
    }
  if (!lp_patch_rewind (tarball_fd, error)) /* the header promises offset 0 */
    return FALSE;
  if (!lp_patch_check_cancelled (run, error) ||
      !lp_patch_make_directory (run, extract_parent, error))
    return FALSE;
  if (!lp_archive_extract (tarball_fd, run->dirfd, run->expect->limits, &patch->entries, error))
    return FALSE;
  lp_crash_point ("after-extract");
  return lp_patch_check_cancelled (run, error) && lp_patch_load_manifest (run, error) &&
         lp_patch_check_kernel (run, error) && lp_patch_check_cancelled (run, error) &&
         lp_patch_check_module (run, error);
}

LpVerifiedPatch *
lp_patch_verify (int tarball_fd, const char *extract_parent, const LpPatchExpectation *expect,
                 LpCertSet *trusted, GCancellable *cancellable, GError **error)
{
  static const LpPatchExpectation none = { NULL, NULL, NULL, NULL };
  g_autoptr (LpVerifiedPatch) patch = g_new0 (LpVerifiedPatch, 1);
  LpPatchRun run = { expect != NULL ? expect : &none, trusted, cancellable, NULL, -1, patch };
  gboolean ok;

  g_return_val_if_fail (LP_IS_CERT_SET (trusted), NULL);
  g_return_val_if_fail (extract_parent != NULL, NULL);

  patch->module_fd = -1;
  ok = lp_patch_run_checks (&run, tarball_fd, extract_parent, error);
  if (!ok && run.dirfd >= 0)
    lp_patch_remove_tree (run.dirfd, run.directory, NULL);
  if (run.dirfd >= 0)
    close (run.dirfd);
  if (!ok)
    {
      g_free (run.directory);
      return NULL;
    }
  patch->directory = run.directory;
  return g_steal_pointer (&patch);
}
