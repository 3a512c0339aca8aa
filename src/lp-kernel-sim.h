/* lp-kernel-sim.h: a simulated kernel rooted in a directory, for tests and
 * the demo; never touches the host's kernel
 *
 * Layout of the root (created with defaults from uname on first use):
 *   release, version, machine          identity, one line each
 *   modules/<name>                     "loaded" modules
 *   sys/kernel/livepatch/<name>/{enabled,transition}
 *   fail-load                          fault: every load fails (its text is the message)
 *   transition-stuck                   fault: loaded patches stay in transition
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lp-kernel.h"

G_BEGIN_DECLS

#define LP_TYPE_KERNEL_SIM (lp_kernel_sim_get_type ())
G_DECLARE_FINAL_TYPE (LpKernelSim, lp_kernel_sim, LP, KERNEL_SIM, GObject)

LpKernelSim *lp_kernel_sim_new (const char *root, GError **error);

/* The value of @key in the .modinfo section of the ELF64 image @data
 * (NULL with LP_ERROR_LOAD_FAILED if the image is malformed, or with
 * G_IO_ERROR_NOT_FOUND if the key is absent). */
char *lp_kernel_sim_modinfo_lookup (const guint8 *data, gsize len, const char *key, GError **error);

G_END_DECLS
