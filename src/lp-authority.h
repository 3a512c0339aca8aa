/* lp-authority.h: asynchronous polkit checks for the privileged D-Bus methods
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LP_ACTION_ENABLE "com.canonical.livepatch.enable"
#define LP_ACTION_DISABLE "com.canonical.livepatch.disable"
#define LP_ACTION_REFRESH "com.canonical.livepatch.refresh"
#define LP_ACTION_CONFIGURE "com.canonical.livepatch.configure"
#define LP_ACTION_SHOW_SECRETS "com.canonical.livepatch.show-secrets"

#define LP_TYPE_AUTHORITY (lp_authority_get_type ())
G_DECLARE_FINAL_TYPE (LpAuthority, lp_authority, LP, AUTHORITY, GObject)

LpAuthority *lp_authority_new (void);

/* Asks polkit whether the sender of @invocation may perform @action_id.
 * Interactive authentication is allowed only when the message carries
 * ALLOW_INTERACTIVE_AUTHORIZATION. Fails closed: a denial, a missing
 * polkitd or any other error finishes with LP_ERROR_NOT_AUTHORIZED. */
void lp_authority_check_async (LpAuthority *self, GDBusMethodInvocation *invocation,
                               const char *action_id, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean lp_authority_check_finish (LpAuthority *self, GAsyncResult *result, GError **error);

G_END_DECLS
