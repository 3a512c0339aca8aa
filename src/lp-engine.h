/* lp-engine.h: the patch cycle state machine behind Enable, Disable, Refresh
 * and the periodic check. Knows nothing of D-Bus: LpDaemon mirrors these
 * GObject properties onto the bus and calls these methods.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lp-config.h"

G_BEGIN_DECLS

#define LP_TYPE_ENGINE (lp_engine_get_type ())
G_DECLARE_FINAL_TYPE (LpEngine, lp_engine, LP, ENGINE, GObject)

/* Read-only GObject properties, each notified only when its value changes
 * (the D-Bus property of the same meaning in brackets):
 *   "enabled"        gboolean   [Enabled]
 *   "machine-id"     string     [MachineId]
 *   "kernel"         string     [Kernel]
 *   "architecture"   string     [Architecture]
 *   "supported"      string     [Supported]
 *   "check-state"    string     [CheckState]
 *   "patch-state"    string     [PatchState]
 *   "patch-version"  string     [PatchVersion]
 *   "fixes"          GVariant   a(ssbs) [Fixes]
 *   "last-check"     gint64     [LastCheck]
 *   "next-check"     gint64     [NextCheck]
 *   "last-error"     string     [LastError]
 *   "last-error-code" string    [LastErrorCode] the LP_ERROR nick; set and cleared with last-error
 *   "tier"           string     [Tier]
 *   "mode"           string     [Mode]
 *   "progress"       guint      [Progress]
 *   "upgrade-required-date" string   [UpgradeRequiredDate]  from the last check
 *   "held-back-patches"     GVariant a(sxs) [HeldBackPatches] from the last check
 *   "tier-description"      string   [TierDescription]      from the last check
 *   "kernel-package-fixes"  GVariant a(sas) [KernelPackageFixes] stored CVE data
 *   "cve-data-digest"       string   [CveDataDigest]
 *   "cve-data-timestamp"    gint64   [CveDataTimestamp]
 * Strings are never NULL ("" when unknown). */

typedef struct
{
  const char *state_dir;        /* STATE_DIRECTORY or LP_STATE_DIR */
  const char *kernel_sim_root;  /* NULL = the real kernel; else LpKernelSim rooted here
                                 * (installed kernels: ROOT/lib/modules, not /lib/modules) */
  const char *module_certs_dir; /* extra trusted module certificates, LP_MODULE_CERTS_DIR */
  const char *machine_id_path;  /* /etc/machine-id */
  const char *mode_file;        /* /var/local/canonical_livepatch_mode */
  const char *cmdline_path;     /* /proc/cmdline */
} LpEngineOptions;

LpEngine *lp_engine_new (LpConfig *config, const LpEngineOptions *options, GError **error);

/* Loads stored state, re-applies a stored patch after a reboot, schedules checks. */
void lp_engine_start (LpEngine *self);
/* Cancels in-flight work and timers; the engine may be unreffed afterwards. */
void lp_engine_shutdown (LpEngine *self);
/* TRUE when no server request, download or apply is outstanding. */
gboolean lp_engine_is_idle (LpEngine *self);
/* After lp_engine_shutdown(), before exit: runs the default main context until
 * cancelled work has finished its clean-up (a cancelled download removes its
 * partial file), or @timeout_ms passed. */
void lp_engine_drain (LpEngine *self, guint timeout_ms);

void lp_engine_enable_async (LpEngine *self, const char *token, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
gboolean lp_engine_enable_finish (LpEngine *self, GAsyncResult *result, GError **error);

void lp_engine_disable_async (LpEngine *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean lp_engine_disable_finish (LpEngine *self, GAsyncResult *result, GError **error);

/* A call made while a check runs joins it and gets its result. */
void lp_engine_refresh_async (LpEngine *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean lp_engine_refresh_finish (LpEngine *self, GAsyncResult *result, GError **error);

/* The machine token the server issued at Enable, for an authorized
 * `status --show-secrets`; fails with LP_ERROR_NOT_ENABLED when none. */
char *lp_engine_dup_machine_token (LpEngine *self, GError **error);

/* Stops a running check or download: its Refresh calls fail with
 * LP_ERROR_CANCELLED, and this completes once it has stopped (a partial
 * download deleted). An apply (verifying, loading) runs on; with nothing to
 * stop this succeeds at once. Never fails. */
void lp_engine_cancel_async (LpEngine *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
gboolean lp_engine_cancel_finish (LpEngine *self, GAsyncResult *result, GError **error);

G_END_DECLS
