/* lp-kernel.c: the LpKernel interface and its backend-independent helpers
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-kernel"

#include "config.h"

#include "lp-kernel.h"

G_DEFINE_INTERFACE (LpKernel, lp_kernel, G_TYPE_OBJECT)

static void
lp_kernel_default_init (LpKernelInterface *iface)
{
}

const char *
lp_kernel_get_release (LpKernel *self)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), "");
  return LP_KERNEL_GET_IFACE (self)->get_release (self);
}

const char *
lp_kernel_get_version (LpKernel *self)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), "");
  return LP_KERNEL_GET_IFACE (self)->get_version (self);
}

const char *
lp_kernel_get_machine (LpKernel *self)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), "");
  return LP_KERNEL_GET_IFACE (self)->get_machine (self);
}

const char *
lp_kernel_get_architecture (LpKernel *self)
{
  return lp_kernel_debian_architecture (lp_kernel_get_machine (self));
}

gboolean
lp_kernel_load_module (LpKernel *self, int fd, const char *name, GError **error)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), FALSE);
  return LP_KERNEL_GET_IFACE (self)->load_module (self, fd, name, error);
}

gboolean
lp_kernel_unload_patch (LpKernel *self, const char *name, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), FALSE);
  return LP_KERNEL_GET_IFACE (self)->unload_patch (self, name, cancellable, error);
}

gboolean
lp_kernel_wait_transition (LpKernel *self, const char *name, guint timeout_ms,
                           GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), FALSE);
  return LP_KERNEL_GET_IFACE (self)->wait_transition (self, name, timeout_ms, cancellable, error);
}

GStrv
lp_kernel_list_patches (LpKernel *self, gboolean enabled_only, GError **error)
{
  g_return_val_if_fail (LP_IS_KERNEL (self), NULL);
  return LP_KERNEL_GET_IFACE (self)->list_patches (self, enabled_only, error);
}

gboolean
lp_kernel_patch_is_enabled (LpKernel *self, const char *name)
{
  g_auto (GStrv) enabled = lp_kernel_list_patches (self, TRUE, NULL);

  return enabled != NULL && g_strv_contains ((const char *const *) enabled, name);
}

/* Debian's architecture names, which the server and patch.json use. */
const char *
lp_kernel_debian_architecture (const char *machine)
{
  static const struct
  {
    const char *machine;
    const char *arch;
  } map[] = {
    { "x86_64", "amd64" },    { "aarch64", "arm64" },   { "armv7l", "armhf" },
    { "armv6l", "armel" },    { "i686", "i386" },       { "i586", "i386" },
    { "i386", "i386" },       { "ppc64le", "ppc64el" }, { "s390x", "s390x" },
    { "riscv64", "riscv64" }, { "mips64", "mips64el" }, { "loongarch64", "loong64" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      if (g_strcmp0 (machine, map[i].machine) == 0)
        return map[i].arch;
    }
  return machine != NULL ? machine : "";
}
