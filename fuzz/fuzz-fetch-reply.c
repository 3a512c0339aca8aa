/* fuzz-fetch-reply.c: libFuzzer harness for the reply livepatch-fetch sends
 * livepatchd (lp_fetch_result_parse)
 *
 * The helper is the unprivileged side of the privilege split: it parses the
 * server's JSON and tarballs, so a hole in those parsers gives an attacker
 * the helper and, with it, every byte of this reply. The root side must
 * then refuse or accept it without more harm than a wrong answer. Byte 0
 * picks the operation (modulo 5, LpFetchOperation); the rest is the
 * serialized GVariant.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lp-error.h"
#include "lp-fetch-message.h"
#include "lp-fuzz.h"
#include "lp-sha256.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  lp_fuzz_init ();
  return 0;
}

/* A refusal is an LP_ERROR whose message can go out over D-Bus as it is. */
static void
lp_fuzz_check_refusal (const GError *error)
{
  if (error == NULL || error->domain != LP_ERROR || error->message == NULL ||
      !g_utf8_validate (error->message, -1, NULL))
    abort ();
}

/* An accepted reply holds the result of @op, and only that one. */
static void
lp_fuzz_check_result (LpFetchOperation op, const LpFetchResult *result)
{
  if (result->module_fd != -1 || (result->registration != NULL) != (op == LP_FETCH_REGISTER) ||
      (result->check != NULL) != (op == LP_FETCH_CHECK) ||
      (result->manifest != NULL) != (op == LP_FETCH_DOWNLOAD))
    abort ();
  if (result->registration != NULL &&
      (result->registration->machine_token == NULL || result->registration->client_id == NULL ||
       *result->registration->client_id == '\0' || result->registration->tier == NULL))
    abort ();
  if (result->check != NULL &&
      (result->check->supported == NULL || result->check->coverage == NULL ||
       result->check->buggy_version == NULL))
    abort ();
  if (result->check != NULL && result->check->patch != NULL &&
      (!lp_sha256_hex_is_valid (result->check->patch->sha256) || result->check->patch->size == 0 ||
       result->check->patch->size > LP_ARCHIVE_MAX_SIZE))
    abort ();
  if (result->cve_digest != NULL &&
      (op != LP_FETCH_CVE_DATA || !lp_sha256_hex_is_valid (result->cve_digest)))
    abort ();
  if (result->manifest != NULL && result->module_size == 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (LpFetchResult) result = NULL;
  LpFetchOperation op;

  if (size == 0)
    return 0;
  op = (LpFetchOperation) (data[0] % 5);
  bytes = g_bytes_new (data + 1, size - 1);
  result = lp_fetch_result_parse (op, bytes, &error);
  if (result == NULL)
    lp_fuzz_check_refusal (error);
  else if (error != NULL)
    abort ();
  else
    lp_fuzz_check_result (op, result);
  return 0;
}
