/* lp-fetch-message.c: building and checking livepatch-fetch's reply
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-fetch-message.h"
#include "lp-sha256.h"
#include "lp-text.h"
#include "lp-token.h"

static const char *const lp_fetch_operations[] = {
  [LP_FETCH_REGISTER] = "register",     [LP_FETCH_CHECK] = "check",
  [LP_FETCH_CVE_DATA] = "cve-data",     [LP_FETCH_DOWNLOAD] = "download",
  [LP_FETCH_DEREGISTER] = "deregister",
};

const char *
lp_fetch_operation_to_string (LpFetchOperation op)
{
  g_return_val_if_fail (op <= LP_FETCH_DEREGISTER, "");
  return lp_fetch_operations[op];
}

gboolean
lp_fetch_operation_from_string (const char *name, LpFetchOperation *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (lp_fetch_operations); i++)
    {
      if (g_strcmp0 (name, lp_fetch_operations[i]) == 0)
        {
          *out = (LpFetchOperation) i;
          return TRUE;
        }
    }
  return FALSE;
}

void
lp_fetch_result_free (LpFetchResult *result)
{
  if (result == NULL)
    return;
  lp_registration_free (result->registration);
  lp_check_reply_free (result->check);
  g_free (result->cve_digest);
  g_clear_pointer (&result->cve_fixes, g_variant_unref);
  g_clear_object (&result->manifest);
  if (result->module_fd >= 0)
    close (result->module_fd);
  g_free (result);
}

/* ---- helper side ---- */

static GVariant *
reply_new (const char *code, const char *message, GVariant *registration, GVariant *check,
           GVariant *cve, GVariant *download)
{
  return g_variant_new (
      "(ss@m(sss)@m(sm(ssstb)s" LP_COVERAGE_VARIANT_TYPE
      ")@m(bsxa(sas))@m(" LP_MANIFEST_VARIANT_TYPE "t))",
      code, message,
      registration ? registration : g_variant_new_maybe (G_VARIANT_TYPE ("(sss)"), NULL),
      check
          ? check
          : g_variant_new_maybe (G_VARIANT_TYPE ("(sm(ssstb)s" LP_COVERAGE_VARIANT_TYPE ")"), NULL),
      cve ? cve : g_variant_new_maybe (G_VARIANT_TYPE ("(bsxa(sas))"), NULL),
      download ? download
               : g_variant_new_maybe (G_VARIANT_TYPE ("(" LP_MANIFEST_VARIANT_TYPE "t)"), NULL));
}

GVariant *
lp_fetch_reply_new_error (const GError *error)
{
  const char *nick = error->domain == LP_ERROR ? lp_error_to_nick ((LpError) error->code) : NULL;
  g_autofree char *message = g_utf8_make_valid (error->message, -1);

  return reply_new (nick != NULL ? nick : lp_error_to_nick (LP_ERROR_INTERNAL), message, NULL, NULL,
                    NULL, NULL);
}

GVariant *
lp_fetch_reply_new_registration (const LpRegistration *reg)
{
  return reply_new ("", "",
                    g_variant_new_maybe (NULL, g_variant_new ("(sss)", reg->machine_token,
                                                              reg->client_id, reg->tier)),
                    NULL, NULL, NULL);
}

GVariant *
lp_fetch_reply_new_check (const LpCheckReply *reply)
{
  const LpPatchOffer *o = reply->patch;
  GVariant *offer = g_variant_new_maybe (
      G_VARIANT_TYPE ("(ssstb)"),
      o != NULL ? g_variant_new ("(ssstb)", o->version, o->url, o->sha256, o->size, o->replacement)
                : NULL);

  return reply_new (
      "", "", NULL,
      g_variant_new_maybe (NULL, g_variant_new ("(s@m(ssstb)s@" LP_COVERAGE_VARIANT_TYPE ")",
                                                reply->supported, offer, reply->buggy_version,
                                                lp_coverage_to_variant (reply->coverage))),
      NULL, NULL);
}

GVariant *
lp_fetch_reply_new_cve_data (gboolean not_modified, const char *digest, gint64 timestamp,
                             GVariant *kernel_fixes)
{
  GVariant *fixes =
      kernel_fixes != NULL ? kernel_fixes : g_variant_new_array (G_VARIANT_TYPE ("(sas)"), NULL, 0);

  return reply_new (
      "", "", NULL, NULL,
      g_variant_new_maybe (NULL, g_variant_new ("(bsx@a(sas))", not_modified,
                                                digest != NULL ? digest : "", timestamp, fixes)),
      NULL);
}

GVariant *
lp_fetch_reply_new_download (LpManifest *manifest, guint64 module_size)
{
  return reply_new (
      "", "", NULL, NULL, NULL,
      g_variant_new_maybe (NULL, g_variant_new ("(@" LP_MANIFEST_VARIANT_TYPE "t)",
                                                lp_manifest_to_variant (manifest), module_size)));
}

GVariant *
lp_fetch_reply_new_done (void)
{
  return reply_new ("", "", NULL, NULL, NULL, NULL);
}

/* ---- root side ---- */

static gboolean lp_fetch_bad (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
lp_fetch_bad (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INTERNAL, "livepatch-fetch sent ", format, args);
  va_end (args);
  return FALSE;
}

/* An identifier as LpClient accepts it from the server (lp-text), not
 * empty unless @allow_empty. */
static gboolean
lp_fetch_text_ok (const char *text, gsize max, gboolean allow_empty)
{
  return lp_text_is_accepted (text, LP_TEXT_IDENTIFIER, max) && (allow_empty || *text != '\0');
}

static gboolean
lp_fetch_take_registration (GVariant *value, LpFetchResult *result, GError **error)
{
  g_autoptr (LpRegistration) reg = g_new0 (LpRegistration, 1);

  g_variant_get (value, "(sss)", &reg->machine_token, &reg->client_id, &reg->tier);
  if (!lp_token_validate (reg->machine_token, NULL) ||
      !lp_fetch_text_ok (reg->client_id, LP_PROTOCOL_MAX_ID_LEN, FALSE) ||
      !lp_fetch_text_ok (reg->tier, LP_PROTOCOL_MAX_NAME_LEN, TRUE))
    return lp_fetch_bad (error, "a bad machine token, client id or tier");
  result->registration = g_steal_pointer (&reg);
  return TRUE;
}

/* LpClient lowercases the digest; the daemon compares it as text. */
static gboolean
lp_fetch_is_lowercase (const char *hex)
{
  for (const char *p = hex; *p != '\0'; p++)
    {
      if (g_ascii_isupper (*p))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lp_fetch_offer_ok (const LpPatchOffer *offer)
{
  return lp_fetch_text_ok (offer->version, LP_PROTOCOL_MAX_NAME_LEN, FALSE) &&
         lp_fetch_text_ok (offer->url, LP_PROTOCOL_MAX_URL_LEN, FALSE) &&
         lp_sha256_hex_is_valid (offer->sha256) && lp_fetch_is_lowercase (offer->sha256) &&
         offer->size > 0 && offer->size <= LP_ARCHIVE_MAX_SIZE;
}

static gboolean
lp_fetch_take_check (GVariant *value, LpFetchResult *result, GError **error)
{
  g_autoptr (LpCheckReply) reply = g_new0 (LpCheckReply, 1);
  g_autoptr (GVariant) offer = NULL;
  g_autoptr (GVariant) coverage = NULL;
  g_autoptr (GError) coverage_error = NULL;

  g_variant_get (value, "(s@m(ssstb)s@" LP_COVERAGE_VARIANT_TYPE ")", &reply->supported, &offer,
                 &reply->buggy_version, &coverage);
  if (g_variant_n_children (offer) == 1)
    {
      reply->patch = g_new0 (LpPatchOffer, 1);
      g_variant_get_child (offer, 0, "(ssstb)", &reply->patch->version, &reply->patch->url,
                           &reply->patch->sha256, &reply->patch->size, &reply->patch->replacement);
      if (!lp_fetch_offer_ok (reply->patch))
        return lp_fetch_bad (error, "a bad patch offer");
    }
  if (!lp_fetch_text_ok (reply->supported, LP_PROTOCOL_MAX_NAME_LEN, TRUE) ||
      !lp_fetch_text_ok (reply->buggy_version, LP_PROTOCOL_MAX_NAME_LEN, TRUE))
    return lp_fetch_bad (error, "a bad \"supported\" or buggy version");
  reply->coverage = lp_coverage_new_from_variant (coverage, &coverage_error);
  if (reply->coverage == NULL)
    return lp_fetch_bad (error, "a bad %s", coverage_error->message);
  result->check = g_steal_pointer (&reply);
  return TRUE;
}

static gboolean
lp_fetch_take_cve_data (GVariant *value, LpFetchResult *result, GError **error)
{
  const char *digest;

  g_variant_get (value, "(b&sx@a(sas))", &result->cve_not_modified, &digest, &result->cve_timestamp,
                 &result->cve_fixes);
  if (result->cve_not_modified)
    return TRUE;
  /* An empty digest is the server's 404: no data. Else LpCveData checks
   * the values again before it keeps them. */
  if (*digest != '\0' && !lp_sha256_hex_is_valid (digest))
    return lp_fetch_bad (error, "a bad CVE data digest");
  if (*digest != '\0')
    result->cve_digest = g_ascii_strdown (digest, -1);
  return TRUE;
}

static gboolean
lp_fetch_take_download (GVariant *value, LpFetchResult *result, GError **error)
{
  g_autoptr (GVariant) manifest = NULL;

  g_variant_get (value, "(@" LP_MANIFEST_VARIANT_TYPE "t)", &manifest, &result->module_size);
  if (result->module_size == 0 || result->module_size > LP_ARCHIVE_MAX_SIZE * 2ULL)
    return lp_fetch_bad (error, "a module size of %" G_GUINT64_FORMAT " bytes",
                         result->module_size);
  /* The same checks as patch.json gets, with its own error code: bad
   * metadata is the patch's fault, not the helper's. */
  result->manifest = lp_manifest_new_from_variant (manifest, error);
  return result->manifest != NULL;
}

static gboolean
lp_fetch_take_error (const char *nick, const char *message, GError **error)
{
  LpError code = LP_ERROR_INTERNAL;
  static const LpError possible[] = {
    LP_ERROR_INVALID_ARGUMENT, LP_ERROR_NETWORK,           LP_ERROR_SERVER,
    LP_ERROR_UNKNOWN_TOKEN,    LP_ERROR_CHECKSUM_MISMATCH, LP_ERROR_INVALID_ARCHIVE,
    LP_ERROR_INVALID_METADATA, LP_ERROR_CANCELLED,         LP_ERROR_INTERNAL,
  };
  g_autofree char *why = NULL;
  g_autofree char *clean = lp_text_accept (message, LP_TEXT_PROSE, 4096, &why);
  gboolean known = lp_error_from_nick (nick, &code);

  for (guint i = 0; known && i < G_N_ELEMENTS (possible); i++)
    {
      if (possible[i] == code)
        {
          g_set_error_literal (error, LP_ERROR, code, clean != NULL ? clean : "(message too long)");
          return FALSE;
        }
    }
  return lp_fetch_bad (error, "the error code \"%s\", which no fetch can have", nick);
}

static gboolean
lp_fetch_take_part (LpFetchOperation op, GVariant *part, LpFetchResult *result, GError **error)
{
  g_autoptr (GVariant) value = g_variant_get_child_value (part, 0);

  switch (op)
    {
      case LP_FETCH_REGISTER:
        return lp_fetch_take_registration (value, result, error);
      case LP_FETCH_CHECK:
        return lp_fetch_take_check (value, result, error);
      case LP_FETCH_CVE_DATA:
        return lp_fetch_take_cve_data (value, result, error);
      case LP_FETCH_DOWNLOAD:
        return lp_fetch_take_download (value, result, error);
      default:
        return TRUE;
    }
}

/* The reply's fields: code, message, then one maybe per operation with a
 * result (register, check, CVE data, download; deregister has none). */
static gboolean
lp_fetch_take (LpFetchOperation op, GVariant *reply, LpFetchResult *result, GError **error)
{
  static const char *const names[] = { "registration", "check reply", "CVE data", "download" };
  g_autoptr (GVariant) code = g_variant_get_child_value (reply, 0);
  g_autoptr (GVariant) message = g_variant_get_child_value (reply, 1);

  if (*g_variant_get_string (code, NULL) != '\0')
    return lp_fetch_take_error (g_variant_get_string (code, NULL),
                                g_variant_get_string (message, NULL), error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GVariant) part = g_variant_get_child_value (reply, 2 + i);
      gboolean wanted = (guint) op == i;

      if ((g_variant_n_children (part) == 1) != wanted)
        return lp_fetch_bad (error, wanted ? "no %s" : "a %s it was not asked for", names[i]);
      if (wanted && !lp_fetch_take_part (op, part, result, error))
        return FALSE;
    }
  return TRUE;
}

LpFetchResult *
lp_fetch_result_parse (LpFetchOperation op, GBytes *bytes, GError **error)
{
  g_autoptr (LpFetchResult) result = g_new0 (LpFetchResult, 1);
  g_autoptr (GVariant) reply = NULL;

  result->module_fd = -1;
  if (g_bytes_get_size (bytes) > LP_FETCH_REPLY_MAX_SIZE)
    {
      lp_fetch_bad (error, "a reply of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (bytes));
      return NULL;
    }
  reply = g_variant_ref_sink (
      g_variant_new_from_bytes (G_VARIANT_TYPE (LP_FETCH_REPLY_TYPE), bytes, FALSE));
  if (!g_variant_is_normal_form (reply))
    {
      lp_fetch_bad (error, "a reply that is not a normal-form %s", LP_FETCH_REPLY_TYPE);
      return NULL;
    }
  if (!lp_fetch_take (op, reply, result, error))
    return NULL;
  return g_steal_pointer (&result);
}
