/* lp-patch.c: the patch verification pipeline (DESIGN checks 1-4)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-patch"

#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lp-crash-point.h"
#include "lp-elf.h"
#include "lp-error.h"
#include "lp-module-name.h"
#include "lp-patch.h"
#include "lp-sha256.h"

#define LP_PATCH_READ_BLOCK (64 * 1024)

struct _LpVerifiedPatch
{
  LpManifest *manifest;
  LpModsigInfo *signature;
  char *sha256;
  char *directory;
  char *module_path;
  char *module_name;
  int module_fd;
  GPtrArray *entries;
};

/* One verification: what it created, so a failure can remove all of it. */
typedef struct
{
  const LpPatchExpectation *expect;
  LpCertSet *trusted;
  GCancellable *cancellable;
  char *directory;
  int dirfd;
  LpVerifiedPatch *patch;
} LpPatchRun;

void
lp_verified_patch_free (LpVerifiedPatch *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->manifest);
  lp_modsig_info_free (self->signature);
  g_free (self->sha256);
  g_free (self->directory);
  g_free (self->module_path);
  g_free (self->module_name);
  if (self->module_fd >= 0)
    close (self->module_fd);
  if (self->entries != NULL)
    g_ptr_array_unref (self->entries);
  g_free (self);
}

static gboolean
lp_patch_rewind (int fd, GError **error)
{
  if (lseek (fd, 0, SEEK_SET) < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot rewind the patch file: %s",
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static char *
lp_patch_hash_fd (int fd, GError **error)
{
  g_autoptr (LpSha256) sha = lp_sha256_new ();
  g_autofree guint8 *buf = g_malloc (LP_PATCH_READ_BLOCK);

  if (!lp_patch_rewind (fd, error))
    return NULL;
  for (;;)
    {
      ssize_t n = read (fd, buf, LP_PATCH_READ_BLOCK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "reading the patch file: %s",
                       g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        break;
      lp_sha256_update (sha, buf, n);
    }
  lseek (fd, 0, SEEK_SET);
  return lp_sha256_finish_hex (sha);
}

static gboolean
lp_patch_compare_digest (const char *actual, const char *expected_hex, GError **error)
{
  if (!lp_sha256_hex_is_valid (expected_hex))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_CHECKSUM_MISMATCH,
                   "expected SHA-256 \"%s\" is not 64 hex digits", expected_hex);
      return FALSE;
    }
  if (!lp_sha256_hex_equal (actual, expected_hex))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_CHECKSUM_MISMATCH,
                   "SHA-256 of the patch is %s, expected %s", actual, expected_hex);
      return FALSE;
    }
  return TRUE;
}

gboolean
lp_patch_verify_digest (int fd, const char *expected_hex, GError **error)
{
  g_autofree char *actual = lp_patch_hash_fd (fd, error);

  return actual != NULL && lp_patch_compare_digest (actual, expected_hex, error);
}

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

/* The directory is flat and holds only files extraction created. */
static gboolean
lp_patch_remove_tree (int dirfd, const char *path, GError **error)
{
  int fd = dup (dirfd);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (dir == NULL)
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot list %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
        unlinkat (dirfd, de->d_name, 0);
    }
  closedir (dir);
  if (g_rmdir (path) < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot remove %s: %s", path,
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

/* Exactly patch.json and the module it names, nothing else. */
static gboolean
lp_patch_check_members (GPtrArray *names, LpManifest *manifest, GError **error)
{
  const char *module = lp_manifest_get_module (manifest);

  if (!lp_patch_names_contain (names, module))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA,
                   "patch.json: module \"%s\" is not in the archive", module);
      return FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (g_strcmp0 (name, LP_MANIFEST_FILENAME) != 0 && g_strcmp0 (name, module) != 0)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE,
                       "patch archive: unexpected member \"%s\"", name);
          return FALSE;
        }
    }
  return TRUE;
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
         lp_patch_check_members (run->patch->entries, run->patch->manifest, error);
}

static gboolean
lp_patch_check_kernel (LpPatchRun *run, GError **error)
{
  LpManifest *manifest = run->patch->manifest;
  const char *kernel = lp_manifest_get_kernel (manifest);
  const char *arch = lp_manifest_get_architecture (manifest);

  if (run->expect->kernel != NULL && g_strcmp0 (kernel, run->expect->kernel) != 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_KERNEL_MISMATCH, "patch is for kernel %s, not %s",
                   kernel, run->expect->kernel);
      return FALSE;
    }
  if (run->expect->architecture != NULL && g_strcmp0 (arch, run->expect->architecture) != 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_KERNEL_MISMATCH,
                   "patch is for architecture %s, not %s", arch, run->expect->architecture);
      return FALSE;
    }
  return TRUE;
}

/* The kernel registers the module under the name inside it, which the
 * signature covers; patch.json only names the file. Read the name from the
 * signed bytes and require patch.json to agree, so that the lock, the record
 * and the unload all use the name the kernel will use. */
static gboolean
lp_patch_check_module_name (LpPatchRun *run, GError **error)
{
  const char *file = lp_manifest_get_module (run->patch->manifest);
  g_autofree char *listed = NULL;
  g_autofree char *inside =
      lp_elf_get_module_name_fd (run->patch->module_fd, run->patch->signature->module_len, error);
  g_autoptr (GError) name_error = NULL;

  if (inside == NULL)
    return FALSE;
  listed = lp_module_name_from_file (file, &name_error);
  if (listed == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA, "patch.json: module \"%s\": %s",
                   file, name_error->message);
      return FALSE;
    }
  if (g_strcmp0 (listed, inside) != 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_METADATA,
                   "patch.json: module \"%s\" is a module named %s, not %s", file, inside, listed);
      return FALSE;
    }
  run->patch->module_name = g_steal_pointer (&inside);
  return TRUE;
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
  return lp_modsig_verify_fd (fd, run->trusted, &run->patch->signature, error) &&
         lp_patch_check_module_name (run, error);
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

LpManifest *
lp_verified_patch_get_manifest (LpVerifiedPatch *self)
{
  return self->manifest;
}

const LpModsigInfo *
lp_verified_patch_get_signature (LpVerifiedPatch *self)
{
  return self->signature;
}

const char *
lp_verified_patch_get_sha256 (LpVerifiedPatch *self)
{
  return self->sha256;
}

const char *
lp_verified_patch_get_directory (LpVerifiedPatch *self)
{
  return self->directory;
}

const char *
lp_verified_patch_get_module_name (LpVerifiedPatch *self)
{
  return self->module_name;
}

const char *
lp_verified_patch_get_module_path (LpVerifiedPatch *self)
{
  return self->module_path;
}

int
lp_verified_patch_get_module_fd (LpVerifiedPatch *self)
{
  return self->module_fd;
}

int
lp_verified_patch_steal_module_fd (LpVerifiedPatch *self)
{
  int fd = self->module_fd;

  self->module_fd = -1;
  return fd;
}

GPtrArray *
lp_verified_patch_get_entries (LpVerifiedPatch *self)
{
  return self->entries;
}

gboolean
lp_verified_patch_remove_directory (LpVerifiedPatch *self, GError **error)
{
  int dirfd;
  gboolean ok;

  if (self->directory == NULL)
    return TRUE;
  dirfd = open (self->directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot open %s: %s", self->directory,
                   g_strerror (errno));
      return FALSE;
    }
  ok = lp_patch_remove_tree (dirfd, self->directory, error);
  close (dirfd);
  if (ok)
    g_clear_pointer (&self->directory, g_free);
  return ok;
}
