/* lp-fetch-message.h: the one message livepatch-fetch sends livepatchd, and
 * the request it answers (docs/ARCHITECTURE.md, "Privilege separation")
 *
 * Both sides include this header and link lp-fetch-message.c, which needs
 * GLib only: the daemon never links a JSON, HTTP or archive library.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-manifest.h"
#include "lp-protocol.h"

G_BEGIN_DECLS

/* Root -> helper, on the helper's stdin: operation, configuration values
 * (LpConfig keys -> text), arguments (see LpFetchOperation). */
#define LP_FETCH_REQUEST_TYPE "(sa{ss}a{sv})"

typedef enum
{
  LP_FETCH_REGISTER, /* args: token s, machine-id s, architecture s, kernel s */
  LP_FETCH_CHECK,    /* args: client-id s, machine-token s, token-origin s, and the
                      * LpCheckRequest fields as in lp_fetch_request_new_check() */
  LP_FETCH_CVE_DATA, /* args: client-id s, machine-token s, token-origin s, kernels as, digest s */
  LP_FETCH_DOWNLOAD, /* args: machine-token s, token-origin s, version s, url s, sha256 s,
                      * size t, replacement b */
  LP_FETCH_DEREGISTER, /* args: client-id s, machine-token s, token-origin s */
} LpFetchOperation;

const char *lp_fetch_operation_to_string (LpFetchOperation op);
gboolean lp_fetch_operation_from_string (const char *name, LpFetchOperation *out);

/* Helper -> root, on fd 3 (a stream socket): records of a 32-bit kind and a
 * 32-bit length (host order), then the payload. */
typedef struct
{
  guint32 kind;
  guint32 length;
} LpFetchRecordHeader;

#define LP_FETCH_RECORD_PROGRESS 1 /* payload: guint64 bytes received so far */
#define LP_FETCH_RECORD_REPLY 2    /* payload: LP_FETCH_REPLY_TYPE, the last record */
/* The reply is at most this large; CVE data (1 MiB of JSON) is the largest. */
#define LP_FETCH_REPLY_MAX_SIZE (4 * 1024 * 1024)

/* error nick ("" on success), error message, then one maybe per operation:
 * register (machine-token, client-id, tier); check (supported, offer
 * (version, url, sha256, size, replacement), buggy version, coverage);
 * CVE data (not modified, digest, timestamp, kernel fixes); download
 * (manifest, module size). With a download's reply comes the module: a memfd
 * sealed with LP_FETCH_MODULE_SEALS, passed with SCM_RIGHTS. */
#define LP_FETCH_REPLY_TYPE                                                                        \
  "(ssm(sss)"                                                                                      \
  "m(sm(ssstb)s" LP_COVERAGE_VARIANT_TYPE ")"                                                      \
  "m(bsxa(sas))"                                                                                   \
  "m(" LP_MANIFEST_VARIANT_TYPE "t))"
#define LP_FETCH_MODULE_SEALS (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/* What the daemon takes from a reply, every field checked. */
typedef struct
{
  LpRegistration *registration; /* register */
  LpCheckReply *check;          /* check */
  gboolean cve_not_modified;    /* CVE data: 304 */
  char *cve_digest;             /* CVE data: 200, the ETag; NULL otherwise */
  gint64 cve_timestamp;
  GVariant *cve_fixes;  /* a(sas), NULL unless 200 */
  LpManifest *manifest; /* download */
  guint64 module_size;  /* download: bytes of the module memfd */
  int module_fd;        /* download: the sealed memfd (LpFetcher checked it), else -1 */
} LpFetchResult;

void lp_fetch_result_free (LpFetchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpFetchResult, lp_fetch_result_free)

/* Root side: @bytes must be a normal-form LP_FETCH_REPLY_TYPE whose maybe
 * for @op, and only that one, is set on success. A reported error comes back
 * as that error (codes a fetch cannot produce become LP_ERROR_INTERNAL); a
 * malformed reply is LP_ERROR_INTERNAL "livepatch-fetch sent ...". */
LpFetchResult *lp_fetch_result_parse (LpFetchOperation op, GBytes *bytes, GError **error);

/* Helper side: the replies, floating. */
GVariant *lp_fetch_reply_new_error (const GError *error);
GVariant *lp_fetch_reply_new_registration (const LpRegistration *reg);
GVariant *lp_fetch_reply_new_check (const LpCheckReply *reply);
GVariant *lp_fetch_reply_new_cve_data (gboolean not_modified, const char *digest, gint64 timestamp,
                                       GVariant *kernel_fixes);
GVariant *lp_fetch_reply_new_download (LpManifest *manifest, guint64 module_size);
GVariant *lp_fetch_reply_new_done (void); /* deregister */

G_END_DECLS
