/* fuzz-server-json.c: libFuzzer harness for the server's JSON replies
 *
 * The first byte picks the reply: even = registration (POST /v1/client/{token}),
 * odd = check (POST /v1/client/{id}/updates); the rest is the body.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lp-client.h"
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
  if (reply->supported == NULL)
    abort ();
  if (offer != NULL &&
      (offer->version == NULL || offer->url == NULL || offer->sha256 == NULL ||
       strlen (offer->sha256) != 64 || strspn (offer->sha256, "0123456789abcdef") != 64 ||
       offer->size == 0 || offer->size > LP_ARCHIVE_MAX_SIZE))
    abort ();
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
  else
    lp_fuzz_registration (body);
  return 0;
}
