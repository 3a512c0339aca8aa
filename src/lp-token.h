/* lp-token.h: the enrolment tokens Enable accepts
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest token accepted: Ubuntu Pro's resource tokens (macaroons) are a
 * few hundred to a few thousand characters. */
#define LP_TOKEN_MAX_LEN 4096

/* Accepts a legacy Livepatch auth token (a UUID, hex with or without
 * dashes) or an Ubuntu Pro resource token: 1 to LP_TOKEN_MAX_LEN characters
 * of the base64 or base64url alphabet (letters, digits, '-', '_', '+', '/')
 * followed by at most two '=' of padding. Anything else fails with
 * LP_ERROR_INVALID_ARGUMENT; the message never quotes the token. */
gboolean lp_token_validate (const char *token, GError **error);

G_END_DECLS
