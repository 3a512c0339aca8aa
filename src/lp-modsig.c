/* lp-modsig.c: kernel module signature verification (trailer, PKCS#7 via
 * lp-pkcs7, RSA with GnuTLS)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-modsig"

#include "config.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-modsig.h"
#include "lp-pkcs7.h"

/* struct module_signature in the kernel's include/linux/module_signature.h */
#define LP_MODSIG_TRAILER_LEN 12
#define LP_MODSIG_ID_PKCS7 2
#define LP_MODSIG_MIN_RSA_BITS 2048
#define LP_MODSIG_MAGIC_LEN (sizeof (LP_MODSIG_MAGIC) - 1)
/* What ends every signed module: the trailer, then the magic string */
#define LP_MODSIG_TAIL_LEN (LP_MODSIG_TRAILER_LEN + LP_MODSIG_MAGIC_LEN)
/* SHA-512, the longest digest the policy accepts */
#define LP_MODSIG_MAX_DIGEST_LEN 64
/* Modules are hashed from a file in pieces of this size, so memory use does
 * not grow with the module (a mapping would make all of it resident). */
#define LP_MODSIG_READ_CHUNK (256 * 1024)

/* Where the signed bytes are: in memory, or (data == NULL) in a file read
 * with pread(), which leaves its offset alone. */
typedef struct
{
  const guint8 *data;
  int fd;
} LpModsigSource;

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_pubkey_t, gnutls_pubkey_deinit, NULL)

/* gnutls_hash_deinit() also returns the digest; a cleanup only discards it */
static void
lp_modsig_hash_discard (gnutls_hash_hd_t hash)
{
  gnutls_hash_deinit (hash, NULL);
}
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_hash_hd_t, lp_modsig_hash_discard, NULL)

void
lp_modsig_info_free (LpModsigInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->signer);
  g_free (info->hash);
  g_free (info->key_id);
  g_free (info->id_method);
  g_free (info);
}

static gboolean lp_modsig_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
lp_modsig_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INVALID_SIGNATURE, "module signature: ", format, args);
  va_end (args);
  return FALSE;
}

/* The kernel's mod_check_sig(): every field but id_type and sig_len is zero,
 * and the signature fits before the trailer with at least one module byte.
 * @tail holds the last MIN (@len, LP_MODSIG_TAIL_LEN) bytes of a @len-byte
 * module, so the buffer and the fd paths share this check. */
static gboolean
lp_modsig_parse_trailer (const guint8 *tail, gsize len, gsize *out_module_len, gsize *out_sig_len,
                         GError **error)
{
  const guint8 *ms = tail;
  guint32 sig_len;
  gsize body_len;

  if (len < LP_MODSIG_TAIL_LEN ||
      memcmp (tail + LP_MODSIG_TRAILER_LEN, LP_MODSIG_MAGIC, LP_MODSIG_MAGIC_LEN) != 0)
    return lp_modsig_fail (error, "module is not signed (no \"~Module signature appended~\")");
  body_len = len - LP_MODSIG_TAIL_LEN;
  if (ms[2] != LP_MODSIG_ID_PKCS7)
    return lp_modsig_fail (error, "signature type %u is not PKCS#7", ms[2]);
  for (guint i = 0; i < 8; i++)
    {
      if (i != 2 && ms[i] != 0)
        return lp_modsig_fail (error, "non-zero reserved field at trailer byte %u", i);
    }
  sig_len = ((guint32) ms[8] << 24) | ((guint32) ms[9] << 16) | ((guint32) ms[10] << 8) | ms[11];
  if (sig_len == 0 || sig_len >= body_len)
    return lp_modsig_fail (
        error, "signature length %u does not fit a %" G_GSIZE_FORMAT "-byte module", sig_len, len);
  *out_module_len = body_len - sig_len;
  *out_sig_len = sig_len;
  return TRUE;
}

/* The kernel's pkcs7_validate_trust(): the signer's key id looked up among
 * the trusted keys.  gnutls_pkcs7_verify() could not do this for an
 * issuer+serial signer without embedded certificates (sign-file's default). */
static gnutls_x509_crt_t
lp_modsig_find_signer (const LpPkcs7Signer *signer, LpCertSet *trusted, const char **out_method,
                       GError **error)
{
  gnutls_x509_crt_t cert;

  if (signer->version == LP_PKCS7_SIGNER_KEY_ID)
    {
      *out_method = "subject-key-id";
      cert = lp_cert_set_find_by_key_id (trusted, &signer->key_id);
    }
  else
    {
      *out_method = "issuer-serial";
      cert = lp_cert_set_find_by_issuer_serial (trusted, &signer->issuer, &signer->serial);
    }
  if (cert == NULL)
    lp_modsig_fail (error, "signer (by %s) is not among the %u trusted certificates", *out_method,
                    lp_cert_set_get_n_certs (trusted));
  return cert;
}

static gboolean
lp_modsig_pread_exact (int fd, guint8 *buf, gsize len, goffset offset, GError **error)
{
  while (len > 0)
    {
      ssize_t n = pread (fd, buf, len, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return lp_modsig_fail (error, "cannot read the module: %s", g_strerror (errno));
      if (n == 0)
        return lp_modsig_fail (error, "cannot read the module: it shrank while being read");
      buf += n;
      len -= n;
      offset += n;
    }
  return TRUE;
}

static gboolean
lp_modsig_hash_fd (int fd, gsize module_len, gnutls_digest_algorithm_t dig, guint8 *digest,
                   GError **error)
{
  g_auto (gnutls_hash_hd_t) hash = NULL;
  g_autofree guint8 *buf = g_malloc (MIN (module_len, LP_MODSIG_READ_CHUNK));

  if (gnutls_hash_init (&hash, dig) < 0)
    return lp_modsig_fail (error, "cannot hash the module");
  for (gsize done = 0; done < module_len;)
    {
      gsize n = MIN (module_len - done, LP_MODSIG_READ_CHUNK);

      if (!lp_modsig_pread_exact (fd, buf, n, done, error))
        return FALSE;
      if (gnutls_hash (hash, buf, n) < 0)
        return lp_modsig_fail (error, "cannot hash the module");
      done += n;
    }
  gnutls_hash_deinit (g_steal_pointer (&hash), digest);
  return TRUE;
}

static gboolean
lp_modsig_hash_module (const LpModsigSource *src, gsize module_len, gnutls_digest_algorithm_t dig,
                       gnutls_datum_t *out_hash, GError **error)
{
  g_assert (gnutls_hash_get_len (dig) <= LP_MODSIG_MAX_DIGEST_LEN);
  out_hash->size = gnutls_hash_get_len (dig);
  if (src->data == NULL)
    return lp_modsig_hash_fd (src->fd, module_len, dig, out_hash->data, error);
  if (gnutls_hash_fast (dig, src->data, module_len, out_hash->data) < 0)
    return lp_modsig_fail (error, "cannot hash the module");
  return TRUE;
}

static gboolean
lp_modsig_import_rsa (gnutls_x509_crt_t cert, gnutls_pubkey_t *out, guint *out_bits, GError **error)
{
  g_auto (gnutls_pubkey_t) pubkey = NULL;
  unsigned int bits = 0;

  if (gnutls_pubkey_init (&pubkey) < 0 || gnutls_pubkey_import_x509 (pubkey, cert, 0) < 0)
    return lp_modsig_fail (error, "cannot read the signer certificate's public key");
  if (gnutls_pubkey_get_pk_algorithm (pubkey, &bits) != GNUTLS_PK_RSA)
    return lp_modsig_fail (error, "the signer certificate's key is not RSA");
  *out = g_steal_pointer (&pubkey);
  *out_bits = bits;
  return TRUE;
}

/* PKCS#1 v1.5 over the module's digest, which is all that is signed since
 * lp-pkcs7 refused signed attributes.  The kernel's pkcs1pad takes only a
 * signature exactly as long as the modulus. */
static gboolean
lp_modsig_rsa_verify (gnutls_pubkey_t pubkey, guint bits, const LpPkcs7Signer *signer,
                      const gnutls_datum_t *hash, GError **error)
{
  int rc;

  if (signer->signature.size != (bits + 7) / 8)
    return lp_modsig_fail (error, "signature is %u bytes; the %u-bit RSA key needs %u",
                           signer->signature.size, bits, (bits + 7) / 8);
  rc = gnutls_pubkey_verify_hash2 (pubkey, gnutls_pk_to_sign (GNUTLS_PK_RSA, signer->digest), 0,
                                   hash, &signer->signature);
  if (rc < 0)
    return lp_modsig_fail (error, "signature does not match the module: %s", gnutls_strerror (rc));
  return TRUE;
}

/* No certificate-chain or date checks: like the kernel, a trusted
 * certificate verifies modules past its notAfter. */
static gboolean
lp_modsig_verify_with (gnutls_x509_crt_t cert, const LpPkcs7Signer *signer,
                       const gnutls_datum_t *hash, guint *out_bits, GError **error)
{
  g_auto (gnutls_pubkey_t) pubkey = NULL;
  guint bits = 0;

  if (!lp_modsig_import_rsa (cert, &pubkey, &bits, error))
    return FALSE;
  if (bits < LP_MODSIG_MIN_RSA_BITS)
    return lp_modsig_fail (error, "RSA key of %u bits is weaker than %u bits", bits,
                           LP_MODSIG_MIN_RSA_BITS);
  if (!lp_modsig_rsa_verify (pubkey, bits, signer, hash, error))
    return FALSE;
  *out_bits = bits;
  return TRUE;
}

/* The kernel's pkcs7_find_key() and pkcs7_verify_one(): an embedded RSA
 * certificate with the signer's issuer and serial is taken as the signer
 * and must verify the signature too, before any trusted key is asked. */
static gboolean
lp_modsig_check_embedded_signer (const LpPkcs7Signer *signer, const gnutls_datum_t *hash,
                                 GError **error)
{
  if (signer->version != LP_PKCS7_SIGNER_ISSUER_SERIAL)
    return TRUE;
  for (guint i = 0; i < signer->certs->len; i++)
    {
      gnutls_x509_crt_t cert = g_ptr_array_index (signer->certs, i);
      g_auto (gnutls_pubkey_t) pubkey = NULL;
      guint bits = 0;

      if (!lp_cert_matches_issuer_serial (cert, &signer->issuer, &signer->serial) ||
          !lp_modsig_import_rsa (cert, &pubkey, &bits, NULL))
        continue;
      if (!lp_modsig_rsa_verify (pubkey, bits, signer, hash, NULL))
        return lp_modsig_fail (error,
                               "embedded certificate %u has the signer's issuer and serial "
                               "but does not verify the signature",
                               i + 1);
      return TRUE;
    }
  return TRUE;
}

static LpModsigInfo *
lp_modsig_info_new (gnutls_x509_crt_t cert, const LpPkcs7Signer *signer, const char *method,
                    guint bits, gsize module_len)
{
  LpModsigInfo *out = g_new0 (LpModsigInfo, 1);

  out->signer = lp_cert_describe_subject (cert);
  out->hash = g_strdup (gnutls_digest_get_name (signer->digest));
  out->key_id = lp_cert_describe_key_id (cert);
  if (out->key_id[0] == '\0')
    {
      g_free (out->key_id);
      out->key_id = lp_cert_describe_serial (cert);
    }
  out->id_method = g_strdup (method);
  out->key_bits = bits;
  out->module_len = module_len;
  return out;
}

/* Everything after the trailer, the same for a buffer and a file: @der is
 * the PKCS#7 (@sig_len bytes), the signed module the first @module_len
 * bytes of @src. */
static gboolean
lp_modsig_verify_parsed (const LpModsigSource *src, const guint8 *der, gsize module_len,
                         gsize sig_len, LpCertSet *trusted, LpModsigInfo **out_info, GError **error)
{
  g_auto (LpPkcs7Signer) signer = { 0 };
  guint8 digest[LP_MODSIG_MAX_DIGEST_LEN];
  gnutls_datum_t hash = { digest, 0 };
  gnutls_x509_crt_t cert;
  const char *method = NULL;
  guint bits = 0;

  if (!lp_pkcs7_parse_module_signature (der, sig_len, &signer, error))
    {
      g_prefix_error (error, "module signature: ");
      return FALSE;
    }
  cert = lp_modsig_find_signer (&signer, trusted, &method, error);
  if (cert == NULL || !lp_modsig_hash_module (src, module_len, signer.digest, &hash, error) ||
      !lp_modsig_check_embedded_signer (&signer, &hash, error) ||
      !lp_modsig_verify_with (cert, &signer, &hash, &bits, error))
    return FALSE;
  if (out_info != NULL)
    *out_info = lp_modsig_info_new (cert, &signer, method, bits, module_len);
  return TRUE;
}

gboolean
lp_modsig_verify (const guint8 *data, gsize len, LpCertSet *trusted, LpModsigInfo **out_info,
                  GError **error)
{
  LpModsigSource src = { .data = data, .fd = -1 };
  const guint8 *tail = len >= LP_MODSIG_TAIL_LEN ? data + len - LP_MODSIG_TAIL_LEN : data;
  gsize module_len = 0, sig_len = 0;

  g_return_val_if_fail (LP_IS_CERT_SET (trusted), FALSE);

  if (!lp_modsig_parse_trailer (tail, len, &module_len, &sig_len, error))
    return FALSE;
  return lp_modsig_verify_parsed (&src, data + module_len, module_len, sig_len, trusted, out_info,
                                  error);
}

/* Reads only the fixed-size tail and the PKCS#7 it announces, both checked
 * by the same code as in memory before anything is allocated. */
static guint8 *
lp_modsig_read_tail (int fd, gsize len, gsize *out_module_len, gsize *out_sig_len, GError **error)
{
  guint8 tail[LP_MODSIG_TAIL_LEN];
  gsize tail_len = MIN (len, LP_MODSIG_TAIL_LEN);
  g_autofree guint8 *der = NULL;

  if (!lp_modsig_pread_exact (fd, tail, tail_len, len - tail_len, error) ||
      !lp_modsig_parse_trailer (tail, len, out_module_len, out_sig_len, error))
    return NULL;
  der = g_malloc (*out_sig_len);
  if (!lp_modsig_pread_exact (fd, der, *out_sig_len, *out_module_len, error))
    return NULL;
  return g_steal_pointer (&der);
}

gboolean
lp_modsig_verify_fd (int fd, LpCertSet *trusted, LpModsigInfo **out_info, GError **error)
{
  LpModsigSource src = { .data = NULL, .fd = fd };
  g_autofree guint8 *der = NULL;
  gsize module_len = 0, sig_len = 0;
  struct stat st;

  g_return_val_if_fail (LP_IS_CERT_SET (trusted), FALSE);

  if (fstat (fd, &st) < 0)
    return lp_modsig_fail (error, "cannot stat the module: %s", g_strerror (errno));
  if (!S_ISREG (st.st_mode) || st.st_size == 0)
    return lp_modsig_fail (error, "module is empty or not a regular file");
  der = lp_modsig_read_tail (fd, st.st_size, &module_len, &sig_len, error);
  if (der == NULL)
    return FALSE;
  return lp_modsig_verify_parsed (&src, der, module_len, sig_len, trusted, out_info, error);
}
