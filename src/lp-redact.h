/* lp-redact.h: the one place that hides credentials from logs and replies
 *
 * Three kinds of secret can reach a log line, an error or a D-Bus reply:
 * credentials in a URL (proxy user-info: "http://admin:pw@proxy" and the
 * user-only "http://admin@proxy" alike), tokens (the Enable token and the
 * machine token), and ca-certs bodies. Every log line of livepatchd passes
 * through lp_redact_text() in its log writer; D-Bus error replies, LastError
 * and GetConfig values pass through it too (docs/SECURITY.md).
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LP_REDACT_MASK "********"
/* Registered secrets shorter than this are not masked in free text (they
 * would mask ordinary words); real tokens are far longer. */
#define LP_REDACT_MIN_SECRET 8

/* Makes lp_redact_text() mask every later occurrence of @secret, for the
 * life of the process. Thread-safe; NULL or short secrets are ignored. */
void lp_redact_add_secret (const char *secret);

/* @text with every credential masked: the user-info before any '@' (from
 * the start of its word: after a space, quote, '/', '=' or the like), the
 * body of every PEM block ("-----BEGIN X-----" to "-----END X-----", or
 * to the end of @text), and every registered secret. NULL gives NULL. */
char *lp_redact_text (const char *text);

/* A configuration value as shown to callers not entitled to secrets:
 * ca-certs bodies and URL user-info masked (lp_redact_text()). */
char *lp_redact_config_value (const char *key, const char *value);

G_END_DECLS
