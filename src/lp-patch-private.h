/* lp-patch-private.h: what lp-patch.c (the checks on a module) and
 * lp-patch-archive.c (the tarball pipeline) share
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lp-patch.h"

G_BEGIN_DECLS

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

gboolean lp_patch_rewind (int fd, GError **error);
char *lp_patch_hash_fd (int fd, GError **error);
gboolean lp_patch_compare_digest (const char *actual, const char *expected_hex, GError **error);
/* The directory is flat and holds only files extraction created. */
gboolean lp_patch_remove_tree (int dirfd, const char *path, GError **error);
gboolean lp_patch_check_kernel (LpPatchRun *run, GError **error);
gboolean lp_patch_check_module_name (LpPatchRun *run, GError **error);
gboolean lp_patch_check_module_fd (LpPatchRun *run, GError **error);

G_END_DECLS
