/* test-der.c: the strict DER reader under the PKCS#7 parser
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lp-der.h"
#include "lp-error.h"

/* Reads one element of @bytes; on failure asserts the exact message. */
static void
assert_read_fails (const guint8 *bytes, gsize len, const char *message)
{
  LpDer der = { bytes, len };
  LpDerTlv tlv;
  g_autoptr (GError) error = NULL;

  g_assert_false (lp_der_read (&der, "X", &tlv, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_SIGNATURE);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_true (der.data == bytes && der.len == len);
}

static void
test_read_short_and_long (void)
{
  guint8 bytes[3 + 3 + 0x80] = { 0x04, 0x01, 0xaa, 0x04, 0x81, 0x80 };
  LpDer der = { bytes, sizeof bytes };
  LpDerTlv tlv;
  g_autoptr (GError) error = NULL;

  g_assert_true (lp_der_read (&der, "first", &tlv, &error));
  g_assert_cmpuint (tlv.tag, ==, LP_DER_OCTET_STRING);
  g_assert_cmpuint (tlv.len, ==, 1);
  g_assert_cmpuint (tlv.value[0], ==, 0xaa);
  g_assert_cmpuint (tlv.whole_len, ==, 3);
  g_assert_true (lp_der_expect (&der, LP_DER_OCTET_STRING, "second", &tlv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tlv.len, ==, 0x80);
  g_assert_true (lp_der_end (&der, "all", &error));
}

static void
test_reject_indefinite (void)
{
  const guint8 bytes[] = { 0x30, 0x80, 0x05, 0x00, 0x00, 0x00 };

  assert_read_fails (bytes, sizeof bytes, "DER X: indefinite length (BER, not DER)");
}

static void
test_reject_long_form_for_short_length (void)
{
  const guint8 bytes[] = { 0x04, 0x81, 0x01, 0xaa };

  assert_read_fails (bytes, sizeof bytes, "DER X: length not in its shortest form");
}

static void
test_reject_leading_zero_length_byte (void)
{
  guint8 bytes[4 + 0x100] = { 0x04, 0x82, 0x00, 0x80 };

  assert_read_fails (bytes, sizeof bytes, "DER X: length not in its shortest form");
}

static void
test_reject_five_length_bytes (void)
{
  const guint8 bytes[] = { 0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00, 0xaa };

  assert_read_fails (bytes, sizeof bytes, "DER X: length of 5 bytes");
}

static void
test_reject_overlong_value (void)
{
  const guint8 bytes[] = { 0x04, 0x03, 0xaa };

  assert_read_fails (bytes, sizeof bytes, "DER X: 3 bytes announced, 1 left");
}

static void
test_reject_multibyte_tag (void)
{
  const guint8 bytes[] = { 0x1f, 0x81, 0x00, 0x00 };

  assert_read_fails (bytes, sizeof bytes, "DER X: multi-byte tag");
}

static void
test_reject_truncated (void)
{
  const guint8 bytes[] = { 0x30 };

  assert_read_fails (bytes, sizeof bytes, "DER X: missing or truncated");
}

static void
test_expect_wrong_tag (void)
{
  const guint8 bytes[] = { 0x31, 0x00 };
  LpDer der = { bytes, sizeof bytes };
  LpDerTlv tlv;
  g_autoptr (GError) error = NULL;

  g_assert_false (lp_der_expect (&der, LP_DER_SEQUENCE, "Y", &tlv, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_SIGNATURE);
  g_assert_cmpstr (error->message, ==, "DER Y: tag 0x31, expected 0x30");
}

static void
test_end_refuses_leftovers (void)
{
  const guint8 bytes[] = { 0x05, 0x00 };
  LpDer der = { bytes, sizeof bytes };
  g_autoptr (GError) error = NULL;

  g_assert_false (lp_der_end (&der, "Z", &error));
  g_assert_cmpstr (error->message, ==, "DER Z: 2 unexpected bytes after its last field");
}

static char *
oid_of (const guint8 *bytes, gsize len)
{
  LpDerTlv tlv = { LP_DER_OID, bytes, len, bytes, len };

  return lp_der_oid_to_string (&tlv);
}

static void
test_oid_to_string (void)
{
  const guint8 rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
  const guint8 sha256[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
  const guint8 joint[] = { 0x88, 0x37 }; /* 2.999 */
  const guint8 padded[] = { 0x2a, 0x80, 0x01 };
  const guint8 unfinished[] = { 0x2a, 0x86 };
  const guint8 huge[] = { 0x2a, 0x90, 0x80, 0x80, 0x80, 0x80, 0x00 };
  g_autofree char *a = oid_of (rsa, sizeof rsa);
  g_autofree char *b = oid_of (sha256, sizeof sha256);
  g_autofree char *c = oid_of (joint, sizeof joint);

  g_assert_cmpstr (a, ==, "1.2.840.113549.1.1.1");
  g_assert_cmpstr (b, ==, "2.16.840.1.101.3.4.2.1");
  g_assert_cmpstr (c, ==, "2.999");
  g_assert_null (oid_of (padded, sizeof padded));
  g_assert_null (oid_of (unfinished, sizeof unfinished));
  g_assert_null (oid_of (huge, sizeof huge));
  g_assert_null (oid_of (rsa, 0));
}

static gboolean
integer_is_minimal (const guint8 *bytes, gsize len)
{
  LpDerTlv tlv = { LP_DER_INTEGER, bytes, len, bytes, len };

  return lp_der_integer_is_minimal (&tlv);
}

static void
test_integer_minimal (void)
{
  const guint8 zero[] = { 0x00 };
  const guint8 high[] = { 0x00, 0x80 };
  const guint8 padded[] = { 0x00, 0x12 };
  const guint8 minus_one_padded[] = { 0xff, 0xff };
  const guint8 minus[] = { 0xff, 0x7f };

  g_assert_true (integer_is_minimal (zero, sizeof zero));
  g_assert_true (integer_is_minimal (high, sizeof high));
  g_assert_false (integer_is_minimal (padded, sizeof padded));
  g_assert_false (integer_is_minimal (minus_one_padded, sizeof minus_one_padded));
  g_assert_true (integer_is_minimal (minus, sizeof minus));
  g_assert_false (integer_is_minimal (zero, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/der/read-short-and-long", test_read_short_and_long);
  g_test_add_func ("/der/reject-indefinite-length", test_reject_indefinite);
  g_test_add_func ("/der/reject-long-form-for-short-length",
                   test_reject_long_form_for_short_length);
  g_test_add_func ("/der/reject-leading-zero-length-byte", test_reject_leading_zero_length_byte);
  g_test_add_func ("/der/reject-five-length-bytes", test_reject_five_length_bytes);
  g_test_add_func ("/der/reject-overlong-value", test_reject_overlong_value);
  g_test_add_func ("/der/reject-multibyte-tag", test_reject_multibyte_tag);
  g_test_add_func ("/der/reject-truncated", test_reject_truncated);
  g_test_add_func ("/der/expect-wrong-tag", test_expect_wrong_tag);
  g_test_add_func ("/der/end-refuses-leftovers", test_end_refuses_leftovers);
  g_test_add_func ("/der/oid-to-string", test_oid_to_string);
  g_test_add_func ("/der/integer-minimal", test_integer_minimal);
  return g_test_run ();
}
