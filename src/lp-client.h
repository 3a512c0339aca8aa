/* lp-client.h: the Livepatch server protocol (docs/PROTOCOL.md) over one
 * SoupSession: register, check, download, deregister
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-config.h"
#include "lp-protocol.h"

G_BEGIN_DECLS

#define LP_TYPE_CLIENT (lp_client_get_type ())
G_DECLARE_FINAL_TYPE (LpClient, lp_client, LP, CLIENT, GObject)

/* Once a request is written, waiting this long for any data from the server
 * (reply headers, or the next chunk of a reply or download) fails it with
 * LP_ERROR_NETWORK. Connecting is bounded by config dial-timeout instead. */
#define LP_CLIENT_DEFAULT_STALL_TIMEOUT 30
/* With no request running for this long, seconds, the session and its TLS
 * trust database are dropped; the next request builds them again. */
#define LP_CLIENT_DEFAULT_IDLE_TIMEOUT 30
/* Every request must be complete this long, in seconds, after it started,
 * whatever the connect and stall timeouts allow: a server sending a byte
 * every few seconds cannot hold a check open. */
#define LP_CLIENT_REQUEST_DEADLINE 60
/* A download gets LP_CLIENT_REQUEST_DEADLINE plus one second for every this
 * many bytes announced (32 KiB/s, the slowest rate still worth waiting
 * for): 64 MiB may take 35 minutes. */
#define LP_CLIENT_MIN_DOWNLOAD_RATE (32 * 1024)

/* Called on the main context while a download runs; @total is offer->size. */
typedef void (*LpProgressFunc) (guint64 received, guint64 total, gpointer user_data);

/* Follows @config: remote-server, proxies, ca-certs, dial-timeout and
 * tls-patch-download. The session and its TLS trust database are built on
 * the first request, and again on the first request after @config emits
 * ::changed (requests already running finish on the old one). */
LpClient *lp_client_new (LpConfig *config);

/* The machine token is attached only to requests for @origin (lp-origin.h;
 * "" = none); a request elsewhere goes without it, with a warning. NULL (the
 * default) = any request to remote-server's origin. The engine keeps it at
 * the origin that issued the stored token, below its own checks. */
void lp_client_set_token_origin (LpClient *self, const char *origin);

/* For tests: the stall timeout, in seconds (default LP_CLIENT_DEFAULT_STALL_TIMEOUT). */
void lp_client_set_stall_timeout (LpClient *self, guint seconds);
/* For tests: the idle timeout, in seconds (default LP_CLIENT_DEFAULT_IDLE_TIMEOUT). */
void lp_client_set_idle_timeout (LpClient *self, guint seconds);
/* For tests: a deadline, in seconds, for every request instead of the
 * computed one; 0 restores those. The daemon reads LP_TEST_REQUEST_DEADLINE. */
void lp_client_set_request_deadline (LpClient *self, guint seconds);
/* For tests: whether the client holds a session now (FALSE before the first
 * request, after a config change and after the idle timeout). */
gboolean lp_client_has_session (LpClient *self);

/* Errors (all calls): LP_ERROR_NETWORK (DNS, connect, dial-timeout, stall, TLS
 * incl. the 1.2 floor and certificate problems, proxy failures and refusals),
 * LP_ERROR_SERVER (HTTP status
 * other than below, with the status in the message; malformed JSON naming the
 * member), LP_ERROR_CANCELLED. */

/* POST /v1/client/{token}. 401/403/404 -> LP_ERROR_UNKNOWN_TOKEN. */
void lp_client_register_async (LpClient *self, const char *token, const LpMachineInfo *info,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
LpRegistration *lp_client_register_finish (LpClient *self, GAsyncResult *result, GError **error);

/* POST /v1/client/{client-id}/updates with the bearer machine token.
 * 401/403 -> LP_ERROR_UNKNOWN_TOKEN (the machine token is no longer valid:
 * the engine should ask the user to enable again). */
void lp_client_check_async (LpClient *self, const char *client_id, const char *machine_token,
                            const LpCheckRequest *request, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
LpCheckReply *lp_client_check_finish (LpClient *self, GAsyncResult *result, GError **error);

/* GET /v1/client/{client-id}/cve-fixes?kernel=K1&kernel=K2... with the bearer
 * machine token, and If-None-Match: "@digest" unless @digest is NULL or "".
 * 200, 304 and 404 are results (see LpCveReply); 401/403 ->
 * LP_ERROR_UNKNOWN_TOKEN; other statuses LP_ERROR_SERVER. The body is
 * returned as received: LpCveData checks it against the ETag and parses it. */
void lp_client_fetch_cve_data_async (LpClient *self, const char *client_id,
                                     const char *machine_token, const char *const *kernels,
                                     const char *digest, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
LpCveReply *lp_client_fetch_cve_data_finish (LpClient *self, GAsyncResult *result, GError **error);

/* GET offer->url into @dest_path (its directory must exist, on the same file
 * system as the state directory): streamed into a temporary file next to it
 * while hashing, size-capped, stall-limited, digest checked
 * (LP_ERROR_CHECKSUM_MISMATCH), fsynced, then renamed to @dest_path (mode
 * 0600). The bearer token is sent only if the URL is on the remote-server
 * origin. With tls-patch-download a non-https URL or redirect fails with
 * LP_ERROR_NETWORK before anything is fetched. On any failure or cancel no
 * file is left behind and @dest_path is untouched. */
void lp_client_download_async (LpClient *self, const char *machine_token, const LpPatchOffer *offer,
                               const char *dest_path, LpProgressFunc progress,
                               gpointer progress_data, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
/* The same download written to @dest_fd (from its offset; a duplicate is
 * kept until the end) instead of a file: no temporary, no fsync, no rename;
 * on failure what was written stays there, and the caller drops it
 * (livepatch-fetch writes into a memfd). Finish with the call below. */
void lp_client_download_to_fd_async (LpClient *self, const char *machine_token,
                                     const LpPatchOffer *offer, int dest_fd,
                                     LpProgressFunc progress, gpointer progress_data,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean lp_client_download_finish (LpClient *self, GAsyncResult *result, GError **error);

/* The JSON of a 200 reply to register and to check, parsed and validated as
 * the calls above do (LP_ERROR_SERVER naming the member); for the fuzzer. */
LpRegistration *lp_client_parse_registration (GBytes *body, GError **error);
LpCheckReply *lp_client_parse_check_reply (GBytes *body, GError **error);

/* DELETE /v1/client/{client-id}; 404 counts as success. */
void lp_client_deregister_async (LpClient *self, const char *client_id, const char *machine_token,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean lp_client_deregister_finish (LpClient *self, GAsyncResult *result, GError **error);

G_END_DECLS
