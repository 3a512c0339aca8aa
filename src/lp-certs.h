/* lp-certs.h: the set of trusted module signing certificates
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/x509.h>

G_BEGIN_DECLS

#define LP_TYPE_CERT_SET (lp_cert_set_get_type ())
G_DECLARE_FINAL_TYPE (LpCertSet, lp_cert_set, LP, CERT_SET, GObject)

/* An empty set. */
LpCertSet *lp_cert_set_new (void);
/* The baked-in certificates plus the *.pem of @dir (NULL = the build's
 * module_certs_dir, /etc/livepatch/module-certs.d).  A missing directory is
 * fine; an untrustworthy directory or file is skipped with a warning.
 * Fails only if the baked-in PEM cannot be parsed (LP_ERROR_INTERNAL). */
LpCertSet *lp_cert_set_new_default (const char *dir, GError **error);

/* Adds every certificate of a PEM buffer; @origin names it in messages.
 * Errors: LP_ERROR_INVALID_ARGUMENT. */
gboolean lp_cert_set_add_pem (LpCertSet *self, const char *pem, gsize len, const char *origin,
                              GError **error);
/* Adds a PEM file named by the operator (no ownership checks: livepatch-verify --cert). */
gboolean lp_cert_set_add_file (LpCertSet *self, const char *path, GError **error);
/* Adds *.pem of a directory that must be owned by root (or by this process's
 * effective user) and not group/world writable; each file is checked likewise (and must be a
 * regular file, not a link).  Refused files are skipped with a warning.  Returns the number of
 * certificates added; a missing directory adds none and is no error; an
 * untrustworthy directory is LP_ERROR_INVALID_ARGUMENT. */
gboolean lp_cert_set_add_directory (LpCertSet *self, const char *dir, guint *out_added,
                                    GError **error);

guint lp_cert_set_get_n_certs (LpCertSet *self);
/* transfer none; valid as long as @self lives. */
gnutls_x509_crt_t lp_cert_set_get_cert (LpCertSet *self, guint index);
/* Where certificate @index came from ("built-in", a file path). */
const char *lp_cert_set_get_origin (LpCertSet *self, guint index);

/* The signer lookups of a PKCS#7 SignerInfo; NULL when absent.
 * @issuer_dn is the DER-encoded issuer Name, @serial the raw INTEGER bytes;
 * both compared byte for byte, as the kernel compares key ids. */
gboolean lp_cert_matches_issuer_serial (gnutls_x509_crt_t cert, const gnutls_datum_t *issuer_dn,
                                        const gnutls_datum_t *serial);
gnutls_x509_crt_t lp_cert_set_find_by_issuer_serial (LpCertSet *self,
                                                     const gnutls_datum_t *issuer_dn,
                                                     const gnutls_datum_t *serial);
gnutls_x509_crt_t lp_cert_set_find_by_key_id (LpCertSet *self, const gnutls_datum_t *key_id);

/* Helpers for listings and logs (newly allocated). */
char *lp_cert_describe_subject (gnutls_x509_crt_t cert);
char *lp_cert_describe_key_id (gnutls_x509_crt_t cert); /* SKI hex, or "" */
char *lp_cert_describe_serial (gnutls_x509_crt_t cert); /* hex */

G_END_DECLS
