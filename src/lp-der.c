/* lp-der.c: a strict DER reader for the PKCS#7 of module signatures
 *
 * Only what DER allows: single-byte tags, definite lengths in their shortest
 * form, elements that fit their parent.  BER's indefinite lengths, which
 * no signer of modules emits, are refused.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-der"

#include "config.h"

#include "lp-der.h"
#include "lp-error.h"

/* Lengths above 4 bytes could not describe a signature the trailer allows. */
#define LP_DER_MAX_LENGTH_BYTES 4

#define lp_der_fail(error, ...) lp_error_fail ((error), LP_ERROR_INVALID_SIGNATURE, __VA_ARGS__)

/* Reads the length octets at @p (@avail bytes there); returns how many. */
static gsize
lp_der_read_length (const guint8 *p, gsize avail, const char *what, gsize *out_len, GError **error)
{
  gsize n, len = 0;

  if (avail < 1)
    return lp_der_fail (error, "DER %s: truncated length", what);
  if (p[0] < 0x80)
    {
      *out_len = p[0];
      return 1;
    }
  if (p[0] == 0x80)
    return lp_der_fail (error, "DER %s: indefinite length (BER, not DER)", what);
  n = p[0] & 0x7f;
  if (n > LP_DER_MAX_LENGTH_BYTES || n >= avail)
    return lp_der_fail (error, "DER %s: length of %" G_GSIZE_FORMAT " bytes", what, n);
  for (gsize i = 1; i <= n; i++)
    len = (len << 8) | p[i];
  if (p[1] == 0 || len < 0x80)
    return lp_der_fail (error, "DER %s: length not in its shortest form", what);
  *out_len = len;
  return n + 1;
}

gboolean
lp_der_read (LpDer *der, const char *what, LpDerTlv *out, GError **error)
{
  gsize header, len = 0;

  if (der->len < 2)
    return lp_der_fail (error, "DER %s: missing or truncated", what);
  if ((der->data[0] & 0x1f) == 0x1f)
    return lp_der_fail (error, "DER %s: multi-byte tag", what);
  header = lp_der_read_length (der->data + 1, der->len - 1, what, &len, error);
  if (header == 0)
    return FALSE;
  header += 1;
  if (len > der->len - header)
    return lp_der_fail (error,
                        "DER %s: %" G_GSIZE_FORMAT " bytes announced, %" G_GSIZE_FORMAT " left",
                        what, len, der->len - header);
  out->tag = der->data[0];
  out->value = der->data + header;
  out->len = len;
  out->whole = der->data;
  out->whole_len = header + len;
  der->data += out->whole_len;
  der->len -= out->whole_len;
  return TRUE;
}

gboolean
lp_der_expect (LpDer *der, guint8 tag, const char *what, LpDerTlv *out, GError **error)
{
  if (!lp_der_read (der, what, out, error))
    return FALSE;
  if (out->tag != tag)
    return lp_der_fail (error, "DER %s: tag 0x%02x, expected 0x%02x", what, out->tag, tag);
  return TRUE;
}

gboolean
lp_der_next_is (const LpDer *der, guint8 tag)
{
  return der->len > 0 && der->data[0] == tag;
}

gboolean
lp_der_end (const LpDer *der, const char *what, GError **error)
{
  if (der->len != 0)
    return lp_der_fail (error, "DER %s: %" G_GSIZE_FORMAT " unexpected bytes after its last field",
                        what, der->len);
  return TRUE;
}

LpDer
lp_der_enter (const LpDerTlv *tlv)
{
  LpDer inner = { tlv->value, tlv->len };

  return inner;
}

gboolean
lp_der_integer_is_minimal (const LpDerTlv *tlv)
{
  if (tlv->len == 0)
    return FALSE;
  if (tlv->len == 1)
    return TRUE;
  /* A leading 0x00 (0xff) is needed only when the next bit would read as
   * a sign the number does not have. */
  if (tlv->value[0] == 0x00 && (tlv->value[1] & 0x80) == 0)
    return FALSE;
  if (tlv->value[0] == 0xff && (tlv->value[1] & 0x80) != 0)
    return FALSE;
  return TRUE;
}

char *
lp_der_oid_to_string (const LpDerTlv *tlv)
{
  g_autoptr (GString) out = g_string_new (NULL);
  guint64 arc = 0;

  if (tlv->len == 0 || (tlv->value[tlv->len - 1] & 0x80) != 0)
    return NULL;
  for (gsize i = 0; i < tlv->len; i++)
    {
      /* A 0x80 starting an arc would be a superfluous leading zero digit. */
      if (arc == 0 && tlv->value[i] == 0x80)
        return NULL;
      if (arc > G_MAXUINT32)
        return NULL;
      arc = (arc << 7) | (tlv->value[i] & 0x7f);
      if (tlv->value[i] & 0x80)
        continue;
      if (out->len == 0)
        g_string_append_printf (out, "%u.%" G_GUINT64_FORMAT, arc < 80 ? (guint) (arc / 40) : 2,
                                arc < 80 ? arc % 40 : arc - 80);
      else
        g_string_append_printf (out, ".%" G_GUINT64_FORMAT, arc);
      arc = 0;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
