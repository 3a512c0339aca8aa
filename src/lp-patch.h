/* lp-patch.h: the patch verification pipeline (DESIGN checks 1-4)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-archive.h"
#include "lp-certs.h"
#include "lp-manifest.h"
#include "lp-modsig.h"

G_BEGIN_DECLS

typedef struct
{
  const char *kernel;            /* running release; NULL = don't check */
  const char *architecture;      /* "amd64"; NULL = don't check */
  const char *sha256;            /* expected hex digest of the tarball; NULL = the
                                  * caller already checked it while downloading */
  const LpArchiveLimits *limits; /* NULL = lp_archive_limits_default () */
} LpPatchExpectation;

typedef struct _LpVerifiedPatch LpVerifiedPatch;

/* Check 1 for a file already on disk: SHA-256 of everything read from @fd
 * (from offset 0; the offset is restored to 0) equals @expected_hex.
 * Errors: LP_ERROR_CHECKSUM_MISMATCH (also for a malformed @expected_hex),
 * LP_ERROR_INTERNAL for read errors. */
gboolean lp_patch_verify_digest (int fd, const char *expected_hex, GError **error);

/* Runs, in DESIGN order, the digest (if @expect->sha256), the archive rules
 * and caps, the metadata and kernel/architecture match, the module
 * signature, and the module's own name (a malformed ELF is
 * LP_ERROR_INVALID_ARCHIVE, a name patch.json does not match
 * LP_ERROR_INVALID_METADATA).  Extracts into a fresh 0700 directory created inside
 * @extract_parent (which must exist).  On failure nothing is left behind and
 * the error is LP_ERROR_CHECKSUM_MISMATCH, _INVALID_ARCHIVE,
 * _INVALID_METADATA, _KERNEL_MISMATCH, _INVALID_SIGNATURE or _CANCELLED.
 * Thread-safe and synchronous: call it from a GTask thread in the daemon.
 * @tarball_fd is read from offset 0. */
LpVerifiedPatch *lp_patch_verify (int tarball_fd, const char *extract_parent,
                                  const LpPatchExpectation *expect, LpCertSet *trusted,
                                  GCancellable *cancellable, GError **error);

/* The checks after the archive, on a module livepatchd holds as @module_fd
 * (a sealed memfd from livepatch-fetch, or the stored copy) with the
 * @manifest that came with it: kernel and architecture against @expect
 * (sha256 and limits unused), the signature, the module's own name against
 * patch.json's. @module_fd is duplicated, and read with pread. The result
 * has no directory, entries or sha256. Same errors as lp_patch_verify(). */
LpVerifiedPatch *lp_patch_verify_module (int module_fd, LpManifest *manifest,
                                         const LpPatchExpectation *expect, LpCertSet *trusted,
                                         GError **error);

LpManifest *lp_verified_patch_get_manifest (LpVerifiedPatch *self); /* transfer none */
const LpModsigInfo *lp_verified_patch_get_signature (LpVerifiedPatch *self);
/* SHA-256 of the tarball, only when @expect->sha256 was given (else NULL). */
const char *lp_verified_patch_get_sha256 (LpVerifiedPatch *self);
const char *lp_verified_patch_get_directory (LpVerifiedPatch *self);   /* extraction dir */
const char *lp_verified_patch_get_module_path (LpVerifiedPatch *self); /* for messages only */
/* The name the kernel will give the module: read from the signed ELF
 * (lp-elf.h), equal to patch.json's module file name without ".ko" and with
 * '-' as '_' (else verification failed with LP_ERROR_INVALID_METADATA). */
const char *lp_verified_patch_get_module_name (LpVerifiedPatch *self);
/* O_RDONLY|O_CLOEXEC fd of the verified module: load this one (finit_module),
 * never re-open the path.  Owned by @self; _steal_ hands it over (-1 after). */
int lp_verified_patch_get_module_fd (LpVerifiedPatch *self);
int lp_verified_patch_steal_module_fd (LpVerifiedPatch *self);
/* Names of the archive members, in archive order (transfer none). */
GPtrArray *lp_verified_patch_get_entries (LpVerifiedPatch *self);
/* Deletes the extracted files and the directory (the fd stays valid). */
gboolean lp_verified_patch_remove_directory (LpVerifiedPatch *self, GError **error);
/* Closes the fd; the directory stays unless removed above. */
void lp_verified_patch_free (LpVerifiedPatch *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpVerifiedPatch, lp_verified_patch_free)

G_END_DECLS
