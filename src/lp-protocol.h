/* lp-protocol.h: what the Livepatch server protocol carries (docs/PROTOCOL.md),
 * as plain values: the daemon gets them from livepatch-fetch (lp-fetch-message.h),
 * the helper from LpClient
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-archive.h"
#include "lp-coverage.h"

G_BEGIN_DECLS

/* Bounds on the server's strings, in bytes: LpClient applies them to the
 * JSON it reads, and livepatchd again to what livepatch-fetch passes on. */
#define LP_PROTOCOL_MAX_TOKEN_LEN 4096 /* machine-token: an opaque credential */
#define LP_PROTOCOL_MAX_ID_LEN 256     /* client-id */
#define LP_PROTOCOL_MAX_NAME_LEN 64    /* tier, supported, patch.version */
#define LP_PROTOCOL_MAX_URL_LEN 2048   /* patch.url */

typedef struct
{
  const char *machine_id;
  const char *architecture;
  const char *kernel;
  const char *client_version; /* NULL = PACKAGE_VERSION */
} LpMachineInfo;

typedef struct
{
  char *machine_token;
  char *client_id;
  char *tier; /* "" when the server sent none */
} LpRegistration;

typedef struct
{
  const char *kernel;
  const char *architecture;
  const char *patch_version; /* "" or NULL when none is applied */
  const char *patch_state;
  const char *check_state;
  gint64 uptime;              /* seconds */
  gint64 boot_time;           /* unix seconds */
  const char *client_version; /* NULL = PACKAGE_VERSION */
  const char *cutoff_date;    /* RFC 3339, NULL = not sent */
  const char *patch_delay;    /* e.g. "3d", NULL = not sent */
} LpCheckRequest;

typedef struct
{
  char *version;
  char *url;    /* as the server sent it: absolute, or relative to remote-server */
  char *sha256; /* 64 lowercase hex digits (validated) */
  guint64 size; /* bytes, > 0 and <= LP_ARCHIVE_MAX_SIZE (validated) */
  /* The server marks a patch that deliberately replaces the applied one even
   * when its version is older (a withdrawn patch); optional, default FALSE. */
  gboolean replacement;
} LpPatchOffer;

typedef struct
{
  char *supported;      /* e.g. "supported", "kernel-end-of-life" */
  LpPatchOffer *patch;  /* NULL when there is nothing to apply */
  LpCoverage *coverage; /* lp-coverage.h: end date, tier description, held back; never NULL */
  /* Optional: a patch version the server knows to be buggy ("" = none). */
  char *buggy_version;
} LpCheckReply;

/* A reply to the CVE data request. */
typedef struct
{
  gboolean not_modified; /* 304: the stored copy is current */
  GBytes *body;          /* 200: the data, NULL otherwise (404: the server has none) */
  char *etag;            /* 200: the ETag without quotes, NULL when absent */
} LpCveReply;

void lp_registration_free (LpRegistration *reg);
LpPatchOffer *lp_patch_offer_copy (const LpPatchOffer *offer);
void lp_patch_offer_free (LpPatchOffer *offer);
void lp_check_reply_free (LpCheckReply *reply);
void lp_cve_reply_free (LpCveReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpRegistration, lp_registration_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpPatchOffer, lp_patch_offer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpCheckReply, lp_check_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpCveReply, lp_cve_reply_free)

G_END_DECLS
