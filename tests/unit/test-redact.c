/* test-redact.c: credentials masked in text (lp-redact.c) and the origin a
 * machine token belongs to (lp-origin.c)
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lp-error.h"
#include "lp-origin.h"
#include "lp-redact.h"

static void
assert_redacted (const char *text, const char *expected)
{
  g_autofree char *shown = lp_redact_text (text);

  g_assert_cmpstr (shown, ==, expected);
}

static void
test_userinfo (void)
{
  assert_redacted ("http://admin:Sekr1t@proxy:3128", "http://********@proxy:3128");
  assert_redacted ("http://admin@proxy", "http://********@proxy");
  assert_redacted ("socks5://bob:p%40ss;w,rd@[::1]:1080/", "socks5://********@[::1]:1080/");
  assert_redacted ("ignoring https-proxy: “ftp://a:b@h:21” must start with http://",
                   "ignoring https-proxy: “ftp://********@h:21” must start with http://");
  assert_redacted ("https-proxy=admin:pw@proxy:3128", "********@proxy:3128");
  assert_redacted ("two: http://a:b@x and http://c@y",
                   "two: http://********@x and http://********@y");
  assert_redacted ("no credentials: https://livepatch.example/v1",
                   "no credentials: https://livepatch.example/v1");
  assert_redacted ("a lone @ sign", "a lone @ sign");
  g_assert_null (lp_redact_text (NULL));
}

static void
test_pem (void)
{
  assert_redacted ("ca-certs: -----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n"
                   "-----END CERTIFICATE-----\n and more",
                   "ca-certs: -----BEGIN CERTIFICATE----- ******** -----END CERTIFICATE-----\n "
                   "and more");
  /* Cut short: everything after the BEGIN line goes. */
  assert_redacted ("x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
                   "x -----BEGIN PRIVATE KEY----- ******** ");
  assert_redacted ("-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n"
                   "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n",
                   "-----BEGIN CERTIFICATE----- ******** -----END CERTIFICATE-----\n"
                   "-----BEGIN CERTIFICATE----- ******** -----END CERTIFICATE-----\n");
}

static void
test_secrets (void)
{
  lp_redact_add_secret ("short");
  lp_redact_add_secret ("efae8376c8dadabb9da06f304707f8a4");
  lp_redact_add_secret (NULL);
  assert_redacted ("POST /v1/client/efae8376c8dadabb9da06f304707f8a4 failed (short)",
                   "POST /v1/client/******** failed (short)");
}

static void
test_config_value (void)
{
  g_autofree char *ca = lp_redact_config_value ("ca-certs", "not even PEM");
  g_autofree char *no_ca = lp_redact_config_value ("ca-certs", "");
  g_autofree char *proxy = lp_redact_config_value ("http-proxy", "http://u@p:1");
  g_autofree char *plain = lp_redact_config_value ("check-interval", "60");

  g_assert_cmpstr (ca, ==, "********");
  g_assert_cmpstr (no_ca, ==, "");
  g_assert_cmpstr (proxy, ==, "http://********@p:1");
  g_assert_cmpstr (plain, ==, "60");
}

static void
test_origin (void)
{
  const char *cases[][2] = {
    { "https://livepatch.canonical.com", "https://livepatch.canonical.com" },
    { "HTTPS://LivePatch.Example:443/api/", "https://livepatch.example" },
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
    { "http://host:80/x", "http://host" },
    { "https://[::1]:8443", "https://[::1]:8443" },
  };
  const char *bad[] = { "ftp://host", "not a url", "https://", "" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *origin = lp_origin_from_url (cases[i][0], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (origin, ==, cases[i][1]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *origin = lp_origin_from_url (bad[i], &error);
      g_autofree char *expected =
          g_strdup_printf ("\"%s\" is not an http or https URL with a host", bad[i]);

      g_assert_null (origin);
      g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_enrolment (void)
{
  g_autoptr (GError) same = lp_origin_check_enrolment ("https://a.example", "https://A.example/x");
  g_autoptr (GError) other =
      lp_origin_check_enrolment ("https://a.example", "https://b.example:8443");
  g_autoptr (GError) unknown = lp_origin_check_enrolment ("", "https://b.example");

  g_assert_no_error (same);
  g_assert_error (other, LP_ERROR, LP_ERROR_NOT_ENABLED);
  g_assert_cmpstr (other->message, ==,
                   "enabled for https://a.example; enable again to use https://b.example:8443");
  g_assert_error (unknown, LP_ERROR, LP_ERROR_NOT_ENABLED);
  g_assert_cmpstr (unknown->message, ==,
                   "enabled for an unrecorded server; enable again to use https://b.example");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/redact/url-userinfo", test_userinfo);
  g_test_add_func ("/redact/pem-bodies", test_pem);
  g_test_add_func ("/redact/registered-secrets", test_secrets);
  g_test_add_func ("/redact/config-values", test_config_value);
  g_test_add_func ("/origin/normalised", test_origin);
  g_test_add_func ("/origin/enrolment-mismatch", test_enrolment);
  return g_test_run ();
}
