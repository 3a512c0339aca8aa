/* lp-module-name.h: the kernel's rules for module names, checked before a
 * name is used in any path (locks/<name>, /sys/kernel/livepatch/<name>)
 *
 * The kernel keeps a module's name in struct module's name[MODULE_NAME_LEN]
 * (64 - sizeof (unsigned long) = 56 bytes on 64-bit, with the NUL), and
 * kbuild makes it from the file name with '-' turned into '_'. Names here are
 * the ones kbuild produces: 1 to 55 characters from [A-Za-z0-9_]. No such
 * name can start with '.' or contain one, which keeps locks apart from the
 * store's temporary files (lp-atomic-file.h).
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LP_MODULE_NAME_MAX 55

/* LP_ERROR_INVALID_ARGUMENT "invalid module name \"NAME\": ..." unless @name
 * keeps the rules above. */
gboolean lp_module_name_check (const char *name, GError **error);

/* "lkp_X-1.ko" -> "lkp_X_1" (the base name without ".ko", '-' as '_'), as
 * the kernel names the module in that file; NULL with the error of
 * lp_module_name_check() when the result breaks the rules. */
char *lp_module_name_from_file (const char *file_name, GError **error);

G_END_DECLS
