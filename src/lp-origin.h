/* lp-origin.h: the origin (scheme://host[:port]) a machine token belongs to
 *
 * Enable records the origin of the remote-server that issued the machine
 * token; the token goes to that origin only (docs/SECURITY.md). An origin is
 * written the way browsers serialise one: scheme and host in lower case, an
 * IPv6 host in brackets, the port only when it is not the scheme's default
 * ("https://livepatch.example", "http://127.0.0.1:8080").
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The origin of @url; LP_ERROR_INVALID_ARGUMENT when @url is not an
 * absolute http or https URL with a host. */
char *lp_origin_from_url (const char *url, GError **error);

/* NULL when requests to @remote_server may carry the token that @enrolled
 * issued; otherwise LP_ERROR_NOT_ENABLED, "enabled for ORIGIN; enable again
 * to use OTHER" ("" @enrolled: an enrolment that recorded no origin). */
GError *lp_origin_check_enrolment (const char *enrolled, const char *remote_server);

G_END_DECLS
