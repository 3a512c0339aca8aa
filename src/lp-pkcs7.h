/* lp-pkcs7.h: the PKCS#7 SignedData of a module signature, read as the
 * kernel's crypto/asymmetric_keys/pkcs7_parser.c and pkcs7_verify.c read it
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

#define LP_PKCS7_SIGNER_ISSUER_SERIAL 1 /* SignerInfo version 1 */
#define LP_PKCS7_SIGNER_KEY_ID 3        /* SignerInfo version 3 */

/* The one signer.  The datums point into the parsed DER, which must outlive
 * them; the certificates are the ones embedded in the message. */
typedef struct
{
  guint version;                    /* LP_PKCS7_SIGNER_ISSUER_SERIAL or _KEY_ID */
  gnutls_digest_algorithm_t digest; /* SHA-256, SHA-384 or SHA-512 */
  gnutls_datum_t issuer;            /* issuer Name, whole DER (version 1) */
  gnutls_datum_t serial;            /* serialNumber contents as encoded (version 1) */
  gnutls_datum_t key_id;            /* subjectKeyIdentifier (version 3) */
  gnutls_datum_t signature;         /* encryptedDigest */
  GPtrArray *certs;                 /* gnutls_x509_crt_t, owned */
} LpPkcs7Signer;

void lp_pkcs7_signer_clear (LpPkcs7Signer *signer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LpPkcs7Signer, lp_pkcs7_signer_clear)

/* Parses @der (a whole ContentInfo) as a module signature: everything the
 * kernel refuses in a module's PKCS#7, and the few things the policy in
 * DESIGN.md narrows further, fail with LP_ERROR_INVALID_SIGNATURE and a
 * message naming the field.  Verifies nothing cryptographic. */
gboolean lp_pkcs7_parse_module_signature (const guint8 *der, gsize len, LpPkcs7Signer *out,
                                          GError **error);

G_END_DECLS
