/* lp-pkcs7.c: the PKCS#7 SignedData of a module signature, read as the
 * kernel's crypto/asymmetric_keys/pkcs7_parser.c and pkcs7_verify.c read it
 *
 * Field by field, what the kernel (6.1) does with a module signature that
 * has no Authenticode content:
 *   ContentInfo.contentType       signedData, else "Only support pkcs7_signedData"
 *   SignedData.version            one byte, 1 or 3
 *   digestAlgorithms              SET or SEQUENCE of AlgorithmIdentifier
 *   encapContentInfo.eContentType data (pkcs7_verify: "not pkcs7-data")
 *   encapContentInfo.eContent     absent (pkcs7_supply_detached_data)
 *   certificates [0] / [2]        each a SEQUENCE that parses as X.509, and
 *                                 verifies its own signature if self-issued
 *   SignerInfo.version            one byte; 1 with SignedData 1 and issuer+serial,
 *                                 3 with SignedData 3 and subjectKeyIdentifier
 *                                 (any other pairing names no key the kernel has)
 *   signer's digestAlgorithm      a hash the kernel knows
 *   authenticatedAttributes       absent: an empty [0] set is "Missing required
 *                                 AuthAttr", any other "has authattrs"
 *   digestEncryptionAlgorithm     rsaEncryption, never sha512WithRSAEncryption
 *                                 or RSA-PSS (6.1 also takes ECDSA, SM2, GOST)
 *   unauthenticatedAttributes     ignored
 *   nothing after the last field of any SEQUENCE ("Cons length error")
 * The policy in DESIGN.md narrows this, and this file refuses what follows
 * too: more or fewer than one signer; digests other than SHA-256/384/512;
 * signature algorithms other than RSA;
 * a digestAlgorithms set that lists anything but the signer's digest; CRLs;
 * signed attributes in the [2] form; a serial number not in its shortest
 * form (the kernel compares serials byte for byte, so such a serial names
 * no certificate); BER encodings and bytes after the message.  No
 * legitimate module signer (sign-file, openssl cms) produces any of them.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-pkcs7"

#include "config.h"

#include <gnutls/abstract.h>

#include "lp-der.h"
#include "lp-error.h"
#include "lp-pkcs7.h"

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

#define LP_OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define LP_OID_DATA "1.2.840.113549.1.7.1"
#define LP_OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"

#define lp_pkcs7_fail(error, ...) lp_error_fail ((error), LP_ERROR_INVALID_SIGNATURE, __VA_ARGS__)

void
lp_pkcs7_signer_clear (LpPkcs7Signer *signer)
{
  g_clear_pointer (&signer->certs, g_ptr_array_unref);
}

static void
lp_pkcs7_crt_free (gpointer crt)
{
  gnutls_x509_crt_deinit (crt);
}

static gnutls_datum_t
lp_pkcs7_datum (const guint8 *data, gsize len)
{
  gnutls_datum_t datum = { (unsigned char *) data, (unsigned int) len };

  return datum;
}

static char *
lp_pkcs7_read_oid (LpDer *der, const char *what, GError **error)
{
  LpDerTlv tlv;
  char *oid;

  if (!lp_der_expect (der, LP_DER_OID, what, &tlv, error))
    return NULL;
  oid = lp_der_oid_to_string (&tlv);
  if (oid == NULL)
    lp_pkcs7_fail (error, "PKCS#7 %s is a malformed OBJECT IDENTIFIER", what);
  return oid;
}

/* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL };
 * like the kernel, the parameters are not looked at. */
static char *
lp_pkcs7_read_algorithm (LpDer *der, const char *what, GError **error)
{
  LpDerTlv seq, params;
  LpDer inner;
  g_autofree char *oid = NULL;

  if (!lp_der_expect (der, LP_DER_SEQUENCE, what, &seq, error))
    return NULL;
  inner = lp_der_enter (&seq);
  oid = lp_pkcs7_read_oid (&inner, what, error);
  if (oid == NULL)
    return NULL;
  if (inner.len > 0 && !lp_der_read (&inner, what, &params, error))
    return NULL;
  if (!lp_der_end (&inner, what, error))
    return NULL;
  return g_steal_pointer (&oid);
}

/* pkcs7_note_signeddata_version / _signerinfo_version: one content byte. */
static gboolean
lp_pkcs7_read_version (LpDer *der, const char *what, guint *out, GError **error)
{
  LpDerTlv tlv;

  if (!lp_der_expect (der, LP_DER_INTEGER, what, &tlv, error))
    return FALSE;
  if (tlv.len != 1 || (tlv.value[0] != 1 && tlv.value[0] != 3))
    return lp_pkcs7_fail (error, "PKCS#7 %s is not the one-byte INTEGER 1 or 3", what);
  *out = tlv.value[0];
  return TRUE;
}

static const char *
lp_pkcs7_digest_name (const char *oid)
{
  const char *name = gnutls_digest_get_name (gnutls_oid_to_digest (oid));

  return name != NULL ? name : "unknown";
}

static gboolean
lp_pkcs7_digest_from_oid (const char *oid, gnutls_digest_algorithm_t *out, GError **error)
{
  gnutls_digest_algorithm_t dig = gnutls_oid_to_digest (oid);

  if (dig != GNUTLS_DIG_SHA256 && dig != GNUTLS_DIG_SHA384 && dig != GNUTLS_DIG_SHA512)
    return lp_pkcs7_fail (error,
                          "PKCS#7 signer's digest %s (%s) is not SHA-256, SHA-384 or SHA-512",
                          lp_pkcs7_digest_name (oid), oid);
  *out = dig;
  return TRUE;
}

/* RFC 5652: digestAlgorithms collects the signers' digests, so with one
 * signer it holds that signer's digest and nothing else. */
static gboolean
lp_pkcs7_check_digest_set (const LpDerTlv *set, gnutls_digest_algorithm_t dig, GError **error)
{
  LpDer inner = lp_der_enter (set);

  if (inner.len == 0)
    return lp_pkcs7_fail (error, "PKCS#7 digestAlgorithms is empty; it must list the signer's %s",
                          gnutls_digest_get_name (dig));
  while (inner.len > 0)
    {
      g_autofree char *oid = lp_pkcs7_read_algorithm (&inner, "digestAlgorithms", error);

      if (oid == NULL)
        return FALSE;
      if (gnutls_oid_to_digest (oid) != dig)
        return lp_pkcs7_fail (error, "PKCS#7 digestAlgorithms lists %s (%s), not the signer's %s",
                              lp_pkcs7_digest_name (oid), oid, gnutls_digest_get_name (dig));
    }
  return TRUE;
}

static gboolean
lp_pkcs7_read_content_info (LpDer *der, GError **error)
{
  LpDerTlv seq;
  LpDer inner;
  g_autofree char *oid = NULL;

  if (!lp_der_expect (der, LP_DER_SEQUENCE, "encapContentInfo", &seq, error))
    return FALSE;
  inner = lp_der_enter (&seq);
  oid = lp_pkcs7_read_oid (&inner, "eContentType", error);
  if (oid == NULL)
    return FALSE;
  if (g_strcmp0 (oid, LP_OID_DATA) != 0)
    return lp_pkcs7_fail (error, "PKCS#7 eContentType %s is not data (%s)", oid, LP_OID_DATA);
  if (inner.len > 0)
    return lp_pkcs7_fail (error, "PKCS#7 carries embedded content; the kernel needs it detached");
  return TRUE;
}

static gboolean
lp_pkcs7_is_self_issued (gnutls_x509_crt_t crt)
{
  gnutls_datum_t issuer = { NULL, 0 }, subject = { NULL, 0 };
  gboolean same = FALSE;

  if (gnutls_x509_crt_get_raw_issuer_dn (crt, &issuer) >= 0 &&
      gnutls_x509_crt_get_raw_dn (crt, &subject) >= 0)
    same = issuer.size == subject.size && memcmp (issuer.data, subject.data, issuer.size) == 0;
  gnutls_free (issuer.data);
  gnutls_free (subject.data);
  return same;
}

/* The kernel's x509_check_for_self_signed(), run on every certificate it
 * parses: one whose issuer is its subject must verify its own signature.
 * An algorithm GnuTLS does not take is let through, as the kernel lets
 * through one it has no code for (ENOPKG).  Stricter: the kernel skips a
 * certificate whose authorityKeyIdentifier names another key. */
static gboolean
lp_pkcs7_check_self_signature (const LpDerTlv *cert, gnutls_x509_crt_t crt, guint index,
                               GError **error)
{
  g_auto (gnutls_pubkey_t) pubkey = NULL;
  int algo = gnutls_x509_crt_get_signature_algorithm (crt);
  LpDer inner = lp_der_enter (cert);
  LpDerTlv tbs, alg, sig;
  gnutls_datum_t tbs_der, sig_bits;
  int rc;

  if (!lp_pkcs7_is_self_issued (crt) || algo < 0 || algo == GNUTLS_SIGN_UNKNOWN)
    return TRUE;
  if (!lp_der_expect (&inner, LP_DER_SEQUENCE, "tbsCertificate", &tbs, error) ||
      !lp_der_expect (&inner, LP_DER_SEQUENCE, "signatureAlgorithm", &alg, error) ||
      !lp_der_expect (&inner, LP_DER_BIT_STRING, "signatureValue", &sig, error))
    return FALSE;
  if (sig.len < 1 || sig.value[0] != 0)
    return lp_pkcs7_fail (error, "PKCS#7 embedded certificate %u has a malformed signature", index);
  if (gnutls_pubkey_init (&pubkey) < 0 || gnutls_pubkey_import_x509 (pubkey, crt, 0) < 0)
    return TRUE; /* a key type without support: ENOPKG in the kernel too */
  tbs_der = lp_pkcs7_datum (tbs.whole, tbs.whole_len);
  sig_bits = lp_pkcs7_datum (sig.value + 1, sig.len - 1);
  rc = gnutls_pubkey_verify_data2 (pubkey, algo, GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1, &tbs_der,
                                   &sig_bits);
  if (rc == GNUTLS_E_INSUFFICIENT_SECURITY || rc == GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM)
    return TRUE;
  if (rc < 0)
    return lp_pkcs7_fail (error,
                          "PKCS#7 embedded certificate %u is self-signed but its "
                          "signature does not verify",
                          index);
  return TRUE;
}

/* pkcs7_extract_cert: the kernel parses every embedded certificate, and one
 * it cannot parse fails the whole message. */
static gboolean
lp_pkcs7_read_certs (const LpDerTlv *list, GPtrArray *certs, GError **error)
{
  LpDer inner = lp_der_enter (list);

  while (inner.len > 0)
    {
      LpDerTlv tlv;
      gnutls_x509_crt_t crt = NULL;
      gnutls_datum_t der;
      int rc;

      if (!lp_der_expect (&inner, LP_DER_SEQUENCE, "certificate", &tlv, error))
        return FALSE;
      der = lp_pkcs7_datum (tlv.whole, tlv.whole_len);
      if (gnutls_x509_crt_init (&crt) < 0)
        return lp_pkcs7_fail (error, "out of memory");
      g_ptr_array_add (certs, crt);
      rc = gnutls_x509_crt_import (crt, &der, GNUTLS_X509_FMT_DER);
      if (rc < 0)
        {
          g_debug ("embedded certificate %u: %s", certs->len, gnutls_strerror (rc));
          return lp_pkcs7_fail (error, "PKCS#7 embedded certificate %u does not parse as X.509",
                                certs->len);
        }
      if (!lp_pkcs7_check_self_signature (&tlv, crt, certs->len, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lp_pkcs7_read_issuer_serial (const LpDerTlv *seq, LpPkcs7Signer *out, GError **error)
{
  LpDer inner = lp_der_enter (seq);
  LpDerTlv issuer, serial;

  if (!lp_der_expect (&inner, LP_DER_SEQUENCE, "issuer", &issuer, error) ||
      !lp_der_expect (&inner, LP_DER_INTEGER, "serialNumber", &serial, error) ||
      !lp_der_end (&inner, "issuerAndSerialNumber", error))
    return FALSE;
  if (!lp_der_integer_is_minimal (&serial))
    return lp_pkcs7_fail (error, "PKCS#7 signer's serial number is not in its shortest form "
                                 "(a leading zero byte), so it names no certificate");
  out->issuer = lp_pkcs7_datum (issuer.whole, issuer.whole_len);
  out->serial = lp_pkcs7_datum (serial.value, serial.len);
  return TRUE;
}

/* The SignerInfo version fixes how the kernel builds the key id it looks
 * up (pkcs7_note_signed_info): from issuer+serial for 1, from the
 * subjectKeyIdentifier for 3.  The other choice leaves that id empty. */
static gboolean
lp_pkcs7_read_sid (LpDer *der, LpPkcs7Signer *out, GError **error)
{
  LpDerTlv sid;

  if (!lp_der_read (der, "sid", &sid, error))
    return FALSE;
  if (sid.tag == LP_DER_SEQUENCE && out->version == LP_PKCS7_SIGNER_ISSUER_SERIAL)
    return lp_pkcs7_read_issuer_serial (&sid, out, error);
  if (sid.tag == LP_DER_CONTEXT_PRIMITIVE (0) && out->version == LP_PKCS7_SIGNER_KEY_ID)
    {
      if (sid.len == 0)
        return lp_pkcs7_fail (error, "PKCS#7 signer's subjectKeyIdentifier is empty");
      out->key_id = lp_pkcs7_datum (sid.value, sid.len);
      return TRUE;
    }
  if (sid.tag == LP_DER_SEQUENCE || sid.tag == LP_DER_CONTEXT_PRIMITIVE (0))
    return lp_pkcs7_fail (
        error,
        "PKCS#7 SignerInfo version %u names its signer by %s; the kernel "
        "needs %s for version %u",
        out->version, sid.tag == LP_DER_SEQUENCE ? "issuer and serial" : "key id",
        sid.tag == LP_DER_SEQUENCE ? "a subjectKeyIdentifier" : "issuer and serial", out->version);
  return lp_pkcs7_fail (error,
                        "PKCS#7 sid has tag 0x%02x, neither issuerAndSerialNumber nor "
                        "subjectKeyIdentifier",
                        sid.tag);
}

static gboolean
lp_pkcs7_refuse_signed_attributes (const LpDer *der, GError **error)
{
  if (lp_der_next_is (der, LP_DER_CONTEXT (0)) && der->len >= 2 && der->data[1] == 0)
    return lp_pkcs7_fail (error, "PKCS#7 SignerInfo has an empty signed-attributes set; the kernel "
                                 "refuses module signatures with signed attributes, even none");
  if (lp_der_next_is (der, LP_DER_CONTEXT (0)) || lp_der_next_is (der, LP_DER_CONTEXT (2)))
    return lp_pkcs7_fail (error, "PKCS#7 SignerInfo has signed attributes; the kernel refuses "
                                 "them in module signatures");
  return TRUE;
}

static gboolean
lp_pkcs7_read_signature_algorithm (LpDer *der, GError **error)
{
  g_autofree char *oid = lp_pkcs7_read_algorithm (der, "digestEncryptionAlgorithm", error);
  const char *name;

  if (oid == NULL)
    return FALSE;
  if (g_strcmp0 (oid, LP_OID_RSA_ENCRYPTION) == 0)
    return TRUE;
  name = gnutls_sign_get_name (gnutls_oid_to_sign (oid));
  if (name == NULL)
    name = gnutls_pk_get_name (gnutls_oid_to_pk (oid));
  return lp_pkcs7_fail (error,
                        "PKCS#7 signature algorithm %s (%s) is not rsaEncryption (%s), "
                        "the only RSA signature the kernel's PKCS#7 parser takes",
                        name != NULL ? name : "unknown", oid, LP_OID_RSA_ENCRYPTION);
}

/* [1] IMPLICIT SET OF / [3] IMPLICIT SEQUENCE OF Attribute: ignored, as by
 * the kernel, but each must still be an Attribute. */
static gboolean
lp_pkcs7_skip_unsigned_attributes (LpDer *der, GError **error)
{
  LpDerTlv list;
  LpDer inner;

  if (!lp_der_next_is (der, LP_DER_CONTEXT (1)) && !lp_der_next_is (der, LP_DER_CONTEXT (3)))
    return TRUE;
  if (!lp_der_read (der, "unauthenticatedAttributes", &list, error))
    return FALSE;
  inner = lp_der_enter (&list);
  while (inner.len > 0)
    {
      LpDerTlv attr, values;
      LpDer fields;
      g_autofree char *oid = NULL;

      if (!lp_der_expect (&inner, LP_DER_SEQUENCE, "unauthenticated attribute", &attr, error))
        return FALSE;
      fields = lp_der_enter (&attr);
      oid = lp_pkcs7_read_oid (&fields, "unauthenticated attribute type", error);
      if (oid == NULL ||
          !lp_der_expect (&fields, LP_DER_SET, "unauthenticated attribute values", &values,
                          error) ||
          !lp_der_end (&fields, "unauthenticated attribute", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lp_pkcs7_read_signer_info (const LpDerTlv *seq, guint sd_version, LpPkcs7Signer *out,
                           GError **error)
{
  LpDer inner = lp_der_enter (seq);
  g_autofree char *digest_oid = NULL;
  LpDerTlv signature;

  if (!lp_pkcs7_read_version (&inner, "SignerInfo version", &out->version, error))
    return FALSE;
  if ((out->version == 1) != (sd_version == 1))
    return lp_pkcs7_fail (error,
                          "PKCS#7 SignerInfo version %u does not go with SignedData "
                          "version %u",
                          out->version, sd_version);
  if (!lp_pkcs7_read_sid (&inner, out, error))
    return FALSE;
  digest_oid = lp_pkcs7_read_algorithm (&inner, "digestAlgorithm", error);
  if (digest_oid == NULL || !lp_pkcs7_digest_from_oid (digest_oid, &out->digest, error) ||
      !lp_pkcs7_refuse_signed_attributes (&inner, error) ||
      !lp_pkcs7_read_signature_algorithm (&inner, error) ||
      !lp_der_expect (&inner, LP_DER_OCTET_STRING, "encryptedDigest", &signature, error) ||
      !lp_pkcs7_skip_unsigned_attributes (&inner, error) ||
      !lp_der_end (&inner, "SignerInfo", error))
    return FALSE;
  out->signature = lp_pkcs7_datum (signature.value, signature.len);
  return TRUE;
}

static gboolean
lp_pkcs7_read_signer_infos (LpDer *der, guint sd_version, LpPkcs7Signer *out, GError **error)
{
  LpDerTlv list, first = { 0 };
  LpDer inner;
  guint count = 0;

  if (!lp_der_read (der, "signerInfos", &list, error))
    return FALSE;
  if (list.tag != LP_DER_SET && list.tag != LP_DER_SEQUENCE)
    return lp_pkcs7_fail (error, "PKCS#7 signerInfos has tag 0x%02x", list.tag);
  inner = lp_der_enter (&list);
  while (inner.len > 0)
    {
      LpDerTlv one;

      if (!lp_der_expect (&inner, LP_DER_SEQUENCE, "SignerInfo", &one, error))
        return FALSE;
      if (count++ == 0)
        first = one;
    }
  if (count != 1)
    return lp_pkcs7_fail (error, "PKCS#7 has %u signers, expected exactly one", count);
  return lp_pkcs7_read_signer_info (&first, sd_version, out, error);
}

static gboolean
lp_pkcs7_read_optional_certs (LpDer *der, LpPkcs7Signer *out, GError **error)
{
  LpDerTlv list;

  if (!lp_der_next_is (der, LP_DER_CONTEXT (0)) && !lp_der_next_is (der, LP_DER_CONTEXT (2)))
    return TRUE;
  return lp_der_read (der, "certificates", &list, error) &&
         lp_pkcs7_read_certs (&list, out->certs, error);
}

static gboolean
lp_pkcs7_read_signed_data (const LpDerTlv *seq, LpPkcs7Signer *out, GError **error)
{
  LpDer inner = lp_der_enter (seq);
  LpDerTlv digests;
  guint version = 0;

  if (!lp_pkcs7_read_version (&inner, "SignedData version", &version, error) ||
      !lp_der_read (&inner, "digestAlgorithms", &digests, error))
    return FALSE;
  if (digests.tag != LP_DER_SET && digests.tag != LP_DER_SEQUENCE)
    return lp_pkcs7_fail (error, "PKCS#7 digestAlgorithms has tag 0x%02x", digests.tag);
  if (!lp_pkcs7_read_content_info (&inner, error) ||
      !lp_pkcs7_read_optional_certs (&inner, out, error))
    return FALSE;
  if (lp_der_next_is (&inner, LP_DER_CONTEXT (1)) || lp_der_next_is (&inner, LP_DER_CONTEXT (3)))
    return lp_pkcs7_fail (error, "PKCS#7 carries certificate revocation lists; module "
                                 "signatures have none");
  return lp_pkcs7_read_signer_infos (&inner, version, out, error) &&
         lp_der_end (&inner, "SignedData", error) &&
         lp_pkcs7_check_digest_set (&digests, out->digest, error);
}

gboolean
lp_pkcs7_parse_module_signature (const guint8 *der, gsize len, LpPkcs7Signer *out, GError **error)
{
  LpDer top = { der, len };
  LpDerTlv content_info, explicit, signed_data;
  LpDer inner;
  g_autofree char *type = NULL;

  memset (out, 0, sizeof *out);
  out->certs = g_ptr_array_new_with_free_func (lp_pkcs7_crt_free);
  if (!lp_der_expect (&top, LP_DER_SEQUENCE, "ContentInfo", &content_info, error) ||
      !lp_der_end (&top, "PKCS#7 message", error))
    return FALSE;
  inner = lp_der_enter (&content_info);
  type = lp_pkcs7_read_oid (&inner, "contentType", error);
  if (type == NULL)
    return FALSE;
  if (g_strcmp0 (type, LP_OID_SIGNED_DATA) != 0)
    return lp_pkcs7_fail (error, "PKCS#7 contentType %s is not signedData (%s)", type,
                          LP_OID_SIGNED_DATA);
  if (!lp_der_expect (&inner, LP_DER_CONTEXT (0), "content", &explicit, error) ||
      !lp_der_end (&inner, "ContentInfo", error))
    return FALSE;
  inner = lp_der_enter (&explicit);
  return lp_der_expect (&inner, LP_DER_SEQUENCE, "SignedData", &signed_data, error) &&
         lp_der_end (&inner, "content", error) &&
         lp_pkcs7_read_signed_data (&signed_data, out, error);
}
