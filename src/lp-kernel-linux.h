/* lp-kernel-linux.h: the real kernel — uname(2), finit_module(2),
 * delete_module(2) and /sys/kernel/livepatch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lp-kernel.h"

G_BEGIN_DECLS

#define LP_TYPE_KERNEL_LINUX (lp_kernel_linux_get_type ())
G_DECLARE_FINAL_TYPE (LpKernelLinux, lp_kernel_linux, LP, KERNEL_LINUX, GObject)

LpKernelLinux *lp_kernel_linux_new (void);

G_END_DECLS
