/* lp-store.h: persistent state of the service in its state directory
 *
 *   state          GKeyFile: registration, applied patch, last check
 *   machine-token  the server's machine token and, on the next line, the
 *                  origin of the server that issued it (lp-origin.h), 0600
 *   patches/       verified modules (<sha256>.ko) and their manifests
 *                  (<sha256>.manifest, a GVariant), re-applied after a reboot
 *   locks/<name>   crash-loop guard, written before a module is inserted;
 *                  <name> keeps the kernel's module-name rules
 *                  (lp-module-name.h), so it never looks like the ".NAME.XXXXXX"
 *                  temporary files of atomic writes, which start-up deletes
 *
 * Every write is atomic (temporary file, fsync, rename, fsync of the
 * directory). A state file that cannot be parsed is moved aside to
 * state.damaged-<unix time> and the service starts clean.
 *
 * Getters and setters belong to the main thread; the lock and path helpers
 * touch only the file system and may be called from worker threads.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LP_TYPE_STORE (lp_store_get_type ())
G_DECLARE_FINAL_TYPE (LpStore, lp_store, LP, STORE, GObject)

LpStore *lp_store_new (const char *dir, GError **error);

const char *lp_store_get_dir (LpStore *self);
const char *lp_store_get_machine_token (LpStore *self); /* NULL when not enabled */
/* Origin of the server that issued the machine token; "" when not enabled
 * or when the token file predates origins (the engine records one). */
const char *lp_store_get_origin (LpStore *self);
const char *lp_store_get_client_id (LpStore *self); /* "" when unknown, as below */
const char *lp_store_get_tier (LpStore *self);
const char *lp_store_get_supported (LpStore *self);
gint64 lp_store_get_last_check (LpStore *self);
/* The patch version the server called buggy at the last check; "" = none. */
const char *lp_store_get_buggy_version (LpStore *self);
const char *lp_store_get_patch_version (LpStore *self);
const char *lp_store_get_patch_module (LpStore *self); /* livepatch name, e.g. lkp_Debian_..._57 */
const char *lp_store_get_patch_sha256 (LpStore *self);
const char *lp_store_get_patch_file (LpStore *self); /* file name under patches/ */
GVariant *lp_store_get_fixes (LpStore *self);        /* a(ssbs), never NULL */

/* Writes (or, with a NULL @token, deletes) the machine-token file at once:
 * @token and the @origin that issued it, together in one atomic write. */
gboolean lp_store_set_machine_token (LpStore *self, const char *token, const char *origin,
                                     GError **error);
/* In memory only; lp_store_save() persists. @fixes: a(ssbs), floating or
 * a full reference, taken. */
void lp_store_set_registration (LpStore *self, const char *client_id, const char *tier);
void lp_store_set_check (LpStore *self, gint64 last_check, const char *supported);
void lp_store_set_buggy_version (LpStore *self, const char *version);
void lp_store_set_patch (LpStore *self, const char *version, const char *module, const char *sha256,
                         const char *file, GVariant *fixes);
void lp_store_clear_patch (LpStore *self);
gboolean lp_store_save (LpStore *self, GError **error);
/* Forgets token, registration and check results; the patch record stays, as
 * the patch stays loaded until reboot (it is not re-applied while disabled). */
gboolean lp_store_forget (LpStore *self, GError **error);

char *lp_store_get_patch_path (LpStore *self, const char *file);
/* Lock functions refuse a @name that breaks lp_module_name_check() (with its
 * error, prefixed "no lock for this name: "); has_lock says FALSE for it.
 * get_lock_path needs a valid @name. */
char *lp_store_get_lock_path (LpStore *self, const char *name);
/* The lock also records the patch being inserted (@fixes: a(ssbs), not
 * taken), so that a service killed after the insert but before
 * lp_store_save() can adopt what the kernel runs (lp_store_adopt_lock). */
gboolean lp_store_write_lock (LpStore *self, const char *name, const char *version,
                              const char *sha256, const char *file, GVariant *fixes,
                              GError **error);
/* Main thread: makes the patch recorded in lock @name the applied one (in memory). */
gboolean lp_store_adopt_lock (LpStore *self, const char *name, GError **error);
/* Only names that keep the module-name rules. */
GStrv lp_store_list_locks (LpStore *self);
gboolean lp_store_remove_lock (LpStore *self, const char *name, GError **error);
gboolean lp_store_has_lock (LpStore *self, const char *name);

G_END_DECLS
