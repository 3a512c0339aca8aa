/* lp-daemon.h: livepatchd on the system bus, translating between D-Bus and LpEngine
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-config.h"
#include "lp-engine.h"

G_BEGIN_DECLS

#define LP_DBUS_NAME "com.canonical.Livepatch"
#define LP_DBUS_PATH "/com/canonical/Livepatch"

#define LP_TYPE_DAEMON (lp_daemon_get_type ())
G_DECLARE_FINAL_TYPE (LpDaemon, lp_daemon, LP, DAEMON, GObject)

/* Signal "name-lost" (no arguments): the bus name could not be owned or was
 * taken away, or the bus went away; the process should exit. */

LpDaemon *lp_daemon_new (LpEngine *engine, LpConfig *config);
/* Requests the name on the system bus ($DBUS_SYSTEM_BUS_ADDRESS in tests);
 * exports the object once connected and starts the engine once the name is
 * ours, so a second instance never touches the kernel. */
void lp_daemon_start (LpDaemon *self);

G_END_DECLS
