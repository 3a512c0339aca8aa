/* lp-kernel-linux.c: LpKernel on the running Linux kernel
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-kernel-linux"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-kernel-linux.h"

#define LP_LIVEPATCH_SYSFS "/sys/kernel/livepatch"
#define LP_LINUX_POLL_US (100 * 1000)
#define LP_LINUX_UNLOAD_TIMEOUT_MS (60 * 1000)

#define LP_VERSION_SIGNATURE "/proc/version_signature"

struct _LpKernelLinux
{
  GObject parent_instance;
  struct utsname uts;
  char *release; /* the version signature's release, or uts.release */
};

static void lp_kernel_linux_iface_init (LpKernelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (LpKernelLinux, lp_kernel_linux, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LP_TYPE_KERNEL, lp_kernel_linux_iface_init))

char *
lp_kernel_linux_release_from_signature (const char *signature)
{
  g_auto (GStrv) fields = g_strsplit_set (signature, " \n", -1);

  if (g_strv_length (fields) < 2 || *fields[1] == '\0' ||
      strlen (fields[1]) >= G_SIZEOF_MEMBER (struct utsname, release))
    return NULL;
  for (const char *p = fields[1]; *p != '\0'; p++)
    if (!g_ascii_isgraph (*p))
      return NULL;
  return g_strdup (fields[1]);
}

LpKernelLinux *
lp_kernel_linux_new_with_signature (const char *signature_path)
{
  LpKernelLinux *self = g_object_new (LP_TYPE_KERNEL_LINUX, NULL);
  g_autofree char *signature = NULL;

  /* uname(2) cannot fail with a valid buffer. */
  uname (&self->uts);
  /* Ubuntu kernels: the ABI and upload number the server knows them by */
  if (g_file_get_contents (signature_path, &signature, NULL, NULL))
    self->release = lp_kernel_linux_release_from_signature (signature);
  if (self->release == NULL)
    self->release = g_strdup (self->uts.release);
  return self;
}

LpKernelLinux *
lp_kernel_linux_new (void)
{
  return lp_kernel_linux_new_with_signature (LP_VERSION_SIGNATURE);
}

static const char *
linux_get_release (LpKernel *kernel)
{
  return LP_KERNEL_LINUX (kernel)->release;
}

static const char *
linux_get_version (LpKernel *kernel)
{
  return LP_KERNEL_LINUX (kernel)->uts.version;
}

static const char *
linux_get_machine (LpKernel *kernel)
{
  return LP_KERNEL_LINUX (kernel)->uts.machine;
}

static gboolean
linux_load_module (LpKernel *kernel, int fd, const char *name, GError **error)
{
  /* The verified fd itself: nothing can swap the file between check and load. */
  if (syscall (SYS_finit_module, fd, "", 0) == 0)
    return TRUE;
  {
    int errsv = errno;
    g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "finit_module(%s): %s", name,
                 g_strerror (errsv));
  }
  return FALSE;
}

static char *
linux_sysfs_path (const char *name, const char *file)
{
  return g_build_filename (LP_LIVEPATCH_SYSFS, name, file, NULL);
}

static char *
linux_read_trimmed (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strdup (g_strstrip (text));
}

static gboolean
linux_wait_transition (LpKernel *kernel, const char *name, guint timeout_ms,
                       GCancellable *cancellable, GError **error)
{
  g_autofree char *path = linux_sysfs_path (name, "transition");
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *value = linux_read_trimmed (path);

      if (value == NULL)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "cannot read %s: %s", path,
                       g_strerror (errno));
          return FALSE;
        }
      if (g_strcmp0 (value, "0") == 0)
        return TRUE;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED,
                       "livepatch %s still in transition after %u ms", name, timeout_ms);
          return FALSE;
        }
      g_usleep (LP_LINUX_POLL_US);
    }
}

static gboolean
linux_write_enabled (const char *name, GError **error)
{
  g_autofree char *path = linux_sysfs_path (name, "enabled");
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;
  int errsv;

  if (fd < 0)
    {
      errsv = errno;
      g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "cannot open %s: %s", path,
                   g_strerror (errsv));
      return FALSE;
    }
  ok = write (fd, "0", 1) == 1;
  errsv = errno;
  close (fd);
  if (!ok)
    g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "cannot disable livepatch %s: %s", name,
                 g_strerror (errsv));
  return ok;
}

/* The kernel frees a disabled or replaced patch (and drops its hold on the
 * module) only after its transition, removing the sysfs directory; before
 * that, delete_module() fails with EAGAIN. */
static gboolean
linux_wait_gone (const char *name, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_autofree char *dir = linux_sysfs_path (name, NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED,
                       "livepatch %s still registered after %u ms", name, timeout_ms);
          return FALSE;
        }
      g_usleep (LP_LINUX_POLL_US);
    }
  return TRUE;
}

static gboolean
linux_unload_patch (LpKernel *kernel, const char *name, GCancellable *cancellable, GError **error)
{
  g_autofree char *dir = linux_sysfs_path (name, NULL);

  /* A patch still enabled must be disabled and settle before removal. */
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *enabled = linux_sysfs_path (name, "enabled");
      g_autofree char *value = linux_read_trimmed (enabled);

      if (g_strcmp0 (value, "1") == 0 && !linux_write_enabled (name, error))
        return FALSE;
      if (!linux_wait_gone (name, LP_LINUX_UNLOAD_TIMEOUT_MS, cancellable, error))
        return FALSE;
    }
  /* After an atomic replace the kernel already disabled it; only the module is left. */
  if (syscall (SYS_delete_module, name, O_NONBLOCK) != 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "delete_module(%s): %s", name,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* A patch replaced by a cumulative one (.replace = true) leaves
 * /sys/kernel/livepatch but its module stays loaded until removed; the
 * kernel marks livepatch modules with the K taint flag in /proc/modules. */
static void
linux_add_replaced_modules (GStrvBuilder *names)
{
  g_autofree char *modules = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/modules", &modules, NULL, NULL))
    return;
  lines = g_strsplit (modules, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto (GStrv) fields = g_strsplit (*line, " ", 2);
      g_autofree char *dir = NULL;
      const char *taints = strrchr (*line, '(');

      if (fields[0] == NULL || *fields[0] == '\0' || taints == NULL || strchr (taints, 'K') == NULL)
        continue;
      dir = linux_sysfs_path (fields[0], NULL);
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        g_strv_builder_add (names, fields[0]);
    }
}

static GStrv
linux_list_patches (LpKernel *kernel, gboolean enabled_only, GError **error)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) dir = g_dir_open (LP_LIVEPATCH_SYSFS, 0, &local_error);
  const char *entry;

  /* No livepatch directory: the kernel has no livepatch loaded (or no support). */
  if (dir == NULL && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return g_strv_builder_end (names);
  if (dir == NULL)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "%s", local_error->message);
      return NULL;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *enabled = linux_sysfs_path (entry, "enabled");
      g_autofree char *value = linux_read_trimmed (enabled);

      if (!enabled_only || g_strcmp0 (value, "1") == 0)
        g_strv_builder_add (names, entry);
    }
  if (!enabled_only)
    linux_add_replaced_modules (names);
  return g_strv_builder_end (names);
}

static void
lp_kernel_linux_iface_init (LpKernelInterface *iface)
{
  iface->get_release = linux_get_release;
  iface->get_version = linux_get_version;
  iface->get_machine = linux_get_machine;
  iface->load_module = linux_load_module;
  iface->unload_patch = linux_unload_patch;
  iface->wait_transition = linux_wait_transition;
  iface->list_patches = linux_list_patches;
}

static void
lp_kernel_linux_finalize (GObject *object)
{
  g_free (LP_KERNEL_LINUX (object)->release);
  G_OBJECT_CLASS (lp_kernel_linux_parent_class)->finalize (object);
}

static void
lp_kernel_linux_class_init (LpKernelLinuxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lp_kernel_linux_finalize;
}

static void
lp_kernel_linux_init (LpKernelLinux *self)
{
}
