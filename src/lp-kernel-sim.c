/* lp-kernel-sim.c: LpKernel on a directory tree; "loading" checks vermagic
 * from the module's .modinfo the way the kernel's module loader does
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-kernel-sim"

#include "config.h"

#include <elf.h>
#include <stdarg.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-kernel-sim.h"

#define LP_SIM_MAX_MODULE (64 * 1024 * 1024)
#define LP_SIM_POLL_US (20 * 1000)

struct _LpKernelSim
{
  GObject parent_instance;
  char *root;
  char *release;
  char *version;
  char *machine;
};

static void lp_kernel_sim_iface_init (LpKernelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (LpKernelSim, lp_kernel_sim, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LP_TYPE_KERNEL, lp_kernel_sim_iface_init))

static char *
sim_path (LpKernelSim *self, const char *rel)
{
  return g_build_filename (self->root, rel, NULL);
}

static char *
sim_patch_path (LpKernelSim *self, const char *name, const char *file)
{
  return g_build_filename (self->root, "sys", "kernel", "livepatch", name, file, NULL);
}

/* Reads @rel under the root, creating it with @fallback the first time. */
static char *
sim_read_identity (LpKernelSim *self, const char *rel, const char *fallback, GError **error)
{
  g_autofree char *path = sim_path (self, rel);
  g_autofree char *text = NULL;
  g_autoptr (GError) local_error = NULL;

  if (g_file_get_contents (path, &text, NULL, &local_error))
    return g_strdup (g_strstrip (text));
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "%s", local_error->message);
      return NULL;
    }
  g_clear_error (&local_error);
  text = g_strconcat (fallback, "\n", NULL);
  if (!g_file_set_contents (path, text, -1, &local_error))
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "%s", local_error->message);
      return NULL;
    }
  return g_strdup (fallback);
}

static gboolean
sim_make_dirs (LpKernelSim *self, GError **error)
{
  const char *dirs[] = { "modules", "sys/kernel/livepatch" };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = sim_path (self, dirs[i]);

      if (g_mkdir_with_parents (path, 0755) != 0)
        {
          int errsv = errno;
          g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot create %s: %s", path,
                       g_strerror (errsv));
          return FALSE;
        }
    }
  return TRUE;
}

LpKernelSim *
lp_kernel_sim_new (const char *root, GError **error)
{
  g_autoptr (LpKernelSim) self = g_object_new (LP_TYPE_KERNEL_SIM, NULL);
  struct utsname uts;

  self->root = g_strdup (root);
  uname (&uts);
  if (!sim_make_dirs (self, error))
    return NULL;
  self->release = sim_read_identity (self, "release", uts.release, error);
  if (self->release == NULL)
    return NULL;
  self->version = sim_read_identity (self, "version", uts.version, error);
  if (self->version == NULL)
    return NULL;
  self->machine = sim_read_identity (self, "machine", uts.machine, error);
  if (self->machine == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- ELF .modinfo ---- */

/* Sets LP_ERROR_LOAD_FAILED, as the kernel's loader would fail; returns FALSE. */
static gboolean G_GNUC_PRINTF (2, 3) sim_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_LOAD_FAILED, NULL, format, args);
  va_end (args);
  return FALSE;
}

static gboolean
format_error (GError **error, const char *what)
{
  return sim_fail (error, "invalid module format: %s", what);
}

static gboolean
elf_range_ok (gsize len, guint64 offset, guint64 size)
{
  return offset <= len && size <= len - offset;
}

/* Copies, as section headers in a hostile file need not be aligned. */
static Elf64_Shdr
elf_section_header (const guint8 *data, const Elf64_Ehdr *eh, guint index)
{
  Elf64_Shdr sh;

  memcpy (&sh, data + eh->e_shoff + (guint64) index * sizeof sh, sizeof sh);
  return sh;
}

/* Checks the header and that the whole section header table is in bounds. */
static gboolean
elf_read_header (const guint8 *data, gsize len, Elf64_Ehdr *eh, GError **error)
{
  if (len < sizeof (Elf64_Ehdr) || memcmp (data, ELFMAG, SELFMAG) != 0)
    return format_error (error, "not an ELF file");
  memcpy (eh, data, sizeof *eh);
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof (Elf64_Shdr) ||
      (G_BYTE_ORDER == G_LITTLE_ENDIAN) != (eh->e_ident[EI_DATA] == ELFDATA2LSB))
    return format_error (error, "not a native ELF64 object");
  if (!elf_range_ok (len, eh->e_shoff, (guint64) eh->e_shnum * sizeof (Elf64_Shdr)) ||
      eh->e_shstrndx >= eh->e_shnum)
    return format_error (error, "section headers out of bounds");
  return TRUE;
}

static gboolean
elf_section_has_name (const guint8 *data, const Elf64_Shdr *strtab, const Elf64_Shdr *sh,
                      const char *name)
{
  gsize want = strlen (name) + 1;

  if (sh->sh_name >= strtab->sh_size || strtab->sh_size - sh->sh_name < want)
    return FALSE;
  return memcmp (data + strtab->sh_offset + sh->sh_name, name, want) == 0;
}

/* Finds the .modinfo section and returns its bytes. */
static const char *
elf_find_modinfo (const guint8 *data, gsize len, gsize *out_size, GError **error)
{
  Elf64_Ehdr eh;
  Elf64_Shdr strtab;

  if (!elf_read_header (data, len, &eh, error))
    return NULL;
  strtab = elf_section_header (data, &eh, eh.e_shstrndx);
  if (!elf_range_ok (len, strtab.sh_offset, strtab.sh_size))
    {
      format_error (error, "bad section name table");
      return NULL;
    }
  for (guint i = 0; i < eh.e_shnum; i++)
    {
      Elf64_Shdr sh = elf_section_header (data, &eh, i);

      if (!elf_section_has_name (data, &strtab, &sh, ".modinfo"))
        continue;
      if (sh.sh_type == SHT_NOBITS || !elf_range_ok (len, sh.sh_offset, sh.sh_size))
        break;
      *out_size = sh.sh_size;
      return (const char *) data + sh.sh_offset;
    }
  format_error (error, "no usable .modinfo section");
  return NULL;
}

char *
lp_kernel_sim_modinfo_lookup (const guint8 *data, gsize len, const char *key, GError **error)
{
  gsize size = 0;
  const char *info = elf_find_modinfo (data, len, &size, error);
  gsize key_len = strlen (key);

  if (info == NULL)
    return NULL;
  /* NUL-separated "key=value" strings; the last one may lack its NUL. */
  for (gsize pos = 0; pos < size;)
    {
      const char *entry = info + pos;
      const char *end = memchr (entry, '\0', size - pos);
      gsize entry_len = end != NULL ? (gsize) (end - entry) : size - pos;

      if (entry_len > key_len && memcmp (entry, key, key_len) == 0 && entry[key_len] == '=')
        return g_strndup (entry + key_len + 1, entry_len - key_len - 1);
      pos += entry_len + 1;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no %s in .modinfo", key);
  return NULL;
}

/* ---- LpKernel ---- */

static const char *
sim_get_release (LpKernel *kernel)
{
  return LP_KERNEL_SIM (kernel)->release;
}

static const char *
sim_get_version (LpKernel *kernel)
{
  return LP_KERNEL_SIM (kernel)->version;
}

static const char *
sim_get_machine (LpKernel *kernel)
{
  return LP_KERNEL_SIM (kernel)->machine;
}

/* Reads the whole file behind @fd from offset 0 without moving its offset. */
static GBytes *
sim_read_fd (int fd, GError **error)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];

  for (;;)
    {
      ssize_t n = pread (fd, chunk, sizeof chunk, buf->len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "cannot read module: %s",
                       g_strerror (errsv));
          return NULL;
        }
      if (n == 0)
        break;
      if (buf->len + n > LP_SIM_MAX_MODULE)
        {
          sim_fail (error, "module too large");
          return NULL;
        }
      g_byte_array_append (buf, chunk, n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static gboolean
sim_check_fault (LpKernelSim *self, GError **error)
{
  g_autofree char *path = sim_path (self, "fail-load");
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return TRUE;
  g_strstrip (text);
  g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "%s",
               *text != '\0' ? text : "simulated load failure");
  return FALSE;
}

/* Like the kernel: the first word of vermagic must be the running release. */
static gboolean
sim_check_vermagic (LpKernelSim *self, GBytes *image, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (image, &len);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *vermagic = lp_kernel_sim_modinfo_lookup (data, len, "vermagic", &local_error);
  g_auto (GStrv) words = NULL;

  if (vermagic == NULL && local_error->domain == LP_ERROR)
    return g_propagate_error (error, g_steal_pointer (&local_error)), FALSE;
  if (vermagic == NULL)
    return format_error (error, "no vermagic");
  words = g_strsplit (vermagic, " ", 2);
  if (g_strcmp0 (words[0], self->release) != 0)
    return sim_fail (error, "invalid module format: version magic '%s' should be '%s'", vermagic,
                     self->release);
  return TRUE;
}

static gboolean
sim_write (LpKernelSim *self, const char *path, const char *text, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (g_file_set_contents (path, text, -1, &local_error))
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED, "%s", local_error->message);
  return FALSE;
}

static gboolean
sim_register_patch (LpKernelSim *self, const char *name, GError **error)
{
  g_autofree char *module = g_build_filename (self->root, "modules", name, NULL);
  g_autofree char *dir = sim_patch_path (self, name, NULL);
  g_autofree char *enabled = sim_patch_path (self, name, "enabled");
  g_autofree char *transition = sim_patch_path (self, name, "transition");
  g_autofree char *stuck = sim_path (self, "transition-stuck");

  if (g_file_test (module, G_FILE_TEST_EXISTS))
    return sim_fail (error, "module %s: File exists", name);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return sim_fail (error, "cannot create %s", dir);
  return sim_write (self, module, "live\n", error) && sim_write (self, enabled, "1\n", error) &&
         sim_write (self, transition, g_file_test (stuck, G_FILE_TEST_EXISTS) ? "1\n" : "0\n",
                    error);
}

static gboolean
sim_load_module (LpKernel *kernel, int fd, const char *expected_name, GError **error)
{
  LpKernelSim *self = LP_KERNEL_SIM (kernel);
  g_autoptr (GBytes) image = sim_read_fd (fd, error);
  g_autofree char *name = NULL;
  gsize len = 0;
  const guint8 *data;

  if (image == NULL || !sim_check_fault (self, error) || !sim_check_vermagic (self, image, error))
    return FALSE;
  data = g_bytes_get_data (image, &len);
  /* modpost adds name= to real modules; hand-made test modules may lack it. */
  name = lp_kernel_sim_modinfo_lookup (data, len, "name", NULL);
  if (name == NULL)
    name = g_strdup (expected_name);
  if (name == NULL || *name == '\0' || strchr (name, '/') != NULL || name[0] == '.')
    return format_error (error, "no usable module name");
  g_strdelimit (name, "-", '_');
  if (!sim_register_patch (self, name, error))
    return FALSE;
  g_debug ("simulated load of %s", name);
  return TRUE;
}

static char *
sim_read_trimmed (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strdup (g_strstrip (text));
}

static gboolean
sim_wait_transition (LpKernel *kernel, const char *name, guint timeout_ms,
                     GCancellable *cancellable, GError **error)
{
  LpKernelSim *self = LP_KERNEL_SIM (kernel);
  g_autofree char *path = sim_patch_path (self, name, "transition");
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *value = sim_read_trimmed (path);

      if (value == NULL)
        return sim_fail (error, "livepatch %s is not loaded", name);
      if (g_strcmp0 (value, "0") == 0)
        return TRUE;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        return sim_fail (error, "livepatch %s still in transition after %u ms", name, timeout_ms);
      g_usleep (LP_SIM_POLL_US);
    }
}

static gboolean
sim_rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        sim_rm_rf (child);
      else
        g_unlink (child);
    }
  return g_rmdir (path) == 0 || (dir == NULL && g_unlink (path) == 0);
}

static gboolean
sim_unload_patch (LpKernel *kernel, const char *name, GCancellable *cancellable, GError **error)
{
  LpKernelSim *self = LP_KERNEL_SIM (kernel);
  g_autofree char *module = g_build_filename (self->root, "modules", name, NULL);
  g_autofree char *dir = sim_patch_path (self, name, NULL);
  g_autofree char *enabled = sim_patch_path (self, name, "enabled");

  if (!g_file_test (module, G_FILE_TEST_EXISTS))
    return TRUE;
  if (g_file_test (enabled, G_FILE_TEST_EXISTS) && !sim_write (self, enabled, "0\n", error))
    return FALSE;
  sim_rm_rf (dir);
  g_unlink (module);
  g_debug ("simulated unload of %s", name);
  return TRUE;
}

static GStrv
sim_list_patches (LpKernel *kernel, gboolean enabled_only, GError **error)
{
  LpKernelSim *self = LP_KERNEL_SIM (kernel);
  g_autofree char *root = sim_path (self, "sys/kernel/livepatch");
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *enabled = sim_patch_path (self, entry, "enabled");
      g_autofree char *value = sim_read_trimmed (enabled);

      if (!enabled_only || g_strcmp0 (value, "1") == 0)
        g_strv_builder_add (names, entry);
    }
  return g_strv_builder_end (names);
}

static void
lp_kernel_sim_iface_init (LpKernelInterface *iface)
{
  iface->get_release = sim_get_release;
  iface->get_version = sim_get_version;
  iface->get_machine = sim_get_machine;
  iface->load_module = sim_load_module;
  iface->unload_patch = sim_unload_patch;
  iface->wait_transition = sim_wait_transition;
  iface->list_patches = sim_list_patches;
}

static void
lp_kernel_sim_finalize (GObject *object)
{
  LpKernelSim *self = LP_KERNEL_SIM (object);

  g_free (self->root);
  g_free (self->release);
  g_free (self->version);
  g_free (self->machine);
  G_OBJECT_CLASS (lp_kernel_sim_parent_class)->finalize (object);
}

static void
lp_kernel_sim_class_init (LpKernelSimClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lp_kernel_sim_finalize;
}

static void
lp_kernel_sim_init (LpKernelSim *self)
{
}
