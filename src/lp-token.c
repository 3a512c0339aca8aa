/* lp-token.c: the enrolment tokens Enable accepts
 *
 * A token is a secret: the checks here say what is wrong with it without
 * repeating it, and callers never log it. It travels percent-encoded in the
 * register URL's path (lp-client.c), so '/', '+' and '=' are safe there.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-token"

#include "config.h"

#include <string.h>

#include "lp-error.h"
#include "lp-token.h"

#define LP_TOKEN_MAX_PADDING 2

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '+' || c == '/';
}

gboolean
lp_token_validate (const char *token, GError **error)
{
  gsize len = token != NULL ? strlen (token) : 0;
  gsize body = 0;

  if (len == 0 || len > LP_TOKEN_MAX_LEN)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "the token must be 1 to %d characters long; copy it from "
                   "https://ubuntu.com/pro/dashboard",
                   LP_TOKEN_MAX_LEN);
      return FALSE;
    }
  while (body < len && is_token_char (token[body]))
    body++;
  /* base64 padding, only at the end */
  while (body < len && token[body] == '=' && len - body <= LP_TOKEN_MAX_PADDING)
    body++;
  if (body != len || token[0] == '=')
    {
      g_set_error_literal (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                           "the token may contain only letters, digits, '-', '_', '+', '/' and "
                           "up to two '=' at its end");
      return FALSE;
    }
  return TRUE;
}
