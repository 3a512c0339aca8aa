/* lp-kernel.h: the running kernel as the engine sees it — identity, module
 * loading and the livepatch state in /sys/kernel/livepatch
 *
 * Every call may block (file system, finit_module, waiting for a transition):
 * the engine calls them from GTask threads, never from the main loop.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LP_TYPE_KERNEL (lp_kernel_get_type ())
G_DECLARE_INTERFACE (LpKernel, lp_kernel, LP, KERNEL, GObject)

struct _LpKernelInterface
{
  GTypeInterface parent_iface;

  const char *(*get_release) (LpKernel *self); /* uname -r */
  const char *(*get_version) (LpKernel *self); /* uname -v */
  const char *(*get_machine) (LpKernel *self); /* uname -m */
  /* Loads the module read from @fd (the verified file, never re-opened);
   * @name is the livepatch name the caller expects it to register. */
  gboolean (*load_module) (LpKernel *self, int fd, const char *name, GError **error);
  /* Disables livepatch @name, waits for its transition, removes the module;
   * a module that is not loaded (or already gone) counts as unloaded. */
  gboolean (*unload_patch) (LpKernel *self, const char *name, GCancellable *cancellable,
                            GError **error);
  /* Waits until /sys/kernel/livepatch/@name/transition reads 0. */
  gboolean (*wait_transition) (LpKernel *self, const char *name, guint timeout_ms,
                               GCancellable *cancellable, GError **error);
  /* Livepatches in /sys/kernel/livepatch, only enabled ones if @enabled_only. */
  GStrv (*list_patches) (LpKernel *self, gboolean enabled_only, GError **error);
};

const char *lp_kernel_get_release (LpKernel *self);
const char *lp_kernel_get_version (LpKernel *self);
const char *lp_kernel_get_machine (LpKernel *self);
/* The machine in Debian's naming: x86_64 -> amd64, aarch64 -> arm64, ... */
const char *lp_kernel_get_architecture (LpKernel *self);
gboolean lp_kernel_load_module (LpKernel *self, int fd, const char *name, GError **error);
gboolean lp_kernel_unload_patch (LpKernel *self, const char *name, GCancellable *cancellable,
                                 GError **error);
gboolean lp_kernel_wait_transition (LpKernel *self, const char *name, guint timeout_ms,
                                    GCancellable *cancellable, GError **error);
GStrv lp_kernel_list_patches (LpKernel *self, gboolean enabled_only, GError **error);
gboolean lp_kernel_patch_is_enabled (LpKernel *self, const char *name);

const char *lp_kernel_debian_architecture (const char *machine);

G_END_DECLS
