/* lp-modsig.h: kernel module signature verification (PKCS#7, GnuTLS)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-certs.h"

G_BEGIN_DECLS

#define LP_MODSIG_MAGIC "~Module signature appended~\n"

typedef struct
{
  char *signer;     /* subject DN of the trusted certificate that verified it */
  char *hash;       /* "SHA512", "SHA384" or "SHA256" */
  char *key_id;     /* hex: the certificate's subjectKeyIdentifier, or its serial if it has none */
  char *id_method;  /* "issuer-serial" or "subject-key-id" */
  guint key_bits;   /* RSA modulus size */
  gsize module_len; /* bytes covered by the signature */
} LpModsigInfo;

void lp_modsig_info_free (LpModsigInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpModsigInfo, lp_modsig_info_free)

/* Verifies the appended signature of a kernel module the way the kernel does:
 * trailer fields, then the PKCS#7 field by field as lp-pkcs7.h describes
 * (one signer, detached data content, no signed attributes, rsaEncryption,
 * SHA-256/384/512), an embedded certificate naming the signer must verify
 * it, RSA >= 2048 bits, signer found in @trusted by issuer+serial or
 * subjectKeyIdentifier compared byte for byte; certificate dates not enforced.
 * Every failure is LP_ERROR_INVALID_SIGNATURE with a precise message.
 * Thread-safe. */
gboolean lp_modsig_verify (const guint8 *data, gsize len, LpCertSet *trusted,
                           LpModsigInfo **out_info, GError **error);
/* The same on an open regular file, in constant memory: reads the trailer
 * and the PKCS#7, then hashes the module in fixed-size chunks, all with
 * pread(), so the file offset is neither used nor changed. */
gboolean lp_modsig_verify_fd (int fd, LpCertSet *trusted, LpModsigInfo **out_info, GError **error);

G_END_DECLS
