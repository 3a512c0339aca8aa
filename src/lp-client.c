/* lp-client.c: the Livepatch server protocol over one SoupSession
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-client"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <unistd.h>

#include "lp-client.h"
#include "lp-coverage-json.h"
#include "lp-error.h"
#include "lp-json.h"
#include "lp-origin.h"
#include "lp-sha256.h"
#include "lp-text.h"
#include "lp-trust.h"

#define JSON_REPLY_MAX (1024 * 1024)
#define READ_CHUNK (64 * 1024)
/* Patches run to tens of MiB: fewer, larger reads mean fewer main-loop turns
 * and writes per MiB. */
#define DOWNLOAD_CHUNK (512 * 1024)
#define MAX_REDIRECTS 5
/* Bounds on the strings of a reply (docs/PROTOCOL.md), in bytes. */

struct _LpClient
{
  GObject parent_instance;

  LpConfig *config;
  gulong changed_id;
  SoupSession *session;  /* NULL when stale or the configuration cannot be used */
  GError *session_error; /* why session is NULL when not stale */
  /* The session (and its trust database, megabytes of parsed CA bundle) is
   * built on the first request after start or a config change, not before:
   * an idle daemon starts faster and smaller. */
  gboolean stale;
  GUri *base;         /* remote-server */
  char *token_origin; /* the only origin the machine token may go to (lp-origin.h) */
  gboolean tls_patch_download;
  guint dial_timeout;
  guint stall_timeout;
  guint deadline_override; /* seconds, 0 = computed per request */
  /* Checks are an hour apart: between them the session is dropped, so an
   * idle daemon does not hold its trust database and idle connections. */
  GMainContext *context; /* the thread-default one the client was made in */
  guint in_flight;       /* requests between lp_request_new and _free */
  guint idle_timeout;
  GSource *idle_source;
};

G_DEFINE_TYPE (LpClient, lp_client, G_TYPE_OBJECT)

typedef struct _LpRequest LpRequest;
/* Turns a complete reply into the task's result; NULL + error on failure. */
typedef gpointer (*LpReplyParser) (LpRequest *req, guint status, GBytes *body, GError **error);

struct _LpRequest
{
  LpClient *client;
  SoupSession *session; /* the one the request started on, kept across a rebuild */
  GUri *base;           /* remote-server of that session */
  SoupMessage *msg;
  GInputStream *stream;
  GCancellable *cancellable; /* ours: cancelled by the caller's, a stall or the TLS floor */
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  GError *abort_error; /* why we cancelled, when it was us */
  char *host;
  gboolean proxy_negotiating; /* between the proxy's TCP connect and its CONNECT reply */

  /* JSON calls */
  LpReplyParser parse;
  GDestroyNotify result_free;
  GByteArray *body;

  /* downloads */
  LpPatchOffer *offer;
  char *machine_token;
  char *dest_path;
  char *tmp_path;
  GOutputStream *out;
  LpSha256 *sha;
  /* Reading into one buffer while the other is written (in a GIO thread:
   * regular files are not pollable), so the network and the disk overlap. */
  guint8 *fill;
  gsize fill_len;
  guint8 *spare; /* being written when writing */
  gboolean reading;
  gboolean writing;
  gboolean eof;
  gboolean failed; /* the task has returned its error */
  guint64 received;
  guint redirects;
  guint dial_id;
  guint stall_id;
  guint deadline_id; /* armed once, at the first send: redirects do not extend it */
  guint deadline;    /* seconds */
  LpProgressFunc progress;
  gpointer progress_data;
};

static void lp_client_request_done (LpClient *self);

static void
lp_request_free (LpRequest *req)
{
  g_clear_handle_id (&req->dial_id, g_source_remove);
  g_clear_handle_id (&req->stall_id, g_source_remove);
  g_clear_handle_id (&req->deadline_id, g_source_remove);
  if (req->caller_cancellable != NULL)
    g_cancellable_disconnect (req->caller_cancellable, req->caller_cancel_id);
  if (req->tmp_path != NULL)
    {
      /* Still set means the download did not complete: leave nothing behind. */
      g_clear_object (&req->out);
      unlink (req->tmp_path);
    }
  g_clear_object (&req->out);
  g_clear_object (&req->stream);
  if (req->msg != NULL)
    g_signal_handlers_disconnect_by_data (req->msg, req);
  g_clear_object (&req->msg);
  g_clear_object (&req->session);
  g_clear_pointer (&req->base, g_uri_unref);
  g_clear_object (&req->cancellable);
  g_clear_object (&req->caller_cancellable);
  lp_client_request_done (req->client);
  g_clear_object (&req->client);
  g_clear_error (&req->abort_error);
  g_clear_pointer (&req->body, g_byte_array_unref);
  g_clear_pointer (&req->offer, lp_patch_offer_free);
  g_clear_pointer (&req->sha, lp_sha256_free);
  g_free (req->fill);
  g_free (req->spare);
  g_free (req->host);
  g_free (req->machine_token);
  g_free (req->dest_path);
  g_free (req->tmp_path);
  g_free (req);
}

/* ---- session ---------------------------------------------------------- */

/* "a, .b.example,10.0.0.0/8" -> { "a", ".b.example", "10.0.0.0/8" } */
static GStrv
split_no_proxy (const char *no_proxy)
{
  g_auto (GStrv) parts = g_strsplit (no_proxy, ",", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static const char *
getenv_either (const char *lower, const char *upper)
{
  const char *value = g_getenv (lower);

  if (value == NULL || *value == '\0')
    value = g_getenv (upper);
  return value != NULL && *value != '\0' ? value : NULL;
}

/* Always a GSimpleProxyResolver: GIO's default resolver (libproxy) would
 * read a desktop user's proxy settings through dconf, which means nothing
 * for a system service. Configured proxies replace the environment's (the
 * variables systemd or the administrator set), they do not add to it. */
static GProxyResolver *
proxy_resolver_from_config (LpConfig *config)
{
  const char *http_proxy = lp_config_get_http_proxy (config);
  const char *https_proxy = lp_config_get_https_proxy (config);
  const char *no_proxy = lp_config_get_no_proxy (config);
  const char *source = "configured";
  g_auto (GStrv) ignore = NULL;
  GProxyResolver *resolver;

  if (http_proxy == NULL && https_proxy == NULL)
    {
      http_proxy = getenv_either ("http_proxy", "HTTP_PROXY");
      https_proxy = getenv_either ("https_proxy", "HTTPS_PROXY");
      no_proxy = getenv_either ("no_proxy", "NO_PROXY");
      source = "environment";
    }
  if (no_proxy != NULL)
    ignore = split_no_proxy (no_proxy);
  /* Without a default proxy, a scheme with no proxy set goes direct. */
  resolver = g_simple_proxy_resolver_new (NULL, ignore);
  if (ignore != NULL && g_strv_contains ((const char *const *) ignore, "*"))
    return resolver; /* "*": everything direct */
  if (http_proxy != NULL)
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "http", http_proxy);
  if (https_proxy != NULL)
    g_simple_proxy_resolver_set_uri_proxy (G_SIMPLE_PROXY_RESOLVER (resolver), "https",
                                           https_proxy);
  g_debug ("using %s proxies (http: %s, https: %s)", source, http_proxy ? "yes" : "no",
           https_proxy ? "yes" : "no");
  return resolver;
}

static guint
lp_client_socket_timeout (LpClient *self)
{
  return MAX (self->dial_timeout, self->stall_timeout) + 5;
}

static gboolean
lp_client_build_session (LpClient *self, GError **error)
{
  g_autoptr (GTlsDatabase) db = NULL;
  g_autoptr (GProxyResolver) resolver = NULL;
  g_autoptr (GUri) base = NULL;
  g_autoptr (GError) uri_error = NULL;
  const char *remote = lp_config_get_remote_server (self->config);

  base = g_uri_parse (remote, G_URI_FLAGS_NONE, &uri_error);
  if (base == NULL || g_uri_get_host (base) == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "remote-server %s: %s", remote,
                   uri_error ? uri_error->message : "no host");
      return FALSE;
    }
  db = lp_trust_database_new (lp_config_get_ca_certs (self->config), error);
  if (db == NULL)
    return FALSE;
  /* An https:// proxy is GIO's own GHttpsProxy (TLS to the proxy, then
   * CONNECT), which libsoup's connection set-up calls and which verifies the
   * proxy with the TLS backend's default database: make that ours, so the
   * proxy is trusted exactly as the server is (host CAs, baked, ca-certs). */
  g_tls_backend_set_default_database (g_tls_backend_get_default (), db);
  resolver = proxy_resolver_from_config (self->config);
  self->dial_timeout = lp_config_get_dial_timeout (self->config);
  /* Our own timers (dial-timeout, stall) come first, with precise messages;
   * libsoup's socket timeout is only the backstop. */
  self->session = soup_session_new_with_options (
      "user-agent", "livepatch/" PACKAGE_VERSION, "timeout", lp_client_socket_timeout (self),
      "idle-timeout", 60, "tls-database", db, "max-conns-per-host", 2, NULL);
  soup_session_set_proxy_resolver (self->session, resolver);
  self->base = g_steal_pointer (&base);
  self->tls_patch_download = lp_config_get_tls_patch_download (self->config);
  return TRUE;
}

static void
lp_client_rebuild (LpClient *self)
{
  g_clear_object (&self->session);
  g_clear_error (&self->session_error);
  g_clear_pointer (&self->base, g_uri_unref);
  if (!lp_client_build_session (self, &self->session_error))
    {
      g_clear_object (&self->session);
      g_warning ("cannot talk to the server: %s", self->session_error->message);
    }
}

/* Requests already running keep their own reference to the old session. */
static void
lp_client_mark_stale (LpClient *self)
{
  g_clear_object (&self->session);
  g_clear_error (&self->session_error);
  g_clear_pointer (&self->base, g_uri_unref);
  self->stale = TRUE;
}

static void
config_changed_cb (LpConfig *config, gpointer user_data)
{
  lp_client_mark_stale (LP_CLIENT (user_data));
}

static void
lp_client_stop_idle (LpClient *self)
{
  if (self->idle_source == NULL)
    return;
  g_source_destroy (self->idle_source);
  g_clear_pointer (&self->idle_source, g_source_unref);
}

static gboolean
idle_timeout_cb (gpointer user_data)
{
  LpClient *self = LP_CLIENT (user_data);

  g_clear_pointer (&self->idle_source, g_source_unref);
  /* A session that failed to build stays failed until the config changes,
   * rather than warning again on every check. */
  if (self->session != NULL)
    {
      g_debug ("no request for %u s, dropping the session", self->idle_timeout);
      /* Closes the pooled keep-alive connections, which hold the trust
       * database through their TLS connections. */
      soup_session_abort (self->session);
      lp_client_mark_stale (self);
#ifdef __GLIBC__
      /* The parsed CA bundle was megabytes of small blocks scattered through
       * the heap and the TLS threads' arenas: glibc only returns the top of
       * a heap by itself, so without this RSS would not move. */
      malloc_trim (0);
#endif
    }
  return G_SOURCE_REMOVE;
}

/* g_timeout_add_seconds() would attach to the global default context, where
 * a client living in a thread-default one would never see it fire. */
static void
lp_client_start_idle (LpClient *self)
{
  lp_client_stop_idle (self);
  self->idle_source = g_timeout_source_new_seconds (self->idle_timeout);
  g_source_set_callback (self->idle_source, idle_timeout_cb, self, NULL);
  g_source_set_static_name (self->idle_source, "[livepatch] client idle");
  g_source_attach (self->idle_source, self->context);
}

static gboolean
request_done_cb (gpointer user_data)
{
  LpClient *self = LP_CLIENT (user_data);

  g_assert (self->in_flight > 0);
  self->in_flight--;
  /* After dispose the config is gone and no timer may be started. */
  if (self->in_flight == 0 && self->config != NULL)
    lp_client_start_idle (self);
  return G_SOURCE_REMOVE;
}

/* The last reference to a download's task can be dropped in its commit
 * thread; the count and the timer belong to the client's context. */
static void
lp_client_request_done (LpClient *self)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, request_done_cb,
                              g_object_ref (self), g_object_unref);
}

static void
lp_client_dispose (GObject *object)
{
  LpClient *self = LP_CLIENT (object);

  if (self->config != NULL && self->changed_id != 0)
    g_signal_handler_disconnect (self->config, self->changed_id);
  self->changed_id = 0;
  g_clear_object (&self->config);
  lp_client_stop_idle (self);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (lp_client_parent_class)->dispose (object);
}

void
lp_client_set_token_origin (LpClient *self, const char *origin)
{
  g_return_if_fail (LP_IS_CLIENT (self));
  g_free (self->token_origin);
  self->token_origin = g_strdup (origin);
}

static void
lp_client_finalize (GObject *object)
{
  LpClient *self = LP_CLIENT (object);

  g_clear_error (&self->session_error);
  g_clear_pointer (&self->base, g_uri_unref);
  g_free (self->token_origin);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (lp_client_parent_class)->finalize (object);
}

static void
lp_client_class_init (LpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lp_client_dispose;
  object_class->finalize = lp_client_finalize;
}

static void
lp_client_init (LpClient *self)
{
  /* LP_TEST_REQUEST_DEADLINE (seconds) replaces every request's deadline,
   * so the test suites can watch a trickling server lose without waiting
   * minutes; never set in production. */
  const char *deadline = g_getenv ("LP_TEST_REQUEST_DEADLINE");

  if (deadline != NULL)
    self->deadline_override = (guint) MIN (g_ascii_strtoull (deadline, NULL, 10), 3600);
  self->stall_timeout = LP_CLIENT_DEFAULT_STALL_TIMEOUT;
  self->idle_timeout = LP_CLIENT_DEFAULT_IDLE_TIMEOUT;
  self->context = g_main_context_ref_thread_default ();
}

LpClient *
lp_client_new (LpConfig *config)
{
  LpClient *self = g_object_new (LP_TYPE_CLIENT, NULL);

  self->config = g_object_ref (config);
  self->changed_id = g_signal_connect (config, "changed", G_CALLBACK (config_changed_cb), self);
  lp_client_mark_stale (self);
  return self;
}

void
lp_client_set_stall_timeout (LpClient *self, guint seconds)
{
  g_return_if_fail (LP_IS_CLIENT (self));
  self->stall_timeout = MAX (seconds, 1);
  if (self->session != NULL)
    soup_session_set_timeout (self->session, lp_client_socket_timeout (self));
}

void
lp_client_set_idle_timeout (LpClient *self, guint seconds)
{
  g_return_if_fail (LP_IS_CLIENT (self));
  self->idle_timeout = MAX (seconds, 1);
  if (self->idle_source != NULL)
    lp_client_start_idle (self);
}

void
lp_client_set_request_deadline (LpClient *self, guint seconds)
{
  g_return_if_fail (LP_IS_CLIENT (self));
  self->deadline_override = seconds;
}

gboolean
lp_client_has_session (LpClient *self)
{
  g_return_val_if_fail (LP_IS_CLIENT (self), FALSE);
  return self->session != NULL;
}

/* ---- errors ----------------------------------------------------------- */

static char *
describe_certificate_errors (GTlsCertificateFlags flags)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_string_append (text, ", not signed by a trusted CA (see ca-certs)");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_string_append (text, ", issued for another host name");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_string_append (text, ", not valid yet");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    g_string_append (text, ", expired");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    g_string_append (text, ", revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    g_string_append (text, ", uses an insecure algorithm");
  if (text->len == 0)
    return g_strdup ("");
  return g_strdup (text->str + 1);
}

static void
set_tls_error (LpRequest *req, const GError *cause, GError **error)
{
  GTlsCertificateFlags flags =
      req->msg ? soup_message_get_tls_peer_certificate_errors (req->msg) : 0;
  g_autofree char *detail = describe_certificate_errors (flags);

  /* TLS to an https:// proxy fails before libsoup sees any certificate. */
  if (req->proxy_negotiating)
    g_set_error (error, LP_ERROR, LP_ERROR_NETWORK,
                 "TLS to the https proxy for %s failed; its certificate must be trusted like "
                 "the server's (see ca-certs): %s",
                 req->host, cause->message);
  else if (g_error_matches (cause, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) || flags != 0)
    g_set_error (error, LP_ERROR, LP_ERROR_NETWORK,
                 "TLS: the certificate of %s is not accepted:%s (%s)", req->host, detail,
                 cause->message);
  else
    g_set_error (error, LP_ERROR, LP_ERROR_NETWORK,
                 "TLS handshake with %s failed; livepatch requires TLS 1.2 or newer and a "
                 "trusted certificate: %s",
                 req->host, cause->message);
}

/* Every GIO, TLS and libsoup error becomes LP_ERROR_NETWORK (or CANCELLED),
 * keeping the original message and naming the host. */
static void
set_transport_error (LpRequest *req, const GError *cause, GError **error)
{
  if (req->abort_error != NULL)
    g_propagate_error (error, g_error_copy (req->abort_error));
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, LP_ERROR, LP_ERROR_CANCELLED, "request to %s cancelled", req->host);
  else if (cause->domain == G_TLS_ERROR)
    set_tls_error (req, cause, error);
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, LP_ERROR, LP_ERROR_NETWORK, "timed out talking to %s: %s", req->host,
                 cause->message);
  else if (cause->domain == G_IO_ERROR &&
           (cause->code == G_IO_ERROR_PROXY_FAILED || cause->code == G_IO_ERROR_PROXY_AUTH_FAILED ||
            cause->code == G_IO_ERROR_PROXY_NEED_AUTH ||
            cause->code == G_IO_ERROR_PROXY_NOT_ALLOWED))
    g_set_error (error, LP_ERROR, LP_ERROR_NETWORK, "proxy refused or failed to reach %s: %s",
                 req->host, cause->message);
  else
    g_set_error (error, LP_ERROR, LP_ERROR_NETWORK, "cannot reach %s: %s", req->host,
                 cause->message);
}

/* An https reply that came without the server's certificate was written by
 * the proxy refusing the CONNECT tunnel, not by the server: it must not be
 * taken for the server's verdict on a token. */
static gboolean
check_proxy_reply (LpRequest *req, GError **error)
{
  guint status = soup_message_get_status (req->msg);
  gboolean https = g_strcmp0 (g_uri_get_scheme (soup_message_get_uri (req->msg)), "https") == 0;

  if (status != SOUP_STATUS_PROXY_AUTHENTICATION_REQUIRED &&
      (!https || soup_message_get_tls_peer_certificate (req->msg) != NULL))
    return TRUE;
  g_set_error (
      error, LP_ERROR, LP_ERROR_NETWORK, "the proxy refused the connection to %s: HTTP %u %s%s",
      req->host, status, soup_status_get_phrase (status),
      status == SOUP_STATUS_PROXY_AUTHENTICATION_REQUIRED || status == SOUP_STATUS_UNAUTHORIZED
          ? " (check the proxy user name and password)"
          : "");
  return FALSE;
}

static void
abort_request (LpRequest *req, GError *reason)
{
  if (req->abort_error == NULL)
    req->abort_error = reason;
  else
    g_error_free (reason);
  g_cancellable_cancel (req->cancellable);
}

static void
network_event_cb (SoupMessage *msg, GSocketClientEvent event, GIOStream *connection,
                  gpointer user_data)
{
  LpRequest *req = user_data;
  GError *error = NULL;

  if (event == G_SOCKET_CLIENT_PROXY_NEGOTIATING || event == G_SOCKET_CLIENT_PROXY_NEGOTIATED)
    req->proxy_negotiating = event == G_SOCKET_CLIENT_PROXY_NEGOTIATING;
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || !G_IS_TLS_CONNECTION (connection))
    return;
  /* Belt and braces behind lp_trust_init_process(): checked before any
   * request byte is written on this connection. */
  if (!lp_trust_check_protocol_version (
          g_tls_connection_get_protocol_version (G_TLS_CONNECTION (connection)), req->host, &error))
    abort_request (req, error);
}

/* ---- timers ----------------------------------------------------------- */

static gboolean
dial_timeout_cb (gpointer user_data)
{
  LpRequest *req = user_data;

  req->dial_id = 0;
  abort_request (req, g_error_new (LP_ERROR, LP_ERROR_NETWORK,
                                   "could not connect to %s within %u s (dial-timeout)", req->host,
                                   req->client->dial_timeout));
  return G_SOURCE_REMOVE;
}

static gboolean
stall_cb (gpointer user_data)
{
  LpRequest *req = user_data;

  req->stall_id = 0;
  if (req->offer != NULL)
    abort_request (
        req, g_error_new (LP_ERROR, LP_ERROR_NETWORK,
                          "download from %s stalled: no data for %u s after %" G_GUINT64_FORMAT
                          " of %" G_GUINT64_FORMAT " bytes",
                          req->host, req->client->stall_timeout, req->received, req->offer->size));
  else
    abort_request (req, g_error_new (LP_ERROR, LP_ERROR_NETWORK,
                                     "%s stopped answering: no data for %u s", req->host,
                                     req->client->stall_timeout));
  return G_SOURCE_REMOVE;
}

static void
stall_rearm (LpRequest *req)
{
  g_clear_handle_id (&req->stall_id, g_source_remove);
  req->stall_id = g_timeout_add_seconds (req->client->stall_timeout, stall_cb, req);
}

/* A server can keep the stall timer from firing by sending a byte now and
 * then: the deadline bounds the whole request. */
static gboolean
deadline_cb (gpointer user_data)
{
  LpRequest *req = user_data;

  req->deadline_id = 0;
  /* A download's failure adds how far it got. */
  if (req->offer != NULL)
    abort_request (req, g_error_new (LP_ERROR, LP_ERROR_NETWORK,
                                     "download from %s missed its deadline of %u s", req->host,
                                     req->deadline));
  else
    abort_request (req, g_error_new (LP_ERROR, LP_ERROR_NETWORK,
                                     "%s did not answer within the request deadline of %u s",
                                     req->host, req->deadline));
  return G_SOURCE_REMOVE;
}

/* LP_CLIENT_REQUEST_DEADLINE for the API calls; a download also gets a
 * second for every LP_CLIENT_MIN_DOWNLOAD_RATE bytes it announced. */
static guint
lp_request_deadline (LpRequest *req)
{
  if (req->client->deadline_override != 0)
    return req->client->deadline_override;
  if (req->offer == NULL)
    return LP_CLIENT_REQUEST_DEADLINE;
  return LP_CLIENT_REQUEST_DEADLINE + (guint) (req->offer->size / LP_CLIENT_MIN_DOWNLOAD_RATE);
}

static void
lp_request_start_deadline (LpRequest *req)
{
  if (req->deadline != 0)
    return;
  req->deadline = lp_request_deadline (req);
  req->deadline_id = g_timeout_add_seconds (req->deadline, deadline_cb, req);
}

static void
lp_request_stop_timers (LpRequest *req)
{
  g_clear_handle_id (&req->dial_id, g_source_remove);
  g_clear_handle_id (&req->stall_id, g_source_remove);
  g_clear_handle_id (&req->deadline_id, g_source_remove);
}

/* The request is on the wire, so the connection stands: from here on only
 * silence counts. */
static void
wrote_headers_cb (SoupMessage *msg, gpointer user_data)
{
  LpRequest *req = user_data;

  g_clear_handle_id (&req->dial_id, g_source_remove);
  stall_rearm (req);
}

/* dial-timeout runs from the start until the request is written (resolving,
 * connecting, proxy negotiation, TLS handshake); the stall timeout then
 * bounds every wait for the server. */
static void
lp_request_send (GTask *task, GAsyncReadyCallback callback)
{
  LpRequest *req = g_task_get_task_data (task);

  g_clear_handle_id (&req->dial_id, g_source_remove);
  g_clear_handle_id (&req->stall_id, g_source_remove);
  lp_request_start_deadline (req);
  req->dial_id = g_timeout_add_seconds (req->client->dial_timeout, dial_timeout_cb, req);
  g_signal_connect (req->msg, "wrote-headers", G_CALLBACK (wrote_headers_cb), req);
  soup_session_send_async (req->session, req->msg, G_PRIORITY_DEFAULT, req->cancellable, callback,
                           task);
}

/* ---- requests --------------------------------------------------------- */

static void
caller_cancelled_cb (GCancellable *caller, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static LpRequest *
lp_request_new (LpClient *self, GCancellable *caller_cancellable)
{
  LpRequest *req = g_new0 (LpRequest, 1);

  req->client = g_object_ref (self);
  self->in_flight++;
  lp_client_stop_idle (self);
  req->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      req->caller_cancellable = g_object_ref (caller_cancellable);
      req->caller_cancel_id =
          g_cancellable_connect (caller_cancellable, G_CALLBACK (caller_cancelled_cb),
                                 g_object_ref (req->cancellable), g_object_unref);
    }
  return req;
}

static void
lp_request_drop_message (LpRequest *req)
{
  if (req->msg != NULL)
    g_signal_handlers_disconnect_by_data (req->msg, req);
  g_clear_object (&req->msg);
}

static void
lp_request_set_message (LpRequest *req, SoupMessage *msg)
{
  lp_request_drop_message (req);
  if (req->session == NULL)
    {
      /* The first message comes just after lp_client_check_ready(); a
       * redirect stays on the same session and origin. */
      req->session = g_object_ref (req->client->session);
      req->base = g_uri_ref (req->client->base);
    }
  req->msg = msg;
  g_free (req->host);
  req->host = g_strdup (g_uri_get_host (soup_message_get_uri (msg)));
  /* Redirects are ours to judge: origin, scheme, bearer token. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect (msg, "network-event", G_CALLBACK (network_event_cb), req);
}

static int
port_with_default (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

/* Same scheme, host and port: the only place the machine token may go. */
static gboolean
same_origin (GUri *a, GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         port_with_default (a) == port_with_default (b);
}

static GUri *
api_uri (LpClient *self, const char *path)
{
  g_autofree char *base = g_uri_to_string (self->base);
  g_autofree char *joined = NULL;

  while (*base && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  joined = g_strconcat (base, path, NULL);
  return g_uri_parse (joined, G_URI_FLAGS_ENCODED, NULL);
}

/* The last line of defence for the machine token: whatever the caller
 * checked, it goes to the origin that issued it (set by the engine) or the
 * request goes without it, and the server will refuse it. */
static void
set_bearer (LpRequest *req, SoupMessage *msg, const char *token)
{
  g_autofree char *uri = g_uri_to_string (soup_message_get_uri (msg));
  g_autofree char *origin = lp_origin_from_url (uri, NULL);
  g_autofree char *value = g_strdup_printf ("Bearer %s", token);

  if (req->client->token_origin != NULL && g_strcmp0 (origin, req->client->token_origin) != 0)
    {
      g_warning ("not sending the machine token to %s: it belongs to %s", origin,
                 req->client->token_origin);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
}

/* Builds the session if stale; every request passes here before it sends. */
static gboolean
lp_client_check_ready (LpClient *self, GError **error)
{
  if (self->stale)
    {
      self->stale = FALSE;
      lp_client_rebuild (self);
    }
  if (self->session != NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (self->session_error));
  return FALSE;
}

/* ---- JSON calls ------------------------------------------------------- */

static void json_read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Every JSON call ends here, so no timer outlives it. */
static void
json_return_error (GTask *task, GError *error)
{
  lp_request_stop_timers (g_task_get_task_data (task));
  g_task_return_error (task, error);
}

static void
json_finish (GTask *task)
{
  LpRequest *req = g_task_get_task_data (task);
  g_autoptr (GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&req->body));
  GError *error = NULL;
  gpointer value = req->parse (req, soup_message_get_status (req->msg), body, &error);

  lp_request_stop_timers (req);
  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, req->result_free);
}

static void
json_read_next (GTask *task)
{
  LpRequest *req = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT, req->cancellable,
                                   json_read_cb, task);
}

static void
json_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;
  GError *error = NULL;
  g_autoptr (GBytes) chunk = g_input_stream_read_bytes_finish (req->stream, result, &local_error);

  if (chunk == NULL)
    {
      set_transport_error (req, local_error, &error);
      g_prefix_error (&error, "reading reply: ");
      json_return_error (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      json_finish (task);
      return;
    }
  if (req->body->len + g_bytes_get_size (chunk) > JSON_REPLY_MAX)
    {
      json_return_error (task, g_error_new (LP_ERROR, LP_ERROR_SERVER,
                                            "reply from %s is larger than %u bytes", req->host,
                                            JSON_REPLY_MAX));
      return;
    }
  stall_rearm (req);
  g_byte_array_append (req->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  json_read_next (g_steal_pointer (&task));
}

static void
json_send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;
  GError *error = NULL;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result, &local_error);
  if (req->stream == NULL)
    {
      set_transport_error (req, local_error, &error);
      json_return_error (task, error);
      return;
    }
  if (!check_proxy_reply (req, &error))
    {
      json_return_error (task, error);
      return;
    }
  req->body = g_byte_array_new ();
  json_read_next (g_steal_pointer (&task));
}

static void
json_call (GTask *task, const char *method, GUri *uri, const char *bearer, JsonNode *body)
{
  LpRequest *req = g_task_get_task_data (task);
  SoupMessage *msg = soup_message_new_from_uri (method, uri);

  lp_request_set_message (req, msg);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  if (bearer != NULL)
    set_bearer (req, msg, bearer);
  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);
      g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  lp_request_send (task, json_send_cb);
}

static GTask *
json_task_new (LpClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
               gpointer user_data, gpointer tag, LpReplyParser parse, GDestroyNotify result_free)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LpRequest *req = lp_request_new (self, cancellable);

  g_task_set_source_tag (task, tag);
  /* Cancellation is reported as LP_ERROR_CANCELLED, not as a GIO error. */
  g_task_set_check_cancellable (task, FALSE);
  req->parse = parse;
  req->result_free = result_free;
  g_task_set_task_data (task, req, (GDestroyNotify) lp_request_free);
  return task;
}

static GError *
status_error (LpRequest *req, guint status, const char *what)
{
  return g_error_new (LP_ERROR, LP_ERROR_SERVER, "%s: %s answered HTTP %u %s", what, req->host,
                      status, soup_status_get_phrase (status));
}

static JsonObject *
parse_reply_object (GBytes *body, const char *what, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr (JsonNode) root = lp_json_parse (data, len, LP_ERROR_SERVER, error);

  if (root == NULL)
    {
      g_prefix_error (error, "%s: reply: ", what);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: reply is not a JSON object", what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* A required (or, with @optional, possibly absent) string member, checked
 * as an identifier of at most @max_len bytes (docs/PROTOCOL.md); errors name
 * it with its @parent path, e.g. "patch.". */
static gboolean
get_string (JsonObject *obj, const char *parent, const char *name, const char *what,
            gboolean optional, gsize max_len, char **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *why = NULL;

  if (node == NULL && optional)
    {
      *out = g_strdup ("");
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: member \"%s%s\" is %s", what, parent,
                   name, node == NULL ? "missing" : "not a string");
      return FALSE;
    }
  *out = lp_text_accept (json_node_get_string (node), LP_TEXT_IDENTIFIER, max_len, &why);
  if (*out == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: member \"%s%s\" %s", what, parent, name,
                   why);
      return FALSE;
    }
  return TRUE;
}

/* ---- register --------------------------------------------------------- */

static gpointer
parse_registration (LpRequest *req, guint status, GBytes *body, GError **error)
{
  g_autoptr (JsonObject) obj = NULL;
  g_autoptr (LpRegistration) reg = g_new0 (LpRegistration, 1);
  const char *what = "register";

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN ||
      status == SOUP_STATUS_NOT_FOUND)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN,
                   /* "Unknown Auth-Token" is what Ubuntu Pro looks for */
                   "Unknown Auth-Token: the server does not know this token (HTTP %u); check "
                   "the token at https://ubuntu.com/pro",
                   status);
      return NULL;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_propagate_error (error, status_error (req, status, what));
      return NULL;
    }
  obj = parse_reply_object (body, what, error);
  if (obj == NULL ||
      !get_string (obj, "", "machine-token", what, FALSE, LP_PROTOCOL_MAX_TOKEN_LEN,
                   &reg->machine_token, error) ||
      !get_string (obj, "", "client-id", what, FALSE, LP_PROTOCOL_MAX_ID_LEN, &reg->client_id,
                   error) ||
      !get_string (obj, "", "tier", what, TRUE, LP_PROTOCOL_MAX_NAME_LEN, &reg->tier, error))
    return NULL;
  if (*reg->machine_token == '\0' || *reg->client_id == '\0')
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "register: member \"%s\" is empty",
                   *reg->machine_token == '\0' ? "machine-token" : "client-id");
      return NULL;
    }
  return g_steal_pointer (&reg);
}

static JsonNode *
registration_body (const LpMachineInfo *info)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "machine-id");
  json_builder_add_string_value (b, info->machine_id ? info->machine_id : "");
  json_builder_set_member_name (b, "architecture");
  json_builder_add_string_value (b, info->architecture ? info->architecture : "");
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, info->kernel ? info->kernel : "");
  json_builder_set_member_name (b, "client-version");
  json_builder_add_string_value (b, info->client_version ? info->client_version : PACKAGE_VERSION);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
lp_client_register_async (LpClient *self, const char *token, const LpMachineInfo *info,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (LP_IS_CLIENT (self));
  task = json_task_new (self, cancellable, callback, user_data, lp_client_register_async,
                        parse_registration, (GDestroyNotify) lp_registration_free);
  if (!lp_client_check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, LP_ERROR, LP_ERROR_INVALID_ARGUMENT, "the token is empty");
      return;
    }
  escaped = g_uri_escape_string (token, NULL, FALSE);
  path = g_strdup_printf ("/v1/client/%s", escaped);
  uri = api_uri (self, path);
  body = registration_body (info);
  g_debug ("registering with %s", g_uri_get_host (self->base));
  json_call (g_steal_pointer (&task), "POST", uri, NULL, body);
}

LpRegistration *
lp_client_register_finish (LpClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- check ------------------------------------------------------------ */

static gboolean
get_size (JsonObject *obj, const char *what, guint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, "size");
  gint64 size;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: member \"patch.size\" is %s", what,
                   node == NULL ? "missing" : "not an integer");
      return FALSE;
    }
  size = json_node_get_int (node);
  if (size <= 0 || size > LP_ARCHIVE_MAX_SIZE)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER,
                   "%s: member \"patch.size\" is %" G_GINT64_FORMAT ", outside 1..%d bytes", what,
                   size, LP_ARCHIVE_MAX_SIZE);
      return FALSE;
    }
  *out = (guint64) size;
  return TRUE;
}

/* An optional boolean member: absent means FALSE, any other type is an error. */
static gboolean
get_optional_boolean (JsonObject *obj, const char *member, const char *what, gboolean *out,
                      GError **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: member \"patch.%s\" is not a boolean",
                   what, member);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static LpPatchOffer *
parse_offer (JsonObject *patch, const char *what, GError **error)
{
  g_autoptr (LpPatchOffer) offer = g_new0 (LpPatchOffer, 1);

  if (!get_string (patch, "patch.", "version", what, FALSE, LP_PROTOCOL_MAX_NAME_LEN,
                   &offer->version, error) ||
      !get_string (patch, "patch.", "url", what, FALSE, LP_PROTOCOL_MAX_URL_LEN, &offer->url,
                   error) ||
      !get_string (patch, "patch.", "sha256", what, FALSE, LP_PROTOCOL_MAX_ID_LEN, &offer->sha256,
                   error) ||
      !get_size (patch, what, &offer->size, error) ||
      !get_optional_boolean (patch, "replacement", what, &offer->replacement, error))
    return NULL;
  if (!lp_sha256_hex_is_valid (offer->sha256))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER,
                   "%s: member \"patch.sha256\" is not 64 hex digits", what);
      return NULL;
    }
  /* Servers may send either case; the header promises lowercase, as ours prints. */
  for (char *c = offer->sha256; *c != '\0'; c++)
    *c = g_ascii_tolower (*c);
  if (*offer->version == '\0' || *offer->url == '\0')
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "%s: member \"patch.%s\" is empty", what,
                   *offer->version == '\0' ? "version" : "url");
      return NULL;
    }
  return g_steal_pointer (&offer);
}

static gpointer
parse_check_reply (LpRequest *req, guint status, GBytes *body, GError **error)
{
  g_autoptr (JsonObject) obj = NULL;
  g_autoptr (LpCheckReply) reply = g_new0 (LpCheckReply, 1);
  const char *what = "check";
  JsonNode *patch;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN,
                   "the server refused this machine's token (HTTP %u); enable livepatch again",
                   status);
      return NULL;
    }
  if (status != SOUP_STATUS_OK)
    {
      g_propagate_error (error, status_error (req, status, what));
      return NULL;
    }
  obj = parse_reply_object (body, what, error);
  if (obj == NULL ||
      !get_string (obj, "", "supported", what, FALSE, LP_PROTOCOL_MAX_NAME_LEN, &reply->supported,
                   error) ||
      !get_string (obj, "", "buggy-version", what, TRUE, LP_PROTOCOL_MAX_NAME_LEN,
                   &reply->buggy_version, error))
    return NULL;
  reply->coverage = lp_coverage_parse (obj, what, error);
  if (reply->coverage == NULL)
    return NULL;
  patch = json_object_get_member (obj, "patch");
  if (patch == NULL || JSON_NODE_HOLDS_NULL (patch))
    return g_steal_pointer (&reply);
  if (!JSON_NODE_HOLDS_OBJECT (patch))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER,
                   "%s: member \"patch\" is neither null nor an object", what);
      return NULL;
    }
  reply->patch = parse_offer (json_node_get_object (patch), what, error);
  return reply->patch ? g_steal_pointer (&reply) : NULL;
}

/* The body parsers on their own, as a 200 reply would reach them: the
 * fuzzer drives these (a non-200 status never reaches the JSON). */
LpRegistration *
lp_client_parse_registration (GBytes *body, GError **error)
{
  return parse_registration (NULL, SOUP_STATUS_OK, body, error);
}

LpCheckReply *
lp_client_parse_check_reply (GBytes *body, GError **error)
{
  return parse_check_reply (NULL, SOUP_STATUS_OK, body, error);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value ? value : "");
}

static JsonNode *
check_body (const LpCheckRequest *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, "kernel", r->kernel);
  add_string (b, "architecture", r->architecture);
  add_string (b, "patch-version", r->patch_version);
  add_string (b, "patch-state", r->patch_state);
  add_string (b, "check-state", r->check_state);
  json_builder_set_member_name (b, "uptime");
  json_builder_add_int_value (b, r->uptime);
  json_builder_set_member_name (b, "boot-time");
  json_builder_add_int_value (b, r->boot_time);
  add_string (b, "client-version", r->client_version ? r->client_version : PACKAGE_VERSION);
  if (r->cutoff_date != NULL)
    add_string (b, "cutoff-date", r->cutoff_date);
  if (r->patch_delay != NULL)
    add_string (b, "patch-delay", r->patch_delay);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
lp_client_check_async (LpClient *self, const char *client_id, const char *machine_token,
                       const LpCheckRequest *request, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (LP_IS_CLIENT (self));
  task = json_task_new (self, cancellable, callback, user_data, lp_client_check_async,
                        parse_check_reply, (GDestroyNotify) lp_check_reply_free);
  if (!lp_client_check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (client_id == NULL || *client_id == '\0' || machine_token == NULL || *machine_token == '\0')
    {
      g_task_return_new_error (task, LP_ERROR, LP_ERROR_NOT_ENABLED,
                               "no client id or machine token: enable livepatch first");
      return;
    }
  escaped = g_uri_escape_string (client_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/client/%s/updates", escaped);
  uri = api_uri (self, path);
  body = check_body (request);
  json_call (g_steal_pointer (&task), "POST", uri, machine_token, body);
}

LpCheckReply *
lp_client_check_finish (LpClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- CVE data --------------------------------------------------------- */

/* "\"abc\"" -> "abc"; a weak or unquoted tag is returned as it is, for the
 * caller to refuse as no SHA-256. */
static char *
etag_value (const char *header)
{
  gsize len = header != NULL ? strlen (header) : 0;

  if (header == NULL)
    return NULL;
  if (len >= 2 && header[0] == '"' && header[len - 1] == '"')
    return g_strndup (header + 1, len - 2);
  return g_strdup (header);
}

static gpointer
parse_cve_reply (LpRequest *req, guint status, GBytes *body, GError **error)
{
  g_autoptr (LpCveReply) reply = g_new0 (LpCveReply, 1);

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN,
                   "the server refused this machine's token (HTTP %u)", status);
      return NULL;
    }
  if (status == SOUP_STATUS_NOT_MODIFIED)
    reply->not_modified = TRUE;
  else if (status == SOUP_STATUS_OK)
    {
      reply->body = g_bytes_ref (body);
      reply->etag = etag_value (
          soup_message_headers_get_one (soup_message_get_response_headers (req->msg), "ETag"));
    }
  else if (status != SOUP_STATUS_NOT_FOUND)
    {
      g_propagate_error (error, status_error (req, status, "cve data"));
      return NULL;
    }
  return g_steal_pointer (&reply);
}

static char *
cve_data_path (const char *client_id, const char *const *kernels)
{
  g_autofree char *escaped = g_uri_escape_string (client_id, NULL, FALSE);
  GString *path = g_string_new (NULL);

  g_string_append_printf (path, "/v1/client/%s/cve-fixes", escaped);
  for (guint i = 0; kernels != NULL && kernels[i] != NULL; i++)
    {
      g_autofree char *kernel = g_uri_escape_string (kernels[i], NULL, FALSE);
      g_string_append_printf (path, "%ckernel=%s", i == 0 ? '?' : '&', kernel);
    }
  return g_string_free (path, FALSE);
}

void
lp_client_fetch_cve_data_async (LpClient *self, const char *client_id, const char *machine_token,
                                const char *const *kernels, const char *digest,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *path = NULL;
  LpRequest *req;
  SoupMessage *msg;
  GError *error = NULL;

  g_return_if_fail (LP_IS_CLIENT (self));
  task = json_task_new (self, cancellable, callback, user_data, lp_client_fetch_cve_data_async,
                        parse_cve_reply, (GDestroyNotify) lp_cve_reply_free);
  if (!lp_client_check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  path = cve_data_path (client_id != NULL ? client_id : "", kernels);
  uri = api_uri (self, path);
  req = g_task_get_task_data (task);
  msg = soup_message_new_from_uri ("GET", uri);
  lp_request_set_message (req, msg);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  set_bearer (req, msg, machine_token != NULL ? machine_token : "");
  if (digest != NULL && *digest != '\0')
    {
      g_autofree char *tag = g_strdup_printf ("\"%s\"", digest);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", tag);
    }
  lp_request_send (g_steal_pointer (&task), json_send_cb);
}

LpCveReply *
lp_client_fetch_cve_data_finish (LpClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- deregister ------------------------------------------------------- */

static gpointer
parse_deregister (LpRequest *req, guint status, GBytes *body, GError **error)
{
  if (SOUP_STATUS_IS_SUCCESSFUL (status) || status == SOUP_STATUS_NOT_FOUND)
    return GINT_TO_POINTER (TRUE);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    g_set_error (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN,
                 "the server refused this machine's token (HTTP %u)", status);
  else
    g_propagate_error (error, status_error (req, status, "deregister"));
  return NULL;
}

void
lp_client_deregister_async (LpClient *self, const char *client_id, const char *machine_token,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (LP_IS_CLIENT (self));
  task = json_task_new (self, cancellable, callback, user_data, lp_client_deregister_async,
                        parse_deregister, NULL);
  if (!lp_client_check_ready (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (client_id == NULL || *client_id == '\0')
    {
      g_task_return_new_error (task, LP_ERROR, LP_ERROR_NOT_ENABLED, "no client id");
      return;
    }
  escaped = g_uri_escape_string (client_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/client/%s", escaped);
  uri = api_uri (self, path);
  json_call (g_steal_pointer (&task), "DELETE", uri, machine_token, NULL);
}

gboolean
lp_client_deregister_finish (LpClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_pointer (G_TASK (result), error) != NULL;
}

/* ---- download --------------------------------------------------------- */

static void download_send (GTask *task, GUri *uri);
static void download_pump (GTask *task);

/* Refuses what must not be fetched: other schemes, and plain http when
 * tls-patch-download is set. */
static gboolean
download_uri_allowed (LpRequest *req, GUri *uri, GError **error)
{
  const char *scheme = g_uri_get_scheme (uri);

  if (g_strcmp0 (scheme, "https") == 0)
    return TRUE;
  if (g_strcmp0 (scheme, "http") != 0 || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "patch URL scheme \"%s\" is not http(s)",
                   scheme ? scheme : "");
      return FALSE;
    }
  if (req->client->tls_patch_download)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_NETWORK,
                   "refusing to download the patch over plain http from %s: tls-patch-download "
                   "is on",
                   g_uri_get_host (uri));
      return FALSE;
    }
  g_info ("downloading the patch over plain http from %s (tls-patch-download is off; the "
          "sha256 from the TLS-protected check still guards it)",
          g_uri_get_host (uri));
  return TRUE;
}

static void
download_discard (LpRequest *req)
{
  lp_request_stop_timers (req);
  if (req->tmp_path == NULL)
    return;
  g_clear_object (&req->out);
  unlink (req->tmp_path);
  g_clear_pointer (&req->tmp_path, g_free);
}

/* The partial file goes before the caller hears of the failure. */
static void
download_fail (GTask *task, GError *error)
{
  LpRequest *req = g_task_get_task_data (task);

  download_discard (req);
  req->failed = TRUE;
  g_task_return_error (task, error);
  /* A read or write may still be in flight: it ends as cancelled, unheard. */
  g_cancellable_cancel (req->cancellable);
}

/* Runs in a worker thread; @task_data is the download task, whose result it
 * sets (GTask delivers it on the caller's main context). */
static void
commit_thread (GTask *commit, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GTask *task = task_data;
  LpRequest *req = g_task_get_task_data (task);
  g_autofree char *dir = g_path_get_dirname (req->dest_path);
  int fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (req->out));
  int dirfd;

  if (fsync (fd) != 0 || !g_output_stream_close (req->out, NULL, NULL) ||
      rename (req->tmp_path, req->dest_path) != 0)
    {
      int saved = errno;
      unlink (req->tmp_path);
      g_clear_pointer (&req->tmp_path, g_free);
      g_task_return_new_error (task, LP_ERROR, LP_ERROR_INTERNAL, "saving %s: %s", req->dest_path,
                               g_strerror (saved));
      return;
    }
  g_clear_pointer (&req->tmp_path, g_free);
  /* The rename itself must survive a crash too. */
  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd >= 0)
    {
      fsync (dirfd);
      close (dirfd);
    }
  g_task_return_boolean (task, TRUE);
}

/* Takes ownership of @task_ref. */
static void
download_complete (GTask *task_ref)
{
  g_autoptr (GTask) task = task_ref;
  LpRequest *req = g_task_get_task_data (task);
  g_autofree char *hex = lp_sha256_finish_hex (req->sha);
  GTask *commit;

  lp_request_stop_timers (req);
  /* Until the body stream is closed libsoup keeps the connection busy, and
   * with max-conns-per-host = 2 the third request after two downloads waits
   * forever (seen on the vm suite); at EOF the close does no I/O. */
  g_input_stream_close (req->stream, NULL, NULL);
  if (req->received != req->offer->size)
    {
      download_fail (task, g_error_new (LP_ERROR, LP_ERROR_NETWORK,
                                        "download from %s ended after %" G_GUINT64_FORMAT
                                        " of %" G_GUINT64_FORMAT " bytes",
                                        req->host, req->received, req->offer->size));
      return;
    }
  if (!lp_sha256_hex_equal (hex, req->offer->sha256))
    {
      download_fail (task, g_error_new (LP_ERROR, LP_ERROR_CHECKSUM_MISMATCH,
                                        "patch %s: SHA-256 of the download is %s, the server "
                                        "announced %s",
                                        req->offer->version, hex, req->offer->sha256));
      return;
    }
  if (req->dest_path == NULL) /* lp_client_download_to_fd_async(): the caller's file */
    {
      g_output_stream_close (req->out, NULL, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* fsync and rename may block: off the main loop, and the result goes
   * back through the original task. */
  commit = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (commit, g_object_ref (task), g_object_unref);
  g_task_run_in_thread (commit, commit_thread);
  g_object_unref (commit);
}

/* A read or a write failed, or was cancelled by the caller or by us. */
static void
download_fail_transport (GTask *task, const GError *cause)
{
  LpRequest *req = g_task_get_task_data (task);
  GError *error = NULL;

  set_transport_error (req, cause, &error);
  g_prefix_error (&error,
                  "after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes: ", req->received,
                  req->offer->size);
  download_fail (task, error);
}

static void
download_write_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;

  req->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &local_error))
    {
      if (req->failed)
        return;
      if (req->abort_error != NULL || g_cancellable_is_cancelled (req->cancellable))
        {
          download_fail_transport (task, local_error);
          return;
        }
      download_fail (task, g_error_new (LP_ERROR, LP_ERROR_INTERNAL, "writing %s: %s",
                                        req->tmp_path, local_error->message));
      return;
    }
  if (req->failed)
    return;
  download_pump (task);
}

static void
download_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;
  gssize len = g_input_stream_read_finish (req->stream, result, &local_error);

  req->reading = FALSE;
  if (req->failed)
    return;
  if (len < 0)
    {
      download_fail_transport (task, local_error);
      return;
    }
  if (req->received + len > req->offer->size)
    {
      download_fail (task,
                     g_error_new (LP_ERROR, LP_ERROR_SERVER,
                                  "download from %s is larger than the announced %" G_GUINT64_FORMAT
                                  " bytes",
                                  req->host, req->offer->size));
      return;
    }
  if (len == 0)
    {
      req->eof = TRUE;
      download_pump (task);
      return;
    }
  stall_rearm (req);
  lp_sha256_update (req->sha, req->fill + req->fill_len, len);
  req->fill_len += len;
  req->received += len;
  if (req->progress != NULL)
    req->progress (req->received, req->offer->size, req->progress_data);
  download_pump (task);
}

static void
download_start_write (GTask *task)
{
  LpRequest *req = g_task_get_task_data (task);
  guint8 *full = req->fill;
  gsize len = req->fill_len;

  req->fill = req->spare;
  req->fill_len = 0;
  req->spare = full;
  req->writing = TRUE;
  g_output_stream_write_all_async (req->out, full, len, G_PRIORITY_DEFAULT, req->cancellable,
                                   download_write_cb, g_object_ref (task));
}

/* Called whenever a read or a write ends: writes a full buffer (or the rest
 * at the end) once the disk is free, and keeps one read in flight while
 * there is room to read into. */
static void
download_pump (GTask *task)
{
  LpRequest *req = g_task_get_task_data (task);

  if (!req->writing && req->fill_len > 0 && (req->fill_len == DOWNLOAD_CHUNK || req->eof))
    download_start_write (task);
  if (req->eof && !req->writing && req->fill_len == 0)
    {
      g_autoptr (GError) cancelled = NULL;

      /* A cancel that came with the last bytes (from the progress callback,
       * say) still wins, as it would have over one more read. */
      if (g_cancellable_set_error_if_cancelled (req->cancellable, &cancelled))
        download_fail_transport (task, cancelled);
      else
        download_complete (g_object_ref (task));
      return;
    }
  if (req->reading || req->eof || req->fill_len == DOWNLOAD_CHUNK)
    return;
  req->reading = TRUE;
  /* One byte more than announced is enough to know the server sent too
   * much: nothing past it is read. */
  g_input_stream_read_async (
      req->stream, req->fill + req->fill_len,
      MIN (DOWNLOAD_CHUNK - req->fill_len, req->offer->size - req->received + 1),
      G_PRIORITY_DEFAULT, req->cancellable, download_read_cb, g_object_ref (task));
}

/* Takes ownership of @task_ref. */
static void
download_redirect (GTask *task_ref, guint status)
{
  g_autoptr (GTask) task = task_ref;
  LpRequest *req = g_task_get_task_data (task);
  const char *location =
      soup_message_headers_get_one (soup_message_get_response_headers (req->msg), "Location");
  g_autoptr (GUri) target = NULL;
  GError *error = NULL;

  if (location == NULL || ++req->redirects > MAX_REDIRECTS)
    {
      download_fail (task, g_error_new (LP_ERROR, LP_ERROR_SERVER,
                                        "download from %s: HTTP %u redirect %s", req->host, status,
                                        location ? "loops" : "without a Location"));
      return;
    }
  target =
      g_uri_parse_relative (soup_message_get_uri (req->msg), location, G_URI_FLAGS_ENCODED, NULL);
  if (target == NULL)
    {
      download_fail (task, g_error_new (LP_ERROR, LP_ERROR_SERVER,
                                        "download from %s: bad redirect location", req->host));
      return;
    }
  if (!download_uri_allowed (req, target, &error))
    {
      g_prefix_error (&error, "redirected by %s: ", req->host);
      download_fail (task, error);
      return;
    }
  g_clear_object (&req->stream);
  download_send (g_steal_pointer (&task), target);
}

static void
download_send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpRequest *req = g_task_get_task_data (task);
  g_autoptr (GError) local_error = NULL;
  GError *error = NULL;
  guint status;
  goffset length;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result, &local_error);
  if (req->stream == NULL)
    {
      set_transport_error (req, local_error, &error);
      download_fail (task, error);
      return;
    }
  if (!check_proxy_reply (req, &error))
    {
      download_fail (task, error);
      return;
    }
  status = soup_message_get_status (req->msg);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      download_redirect (g_steal_pointer (&task), status);
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      download_fail (task, status_error (req, status, "download"));
      return;
    }
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (req->msg));
  if (length > 0 && (guint64) length != req->offer->size)
    {
      download_fail (task, g_error_new (LP_ERROR, LP_ERROR_SERVER,
                                        "download from %s is %" G_GINT64_FORMAT
                                        " bytes, the check announced %" G_GUINT64_FORMAT,
                                        req->host, (gint64) length, req->offer->size));
      return;
    }
  req->fill = g_malloc (DOWNLOAD_CHUNK);
  req->spare = g_malloc (DOWNLOAD_CHUNK);
  download_pump (task);
}

static void
download_send (GTask *task, GUri *uri)
{
  LpRequest *req = g_task_get_task_data (task);
  SoupMessage *msg = soup_message_new_from_uri ("GET", uri);

  lp_request_set_message (req, msg);
  if (req->machine_token != NULL && same_origin (uri, req->base))
    set_bearer (req, msg, req->machine_token);
  lp_request_send (task, download_send_cb);
}

static gboolean
download_open_tmp (LpRequest *req, GError **error)
{
  int fd;

  req->tmp_path = g_strdup_printf ("%s.partial-XXXXXX", req->dest_path);
  fd = g_mkstemp_full (req->tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "creating %s: %s", req->tmp_path,
                   g_strerror (errno));
      g_clear_pointer (&req->tmp_path, g_free);
      return FALSE;
    }
  req->out = g_unix_output_stream_new (fd, TRUE);
  return TRUE;
}

static gboolean
download_prepare (LpClient *self, LpRequest *req, const LpPatchOffer *offer, GUri **out_uri,
                  GError **error)
{
  g_autoptr (GUri) uri = NULL;

  if (!lp_client_check_ready (self, error))
    return FALSE;
  if (offer == NULL || offer->url == NULL || !lp_sha256_hex_is_valid (offer->sha256) ||
      offer->size == 0 || offer->size > LP_ARCHIVE_MAX_SIZE)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "patch offer lacks a URL, a valid sha256 or a size within 1..%d bytes",
                   LP_ARCHIVE_MAX_SIZE);
      return FALSE;
    }
  uri = g_uri_parse_relative (self->base, offer->url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_SERVER, "patch URL \"%s\" does not parse", offer->url);
      return FALSE;
    }
  req->host = g_strdup (g_uri_get_host (uri));
  if (!download_uri_allowed (req, uri, error) ||
      (req->out == NULL && !download_open_tmp (req, error)))
    return FALSE;
  *out_uri = g_steal_pointer (&uri);
  return TRUE;
}

/* Both downloads: @req has its output (a temporary file, or the caller's fd). */
static void
download_start (LpClient *self, GTask *task_ref, LpRequest *req, const LpPatchOffer *offer)
{
  g_autoptr (GTask) task = task_ref;
  g_autoptr (GUri) uri = NULL;
  GError *error = NULL;

  if (!download_prepare (self, req, offer, &uri, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  req->offer = lp_patch_offer_copy (offer);
  req->sha = lp_sha256_new ();
  download_send (g_steal_pointer (&task), uri);
}

static GTask *
download_task_new (LpClient *self, const char *machine_token, LpProgressFunc progress,
                   gpointer progress_data, GCancellable *cancellable, GAsyncReadyCallback callback,
                   gpointer user_data, LpRequest **out_req)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LpRequest *req = lp_request_new (self, cancellable);

  g_task_set_source_tag (task, lp_client_download_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, req, (GDestroyNotify) lp_request_free);
  req->machine_token = g_strdup (machine_token);
  req->progress = progress;
  req->progress_data = progress_data;
  *out_req = req;
  return task;
}

void
lp_client_download_async (LpClient *self, const char *machine_token, const LpPatchOffer *offer,
                          const char *dest_path, LpProgressFunc progress, gpointer progress_data,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  LpRequest *req;
  GTask *task;

  g_return_if_fail (LP_IS_CLIENT (self));
  g_return_if_fail (dest_path != NULL);
  task = download_task_new (self, machine_token, progress, progress_data, cancellable, callback,
                            user_data, &req);
  req->dest_path = g_strdup (dest_path);
  download_start (self, task, req, offer);
}

void
lp_client_download_to_fd_async (LpClient *self, const char *machine_token,
                                const LpPatchOffer *offer, int dest_fd, LpProgressFunc progress,
                                gpointer progress_data, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  LpRequest *req;
  GTask *task;

  g_return_if_fail (LP_IS_CLIENT (self));
  g_return_if_fail (dest_fd >= 0);
  task = download_task_new (self, machine_token, progress, progress_data, cancellable, callback,
                            user_data, &req);
  req->out = g_unix_output_stream_new (dup (dest_fd), TRUE);
  download_start (self, task, req, offer);
}

gboolean
lp_client_download_finish (LpClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
