/* lp-kernel-linux.h: the real kernel — uname(2), finit_module(2),
 * delete_module(2) and /sys/kernel/livepatch
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lp-kernel.h"

G_BEGIN_DECLS

#define LP_TYPE_KERNEL_LINUX (lp_kernel_linux_get_type ())
G_DECLARE_FINAL_TYPE (LpKernelLinux, lp_kernel_linux, LP, KERNEL_LINUX, GObject)

/* The running kernel; its release is Ubuntu's /proc/version_signature form
 * (5.15.0-100.110-generic) when that file exists, as the reference client
 * reports it, and uname -r otherwise. */
LpKernelLinux *lp_kernel_linux_new (void);

/* The same, reading the version signature from @signature_path (tests). */
LpKernelLinux *lp_kernel_linux_new_with_signature (const char *signature_path);

/* The release in a version signature ("Ubuntu 5.15.0-100.110-generic
 * 5.15.143"), or NULL when @signature is not of that form. */
char *lp_kernel_linux_release_from_signature (const char *signature);

G_END_DECLS
