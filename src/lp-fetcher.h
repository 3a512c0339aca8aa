/* lp-fetcher.h: livepatchd's side of the privilege split: each server
 * operation runs in a fresh livepatch-fetch process as an unprivileged user,
 * and only its checked reply comes back (docs/ARCHITECTURE.md, "Privilege
 * separation")
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-config.h"
#include "lp-fetch-message.h"

G_BEGIN_DECLS

#define LP_TYPE_FETCHER (lp_fetcher_get_type ())
G_DECLARE_FINAL_TYPE (LpFetcher, lp_fetcher, LP, FETCHER, GObject)

/* Besides its own request deadlines, the helper is killed this many seconds
 * after the longest deadline it could have (LP_CLIENT_REQUEST_DEADLINE, plus
 * a second per 32 KiB for a download). */
#define LP_FETCHER_GRACE 30
/* For tests: seconds after which the helper is killed, whatever it does. */
#define LP_FETCHER_DEADLINE_ENV "LP_TEST_FETCH_DEADLINE"
/* For tests: the helper's path, and the user it runs as, instead of the
 * installed livepatch-fetch and the build's fetch_user. */
#define LP_FETCHER_HELPER_ENV "LP_FETCH_HELPER"
#define LP_FETCHER_USER_ENV "LP_FETCH_USER"

/* Progress of a download, on the main context. */
typedef void (*LpFetchProgressFunc) (guint64 received, guint64 total, gpointer user_data);

/* @config gives the server settings sent to each helper, read when it starts. */
LpFetcher *lp_fetcher_new (LpConfig *config);

/* The origin the machine token belongs to (lp-origin.h), passed on to the
 * helper's LpClient; NULL = remote-server's. */
void lp_fetcher_set_token_origin (LpFetcher *self, const char *origin);

/* Runs @op with @args (a{sv}, floating or not; see LpFetchOperation).
 * Errors: what the helper reported (LP_ERROR_NETWORK, _SERVER,
 * _UNKNOWN_TOKEN, _CHECKSUM_MISMATCH, _INVALID_ARCHIVE, _INVALID_METADATA);
 * LP_ERROR_INTERNAL when it could not start, crashed, hung past its
 * deadline, or sent something malformed or an fd without all four seals;
 * LP_ERROR_CANCELLED (the helper is killed). @progress only for a download
 * (total = the "size" argument). */
void lp_fetcher_run_async (LpFetcher *self, LpFetchOperation op, GVariant *args,
                           LpFetchProgressFunc progress, gpointer progress_data,
                           GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
LpFetchResult *lp_fetcher_run_finish (LpFetcher *self, GAsyncResult *result, GError **error);

G_END_DECLS
