/* test-transport.c: LpClient and lp-trust against real peers on loopback:
 * tests/server/livepatch-server, gnutls-serv, tinyproxy and danted, with
 * certificates generated at test time
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lp-client.h"
#include "lp-config.h"
#include "lp-error.h"
#include "lp-origin.h"
#include "lp-trust.h"

#define TEST_KERNEL "6.1.0-57-amd64"
#define TEST_ARCH "amd64"
#define TEST_TOKEN "test-token-1"
#define PATCH_SIZE (300 * 1024)

/* ---- process-wide: certificates ---------------------------------------- */

static char *certs_dir;
static char *self_exe;

static void
run_or_die (const char *const *argv, const char *cwd)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (cwd, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err ? err : "");
}

static char *
cert_path (const char *name)
{
  return g_build_filename (certs_dir, name, NULL);
}

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Issues @name.pem for @template with the test CA (or self-signed). */
static void
make_cert (const char *name, const char *template, gboolean self_signed)
{
  g_autofree char *tmpl = g_strdup_printf ("%s/%s.tmpl", certs_dir, name);
  g_autofree char *out = g_strdup_printf ("%s.pem", name);
  const char *signed_argv[] = { "certtool",
                                "--generate-certificate",
                                "--load-privkey",
                                "srv.key",
                                "--load-ca-certificate",
                                "ca.pem",
                                "--load-ca-privkey",
                                "ca.key",
                                "--template",
                                tmpl,
                                "--outfile",
                                out,
                                NULL };
  const char *self_argv[] = { "certtool",
                              "--generate-self-signed",
                              "--load-privkey",
                              "srv.key",
                              "--template",
                              tmpl,
                              "--outfile",
                              out,
                              NULL };

  write_file (tmpl, template);
  run_or_die (self_signed ? self_argv : signed_argv, certs_dir);
}

#define SERVER_TMPL_COMMON "tls_www_server\nsigning_key\nencryption_key\n"

static void
make_certs (void)
{
  const char *ca_key[] = { "certtool", "--generate-privkey", "--sec-param",
                           "medium",   "--outfile",          "ca.key",
                           NULL };
  const char *srv_key[] = { "certtool", "--generate-privkey", "--sec-param",
                            "medium",   "--outfile",          "srv.key",
                            NULL };
  const char *ca[] = { "certtool",
                       "--generate-self-signed",
                       "--load-privkey",
                       "ca.key",
                       "--template",
                       "ca.tmpl",
                       "--outfile",
                       "ca.pem",
                       NULL };

  certs_dir = g_dir_make_tmp ("lp-transport-certs-XXXXXX", NULL);
  g_assert_nonnull (certs_dir);
  run_or_die (ca_key, certs_dir);
  run_or_die (srv_key, certs_dir);
  {
    g_autofree char *tmpl = cert_path ("ca.tmpl");
    write_file (tmpl, "cn = \"Livepatch Test CA\"\nca\ncert_signing_key\nexpiration_days = 30\n");
  }
  run_or_die (ca, certs_dir);
  make_cert ("good",
             "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\ndns_name = "
             "\"localhost\"\n" SERVER_TMPL_COMMON "expiration_days = 30\n",
             FALSE);
  make_cert ("expired",
             "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\n" SERVER_TMPL_COMMON
             "activation_date = \"2020-01-01 00:00:00 UTC\"\n"
             "expiration_date = \"2020-02-01 00:00:00 UTC\"\n",
             FALSE);
  make_cert ("wronghost",
             "cn = \"other.example\"\ndns_name = \"other.example\"\n" SERVER_TMPL_COMMON
             "expiration_days = 30\n",
             FALSE);
  make_cert ("otherca", "cn = \"Unrelated Host CA\"\nca\ncert_signing_key\nexpiration_days = 30\n",
             TRUE);
  make_cert ("selfsigned",
             "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\n" SERVER_TMPL_COMMON
             "expiration_days = 30\n",
             TRUE);
}

static void
rm_rf (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  if (path != NULL)
    run_or_die (argv, NULL);
}

/* ---- peers --------------------------------------------------------------- */

static guint
free_port (void)
{
  g_autoptr (GSocket) sock =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (sock, any, TRUE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
port_open (guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn =
      g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return conn != NULL;
}

/* A peer must not outlive a test that aborts half-way. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts a peer; its output goes to @log_path, never into our TAP stream. */
static GSubprocess *
spawn (const char *const *argv, const char *log_path)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr (GError) error = NULL;
  GSubprocess *proc;

  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return proc;
}

static void
wait_listening (GSubprocess *proc, guint port, const char *what)
{
  /* Bounded readiness poll, not a timed assertion: peers start in well
   * under a second; 20 s only guards against a hang. */
  for (guint i = 0; i < 400; i++)
    {
      if (port_open (port))
        return;
      g_usleep (50 * 1000);
    }
  g_error ("%s did not start listening on port %u", what, port);
}

static void
stop_peer (GSubprocess *proc)
{
  if (proc == NULL)
    return;
  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
}

typedef struct
{
  GSubprocess *proc;
  guint port;
  char *url;
  char *patch_dir;
  char *log;
  gboolean tls;
} Server;

static Server *
server_start (const char *dir, const char *name, const char *cert, const char *const *extra)
{
  Server *s = g_new0 (Server, 1);
  g_autofree char *script =
      g_build_filename (g_getenv ("LP_TOP_SRCDIR"), "tests", "server", "livepatch-server", NULL);
  g_autofree char *port_file = g_strdup_printf ("%s/%s.port", dir, name);
  g_autofree char *cert_file = cert ? g_strdup_printf ("%s/%s.pem", certs_dir, cert) : NULL;
  g_autofree char *key_file = cert_path ("srv.key");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  s->patch_dir = g_strdup_printf ("%s/%s-patches", dir, name);
  s->log = g_strdup_printf ("%s/%s.log", dir, name);
  s->tls = cert != NULL;
  g_assert_cmpint (g_mkdir_with_parents (s->patch_dir, 0700), ==, 0);
  g_ptr_array_add (argv, (char *) "/usr/bin/python3");
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *) "--patch-dir");
  g_ptr_array_add (argv, s->patch_dir);
  g_ptr_array_add (argv, (char *) "--port-file");
  g_ptr_array_add (argv, port_file);
  g_ptr_array_add (argv, (char *) "--token");
  g_ptr_array_add (argv, (char *) TEST_TOKEN);
  if (cert != NULL)
    {
      g_ptr_array_add (argv, (char *) "--tls-cert");
      g_ptr_array_add (argv, cert_file);
      g_ptr_array_add (argv, (char *) "--tls-key");
      g_ptr_array_add (argv, key_file);
    }
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);
  s->proc = spawn ((const char *const *) argv->pdata, s->log);
  for (guint i = 0; i < 400 && !g_file_test (port_file, G_FILE_TEST_EXISTS); i++)
    g_usleep (50 * 1000);
  if (!g_file_test (port_file, G_FILE_TEST_EXISTS))
    {
      g_autofree char *log = NULL;
      g_file_get_contents (s->log, &log, NULL, NULL);
      g_error ("livepatch-server %s did not start:\n%s", name, log ? log : "");
    }
  {
    g_autofree char *text = read_file (port_file);
    s->port = (guint) g_ascii_strtoull (text, NULL, 10);
  }
  s->url = g_strdup_printf ("%s://127.0.0.1:%u", cert ? "https" : "http", s->port);
  wait_listening (s->proc, s->port, "livepatch-server");
  return s;
}

static void
server_free (Server *s)
{
  if (s == NULL)
    return;
  stop_peer (s->proc);
  g_clear_object (&s->proc);
  g_free (s->url);
  g_free (s->patch_dir);
  g_free (s->log);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static gboolean
accept_any_cb (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
               gpointer user_data)
{
  return TRUE;
}

/* The test's own view of a server, for /_control and /_log; it reaches
 * servers with bad certificates too. */
static GBytes *
server_request (Server *s, const char *method, const char *path, const char *body)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strconcat (s->url, path, NULL);
  g_autofree char *ca = cert_path ("ca.pem");
  g_autoptr (GTlsDatabase) db = g_tls_file_database_new (ca, &error);
  GBytes *reply;

  g_assert_no_error (error);
  soup_session_set_tls_database (session, db);
  msg = soup_message_new (method, url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return reply;
}

static void
server_misbehave (Server *s, const char *rules_json)
{
  g_autofree char *body = g_strdup_printf ("{\"misbehave\": %s}", rules_json);
  g_autoptr (GBytes) reply = server_request (s, "POST", "/_control", body);
}

/* The requests @s received, as a JSON array (parsed). */
static JsonNode *
server_log (Server *s)
{
  g_autoptr (GBytes) reply = server_request (s, "GET", "/_log", NULL);
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (reply, &len);
  g_autofree char *text = g_strndup (data, len);
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static guint
server_count_requests (Server *s, const char *path_part, const char *auth_part)
{
  g_autoptr (JsonNode) log = server_log (s);
  JsonArray *entries = json_node_get_array (log);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      JsonObject *headers = json_object_get_object_member (e, "headers");
      const char *auth = json_object_get_string_member_with_default (headers, "authorization", "");

      if (strstr (json_object_get_string_member (e, "path"), path_part) == NULL)
        continue;
      if (auth_part == NULL ||
          (*auth_part == '\0' ? *auth == '\0' : strstr (auth, auth_part) != NULL))
        n++;
    }
  return n;
}

/* Publishes one patch of PATCH_SIZE pseudo-random bytes; returns its sha256. */
static void
server_publish (Server *s, const char *version)
{
  g_autofree char *file = g_strdup_printf ("%s/lkp-%s.tar.xz", s->patch_dir, version);
  g_autofree char *index_path = g_strdup_printf ("%s/index.json", s->patch_dir);
  g_autofree char *index = NULL;
  g_autofree guint8 *data = g_malloc (PATCH_SIZE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (57);

  for (gsize i = 0; i < PATCH_SIZE; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_file_set_contents (file, (const char *) data, PATCH_SIZE, &error);
  g_assert_no_error (error);
  index = g_strdup_printf ("{\"supported\": \"supported\", \"patches\": [{\"kernel\": \"%s\", "
                           "\"architecture\": \"%s\", \"version\": \"%s\", \"file\": "
                           "\"lkp-%s.tar.xz\"}]}",
                           TEST_KERNEL, TEST_ARCH, version, version);
  write_file (index_path, index);
}

/* ---- fixture ------------------------------------------------------------- */

typedef struct
{
  char *dir;
  char *dest;
  Server *server;
  LpConfig *config;
  LpClient *client;
} Fixture;

static void
config_set (Fixture *f, const char *key, const char *value)
{
  g_autoptr (GHashTable) changes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) error = NULL;

  g_hash_table_insert (changes, (char *) key, (char *) value);
  lp_config_set_many (f->config, changes, &error);
  g_assert_no_error (error);
}

static void
fixture_config (Fixture *f, const char *remote)
{
  g_autofree char *path = g_build_filename (f->dir, "config", NULL);
  g_autofree char *ca_path = cert_path ("ca.pem");
  g_autofree char *ca = read_file (ca_path);
  g_autoptr (GError) error = NULL;

  f->config = lp_config_new (path, &error);
  g_assert_no_error (error);
  config_set (f, LP_CONFIG_REMOTE_SERVER, remote);
  config_set (f, LP_CONFIG_CA_CERTS, ca);
  config_set (f, LP_CONFIG_DIAL_TIMEOUT, "5");
  config_set (f, LP_CONFIG_TLS_PATCH_DOWNLOAD, "true");
  f->client = lp_client_new (f->config);
}

static void
fixture_set_up_bare (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("lp-transport-XXXXXX", NULL);
  f->dest = g_build_filename (f->dir, "patch.tar", NULL);
}

/* A trusted HTTPS livepatch-server with one published patch. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  fixture_set_up_bare (f, data);
  f->server = server_start (f->dir, "main", "good", NULL);
  server_publish (f->server, "57.3");
  fixture_config (f, f->server->url);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->config);
  server_free (f->server);
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->dest);
}

/* ---- async helpers -------------------------------------------------------- */

static void
store_result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  return *slot;
}

static const LpMachineInfo test_machine = {
  "0123456789abcdef0123456789abcdef",
  TEST_ARCH,
  TEST_KERNEL,
  NULL,
};

static LpRegistration *
do_register (Fixture *f, const char *token, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  lp_client_register_async (f->client, token, &test_machine, NULL, store_result_cb, &result);
  return lp_client_register_finish (f->client, await (&result), error);
}

static LpCheckReply *
do_check (Fixture *f, LpRegistration *reg, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  LpCheckRequest req = {
    .kernel = TEST_KERNEL,
    .architecture = TEST_ARCH,
    .patch_version = "",
    .patch_state = "nothing-to-apply",
    .check_state = "checking",
    .uptime = 100,
    .boot_time = 1700000000,
  };

  lp_client_check_async (f->client, reg->client_id, reg->machine_token, &req, NULL, store_result_cb,
                         &result);
  return lp_client_check_finish (f->client, await (&result), error);
}

static void
progress_cb (guint64 received, guint64 total, gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (received, >=, *last);
  g_assert_cmpuint (received, <=, total);
  *last = received;
}

static gboolean
do_download (Fixture *f, LpRegistration *reg, LpPatchOffer *offer, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  guint64 last = 0;
  gboolean ok;

  lp_client_download_async (f->client, reg->machine_token, offer, f->dest, progress_cb, &last, NULL,
                            store_result_cb, &result);
  ok = lp_client_download_finish (f->client, await (&result), error);
  if (ok)
    g_assert_cmpuint (last, ==, offer->size);
  return ok;
}

static LpRegistration *
register_ok (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  LpRegistration *reg = do_register (f, TEST_TOKEN, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reg);
  return reg;
}

static LpCheckReply *
check_ok (Fixture *f, LpRegistration *reg)
{
  g_autoptr (GError) error = NULL;
  LpCheckReply *reply = do_check (f, reg, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_nonnull (reply->patch);
  return reply;
}

static void
assert_no_partial (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "patch.tar.partial"));
}

/* No temporary file, and the destination still holds what it held. */
static void
assert_nothing_left (Fixture *f)
{
  assert_no_partial (f);
  if (g_file_test (f->dest, G_FILE_TEST_EXISTS))
    {
      g_autofree char *text = read_file (f->dest);
      g_assert_cmpstr (text, ==, "previous");
    }
}

static void
assert_download_fails (Fixture *f, LpRegistration *reg, LpPatchOffer *offer, LpError code)
{
  g_autoptr (GError) error = NULL;

  write_file (f->dest, "previous");
  g_assert_false (do_download (f, reg, offer, &error));
  g_assert_error (error, LP_ERROR, (gint) code);
  g_test_message ("error: %s", error->message);
  assert_nothing_left (f);
}

static void
assert_downloaded (Fixture *f, LpRegistration *reg, LpPatchOffer *offer)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/lkp-57.3.tar.xz", f->server->patch_dir);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  gsize alen, blen;
  GStatBuf st;

  g_assert_true (do_download (f, reg, offer, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &a, &alen, NULL);
  g_file_get_contents (f->dest, &b, &blen, NULL);
  g_assert_cmpmem (a, alen, b, blen);
  g_assert_cmpint (g_stat (f->dest, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  assert_no_partial (f);
}

/* ---- TLS ------------------------------------------------------------------ */

static void
test_trusted_via_ca_certs (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = check_ok (f, reg);
  g_autoptr (JsonNode) log = NULL;
  JsonObject *first;

  g_assert_cmpstr (reg->tier, ==, "stable");
  g_assert_cmpstr (reply->supported, ==, "supported");
  g_assert_cmpstr (reply->patch->version, ==, "57.3");
  g_assert_cmpuint (reply->patch->size, ==, PATCH_SIZE);
  assert_downloaded (f, reg, reply->patch);
  /* Same origin: the download carries the machine token. */
  g_assert_cmpuint (server_count_requests (f->server, "/v1/patches/", reg->machine_token), ==, 1);
  log = server_log (f->server);
  first = json_array_get_object_element (json_node_get_array (log), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "headers"),
                                                  "user-agent"),
                   ==, "livepatch/" PACKAGE_VERSION);
}

static void
assert_register_refused (Fixture *f, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = do_register (f, TEST_TOKEN, &error);

  g_assert_null (reg);
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  g_test_message ("error: %s", error->message);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle, error->message);
}

static void
test_with_cert_refused (Fixture *f, const char *cert, const char *needle)
{
  g_autoptr (Server) s = server_start (f->dir, cert, cert, NULL);

  fixture_config (f, s->url);
  assert_register_refused (f, needle);
  /* Refused during the handshake: the server never saw a request. */
  g_assert_cmpuint (server_count_requests (s, "/v1/", NULL), ==, 0);
}

static void
test_untrusted_self_signed_refused (Fixture *f, gconstpointer data)
{
  test_with_cert_refused (f, "selfsigned", "not signed by a trusted CA");
}

static void
test_expired_refused (Fixture *f, gconstpointer data)
{
  test_with_cert_refused (f, "expired", "expired");
}

static void
test_wrong_hostname_refused (Fixture *f, gconstpointer data)
{
  test_with_cert_refused (f, "wronghost", "another host name");
}

static void
test_untrusted_without_ca_certs (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = NULL;
  g_autofree char *ca_path = cert_path ("ca.pem");
  g_autofree char *ca = read_file (ca_path);

  config_set (f, LP_CONFIG_CA_CERTS, "");
  assert_register_refused (f, "not signed by a trusted CA");
  /* Setting ca-certs applies at once, without a restart. */
  config_set (f, LP_CONFIG_CA_CERTS, ca);
  reg = do_register (f, TEST_TOKEN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reg);
}

static void
test_tls_version_accepted (Fixture *f, gconstpointer data)
{
  const char *extra[] = { "--tls-version", data, NULL };
  g_autoptr (Server) s = server_start (f->dir, "pinned", "good", extra);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = NULL;

  fixture_config (f, s->url);
  reg = do_register (f, TEST_TOKEN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reg);
}

/* gnutls-serv speaking only TLS 1.1; a control client proves it works. */
static void
test_tls11_only_refused (Fixture *f, gconstpointer data)
{
  guint port = free_port ();
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_autofree char *cert = cert_path ("good.pem");
  g_autofree char *key = cert_path ("srv.key");
  g_autofree char *log = g_build_filename (f->dir, "gnutls-serv.log", NULL);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  const char *argv[] = {
    "gnutls-serv", "--http",        "--port", port_s,       "--x509certfile",
    cert,          "--x509keyfile", key,      "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.1",
    NULL
  };
  g_autoptr (GSubprocess) serv = spawn (argv, log);

  g_autofree char *ca = cert_path ("ca.pem");
  const char *control[] = { "gnutls-cli",   "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.1",
                            "--x509cafile", ca,           "-p",
                            port_s,         "127.0.0.1",  NULL };
  g_autofree char *out = NULL;
  int status = -1;

  wait_listening (serv, port, "gnutls-serv");
  fixture_config (f, url);
  assert_register_refused (f, "TLS 1.2");
  /* Control: the peer really completes TLS 1.1 handshakes, so the refusal
   * above is livepatch's floor and nothing else. */
  g_assert_true (g_spawn_sync (NULL, (char **) control, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, &status, NULL));
  g_assert_nonnull (strstr (out, "Handshake was completed"));
  stop_peer (serv);
}

/* Runs in a child started without lp_trust_init_process(): glib-networking
 * then completes a TLS 1.1 handshake, and only LpClient's own check of the
 * negotiated version stands in the way. */
static void
test_tls11_version_check_inner (Fixture *f, gconstpointer data)
{
  guint port = free_port ();
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_autofree char *cert = cert_path ("good.pem");
  g_autofree char *key = cert_path ("srv.key");
  g_autofree char *log = g_build_filename (f->dir, "gnutls-serv.log", NULL);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", port);
  const char *argv[] = {
    "gnutls-serv", "--http",        "--port", port_s,       "--x509certfile",
    cert,          "--x509keyfile", key,      "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.1",
    NULL
  };
  g_autoptr (GSubprocess) serv = spawn (argv, log);

  g_assert_null (g_getenv ("G_TLS_GNUTLS_PRIORITY"));
  wait_listening (serv, port, "gnutls-serv");
  fixture_config (f, url);
  assert_register_refused (f, "older than TLS 1.2");
  stop_peer (serv);
}

static void
test_tls11_version_check (void)
{
  /* The child's TAP output must not mix into ours. */
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;
  const char *argv[] = { self_exe, "-p", "/transport/tls-inner/tls1.1-version-check", NULL };

  g_subprocess_launcher_setenv (launcher, "LP_TEST_NO_TLS_PRIORITY", "1", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "G_TLS_GNUTLS_PRIORITY");
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (child) || strstr (output, "\nok 1 ") == NULL)
    g_error ("the version check did not refuse TLS 1.1:\n%s", output);
}

static void
test_ca_certs_validation (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ca_path = cert_path ("ca.pem");
  g_autofree char *key_path = cert_path ("srv.key");
  g_autofree char *ca = read_file (ca_path);
  g_autofree char *key = read_file (key_path);
  g_autofree char *two = g_strconcat (ca, ca, NULL);
  g_autofree char *with_key = g_strconcat (ca, key, NULL);
  g_autoptr (GTlsDatabase) db = NULL;

  g_assert_true (lp_trust_validate_pem ("", &error));
  g_assert_true (lp_trust_validate_pem (two, &error));
  g_assert_no_error (error);
  g_assert_false (lp_trust_validate_pem ("hello", &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lp_trust_validate_pem (with_key, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lp_trust_validate_pem ("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                         "-----END CERTIFICATE-----\n",
                                         &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  db = lp_trust_database_new (two, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
}

static void
test_protocol_floor (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (g_getenv ("G_TLS_GNUTLS_PRIORITY"), ==, LP_TRUST_GNUTLS_PRIORITY);
  g_assert_true (lp_trust_check_protocol_version (G_TLS_PROTOCOL_VERSION_TLS_1_2, "h", &error));
  g_assert_true (lp_trust_check_protocol_version (G_TLS_PROTOCOL_VERSION_TLS_1_3, "h", &error));
  g_assert_false (lp_trust_check_protocol_version (G_TLS_PROTOCOL_VERSION_TLS_1_1, "h", &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_false (lp_trust_check_protocol_version (G_TLS_PROTOCOL_VERSION_SSL_3_0, "h", &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
}

/* ---- tls-patch-download, origins, redirects --------------------------------- */

static char *
other_origin_offer_url (Server *other)
{
  return g_strdup_printf ("%s/v1/patches/lkp-57.3.tar.xz", other->url);
}

static void
test_http_url (Fixture *f, gboolean tls_patch_download)
{
  g_autoptr (Server) plain = server_start (f->dir, "plain", NULL, NULL);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = check_ok (f, reg);

  config_set (f, LP_CONFIG_TLS_PATCH_DOWNLOAD, tls_patch_download ? "true" : "false");
  server_publish (plain, "57.3");
  g_free (reply->patch->url);
  reply->patch->url = other_origin_offer_url (plain);
  if (tls_patch_download)
    {
      assert_download_fails (f, reg, reply->patch, LP_ERROR_NETWORK);
      /* Refused before any byte was fetched. */
      g_assert_cmpuint (server_count_requests (plain, "/", NULL), ==, 0);
      return;
    }
  assert_downloaded (f, reg, reply->patch);
  /* Another origin never sees the machine token. */
  g_assert_cmpuint (server_count_requests (plain, "/v1/patches/", ""), ==, 1);
}

static void
test_http_url_refused (Fixture *f, gconstpointer data)
{
  test_http_url (f, TRUE);
}

static void
test_http_url_allowed_when_off (Fixture *f, gconstpointer data)
{
  test_http_url (f, FALSE);
}

static void
test_redirect_to_http (Fixture *f, gboolean tls_patch_download)
{
  g_autoptr (Server) plain = server_start (f->dir, "plain", NULL, NULL);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = check_ok (f, reg);
  g_autofree char *rule =
      g_strdup_printf ("[{\"mode\": \"redirect\", \"to\": \"%s\"}]", plain->url);

  config_set (f, LP_CONFIG_TLS_PATCH_DOWNLOAD, tls_patch_download ? "true" : "false");
  server_publish (plain, "57.3");
  server_misbehave (f->server, rule);
  if (tls_patch_download)
    {
      assert_download_fails (f, reg, reply->patch, LP_ERROR_NETWORK);
      g_assert_cmpuint (server_count_requests (plain, "/", NULL), ==, 0);
      return;
    }
  assert_downloaded (f, reg, reply->patch);
  g_assert_cmpuint (server_count_requests (f->server, "/v1/patches/", reg->machine_token), ==, 1);
  g_assert_cmpuint (server_count_requests (plain, "/v1/patches/", ""), ==, 1);
}

static void
test_redirect_to_http_refused (Fixture *f, gconstpointer data)
{
  test_redirect_to_http (f, TRUE);
}

static void
test_redirect_to_http_allowed_when_off (Fixture *f, gconstpointer data)
{
  test_redirect_to_http (f, FALSE);
}

static void
test_bearer_not_sent_cross_origin (Fixture *f, gconstpointer data)
{
  g_autoptr (Server) cdn = server_start (f->dir, "cdn", "good", NULL);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autofree char *rule = g_strdup_printf ("[{\"mode\": \"patch-url\", \"to\": \"%s\"}]", cdn->url);
  g_autoptr (LpCheckReply) reply = NULL;

  server_publish (cdn, "57.3");
  server_misbehave (f->server, rule);
  reply = check_ok (f, reg);
  g_assert_true (g_str_has_prefix (reply->patch->url, cdn->url));
  assert_downloaded (f, reg, reply->patch);
  g_assert_cmpuint (server_count_requests (cdn, "/v1/patches/", ""), ==, 1);
  g_assert_cmpuint (server_count_requests (f->server, "/v1/patches/", NULL), ==, 0);
}

/* The client's own guard under the engine's (issue 11, defect 2): with the
 * token bound to another origin, the check goes out without it. */
static void
test_bearer_only_to_token_origin (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) refused = NULL;
  g_autoptr (LpCheckReply) reply = NULL;
  g_autofree char *origin = lp_origin_from_url (f->server->url, NULL);

  lp_client_set_token_origin (f->client, "https://elsewhere.example");
  g_test_expect_message (
      "lp-client", G_LOG_LEVEL_WARNING,
      "not sending the machine token to *: it belongs to https://elsewhere.example");
  refused = do_check (f, reg, &error);
  g_test_assert_expected_messages ();
  g_assert_null (refused);
  g_assert_error (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN);
  g_assert_cmpuint (server_count_requests (f->server, "/updates", reg->machine_token), ==, 0);
  g_assert_cmpuint (server_count_requests (f->server, "/updates", ""), ==, 1);
  lp_client_set_token_origin (f->client, origin);
  reply = check_ok (f, reg);
  g_assert_cmpuint (server_count_requests (f->server, "/updates", reg->machine_token), ==, 1);
}

static void
test_bearer_not_sent_after_redirect (Fixture *f, gconstpointer data)
{
  g_autoptr (Server) cdn = server_start (f->dir, "cdn", "good", NULL);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = check_ok (f, reg);
  g_autofree char *rule = g_strdup_printf ("[{\"mode\": \"redirect\", \"to\": \"%s\"}]", cdn->url);

  server_publish (cdn, "57.3");
  server_misbehave (f->server, rule);
  assert_downloaded (f, reg, reply->patch);
  g_assert_cmpuint (server_count_requests (cdn, "/v1/patches/", ""), ==, 1);
}

/* ---- proxies --------------------------------------------------------------- */

static GSubprocess *
start_tinyproxy (Fixture *f, const char *extra_conf, guint *out_port, char **out_log)
{
  guint port = free_port ();
  g_autofree char *conf = g_build_filename (f->dir, "tinyproxy.conf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *out = g_build_filename (f->dir, "tinyproxy.out", NULL);
  const char *argv[] = { "tinyproxy", "-d", "-c", conf, NULL };
  GSubprocess *proc;

  *out_log = g_build_filename (f->dir, "tinyproxy.log", NULL);
  text = g_strdup_printf ("User nobody\nGroup nogroup\nPort %u\nListen 127.0.0.1\n"
                          "Timeout 60\nLogLevel Connect\nLogFile \"%s\"\nMaxClients 10\n"
                          "Allow 127.0.0.1\nConnectPort %u\n%s",
                          port, *out_log, f->server->port, extra_conf ? extra_conf : "");
  write_file (conf, text);
  /* tinyproxy drops privileges before opening its log. */
  write_file (*out_log, "");
  g_assert_cmpint (chmod (*out_log, 0666), ==, 0);
  g_assert_cmpint (chmod (f->dir, 0755), ==, 0);
  proc = spawn (argv, out);
  wait_listening (proc, port, "tinyproxy");
  *out_port = port;
  return proc;
}

static void
test_proxy_http_connect (Fixture *f, gconstpointer data)
{
  guint port;
  g_autofree char *log = NULL;
  g_autoptr (GSubprocess) proxy = start_tinyproxy (f, NULL, &port, &log);
  g_autofree char *proxy_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree char *needle = g_strdup_printf ("CONNECT 127.0.0.1:%u", f->server->port);
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (LpCheckReply) reply = NULL;
  g_autofree char *text = NULL;

  config_set (f, LP_CONFIG_HTTPS_PROXY, proxy_url);
  reg = register_ok (f);
  reply = check_ok (f, reg);
  assert_downloaded (f, reg, reply->patch);
  stop_peer (proxy);
  text = read_file (log);
  if (strstr (text, "CONNECT") == NULL || strstr (text, needle) == NULL)
    g_error ("tinyproxy did not tunnel to the server:\n%s", text);
}

/* stunnel in front of tinyproxy: an HTTPS proxy, reached over TLS with
 * @cert (from certs_dir), that then tunnels with CONNECT. */
static GSubprocess *
start_tls_proxy (Fixture *f, guint proxy_port, const char *cert, guint *out_port, char **out_log)
{
  guint port = free_port ();
  g_autofree char *conf = g_build_filename (f->dir, "stunnel.conf", NULL);
  g_autofree char *cert_file = g_strdup_printf ("%s/%s.pem", certs_dir, cert);
  g_autofree char *key_file = cert_path ("srv.key");
  g_autofree char *out = g_build_filename (f->dir, "stunnel.out", NULL);
  g_autofree char *text = NULL;
  const char *argv[] = { "stunnel4", conf, NULL };
  GSubprocess *proc;

  *out_log = g_build_filename (f->dir, "stunnel.log", NULL);
  text = g_strdup_printf ("foreground = yes\npid =\noutput = %s\ndebug = info\n"
                          "[proxy]\naccept = 127.0.0.1:%u\nconnect = 127.0.0.1:%u\n"
                          "cert = %s\nkey = %s\nsslVersionMin = TLSv1.2\n",
                          *out_log, port, proxy_port, cert_file, key_file);
  write_file (conf, text);
  proc = spawn (argv, out);
  wait_listening (proc, port, "stunnel");
  *out_port = port;
  return proc;
}

/* An https:// proxy: TLS to the proxy (its certificate checked against the
 * same trust as the server's, ca-certs included), then CONNECT through it. */
static void
test_proxy_https_tls_to_proxy (Fixture *f, gconstpointer data)
{
  guint port, tls_port;
  g_autofree char *log = NULL;
  g_autofree char *tls_log = NULL;
  g_autoptr (GSubprocess) proxy = start_tinyproxy (f, NULL, &port, &log);
  g_autoptr (GSubprocess) tls = start_tls_proxy (f, port, "good", &tls_port, &tls_log);
  g_autofree char *proxy_url = g_strdup_printf ("https://127.0.0.1:%u", tls_port);
  g_autofree char *needle = g_strdup_printf ("CONNECT 127.0.0.1:%u", f->server->port);
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (LpCheckReply) reply = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tls_text = NULL;

  config_set (f, LP_CONFIG_HTTPS_PROXY, proxy_url);
  reg = register_ok (f);
  reply = check_ok (f, reg);
  assert_downloaded (f, reg, reply->patch);
  stop_peer (tls);
  stop_peer (proxy);
  text = read_file (log);
  tls_text = read_file (tls_log);
  if (strstr (text, needle) == NULL)
    g_error ("tinyproxy did not tunnel to the server:\n%s", text);
  if (strstr (tls_text, "accepted connection") == NULL)
    g_error ("nothing reached the proxy over TLS:\n%s", tls_text);
}

/* A proxy whose certificate is not trusted is refused like a server would be,
 * and the error says it was the proxy. */
static void
test_proxy_https_untrusted (Fixture *f, gconstpointer data)
{
  guint port, tls_port;
  g_autofree char *log = NULL;
  g_autofree char *tls_log = NULL;
  g_autoptr (GSubprocess) proxy = start_tinyproxy (f, NULL, &port, &log);
  g_autoptr (GSubprocess) tls = start_tls_proxy (f, port, "selfsigned", &tls_port, &tls_log);
  g_autofree char *proxy_url = g_strdup_printf ("https://127.0.0.1:%u", tls_port);
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  config_set (f, LP_CONFIG_HTTPS_PROXY, proxy_url);
  reg = do_register (f, TEST_TOKEN, &error);
  g_assert_null (reg);
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  g_test_message ("error: %s", error->message);
  g_assert_true (g_str_has_prefix (
      error->message, "TLS to the https proxy for 127.0.0.1 failed; its certificate must be "
                      "trusted like the server's (see ca-certs): "));
  stop_peer (tls);
  stop_peer (proxy);
  text = read_file (log);
  g_assert_null (strstr (text, "CONNECT 127.0.0.1:"));
}

/* Credentials in the proxy URL answer the proxy's challenge; a wrong
 * password is a Network error, and neither reaches the log. */
static void
test_proxy_basic_auth (Fixture *f, gconstpointer data)
{
  guint port;
  g_autofree char *log = NULL;
  g_autoptr (GSubprocess) proxy = start_tinyproxy (f, "BasicAuth lpuser s3cret-pw\n", &port, &log);
  g_autofree char *good = g_strdup_printf ("http://lpuser:s3cret-pw@127.0.0.1:%u", port);
  g_autofree char *bad = g_strdup_printf ("http://lpuser:wrong-pw@127.0.0.1:%u", port);
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (LpRegistration) refused = NULL;
  g_autoptr (GError) error = NULL;

  config_set (f, LP_CONFIG_HTTPS_PROXY, bad);
  refused = do_register (f, TEST_TOKEN, &error);
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  g_test_message ("error: %s", error->message);
  g_assert_null (strstr (error->message, "wrong-pw"));
  config_set (f, LP_CONFIG_HTTPS_PROXY, good);
  reg = register_ok (f);
  stop_peer (proxy);
}

static void
test_no_proxy_bypass (Fixture *f, gconstpointer data)
{
  g_autofree char *dead = g_strdup_printf ("http://127.0.0.1:%u", free_port ());
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) refused = NULL;
  g_autoptr (LpRegistration) reg = NULL;

  /* A proxy that is not there: the request fails, so the proxy is used... */
  config_set (f, LP_CONFIG_HTTPS_PROXY, dead);
  refused = do_register (f, TEST_TOKEN, &error);
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  g_clear_error (&error);
  /* ...unless no-proxy names the host, or a CIDR around it. */
  config_set (f, LP_CONFIG_NO_PROXY, "example.com, 127.0.0.1");
  reg = register_ok (f);
  lp_registration_free (g_steal_pointer (&reg));
  config_set (f, LP_CONFIG_NO_PROXY, "127.0.0.0/8");
  reg = register_ok (f);
  lp_registration_free (g_steal_pointer (&reg));
  config_set (f, LP_CONFIG_NO_PROXY, "*");
  reg = register_ok (f);
}

/* With no proxy configured, the environment's https_proxy and no_proxy
 * apply (never a desktop user's dconf settings); a configured proxy
 * replaces the environment's. */
static void
test_proxy_from_environment (Fixture *f, gconstpointer data)
{
  g_autofree char *dead = g_strdup_printf ("http://127.0.0.1:%u", free_port ());
  guint port;
  g_autofree char *log = NULL;
  g_autoptr (GSubprocess) proxy = start_tinyproxy (f, NULL, &port, &log);
  g_autofree char *proxy_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) refused = NULL;
  g_autoptr (LpRegistration) reg = NULL;

  g_setenv ("https_proxy", dead, TRUE);
  config_set (f, LP_CONFIG_DIAL_TIMEOUT, "7"); /* any change rebuilds the session */
  refused = do_register (f, TEST_TOKEN, &error);
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  config_set (f, LP_CONFIG_HTTPS_PROXY, proxy_url);
  reg = register_ok (f);
  lp_registration_free (g_steal_pointer (&reg));
  config_set (f, LP_CONFIG_HTTPS_PROXY, "");
  g_setenv ("no_proxy", "127.0.0.1", TRUE);
  config_set (f, LP_CONFIG_DIAL_TIMEOUT, "8");
  reg = register_ok (f);
  g_unsetenv ("https_proxy");
  g_unsetenv ("no_proxy");
  stop_peer (proxy);
}

static void
test_proxy_socks5 (Fixture *f, gconstpointer data)
{
  guint port = free_port ();
  g_autofree char *conf = g_build_filename (f->dir, "danted.conf", NULL);
  g_autofree char *log = g_build_filename (f->dir, "danted.log", NULL);
  g_autofree char *pid = g_build_filename (f->dir, "danted.pid", NULL);
  g_autofree char *out = g_build_filename (f->dir, "danted.out", NULL);
  g_autofree char *text = NULL;
  g_autofree char *proxy_url = g_strdup_printf ("socks5://127.0.0.1:%u", port);
  const char *argv[] = { "/usr/sbin/danted", "-f", conf, "-p", pid, "-N", "1", NULL };
  g_autoptr (GSubprocess) proxy = NULL;
  g_autoptr (LpRegistration) reg = NULL;
  g_autofree char *logged = NULL;

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("danted (dante-server) is not installed");
      return;
    }
  /* danted switches between these users: only root can, so a normal user
   * (a packager's build) names itself for both */
  text = g_strdup_printf ("logoutput: %s\ninternal: 127.0.0.1 port = %u\nexternal: lo\n"
                          "socksmethod: none\nclientmethod: none\nuser.privileged: %s\n"
                          "user.unprivileged: %s\n"
                          "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect }\n"
                          "socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 log: connect }\n",
                          log, port, geteuid () == 0 ? "root" : g_get_user_name (),
                          geteuid () == 0 ? "nobody" : g_get_user_name ());
  write_file (conf, text);
  proxy = spawn (argv, out);
  wait_listening (proxy, port, "danted");
  config_set (f, LP_CONFIG_HTTPS_PROXY, proxy_url);
  reg = register_ok (f);
  stop_peer (proxy);
  logged = read_file (log);
  if (strstr (logged, "pass") == NULL)
    g_error ("danted logged no passed connection:\n%s", logged);
}

/* ---- timeouts -------------------------------------------------------------- */

static void
test_dial_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr (GSocket) listener =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *url = NULL;
  guint port;

  /* A listener whose accept queue is full drops further SYNs: the port
   * neither accepts nor refuses, like a firewalled server. */
  g_assert_true (g_socket_bind (listener, any, TRUE, NULL));
  g_socket_set_listen_backlog (listener, 0);
  g_assert_true (g_socket_listen (listener, NULL));
  bound = g_socket_get_local_address (listener, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  for (guint i = 0; i < 4; i++)
    {
      GSocket *s =
          g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      g_socket_set_blocking (s, FALSE);
      g_socket_connect (s, bound, NULL, NULL);
      g_ptr_array_add (fillers, s);
    }
  url = g_strdup_printf ("https://127.0.0.1:%u", port);
  fixture_config (f, url);
  config_set (f, LP_CONFIG_DIAL_TIMEOUT, "1");
  assert_register_refused (f, "within 1 s (dial-timeout)");
}

static void
test_slow_response_times_out (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = NULL;

  /* Connected and request written: dial-timeout no longer applies, the
   * stall timeout does. */
  config_set (f, LP_CONFIG_DIAL_TIMEOUT, "1");
  lp_client_set_stall_timeout (f->client, 2);
  server_misbehave (f->server, "[{\"mode\": \"slow\", \"delay\": 6, \"on\": \"updates\"}]");
  reply = do_check (f, reg, &error);
  g_assert_null (reply);
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "no data for 2 s"));
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main loop, as the daemon does between checks. */
static void
spin_seconds (guint seconds)
{
  GMainContext *context = g_main_context_get_thread_default ();
  g_autoptr (GSource) timer = g_timeout_source_new_seconds (seconds);
  gboolean done = FALSE;

  g_source_set_callback (timer, set_flag_cb, &done, NULL);
  g_source_attach (timer, context);
  while (!done)
    g_main_context_iteration (context, TRUE);
}

/* An idle daemon must not keep the session and its trust database alive
 * between checks; the first request after that builds them again. */
static void
test_idle_session_dropped (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (LpCheckReply) reply = NULL;
  g_autoptr (LpCheckReply) again = NULL;
  g_autoptr (GError) error = NULL;

  lp_client_set_idle_timeout (f->client, 1);
  g_assert_false (lp_client_has_session (f->client));
  reg = register_ok (f);
  reply = check_ok (f, reg);
  g_assert_nonnull (reply->patch);
  g_assert_true (do_download (f, reg, reply->patch, &error));
  g_assert_no_error (error);
  g_assert_true (lp_client_has_session (f->client));
  spin_seconds (3);
  g_assert_false (lp_client_has_session (f->client));
  again = check_ok (f, reg);
  g_assert_nonnull (again->patch);
  g_assert_true (lp_client_has_session (f->client));
}

/* The timer belongs to the context the client was made in, not to the
 * global default one, which nobody spins here. */
static void
test_idle_session_dropped_thread_default (Fixture *f, gconstpointer data)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (LpCheckReply) reply = NULL;

  g_main_context_push_thread_default (context);
  g_clear_object (&f->client);
  f->client = lp_client_new (f->config);
  lp_client_set_idle_timeout (f->client, 1);
  reg = register_ok (f);
  g_assert_true (lp_client_has_session (f->client));
  spin_seconds (3);
  g_assert_false (lp_client_has_session (f->client));
  reply = check_ok (f, reg);
  g_assert_true (lp_client_has_session (f->client));
  g_clear_object (&f->client);
  g_main_context_pop_thread_default (context);
}

/* A failed request ends the in-flight count as well as a successful one. */
static void
test_idle_session_dropped_after_error (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = NULL;
  g_autoptr (LpCheckReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  lp_client_set_idle_timeout (f->client, 1);
  reg = register_ok (f);
  server_misbehave (f->server, "[{\"mode\": \"status\", \"code\": 500, \"on\": \"updates\"}]");
  reply = do_check (f, reg, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  spin_seconds (3);
  g_assert_false (lp_client_has_session (f->client));
}

static void
test_download_misbehaviour (Fixture *f, const char *rules, LpError code, const char *needle)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  server_misbehave (f->server, rules);
  reply = check_ok (f, reg);
  write_file (f->dest, "previous");
  g_assert_false (do_download (f, reg, reply->patch, &error));
  g_assert_error (error, LP_ERROR, (gint) code);
  g_test_message ("error: %s", error->message);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle, error->message);
  assert_nothing_left (f);
}

static void
test_stall_timeout (Fixture *f, gconstpointer data)
{
  lp_client_set_stall_timeout (f->client, 1);
  test_download_misbehaviour (f, "[{\"mode\": \"stall\", \"delay\": 30}]", LP_ERROR_NETWORK,
                              "stalled");
}

/* Header bytes trickling in do not count as progress. */
static void
test_trickled_headers (Fixture *f, gconstpointer data)
{
  lp_client_set_stall_timeout (f->client, 2);
  test_download_misbehaviour (f, "[{\"mode\": \"trickle-headers\", \"on\": \"download\"}]",
                              LP_ERROR_NETWORK, "no data for 2 s");
}

static void
cancel_cb (guint64 received, guint64 total, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
test_cancel_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = check_ok (f, reg);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  write_file (f->dest, "previous");
  server_misbehave (f->server, "[{\"mode\": \"stall\", \"delay\": 30}]");
  lp_client_download_async (f->client, reg->machine_token, reply->patch, f->dest, cancel_cb,
                            cancellable, cancellable, store_result_cb, &result);
  g_assert_false (lp_client_download_finish (f->client, await (&result), &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_CANCELLED);
  assert_nothing_left (f);
}

/* ---- server misbehaviours ------------------------------------------------- */

static void
test_wrong_checksum (Fixture *f, gconstpointer data)
{
  test_download_misbehaviour (f, "[{\"mode\": \"wrong-checksum\"}]", LP_ERROR_CHECKSUM_MISMATCH,
                              "SHA-256");
}

static void
test_truncated_body (Fixture *f, gconstpointer data)
{
  test_download_misbehaviour (f, "[{\"mode\": \"truncated\"}]", LP_ERROR_NETWORK, NULL);
}

static void
test_extra_bytes (Fixture *f, gconstpointer data)
{
  test_download_misbehaviour (f, "[{\"mode\": \"extra-bytes\"}]", LP_ERROR_SERVER, "announced");
}

static void
test_size_larger_than_announced (Fixture *f, gconstpointer data)
{
  test_download_misbehaviour (f, "[{\"mode\": \"wrong-size\", \"size\": 1000}]", LP_ERROR_SERVER,
                              "announced");
}

static void
test_download_status (Fixture *f, gconstpointer data)
{
  test_download_misbehaviour (f, "[{\"mode\": \"status\", \"code\": 500, \"on\": \"download\"}]",
                              LP_ERROR_SERVER, "HTTP 500");
}

static void
test_connection_closed (Fixture *f, gconstpointer data)
{
  test_download_misbehaviour (f, "[{\"mode\": \"close\", \"on\": \"download\"}]", LP_ERROR_NETWORK,
                              NULL);
}

static void
assert_check_fails (Fixture *f, const char *rules, LpError code, const char *needle)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = NULL;

  server_misbehave (f->server, rules);
  reply = do_check (f, reg, &error);
  g_assert_null (reply);
  g_assert_error (error, LP_ERROR, (gint) code);
  g_test_message ("error: %s", error->message);
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("\"%s\" not in \"%s\"", needle, error->message);
}

/* ---- issue 11: hostile replies ------------------------------------------- */

static char *
server_host (Fixture *f)
{
  g_autoptr (GUri) uri = g_uri_parse (f->server->url, G_URI_FLAGS_NONE, NULL);

  return g_strdup (g_uri_get_host (uri));
}

static void
assert_check_error (Fixture *f, LpRegistration *reg, LpError code, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = do_check (f, reg, &error);

  g_assert_null (reply);
  g_assert_error (error, LP_ERROR, (gint) code);
  g_assert_cmpstr (error->message, ==, message);
}

/* 200 KB of '[' overflowed json-glib's recursive parser (defect 1); the
 * client is refused precisely and works again for the next check. */
static void
test_deep_nesting_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = NULL;

  server_misbehave (
      f->server, "[{\"mode\": \"raw-body\", \"body\": \"[\", \"repeat\": 204800, \"times\": 1}]");
  assert_check_error (f, reg, LP_ERROR_SERVER, "check: reply: nested deeper than 32 levels");
  reply = check_ok (f, reg);
  g_assert_cmpstr (reply->patch->version, ==, "57.3");
}

/* Comments would let a quote hide brackets from the depth scan. */
static void
test_json_comment_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);

  server_misbehave (f->server, "[{\"mode\": \"raw-body\", \"body\": \"{\\\"supported\\\": "
                               "\\\"supported\\\" /* \\\" */, \\\"patch\\\": null}\"}]");
  assert_check_error (f, reg, LP_ERROR_SERVER,
                      "check: reply: not valid JSON: a comment or single-quoted string at byte 26");
}

/* Terminal escapes in an identifier are refused, not passed on (defect 7). */
static void
test_control_characters_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);

  server_misbehave (f->server, "[{\"mode\": \"bad-type\", \"member\": \"supported\", \"value\": "
                               "\"\\u001b]0;owned\\u0007\\u001b[2J\"}]");
  assert_check_error (f, reg, LP_ERROR_SERVER,
                      "check: member \"supported\" contains a control character");
}

/* A lone surrogate escape decodes to bytes that are not UTF-8; they used to
 * reach g_variant_new_string() (a critical). */
static void
test_lone_surrogate_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = NULL;

  server_misbehave (f->server, "[{\"mode\": \"bad-type\", \"on\": \"register\", \"member\": "
                               "\"tier\", \"value\": \"\\udc00stable\"}]");
  reg = do_register (f, TEST_TOKEN, &error);
  g_assert_null (reg);
  g_assert_error (error, LP_ERROR, LP_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "register: member \"tier\" is not UTF-8 text");
}

static void
test_long_member_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autofree char *value = g_strnfill (65, 'x');
  g_autofree char *rules = g_strdup_printf (
      "[{\"mode\": \"bad-type\", \"member\": \"patch.version\", \"value\": \"%s\"}]", value);

  server_misbehave (f->server, rules);
  assert_check_error (f, reg, LP_ERROR_SERVER,
                      "check: member \"patch.version\" is longer than 64 bytes");
}

/* An announced size over the one cap is refused by the check: no GET is
 * ever sent (defect 8). */
static void
test_size_over_cap_refused_before_download (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autofree char *rules =
      g_strdup_printf ("[{\"mode\": \"wrong-size\", \"size\": %d}]", LP_ARCHIVE_MAX_SIZE + 1);
  g_autofree char *message =
      g_strdup_printf ("check: member \"patch.size\" is %d, outside 1..%d bytes",
                       LP_ARCHIVE_MAX_SIZE + 1, LP_ARCHIVE_MAX_SIZE);

  g_assert_cmpint (LP_ARCHIVE_MAX_SIZE, ==, 64 * 1024 * 1024);
  server_misbehave (f->server, rules);
  assert_check_error (f, reg, LP_ERROR_SERVER, message);
  g_assert_cmpuint (server_count_requests (f->server, "/v1/patches/", NULL), ==, 0);
}

/* With no Content-Length only the bytes tell: reading stops one byte past
 * the announced size and nothing is left on disk. */
static void
test_unannounced_bytes_stopped (Fixture *f, gconstpointer data)
{
  g_autofree char *host = server_host (f);
  g_autofree char *message =
      g_strdup_printf ("download from %s is larger than the announced %d bytes", host, PATCH_SIZE);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  server_misbehave (f->server,
                    "[{\"mode\": \"extra-bytes\", \"count\": 8388608, \"no-length\": true}]");
  reply = check_ok (f, reg);
  write_file (f->dest, "previous");
  g_assert_false (do_download (f, reg, reply->patch, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, message);
  assert_nothing_left (f);
}

/* A byte now and then keeps the stall timer quiet; the deadline still ends
 * the request (defect 5). LP_TEST-style override: 2 s instead of 60. */
static void
test_check_deadline (Fixture *f, gconstpointer data)
{
  g_autofree char *host = server_host (f);
  g_autofree char *message =
      g_strdup_printf ("reading reply: %s did not answer within the request deadline of 2 s", host);
  g_autoptr (LpRegistration) reg = register_ok (f);

  lp_client_set_stall_timeout (f->client, 30);
  lp_client_set_request_deadline (f->client, 2);
  server_misbehave (f->server, "[{\"mode\": \"trickle-body\", \"on\": \"updates\", "
                               "\"interval\": 0.5}]");
  assert_check_error (f, reg, LP_ERROR_NETWORK, message);
}

static void
test_download_deadline (Fixture *f, gconstpointer data)
{
  g_autofree char *host = server_host (f);
  g_autofree char *suffix = g_strdup_printf (
      " of %d bytes: download from %s missed its deadline of 2 s", PATCH_SIZE, host);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (LpCheckReply) reply = check_ok (f, reg);
  g_autoptr (GError) error = NULL;

  lp_client_set_stall_timeout (f->client, 30);
  lp_client_set_request_deadline (f->client, 2);
  server_misbehave (f->server, "[{\"mode\": \"trickle-body\", \"on\": \"download\", "
                               "\"interval\": 0.5}]");
  write_file (f->dest, "previous");
  g_assert_false (do_download (f, reg, reply->patch, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_NETWORK);
  /* How many bytes trickled in before the deadline is up to the scheduler. */
  if (!g_str_has_prefix (error->message, "after ") || !g_str_has_suffix (error->message, suffix))
    g_error ("unexpected message: %s", error->message);
  assert_nothing_left (f);
}

static void
test_check_status (Fixture *f, gconstpointer data)
{
  g_autofree char *rules = g_strdup_printf (
      "[{\"mode\": \"status\", \"code\": %s, \"on\": \"updates\"}]", (const char *) data);
  g_autofree char *needle = g_strdup_printf ("HTTP %s", (const char *) data);

  assert_check_fails (f, rules, LP_ERROR_SERVER, needle);
}

static void
test_malformed_json (Fixture *f, gconstpointer data)
{
  assert_check_fails (f, "[{\"mode\": \"malformed-json\"}]", LP_ERROR_SERVER, "not valid JSON");
}

static void
test_missing_member (Fixture *f, gconstpointer data)
{
  assert_check_fails (f, "[{\"mode\": \"missing-member\", \"member\": \"patch.sha256\"}]",
                      LP_ERROR_SERVER, "\"patch.sha256\" is missing");
}

static void
test_bad_type_member (Fixture *f, gconstpointer data)
{
  assert_check_fails (f, "[{\"mode\": \"bad-type\", \"member\": \"supported\"}]", LP_ERROR_SERVER,
                      "\"supported\" is not a string");
}

static void
test_bad_replacement_member (Fixture *f, gconstpointer data)
{
  assert_check_fails (f,
                      "[{\"mode\": \"bad-type\", \"member\": \"patch.replacement\", "
                      "\"value\": \"yes\"}]",
                      LP_ERROR_SERVER, "\"patch.replacement\" is not a boolean");
}

static void
test_bad_buggy_version_member (Fixture *f, gconstpointer data)
{
  assert_check_fails (f, "[{\"mode\": \"bad-type\", \"member\": \"buggy-version\"}]",
                      LP_ERROR_SERVER, "check: member \"buggy-version\" is not a string");
}

/* The server's verdict on a patch version reaches the engine as sent. */
static void
test_buggy_version_parsed (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = NULL;

  server_misbehave (f->server, "[{\"mode\": \"bad-type\", \"member\": \"buggy-version\", "
                               "\"value\": \"57.3\"}]");
  reply = do_check (f, reg, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply->buggy_version, ==, "57.3");
}

static void
test_bad_size_member (Fixture *f, gconstpointer data)
{
  assert_check_fails (f,
                      "[{\"mode\": \"bad-type\", \"member\": \"patch.size\", \"value\": "
                      "\"12\"}]",
                      LP_ERROR_SERVER, "\"patch.size\" is not an integer");
}

static void
test_check_unknown_token (Fixture *f, gconstpointer data)
{
  assert_check_fails (f, "[{\"mode\": \"unknown-token\", \"on\": \"updates\"}]",
                      LP_ERROR_UNKNOWN_TOKEN, NULL);
}

static void
test_register_unknown_token (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = do_register (f, "not-a-token", &error);

  g_assert_null (reg);
  g_assert_error (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN);
  /* The token travels in the path, escaped. */
  g_assert_cmpuint (server_count_requests (f->server, "/v1/client/not-a-token", NULL), ==, 1);
}

static void
test_register_missing_member (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = NULL;

  server_misbehave (f->server,
                    "[{\"mode\": \"missing-member\", \"member\": \"machine-token\", \"on\": "
                    "\"register\"}]");
  reg = do_register (f, TEST_TOKEN, &error);
  g_assert_null (reg);
  g_assert_error (error, LP_ERROR, LP_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "\"machine-token\" is missing"));
}

static void
test_register_server_error (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpRegistration) reg = NULL;

  server_misbehave (f->server, "[{\"mode\": \"status\", \"code\": 502, \"on\": \"register\"}]");
  reg = do_register (f, TEST_TOKEN, &error);
  g_assert_error (error, LP_ERROR, LP_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "HTTP 502"));
}

static void
test_nothing_to_apply (Fixture *f, gconstpointer data)
{
  g_autofree char *index_path = g_build_filename (f->server->patch_dir, "index.json", NULL);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = NULL;

  write_file (index_path, "{\"supported\": {\"*\": \"kernel-end-of-life\"}, \"patches\": []}");
  reply = do_check (f, reg, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply->supported, ==, "kernel-end-of-life");
  g_assert_null (reply->patch);
  g_assert_cmpstr (reply->buggy_version, ==, "");
}

/* cutoff-date and patch-delay reach the server, which holds back a patch
 * published after the cutoff. */
static void
test_cutoff_date_sent (Fixture *f, gconstpointer data)
{
  g_autofree char *index_path = g_build_filename (f->server->patch_dir, "index.json", NULL);
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCheckReply) reply = NULL;
  g_autoptr (JsonNode) log = NULL;
  JsonArray *entries;
  const char *body;
  LpCheckRequest req = {
    .kernel = TEST_KERNEL,
    .architecture = TEST_ARCH,
    .patch_state = "applied",
    .check_state = "checking",
    .cutoff_date = "2026-01-01T00:00:00Z",
    .patch_delay = "3d",
  };

  write_file (index_path,
              "{\"patches\": [{\"kernel\": \"" TEST_KERNEL "\", \"architecture\": \"" TEST_ARCH
              "\", \"version\": \"57.3\", \"file\": \"lkp-57.3.tar.xz\", "
              "\"published\": \"2026-02-01T00:00:00Z\"}]}");
  lp_client_check_async (f->client, reg->client_id, reg->machine_token, &req, NULL, store_result_cb,
                         &result);
  reply = lp_client_check_finish (f->client, await (&result), &error);
  g_assert_no_error (error);
  g_assert_null (reply->patch);
  log = server_log (f->server);
  entries = json_node_get_array (log);
  body = json_object_get_string_member (
      json_array_get_object_element (entries, json_array_get_length (entries) - 1), "body");
  g_assert_nonnull (strstr (body, "\"cutoff-date\":\"2026-01-01T00:00:00Z\""));
  g_assert_nonnull (strstr (body, "\"patch-delay\":\"3d\""));
  g_assert_nonnull (strstr (body, "\"client-version\":\"" PACKAGE_VERSION "\""));
  g_assert_nonnull (strstr (body, "\"boot-time\":"));
}

static void
test_deregister (Fixture *f, gconstpointer data)
{
  g_autoptr (LpRegistration) reg = register_ok (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;

  lp_client_deregister_async (f->client, reg->client_id, reg->machine_token, NULL, store_result_cb,
                              &r1);
  g_assert_true (lp_client_deregister_finish (f->client, await (&r1), &error));
  g_assert_no_error (error);
  /* Already gone counts as done. */
  lp_client_deregister_async (f->client, reg->client_id, reg->machine_token, NULL, store_result_cb,
                              &r2);
  g_assert_true (lp_client_deregister_finish (f->client, await (&r2), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (server_count_requests (f->server, reg->client_id, reg->machine_token), ==, 2);
}

/* Every log line of the process passes here: secrets must never appear. */
static GLogWriterOutput
secret_guard_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                     gpointer user_data)
{
  static const char *const secrets[] = { "s3cret-pw", "wrong-pw", TEST_TOKEN, NULL };

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") != 0 || fields[i].length != -1)
        continue;
      for (guint j = 0; secrets[j]; j++)
        if (strstr (fields[i].value, secrets[j]) != NULL)
          g_error ("a secret reached the log: %s", (const char *) fields[i].value);
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* ---- main ------------------------------------------------------------------ */

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_DATA(path, data, func)                                                                 \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
#define ADD_BARE(path, data, func)                                                                 \
  g_test_add (path, Fixture, data, fixture_set_up_bare, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  int ret;

  g_autofree char *host_store = NULL;

  gboolean inner = g_getenv ("LP_TEST_NO_TLS_PRIORITY") != NULL;

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (!inner)
    lp_trust_init_process ();
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (secret_guard_writer, NULL, NULL);
  if (g_getenv ("LP_TOP_SRCDIR") == NULL)
    g_error ("LP_TOP_SRCDIR is not set: run this through meson test");
  make_certs ();
  /* Stands in for the host CA store: nothing but the test CA (via
   * ca-certs) may make a peer trusted. */
  host_store = cert_path ("otherca.pem");
  g_setenv ("LP_SYSTEM_CA_BUNDLE", host_store, TRUE);

  if (inner)
    ADD_BARE ("/transport/tls-inner/tls1.1-version-check", NULL, test_tls11_version_check_inner);
  else
    g_test_add_func ("/transport/tls/tls1.1-refused-by-version-check-alone",
                     test_tls11_version_check);
  g_test_add_func ("/transport/tls/protocol-floor", test_protocol_floor);
  g_test_add_func ("/transport/tls/ca-certs-validation", test_ca_certs_validation);
  ADD ("/transport/tls/trusted-via-ca-certs", test_trusted_via_ca_certs);
  ADD ("/transport/tls/untrusted-until-ca-certs-set", test_untrusted_without_ca_certs);
  ADD_BARE ("/transport/tls/untrusted-self-signed-refused", NULL,
            test_untrusted_self_signed_refused);
  ADD_BARE ("/transport/tls/expired-refused", NULL, test_expired_refused);
  ADD_BARE ("/transport/tls/wrong-hostname-refused", NULL, test_wrong_hostname_refused);
  ADD_BARE ("/transport/tls/tls1.1-only-refused", NULL, test_tls11_only_refused);
  ADD_BARE ("/transport/tls/tls1.2-only-accepted", "1.2", test_tls_version_accepted);
  ADD_BARE ("/transport/tls/tls1.3-only-accepted", "1.3", test_tls_version_accepted);

  ADD ("/transport/download/http-url-refused-with-tls-patch-download", test_http_url_refused);
  ADD ("/transport/download/http-url-allowed-without-tls-patch-download",
       test_http_url_allowed_when_off);
  ADD ("/transport/download/redirect-to-http-refused-with-tls-patch-download",
       test_redirect_to_http_refused);
  ADD ("/transport/download/redirect-to-http-allowed-without-tls-patch-download",
       test_redirect_to_http_allowed_when_off);
  ADD ("/transport/download/bearer-not-sent-cross-origin", test_bearer_not_sent_cross_origin);
  ADD ("/transport/check/bearer-only-to-token-origin", test_bearer_only_to_token_origin);
  ADD ("/transport/download/bearer-not-sent-after-cross-origin-redirect",
       test_bearer_not_sent_after_redirect);
  ADD ("/transport/download/cancel-leaves-nothing", test_cancel_leaves_nothing);

  ADD ("/transport/proxy/http-connect-tinyproxy", test_proxy_http_connect);
  ADD ("/transport/proxy/https-tls-to-proxy-stunnel", test_proxy_https_tls_to_proxy);
  ADD ("/transport/proxy/https-untrusted-proxy-refused", test_proxy_https_untrusted);
  ADD ("/transport/proxy/basic-auth", test_proxy_basic_auth);
  ADD ("/transport/proxy/no-proxy-bypass", test_no_proxy_bypass);
  ADD ("/transport/proxy/from-environment", test_proxy_from_environment);
  ADD ("/transport/proxy/socks5-danted", test_proxy_socks5);

  ADD_BARE ("/transport/timeout/dial-timeout", NULL, test_dial_timeout);
  ADD ("/transport/timeout/stall", test_stall_timeout);
  ADD ("/transport/timeout/slow-response", test_slow_response_times_out);
  ADD ("/transport/idle/session-dropped", test_idle_session_dropped);
  ADD ("/transport/idle/session-dropped-after-error", test_idle_session_dropped_after_error);
  ADD ("/transport/idle/session-dropped-thread-default", test_idle_session_dropped_thread_default);
  ADD ("/transport/timeout/trickled-headers", test_trickled_headers);

  ADD ("/transport/server/wrong-checksum", test_wrong_checksum);
  ADD ("/transport/server/truncated-body", test_truncated_body);
  ADD ("/transport/server/body-longer-than-announced", test_extra_bytes);
  ADD ("/transport/server/size-differs-from-announced", test_size_larger_than_announced);
  ADD ("/transport/server/download-http-500", test_download_status);
  ADD ("/transport/server/connection-closed", test_connection_closed);
  ADD_DATA ("/transport/server/check-http-500", "500", test_check_status);
  ADD_DATA ("/transport/server/check-http-502", "502", test_check_status);
  ADD_DATA ("/transport/server/check-http-503", "503", test_check_status);
  ADD ("/transport/server/malformed-json", test_malformed_json);
  ADD ("/transport/server/missing-member-named", test_missing_member);
  ADD ("/transport/server/ill-typed-member-named", test_bad_type_member);
  ADD ("/transport/server/ill-typed-size-named", test_bad_size_member);
  ADD ("/transport/server/ill-typed-replacement-named", test_bad_replacement_member);
  ADD ("/transport/server/ill-typed-buggy-version-named", test_bad_buggy_version_member);
  ADD ("/transport/server/buggy-version-parsed", test_buggy_version_parsed);
  ADD ("/transport/server/check-unknown-token", test_check_unknown_token);
  ADD ("/transport/server/register-unknown-token", test_register_unknown_token);
  ADD ("/transport/server/register-missing-member-named", test_register_missing_member);
  ADD ("/transport/server/register-http-502", test_register_server_error);
  ADD ("/transport/server/nothing-to-apply", test_nothing_to_apply);
  ADD ("/transport/server/cutoff-date-sent", test_cutoff_date_sent);
  ADD ("/transport/server/deregister", test_deregister);
  ADD ("/transport/hostile/deep-nesting-refused", test_deep_nesting_refused);
  ADD ("/transport/hostile/json-comment-refused", test_json_comment_refused);
  ADD ("/transport/hostile/control-characters-refused", test_control_characters_refused);
  ADD ("/transport/hostile/lone-surrogate-refused", test_lone_surrogate_refused);
  ADD ("/transport/hostile/long-member-refused", test_long_member_refused);
  ADD ("/transport/hostile/size-over-cap-refused-before-download",
       test_size_over_cap_refused_before_download);
  ADD ("/transport/hostile/unannounced-bytes-stopped", test_unannounced_bytes_stopped);
  ADD ("/transport/hostile/check-deadline", test_check_deadline);
  ADD ("/transport/hostile/download-deadline", test_download_deadline);

  ret = g_test_run ();
  rm_rf (certs_dir);
  g_free (certs_dir);
  g_free (self_exe);
  return ret;
}
