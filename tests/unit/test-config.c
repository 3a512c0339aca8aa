/* test-config.c: LpConfig keys, validation, atomic save and reload
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <string.h>

#include "lp-config.h"
#include "lp-error.h"
#include "lp-redact.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

typedef struct
{
  const char *key;
  const char *const *good;
  const char *const *bad;
} KeyCase;

static char *test_pem; /* a self-signed certificate made at start-up */

/* --- helpers --- */

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->dir = g_dir_make_tmp ("lp-config-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "config", NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fx->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fx->dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (fx->dir);
  g_free (fx->path);
  g_free (fx->dir);
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static GHashTable *
changes_new (const char *key, const char *value, ...)
{
  GHashTable *changes = g_hash_table_new (g_str_hash, g_str_equal);
  va_list ap;

  va_start (ap, value);
  while (key != NULL)
    {
      g_hash_table_insert (changes, (gpointer) key, (gpointer) value);
      key = va_arg (ap, const char *);
      if (key != NULL)
        value = va_arg (ap, const char *);
    }
  va_end (ap);
  return changes;
}

static void
assert_dump_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (value, ==, g_hash_table_lookup (b, key));
}

static int
count_files (const char *path)
{
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autoptr (GDir) dir = g_dir_open (dirname, 0, NULL);
  int n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* An ECDSA self-signed certificate: quick to make, and a real PEM. */
static char *
make_test_pem (void)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  gnutls_datum_t out = { NULL, 0 };
  unsigned char serial = 1;
  char *pem;
  time_t now = time (NULL);

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (
                       key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
                   ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, &serial, 1);
  gnutls_x509_crt_set_activation_time (crt, now);
  gnutls_x509_crt_set_expiration_time (crt, now + 3600);
  gnutls_x509_crt_set_dn (crt, "CN=lp test CA", NULL);
  gnutls_x509_crt_set_key (crt, key);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
  return pem;
}

/* --- validation of every key --- */

static const char *const remote_good[] = { "https://livepatch.canonical.com",
                                           "http://127.0.0.1:8080", "https://[::1]:9/base", NULL };
static const char *const remote_bad[] = {
  "ftp://example.com",        "example.com", "https://", "https://u:p@example.com",
  "https://example.com/?q=1", "not a url",   NULL
};
static const char *const interval_good[] = { "0", "60", "61", "10080", NULL };
static const char *const interval_bad[] = { "-1",    "1",   "59",  "10081", "1.5",
                                            "sixty", "60m", " 60", NULL };
static const char *const proxy_good[] = { "http://proxy:3128",
                                          "http://proxy.example.com",
                                          "socks5://127.0.0.1:1080",
                                          "http://user:secret@proxy:3128",
                                          "https://proxy.example.com",
                                          "https://proxy.example.com:8443",
                                          "1.2.3.4",
                                          "proxy.example.com:3128",
                                          "[::1]:3128",
                                          NULL };
static const char *const proxy_bad[] = { "ftp://proxy",     "proxy:port",
                                         "http://",         "bad host",
                                         "proxy:3128/path", "http://proxy:3128/path",
                                         "socks4://proxy",  NULL };
static const char *const no_proxy_good[] = { "localhost", "localhost,.example.com,10.0.0.0/8",
                                             "*.corp.example, 192.168.1.1, ::1, fd00::/8", "*",
                                             NULL };
static const char *const no_proxy_bad[] = { "bad host", "10.0.0.0/99",  "a,,b",
                                            "-x.com",   "exa$mple.com", NULL };
static const char *const dial_good[] = { "1", "10", "300", "12s", "1m", "1m30s", "5m", "1s", NULL };
static const char *const dial_bad[] = { "0",  "301", "ten", "-5",  "0s",   "6m",
                                        "1h", "1d",  "s",   "12S", "1.5s", NULL };
static const char *const level_good[] = { "error", "warning", "notice", "info", "debug", NULL };
static const char *const level_bad[] = { "trace", "INFO", "verbose", NULL };
static const char *const bool_good[] = { "true", "false", NULL };
static const char *const bool_bad[] = { "yes", "1", "TRUE", "maybe", NULL };
static const char *const cutoff_good[] = { "2020-01-31T00:00:00Z", "2021-06-01T12:30:00+02:00",
                                           "2022-02-02 02:02:02.5-05:00", NULL };
static const char *const cutoff_bad[] = {
  "2999-01-01T00:00:00Z", "2020-01-31", "2020-01-31T00:00:00",
  "2020-13-01T00:00:00Z", "yesterday",  NULL
};
static const char *const delay_good[] = { "0",    "3d", "12h", "30m",  "45s", "1d12h",
                                          "365d", "1w", "52w", "2w3d", NULL };
static const char *const delay_bad[] = { "3",   "d",   "-1d", "366d", "1d-2h",
                                         "3dd", "53w", "1W",  "1y",   NULL };
static const char *const pem_bad[] = { "garbage",
                                       "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                       "-----END CERTIFICATE-----\n",
                                       NULL };
static const char *pem_good[3];

static const KeyCase key_cases[] = {
  { LP_CONFIG_REMOTE_SERVER, remote_good, remote_bad },
  { LP_CONFIG_CHECK_INTERVAL, interval_good, interval_bad },
  { LP_CONFIG_HTTP_PROXY, proxy_good, proxy_bad },
  { LP_CONFIG_HTTPS_PROXY, proxy_good, proxy_bad },
  { LP_CONFIG_NO_PROXY, no_proxy_good, no_proxy_bad },
  { LP_CONFIG_CA_CERTS, pem_good, pem_bad },
  { LP_CONFIG_DIAL_TIMEOUT, dial_good, dial_bad },
  { LP_CONFIG_LOG_LEVEL, level_good, level_bad },
  { LP_CONFIG_TLS_PATCH_DOWNLOAD, bool_good, bool_bad },
  { LP_CONFIG_CUTOFF_DATE, cutoff_good, cutoff_bad },
  { LP_CONFIG_PATCH_DELAY, delay_good, delay_bad },
};

/* Good values are accepted, stored and read back; bad ones are refused with
 * InvalidArgument naming the key, and the stored value stays. */
static void
test_key_values (gconstpointer data)
{
  const KeyCase *kc = data;
  g_autofree char *dir = g_dir_make_tmp ("lp-config-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "config", NULL);
  g_autoptr (LpConfig) config = lp_config_new (path, NULL);

  for (guint i = 0; kc->good[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GHashTable) changes = changes_new (kc->key, kc->good[i], NULL);
      g_autoptr (GHashTable) dump = NULL;
      g_autofree char *shown = lp_redact_config_value (kc->key, kc->good[i]);

      g_assert_true (lp_config_validate (kc->key, kc->good[i], &error));
      g_assert_no_error (error);
      g_assert_true (lp_config_set_many (config, changes, &error));
      g_assert_no_error (error);
      dump = lp_config_dump (config);
      /* Shown as an unprivileged caller may see it (credentials masked). */
      g_assert_cmpstr (g_hash_table_lookup (dump, kc->key), ==, shown);
    }
  for (guint i = 0; kc->bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GHashTable) changes = changes_new (kc->key, kc->bad[i], NULL);
      g_autoptr (GHashTable) before = lp_config_dump (config);
      g_autoptr (GHashTable) after = NULL;

      g_assert_false (lp_config_validate (kc->key, kc->bad[i], &error));
      g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, kc->key));
      g_clear_error (&error);
      g_assert_false (lp_config_set_many (config, changes, &error));
      g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, kc->key));
      after = lp_config_dump (config);
      assert_dump_equal (before, after);
    }
  g_unlink (path);
  g_rmdir (dir);
}

/* Each value form the reference documents has its refusal spelled out: the
 * message names the key and says what is accepted, and nothing changes. */
typedef struct
{
  const char *key;
  const char *value;
  const char *message;
} ExactError;

static const ExactError exact_errors[] = {
  { LP_CONFIG_DIAL_TIMEOUT, "1h",
    "dial-timeout: “1h” is not a duration such as 12s, 1m or 1h from 1s to 300s (units s, m, "
    "h)" },
  { LP_CONFIG_DIAL_TIMEOUT, "12d",
    "dial-timeout: “12d” is not a duration such as 12s, 1m or 1h from 1s to 300s (units s, m, "
    "h)" },
  { LP_CONFIG_DIAL_TIMEOUT, "0s",
    "dial-timeout: “0s” is not a duration such as 12s, 1m or 1h from 1s to 300s (units s, m, "
    "h)" },
  { LP_CONFIG_CHECK_INTERVAL, "30",
    "check-interval: “30” is not 0 (no automatic checks) or a number of minutes from 60 to "
    "10080" },
  { LP_CONFIG_CHECK_INTERVAL, "1h",
    "check-interval: “1h” is not 0 (no automatic checks) or a number of minutes from 60 to "
    "10080" },
  { LP_CONFIG_LOG_LEVEL, "trace",
    "log-level: “trace” is not one of debug, info, notice, warning, error" },
  { LP_CONFIG_PATCH_DELAY, "53w",
    "patch-delay: “53w” is not a duration such as 1w, 3d, 12h, 30m or 0 (units s, m, h, d, w; "
    "at most 365d)" },
  { LP_CONFIG_PATCH_DELAY, "1y",
    "patch-delay: “1y” is not a duration such as 1w, 3d, 12h, 30m or 0 (units s, m, h, d, w; "
    "at most 365d)" },
  { LP_CONFIG_HTTP_PROXY, "bad host",
    "http-proxy: “bad host” is neither a proxy URL nor a host name with an optional port" },
  { LP_CONFIG_HTTPS_PROXY, "proxy:port",
    "https-proxy: “proxy:port” is neither a proxy URL nor a host name with an optional port" },
  { LP_CONFIG_HTTPS_PROXY, "proxy:3128/path",
    "https-proxy: “proxy:3128/path” must not contain a path" },
  { LP_CONFIG_HTTPS_PROXY, "ftp://proxy",
    "https-proxy: “ftp://proxy” must start with http://, https://, socks5://" },
};

static void
test_exact_errors (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) good =
      changes_new (LP_CONFIG_DIAL_TIMEOUT, "1m", LP_CONFIG_CHECK_INTERVAL, "120",
                   LP_CONFIG_LOG_LEVEL, "notice", LP_CONFIG_PATCH_DELAY, "1w", LP_CONFIG_HTTP_PROXY,
                   "proxy:3128", LP_CONFIG_HTTPS_PROXY, "https://proxy:8443", NULL);
  g_autofree char *file_before = NULL;

  g_assert_true (lp_config_set_many (config, good, &error));
  g_assert_no_error (error);
  file_before = read_text (fx->path);
  for (guint i = 0; i < G_N_ELEMENTS (exact_errors); i++)
    {
      const ExactError *e = &exact_errors[i];
      g_autoptr (GHashTable) changes =
          changes_new (e->key, e->value, LP_CONFIG_NO_PROXY, "localhost", NULL);
      g_autoptr (GHashTable) before = lp_config_dump (config);
      g_autoptr (GHashTable) after = NULL;
      g_autofree char *file_after = NULL;

      g_test_message ("%s=%s", e->key, e->value);
      g_assert_false (lp_config_set_many (config, changes, &error));
      g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, e->message);
      g_clear_error (&error);
      after = lp_config_dump (config);
      assert_dump_equal (before, after);
      file_after = read_text (fx->path);
      g_assert_cmpstr (file_before, ==, file_after);
    }
  g_assert_cmpuint (lp_config_get_dial_timeout (config), ==, 60);
  g_assert_cmpstr (lp_config_get_https_proxy (config), ==, "https://proxy:8443");
}

static void
test_unknown_key (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) changes = changes_new ("no-such-key", "1", NULL);

  g_assert_no_error (error);
  g_assert_false (lp_config_set_many (config, changes, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no-such-key"));
  g_assert_false (g_file_test (fx->path, G_FILE_TEST_EXISTS));
}

static void
test_defaults (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) dump = NULL;
  const char *const *keys = lp_config_list_keys ();

  g_assert_no_error (error);
  g_assert_cmpstr (lp_config_get_remote_server (config), ==, "https://livepatch.canonical.com");
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 60);
  g_assert_cmpuint (lp_config_get_dial_timeout (config), ==, 12);
  g_assert_cmpstr (lp_config_get_log_level (config), ==, "warning");
  g_assert_false (lp_config_get_tls_patch_download (config));
  g_assert_null (lp_config_get_http_proxy (config));
  g_assert_null (lp_config_get_https_proxy (config));
  g_assert_null (lp_config_get_no_proxy (config));
  g_assert_null (lp_config_get_ca_certs (config));
  g_assert_null (lp_config_get_cutoff_date_text (config));
  g_assert_cmpint (lp_config_get_cutoff_date (config), ==, 0);
  g_assert_null (lp_config_get_patch_delay_text (config));
  g_assert_cmpuint (lp_config_get_patch_delay (config), ==, 0);
  dump = lp_config_dump (config);
  g_assert_cmpstr (g_hash_table_lookup (dump, LP_CONFIG_DIAL_TIMEOUT), ==, "12s");
  g_assert_cmpstr (g_hash_table_lookup (dump, LP_CONFIG_LOG_LEVEL), ==, "warning");
  g_assert_cmpstr (g_hash_table_lookup (dump, LP_CONFIG_PATCH_DELAY), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (dump, LP_CONFIG_CHECK_INTERVAL), ==, "60");
  g_assert_cmpuint (g_strv_length ((char **) keys), ==, 11);
  g_assert_cmpuint (g_hash_table_size (dump), ==, 11);
  for (guint i = 0; keys[i] != NULL; i++)
    g_assert_true (g_hash_table_contains (dump, keys[i]));
}

static void
test_getters_parse (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) changes = changes_new (
      LP_CONFIG_CHECK_INTERVAL, "90", LP_CONFIG_DIAL_TIMEOUT, "42", LP_CONFIG_CUTOFF_DATE,
      "2020-01-01T01:00:00+01:00", LP_CONFIG_PATCH_DELAY, "1d12h", LP_CONFIG_TLS_PATCH_DOWNLOAD,
      "true", LP_CONFIG_HTTPS_PROXY, "http://proxy:3128", LP_CONFIG_HTTP_PROXY, "1.2.3.4", NULL);

  g_assert_true (lp_config_set_many (config, changes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 90);
  g_assert_cmpuint (lp_config_get_dial_timeout (config), ==, 42);
  g_assert_cmpint (lp_config_get_cutoff_date (config), ==, 1577836800);
  g_assert_cmpstr (lp_config_get_cutoff_date_text (config), ==, "2020-01-01T01:00:00+01:00");
  g_assert_cmpuint (lp_config_get_patch_delay (config), ==, 36 * 3600);
  g_assert_cmpstr (lp_config_get_patch_delay_text (config), ==, "1d12h");
  g_assert_true (lp_config_get_tls_patch_download (config));
  g_assert_cmpstr (lp_config_get_https_proxy (config), ==, "http://proxy:3128");
  /* A bare host is an http:// proxy, and is shown back as it was set. */
  g_assert_cmpstr (lp_config_get_http_proxy (config), ==, "http://1.2.3.4");
  g_clear_pointer (&changes, g_hash_table_unref);
  changes = changes_new (LP_CONFIG_DIAL_TIMEOUT, "1m30s", LP_CONFIG_PATCH_DELAY, "2w", NULL);
  g_assert_true (lp_config_set_many (config, changes, &error));
  g_assert_cmpuint (lp_config_get_dial_timeout (config), ==, 90);
  g_assert_cmpuint (lp_config_get_patch_delay (config), ==, 14 * 86400);
  g_assert_cmpstr (lp_config_get_patch_delay_text (config), ==, "2w");
  g_clear_pointer (&changes, g_hash_table_unref);
  changes = changes_new (LP_CONFIG_PATCH_DELAY, "0s", NULL);
  g_assert_true (lp_config_set_many (config, changes, &error));
  g_assert_null (lp_config_get_patch_delay_text (config)); /* nothing to send the server */
}

/* --- atomicity and persistence --- */

static void
test_set_many_atomic (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) first = changes_new (LP_CONFIG_CHECK_INTERVAL, "150", NULL);
  g_autoptr (GHashTable) mixed =
      changes_new (LP_CONFIG_CHECK_INTERVAL, "300", LP_CONFIG_LOG_LEVEL, "debug",
                   LP_CONFIG_DIAL_TIMEOUT, "9999", LP_CONFIG_NO_PROXY, "localhost", NULL);
  g_autoptr (GHashTable) before = NULL;
  g_autoptr (GHashTable) after = NULL;
  g_autofree char *file_before = NULL;
  g_autofree char *file_after = NULL;

  g_assert_true (lp_config_set_many (config, first, &error));
  before = lp_config_dump (config);
  file_before = read_text (fx->path);
  g_assert_nonnull (file_before);

  g_assert_false (lp_config_set_many (config, mixed, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix (error->message, LP_CONFIG_DIAL_TIMEOUT ":"));
  after = lp_config_dump (config);
  assert_dump_equal (before, after);
  file_after = read_text (fx->path);
  g_assert_cmpstr (file_before, ==, file_after);
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 150);
  g_assert_cmpint (count_files (fx->path), ==, 1);
}

static void
test_persist (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (LpConfig) again = NULL;
  g_autoptr (GHashTable) changes = changes_new (
      LP_CONFIG_REMOTE_SERVER, "http://127.0.0.1:9999", LP_CONFIG_CA_CERTS, test_pem,
      LP_CONFIG_HTTP_PROXY, "http://u:pw@proxy:3128", LP_CONFIG_PATCH_DELAY, "3d", NULL);
  GStatBuf st;

  g_assert_true (lp_config_set_many (config, changes, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (fx->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  again = lp_config_new (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lp_config_get_remote_server (again), ==, "http://127.0.0.1:9999");
  g_assert_cmpstr (lp_config_get_ca_certs (again), ==, test_pem);
  g_assert_cmpstr (lp_config_get_http_proxy (again), ==, "http://u:pw@proxy:3128");
  g_assert_cmpuint (lp_config_get_patch_delay (again), ==, 3 * 86400);
}

/* "" resets a key: it goes back to its default and leaves the file. */
static void
test_reset_to_default (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) set =
      changes_new (LP_CONFIG_CHECK_INTERVAL, "120", LP_CONFIG_LOG_LEVEL, "debug", NULL);
  g_autoptr (GHashTable) reset = changes_new (LP_CONFIG_CHECK_INTERVAL, "", NULL);
  g_autofree char *text = NULL;

  g_assert_true (lp_config_set_many (config, set, &error));
  g_assert_true (lp_config_set_many (config, reset, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 60);
  text = read_text (fx->path);
  g_assert_null (strstr (text, LP_CONFIG_CHECK_INTERVAL));
  g_assert_nonnull (strstr (text, "log-level=debug"));
}

static void
test_mask_proxy_credentials (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) changes =
      changes_new (LP_CONFIG_HTTP_PROXY, "http://alice:s3cret@proxy:3128", LP_CONFIG_HTTPS_PROXY,
                   "socks5://bob:hunter2@[::1]:1080", NULL);
  g_autoptr (GHashTable) dump = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_true (lp_config_set_many (config, changes, &error));
  dump = lp_config_dump (config);
  g_hash_table_iter_init (&iter, dump);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_assert_null (strstr (value, "s3cret"));
      g_assert_null (strstr (value, "hunter2"));
    }
  g_assert_nonnull (strstr (g_hash_table_lookup (dump, LP_CONFIG_HTTP_PROXY), "proxy:3128"));
  g_assert_cmpstr (lp_config_get_http_proxy (config), ==, "http://alice:s3cret@proxy:3128");
}

static void
count_changed_cb (LpConfig *config, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_changed_signal (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (GHashTable) two =
      changes_new (LP_CONFIG_CHECK_INTERVAL, "120", LP_CONFIG_LOG_LEVEL, "debug", NULL);
  g_autoptr (GHashTable) bad = changes_new (LP_CONFIG_CHECK_INTERVAL, "x", NULL);
  guint n = 0;

  g_signal_connect (config, "changed", G_CALLBACK (count_changed_cb), &n);
  g_assert_true (lp_config_set_many (config, two, &error));
  g_assert_cmpuint (n, ==, 1);
  /* the same values again change nothing */
  g_assert_true (lp_config_set_many (config, two, &error));
  g_assert_cmpuint (n, ==, 1);
  g_assert_false (lp_config_set_many (config, bad, &error));
  g_assert_cmpuint (n, ==, 1);
}

/* A crash after the temporary file was written but before the rename leaves
 * a stray temporary file; the old configuration must load unchanged. */
static void
test_crash_before_rename_simulated (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  g_autoptr (LpConfig) again = NULL;
  g_autoptr (GHashTable) changes = changes_new (LP_CONFIG_CHECK_INTERVAL, "150", NULL);
  g_autofree char *stray = g_strdup_printf ("%s.AbC123", fx->path);

  g_assert_true (lp_config_set_many (config, changes, &error));
  g_assert_true (g_file_set_contents (stray, "[livepatch]\ncheck-interval=90", -1, NULL));

  again = lp_config_new (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lp_config_get_check_interval (again), ==, 150);
}

#if LP_CRASH_POINTS
/* The real thing: the saving process dies at the crash point. */
static void
test_crash_before_rename_real (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = NULL;
  g_autoptr (LpConfig) again = NULL;
  g_autoptr (GHashTable) first = changes_new (LP_CONFIG_CHECK_INTERVAL, "150", NULL);
  g_autoptr (GHashTable) second = changes_new (LP_CONFIG_CHECK_INTERVAL, "450", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (g_test_subprocess ())
    {
      config = lp_config_new (g_getenv ("LP_TEST_CONFIG"), &error);
      g_setenv ("LP_CRASH_AT", "during-state-write", TRUE);
      lp_config_set_many (config, second, NULL);
      return; /* not reached: the crash point kills the process */
    }
  config = lp_config_new (fx->path, &error);
  g_assert_true (lp_config_set_many (config, first, &error));
  before = read_text (fx->path);
  g_setenv ("LP_TEST_CONFIG", fx->path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  after = read_text (fx->path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (count_files (fx->path), ==, 2); /* config + the stray temporary file */
  again = lp_config_new (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lp_config_get_check_interval (again), ==, 150);
  /* and the next save still works */
  g_assert_true (lp_config_set_many (again, second, &error));
  g_assert_no_error (error);
}
#endif

static void
test_reload (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = lp_config_new (fx->path, &error);
  guint n = 0;

  g_signal_connect (config, "changed", G_CALLBACK (count_changed_cb), &n);
  g_assert_true (g_file_set_contents (fx->path, "[livepatch]\ncheck-interval=70\nlog-level=debug\n",
                                      -1, NULL));
  g_assert_true (lp_config_reload (config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 70);
  g_assert_cmpstr (lp_config_get_log_level (config), ==, "debug");

  /* unchanged file: no signal */
  g_assert_true (lp_config_reload (config, &error));
  g_assert_cmpuint (n, ==, 1);

  /* a file that is not a key file: error, values kept */
  g_assert_true (g_file_set_contents (fx->path, "this is not\x01 a key file", -1, NULL));
  g_assert_false (lp_config_reload (config, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INTERNAL);
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 70);
  g_assert_cmpuint (n, ==, 1);
}

/* A hand-edited bad value must not stop the service: it falls back. */
static void
test_bad_file_value_falls_back (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = NULL;

  g_assert_true (g_file_set_contents (fx->path,
                                      "[livepatch]\ncheck-interval=often\ndial-timeout=20\n"
                                      "bogus=1\n",
                                      -1, NULL));
  g_test_expect_message ("lp-config", G_LOG_LEVEL_WARNING, "*check-interval*");
  g_test_expect_message ("lp-config", G_LOG_LEVEL_WARNING, "*bogus*");
  config = lp_config_new (fx->path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (lp_config_get_check_interval (config), ==, 60);
  g_assert_cmpuint (lp_config_get_dial_timeout (config), ==, 20);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  test_pem = make_test_pem ();
  pem_good[0] = test_pem;
  pem_good[1] = g_strconcat (test_pem, test_pem, NULL); /* several certificates */

  for (guint i = 0; i < G_N_ELEMENTS (key_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/config/validate/%s", key_cases[i].key);
      g_test_add_data_func (name, &key_cases[i], test_key_values);
    }
#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/config/reject-unknown-key", test_unknown_key);
  ADD ("/config/exact-errors-change-nothing", test_exact_errors);
  ADD ("/config/defaults", test_defaults);
  ADD ("/config/getters-parse-values", test_getters_parse);
  ADD ("/config/set-many-is-atomic", test_set_many_atomic);
  ADD ("/config/persist-mode-0600", test_persist);
  ADD ("/config/empty-value-resets-default", test_reset_to_default);
  ADD ("/config/dump-masks-proxy-credentials", test_mask_proxy_credentials);
  ADD ("/config/changed-only-on-change", test_changed_signal);
  ADD ("/config/crash-before-rename-keeps-old/simulated", test_crash_before_rename_simulated);
#if LP_CRASH_POINTS
  ADD ("/config/crash-before-rename-keeps-old/real", test_crash_before_rename_real);
#endif
  ADD ("/config/reload", test_reload);
  ADD ("/config/bad-file-value-falls-back", test_bad_file_value_falls_back);
#undef ADD
  return g_test_run ();
}
