/* lp-cli-bus.h: reaching livepatchd on the system bus from the CLI
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lp-dbus-generated.h"

G_BEGIN_DECLS

#define LP_CLI_BUS_NAME "com.canonical.Livepatch"
#define LP_CLI_OBJECT_PATH "/com/canonical/Livepatch"
#define LP_CLI_INTERFACE "com.canonical.Livepatch"

/* Calls that may wait for a password prompt, a server or a kernel get no
 * D-Bus timeout: the daemon bounds its own network and kernel work. */
#define LP_CLI_TIMEOUT_LONG G_MAXINT

/* A proxy for livepatchd, started by bus activation if need be. Fails with
 * "cannot reach livepatchd on the system bus: ..." when nobody owns the name. */
LpDBusLivepatch *lp_cli_connect (GError **error);

/* Calls @method, allowing interactive polkit authentication when standard
 * input is a terminal (someone is there to type a password). */
GVariant *lp_cli_call (LpDBusLivepatch *proxy, const char *method, GVariant *parameters,
                       int timeout_msec, GError **error);
void lp_cli_call_async (LpDBusLivepatch *proxy, const char *method, GVariant *parameters,
                        int timeout_msec, GAsyncReadyCallback callback, gpointer user_data);
GVariant *lp_cli_call_finish (LpDBusLivepatch *proxy, GAsyncResult *result, GError **error);

/* Starts a text polkit agent (pkttyagent) for this process when someone at
 * a terminal without root rights may have to type a password, and returns
 * once it is registered; NULL when none is needed or none can be started.
 * Stop it with lp_cli_polkit_agent_stop() once the call is answered. */
GSubprocess *lp_cli_polkit_agent_start (void);
void lp_cli_polkit_agent_stop (GSubprocess *agent);

/* Every property of the interface, fresh from the daemon, as a{sv}. */
GVariant *lp_cli_get_properties (LpDBusLivepatch *proxy, GError **error);

/* Prints "canonical-livepatch: <message>" on standard error, without the
 * GDBus remote-error prefix. */
void lp_cli_print_error (const GError *error);

G_END_DECLS
