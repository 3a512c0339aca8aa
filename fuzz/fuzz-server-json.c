/* fuzz-server-json.c: libFuzzer harness for the server's JSON replies
 *
 * The first byte picks the reply: odd = check (POST /v1/client/{id}/updates),
 * 2 modulo 4 = CVE data (GET /v1/client/{id}/cve-fixes), other even values =
 * registration (POST /v1/client/{token}); the rest is the body.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lp-client.h"
#include "lp-coverage.h"
#include "lp-cve-json.h"
#include "lp-error.h"
#include "lp-fuzz.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  lp_fuzz_init ();
  return 0;
}

static void
lp_fuzz_registration (GBytes *body)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = lp_client_parse_registration (body, &error);

  if (reg == NULL)
    lp_fuzz_assert_error (error, LP_ERROR_SERVER);
  else if (reg->machine_token == NULL || reg->client_id == NULL || reg->tier == NULL)
    abort ();
}

/* The header promises a validated offer: 64 lowercase hex digits, a size cap. */
static void
lp_fuzz_check_reply (GBytes *body)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = lp_client_parse_check_reply (body, &error);
  LpPatchOffer *offer;

  if (reply == NULL)
    {
      lp_fuzz_assert_error (error, LP_ERROR_SERVER);
      return;
    }
  offer = reply->patch;
  if (reply->supported == NULL || reply->coverage == NULL ||
      reply->coverage->tier_description == NULL ||
      !g_variant_is_of_type (reply->coverage->held_back, G_VARIANT_TYPE ("a(sxs)")) ||
      (*reply->coverage->upgrade_required_date != '\0' &&
       !lp_coverage_date_is_valid (reply->coverage->upgrade_required_date)))
    abort ();
  if (offer != NULL &&
      (offer->version == NULL || offer->url == NULL || offer->sha256 == NULL ||
       strlen (offer->sha256) != 64 || strspn (offer->sha256, "0123456789abcdef") != 64 ||
       offer->size == 0 || offer->size > LP_ARCHIVE_MAX_SIZE))
    abort ();
}

static void
lp_fuzz_cve_data (GBytes *body)
{
  g_autoptr (GError) error = NULL;

  if (!lp_cve_data_validate (body, &error))
    lp_fuzz_assert_error (error, LP_ERROR_SERVER);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) body = NULL;

  if (size == 0)
    return 0;
  body = g_bytes_new (data + 1, size - 1);
  if (data[0] & 1)
    lp_fuzz_check_reply (body);
  else if (data[0] % 4 == 2)
    lp_fuzz_cve_data (body);
  else
    lp_fuzz_registration (body);
  return 0;
}
