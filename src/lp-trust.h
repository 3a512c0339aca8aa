/* lp-trust.h: the TLS trust database (host CA store + baked-in + config
 * ca-certs) and the TLS 1.2 floor
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* GnuTLS priority string that livepatch forces on glib-networking. */
#define LP_TRUST_GNUTLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* Call first thing in main(), before any thread exists and before any GIO
 * TLS use: glib-networking reads its GnuTLS priority once, from the
 * environment, when the backend initialises, and offers no other way to set
 * a protocol floor. Every connection of the process (proxied or not) then
 * refuses TLS < 1.2 during the handshake. Idempotent. */
void lp_trust_init_process (void);

/* The TLS trust database for @ca_certs_pem (config ca-certs, NULL or "" for
 * none): the host's CA store, lp_baked_tls_certs_pem and @ca_certs_pem.
 * Fails with LP_ERROR_INVALID_ARGUMENT if @ca_certs_pem holds no valid
 * certificate or anything that does not parse. */
GTlsDatabase *lp_trust_database_new (const char *ca_certs_pem, GError **error);

/* Checks config ca-certs text: one or more PEM certificates, nothing else.
 * LP_ERROR_INVALID_ARGUMENT naming the problem. "" is valid (unset). */
gboolean lp_trust_validate_pem (const char *pem, GError **error);

/* Second line of defence behind lp_trust_init_process(): LP_ERROR_NETWORK
 * if @version is below TLS 1.2 (GTlsProtocolVersion of a finished handshake). */
gboolean lp_trust_check_protocol_version (GTlsProtocolVersion version, const char *host,
                                          GError **error);

G_END_DECLS
