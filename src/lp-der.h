/* lp-der.h: a strict DER reader for the PKCS#7 of module signatures
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Tags (one byte: class, constructed bit, number below 31) */
#define LP_DER_INTEGER 0x02
#define LP_DER_BIT_STRING 0x03
#define LP_DER_OCTET_STRING 0x04
#define LP_DER_NULL 0x05
#define LP_DER_OID 0x06
#define LP_DER_SEQUENCE 0x30
#define LP_DER_SET 0x31
/* [n] IMPLICIT with a constructed value, and [n] primitive */
#define LP_DER_CONTEXT(n) (0xa0 | (n))
#define LP_DER_CONTEXT_PRIMITIVE(n) (0x80 | (n))

/* The unread part of one constructed value (or of the whole input). */
typedef struct
{
  const guint8 *data;
  gsize len;
} LpDer;

/* One element; all pointers point into the input, which must outlive it. */
typedef struct
{
  guint8 tag;
  const guint8 *value;
  gsize len;
  const guint8 *whole; /* tag, length and value: what a parser of its own needs */
  gsize whole_len;
} LpDerTlv;

/* Every failure is LP_ERROR_INVALID_SIGNATURE: signatures are the only DER
 * the daemon reads.  @what names the element in the message. */
gboolean lp_der_read (LpDer *der, const char *what, LpDerTlv *out, GError **error);
gboolean lp_der_expect (LpDer *der, guint8 tag, const char *what, LpDerTlv *out, GError **error);
/* TRUE when an element remains and has @tag: an OPTIONAL element is there. */
gboolean lp_der_next_is (const LpDer *der, guint8 tag);
/* Fails when bytes remain after the last element @what may hold. */
gboolean lp_der_end (const LpDer *der, const char *what, GError **error);
LpDer lp_der_enter (const LpDerTlv *tlv);

/* An INTEGER in its shortest two's-complement form (DER's rule). */
gboolean lp_der_integer_is_minimal (const LpDerTlv *tlv);
/* Dotted form of an OBJECT IDENTIFIER; NULL when malformed. */
char *lp_der_oid_to_string (const LpDerTlv *tlv);

G_END_DECLS
