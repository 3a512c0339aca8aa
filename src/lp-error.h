/* lp-error.h: the one error domain of livepatch, mapped to D-Bus error names
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LP_ERROR (lp_error_quark ())

/* Each code is sent over D-Bus as com.canonical.Livepatch.Error.<Name>;
 * keep lp-error.c and the interface XML in step with this list. */
typedef enum
{
  LP_ERROR_NOT_ENABLED,       /* NotEnabled */
  LP_ERROR_ALREADY_ENABLED,   /* AlreadyEnabled */
  LP_ERROR_NOT_AUTHORIZED,    /* NotAuthorized */
  LP_ERROR_INVALID_ARGUMENT,  /* InvalidArgument */
  LP_ERROR_NETWORK,           /* Network: DNS, connect, TLS, proxy, timeouts */
  LP_ERROR_SERVER,            /* Server: HTTP status or malformed reply */
  LP_ERROR_UNKNOWN_TOKEN,     /* UnknownToken: the server refused the token */
  LP_ERROR_CHECKSUM_MISMATCH, /* ChecksumMismatch */
  LP_ERROR_INVALID_ARCHIVE,   /* InvalidArchive: tarball structure or caps */
  LP_ERROR_INVALID_METADATA,  /* InvalidMetadata: patch.json */
  LP_ERROR_INVALID_SIGNATURE, /* InvalidSignature: module signature */
  LP_ERROR_KERNEL_MISMATCH,   /* KernelMismatch: kernel or architecture */
  LP_ERROR_ROLLBACK,          /* Rollback: older than the applied patch */
  LP_ERROR_BLOCKED,           /* Blocked: crash-loop lock or operating mode */
  LP_ERROR_LOAD_FAILED,       /* LoadFailed: the kernel refused the module */
  LP_ERROR_CANCELLED,         /* Cancelled: Disable or shutdown */
  LP_ERROR_BUSY,              /* Busy */
  LP_ERROR_INTERNAL,          /* Internal */
} LpError;

#define LP_ERROR_N_CODES (LP_ERROR_INTERNAL + 1)

GQuark lp_error_quark (void);
const char *lp_error_to_nick (LpError code);
gboolean lp_error_from_nick (const char *nick, LpError *out_code);
/* Sets @error to @code with a printf-style message and returns FALSE, so a
 * check can end in `return lp_error_fail (error, ...)`. */
gboolean lp_error_fail (GError **error, LpError code, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* The same with a va_list and a fixed @prefix ("patch archive: ", or NULL),
 * for each file's own fail helper. */
gboolean lp_error_failv (GError **error, LpError code, const char *prefix, const char *format,
                         va_list args) G_GNUC_PRINTF (4, 0);

G_END_DECLS
