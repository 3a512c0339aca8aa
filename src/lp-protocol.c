/* lp-protocol.c: the protocol's value types
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lp-protocol.h"

void
lp_registration_free (LpRegistration *reg)
{
  if (reg == NULL)
    return;
  g_free (reg->machine_token);
  g_free (reg->client_id);
  g_free (reg->tier);
  g_free (reg);
}

LpPatchOffer *
lp_patch_offer_copy (const LpPatchOffer *offer)
{
  LpPatchOffer *copy = g_new0 (LpPatchOffer, 1);

  copy->version = g_strdup (offer->version);
  copy->url = g_strdup (offer->url);
  copy->sha256 = g_strdup (offer->sha256);
  copy->size = offer->size;
  copy->replacement = offer->replacement;
  return copy;
}

void
lp_patch_offer_free (LpPatchOffer *offer)
{
  if (offer == NULL)
    return;
  g_free (offer->version);
  g_free (offer->url);
  g_free (offer->sha256);
  g_free (offer);
}

void
lp_check_reply_free (LpCheckReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->supported);
  g_free (reply->buggy_version);
  lp_patch_offer_free (reply->patch);
  lp_coverage_free (reply->coverage);
  g_free (reply);
}

void
lp_cve_reply_free (LpCveReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->etag);
  g_free (reply);
}
