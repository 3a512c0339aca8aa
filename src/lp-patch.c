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
#include "lp-patch-private.h"
#include "lp-sha256.h"

#define LP_PATCH_READ_BLOCK (64 * 1024)

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

gboolean
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

char *
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

gboolean
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

/* The directory is flat and holds only files extraction created. */
gboolean
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

gboolean
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
gboolean
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

/* The signature over the module at run->patch->module_fd, then its name. */
gboolean
lp_patch_check_module_fd (LpPatchRun *run, GError **error)
{
  return lp_modsig_verify_fd (run->patch->module_fd, run->trusted, &run->patch->signature, error) &&
         lp_patch_check_module_name (run, error);
}

LpVerifiedPatch *
lp_patch_verify_module (int module_fd, LpManifest *manifest, const LpPatchExpectation *expect,
                        LpCertSet *trusted, GError **error)
{
  static const LpPatchExpectation none = { NULL, NULL, NULL, NULL };
  g_autoptr (LpVerifiedPatch) patch = g_new0 (LpVerifiedPatch, 1);
  LpPatchRun run = { expect != NULL ? expect : &none, trusted, NULL, NULL, -1, patch };

  g_return_val_if_fail (LP_IS_CERT_SET (trusted), NULL);
  patch->manifest = g_object_ref (manifest);
  patch->module_fd = fcntl (module_fd, F_DUPFD_CLOEXEC, 3);
  if (patch->module_fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot duplicate the module fd: %s",
                   g_strerror (errno));
      return NULL;
    }
  if (!lp_patch_check_kernel (&run, error) || !lp_patch_check_module_fd (&run, error))
    return NULL;
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
