/* test-kernel-sim.c: the simulated kernel loads like a real one would —
 * vermagic checked from .modinfo — and the mode and architecture helpers
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-kernel-linux.h"
#include "lp-kernel-sim.h"
#include "lp-module-name.h"
#include "lp-mode.h"

#define RELEASE "6.1.0-57-amd64"

typedef struct
{
  char *root;
} Fixture;

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
write_root_file (Fixture *fx, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (fx->root, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->root = g_dir_make_tmp ("lp-sim-XXXXXX", NULL);
  write_root_file (fx, "release", RELEASE "\n");
  write_root_file (fx, "machine", "x86_64\n");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  rm_rf (fx->root);
  g_free (fx->root);
}

/* A minimal relocatable ELF64: null section, .shstrtab, .modinfo. */
static GBytes *
make_elf (const char *modinfo, gsize modinfo_len)
{
  static const char names[] = "\0.shstrtab\0.modinfo";
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  Elf64_Ehdr eh = { 0 };
  Elf64_Shdr sh[3] = { { 0 } };
  guint8 pad[8] = { 0 };

  memcpy (eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = G_BYTE_ORDER == G_LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_REL;
  eh.e_ehsize = sizeof eh;
  eh.e_shentsize = sizeof (Elf64_Shdr);
  eh.e_shnum = 3;
  eh.e_shstrndx = 1;
  sh[1].sh_type = SHT_STRTAB;
  sh[1].sh_name = 1;
  sh[1].sh_offset = sizeof eh;
  sh[1].sh_size = sizeof names;
  sh[2].sh_type = SHT_PROGBITS;
  sh[2].sh_name = 11;
  sh[2].sh_offset = sizeof eh + sizeof names;
  sh[2].sh_size = modinfo_len;
  eh.e_shoff = (sizeof eh + sizeof names + modinfo_len + 7) & ~(guint64) 7;
  g_byte_array_append (buf, (const guint8 *) &eh, sizeof eh);
  g_byte_array_append (buf, (const guint8 *) names, sizeof names);
  g_byte_array_append (buf, (const guint8 *) modinfo, modinfo_len);
  g_byte_array_append (buf, pad, eh.e_shoff - buf->len);
  g_byte_array_append (buf, (const guint8 *) sh, sizeof sh);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static GBytes *
make_module (const char *vermagic, const char *name)
{
  g_autoptr (GString) info = g_string_new ("license=GPL");

  /* Entries are NUL-separated, as in a real .modinfo. */
  g_string_append_c (info, '\0');
  g_string_append_printf (info, "vermagic=%s", vermagic);
  g_string_append_c (info, '\0');
  g_string_append_printf (info, "name=%s", name);
  g_string_append_c (info, '\0');
  g_string_append (info, "livepatch=Y");
  return make_elf (info->str, info->len + 1);
}

/* Writes @image to a file and returns an fd on it, its offset at the end
 * (the backend must read from offset 0 regardless). */
static int
module_fd (Fixture *fx, GBytes *image)
{
  g_autofree char *path = g_build_filename (fx->root, "module.ko", NULL);
  gsize len = 0;
  const char *data = g_bytes_get_data (image, &len);
  int fd;

  g_assert_true (g_file_set_contents (path, data, len, NULL));
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  lseek (fd, 0, SEEK_END);
  g_unlink (path); /* loaded from the fd alone */
  return fd;
}

static LpKernel *
new_sim (Fixture *fx)
{
  g_autoptr (GError) error = NULL;
  LpKernelSim *sim = lp_kernel_sim_new (fx->root, &error);

  g_assert_no_error (error);
  return LP_KERNEL (sim);
}

static guint
strv_len (GStrv strv)
{
  return strv != NULL ? g_strv_length (strv) : 0;
}

static void
test_identity_from_files (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);

  g_assert_cmpstr (lp_kernel_get_release (kernel), ==, RELEASE);
  g_assert_cmpstr (lp_kernel_get_machine (kernel), ==, "x86_64");
  g_assert_cmpstr (lp_kernel_get_architecture (kernel), ==, "amd64");
}

static void
test_identity_defaults (void)
{
  g_autofree char *root = g_dir_make_tmp ("lp-sim-XXXXXX", NULL);
  g_autofree char *release_path = g_build_filename (root, "release", NULL);
  g_autofree char *release = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (LpKernelSim) sim = lp_kernel_sim_new (root, &error);
  struct utsname uts;

  g_assert_no_error (error);
  uname (&uts);
  g_assert_cmpstr (lp_kernel_get_release (LP_KERNEL (sim)), ==, uts.release);
  g_assert_true (g_file_get_contents (release_path, &release, NULL, NULL));
  g_assert_cmpstr (g_strstrip (release), ==, uts.release);
  rm_rf (root);
}

static void
test_load_match (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) image = make_module (RELEASE " SMP preempt mod_unload ", "lkp_test_1");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) enabled = NULL;
  int fd = module_fd (fx, image);

  g_assert_true (lp_kernel_load_module (kernel, fd, "lkp_test_1", &error));
  g_assert_no_error (error);
  close (fd);
  enabled = lp_kernel_list_patches (kernel, TRUE, &error);
  g_assert_cmpuint (strv_len (enabled), ==, 1);
  g_assert_cmpstr (enabled[0], ==, "lkp_test_1");
  g_assert_true (lp_kernel_wait_transition (kernel, "lkp_test_1", 1000, NULL, &error));
  g_assert_true (lp_kernel_patch_is_enabled (kernel, "lkp_test_1"));
}

static void
assert_load_fails (Fixture *fx, LpKernel *kernel, GBytes *image, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) loaded = NULL;
  g_autofree char *modules = g_build_filename (fx->root, "modules", NULL);
  g_autoptr (GDir) dir = NULL;
  int fd = module_fd (fx, image);

  g_assert_false (lp_kernel_load_module (kernel, fd, "lkp_test_1", &error));
  close (fd);
  g_assert_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED);
  g_assert_nonnull (strstr (error->message, message_part));
  loaded = lp_kernel_list_patches (kernel, FALSE, NULL);
  g_assert_cmpuint (strv_len (loaded), ==, 0);
  dir = g_dir_open (modules, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_load_mismatch (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  /* A prefix of the release is not the release. */
  g_autoptr (GBytes) image = make_module ("6.1.0-57 SMP", "lkp_test_1");

  assert_load_fails (fx, kernel, image, "version magic");
}

static void
test_load_not_elf (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) image = g_bytes_new_static ("not an ELF file at all", 22);

  assert_load_fails (fx, kernel, image, "invalid module format");
}

/* Section headers pointing past the end of the file are refused, not read. */
static void
test_load_truncated (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) full = make_module (RELEASE " SMP", "lkp_test_1");
  g_autoptr (GBytes) cut = g_bytes_new_from_bytes (full, 0, g_bytes_get_size (full) - 10);

  assert_load_fails (fx, kernel, cut, "out of bounds");
}

static void
test_load_no_modinfo (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) image = make_elf ("license=GPL", 12);

  assert_load_fails (fx, kernel, image, "vermagic");
}

static void
test_fault_file (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) image = make_module (RELEASE " SMP", "lkp_test_1");

  write_root_file (fx, "fail-load", "Operation not permitted\n");
  assert_load_fails (fx, kernel, image, "Operation not permitted");
}

static void
test_unload (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) image = make_module (RELEASE " SMP", "lkp-test-2");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) loaded = NULL;
  int fd = module_fd (fx, image);

  /* Like the kernel, dashes in module names become underscores. */
  g_assert_true (lp_kernel_load_module (kernel, fd, "lkp_test_2", &error));
  close (fd);
  g_assert_true (lp_kernel_patch_is_enabled (kernel, "lkp_test_2"));
  g_assert_true (lp_kernel_unload_patch (kernel, "lkp_test_2", NULL, &error));
  g_assert_no_error (error);
  loaded = lp_kernel_list_patches (kernel, FALSE, NULL);
  g_assert_cmpuint (strv_len (loaded), ==, 0);
  /* Unloading what is not loaded is no error: an atomic replace may have done it. */
  g_assert_true (lp_kernel_unload_patch (kernel, "lkp_test_2", NULL, &error));
  g_assert_no_error (error);
}

static void
test_transition_stuck (Fixture *fx, gconstpointer data)
{
  g_autoptr (LpKernel) kernel = new_sim (fx);
  g_autoptr (GBytes) image = make_module (RELEASE " SMP", "lkp_test_3");
  g_autoptr (GError) error = NULL;
  int fd = module_fd (fx, image);

  write_root_file (fx, "transition-stuck", "");
  g_assert_true (lp_kernel_load_module (kernel, fd, "lkp_test_3", &error));
  close (fd);
  g_assert_false (lp_kernel_wait_transition (kernel, "lkp_test_3", 50, NULL, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_LOAD_FAILED);
}

/* Only what is safe on any host: identity and reading /sys/kernel/livepatch. */
static void
test_linux_identity (void)
{
  /* no version signature: uname -r, whatever the host runs */
  g_autoptr (LpKernelLinux) linux_kernel = lp_kernel_linux_new_with_signature ("/nonexistent");
  LpKernel *kernel = LP_KERNEL (linux_kernel);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) patches = lp_kernel_list_patches (kernel, FALSE, &error);
  struct utsname uts;

  uname (&uts);
  g_assert_cmpstr (lp_kernel_get_release (kernel), ==, uts.release);
  g_assert_cmpstr (lp_kernel_get_machine (kernel), ==, uts.machine);
  g_assert_cmpstr (lp_kernel_get_architecture (kernel), ==,
                   lp_kernel_debian_architecture (uts.machine));
  g_assert_no_error (error);
  g_assert_nonnull (patches);
}

/* Ubuntu kernels are known to the server by their version signature */
static void
test_linux_release_from_version_signature (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lp-signature-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "version_signature", NULL);
  g_autoptr (LpKernelLinux) ubuntu = NULL;
  g_autoptr (LpKernelLinux) garbled = NULL;
  struct utsname uts;

  uname (&uts);
  g_assert_true (g_file_set_contents (path, "Ubuntu 5.15.0-100.110-generic 5.15.143\n", -1, NULL));
  ubuntu = lp_kernel_linux_new_with_signature (path);
  g_assert_cmpstr (lp_kernel_get_release (LP_KERNEL (ubuntu)), ==, "5.15.0-100.110-generic");
  g_assert_cmpstr (lp_kernel_get_machine (LP_KERNEL (ubuntu)), ==, uts.machine);
  /* a file not of that form falls back to uname -r */
  g_assert_true (g_file_set_contents (path, "Ubuntu\n", -1, NULL));
  garbled = lp_kernel_linux_new_with_signature (path);
  g_assert_cmpstr (lp_kernel_get_release (LP_KERNEL (garbled)), ==, uts.release);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_release_from_signature (void)
{
  static const struct
  {
    const char *in, *out;
  } cases[] = {
    { "Ubuntu 5.15.0-100.110-generic 5.15.143\n", "5.15.0-100.110-generic" },
    { "Ubuntu 6.8.0-41.41-generic 6.8.12", "6.8.0-41.41-generic" },
    { "Ubuntu", NULL },
    { "", NULL },
    { "Ubuntu  5.15.0", NULL },
    { "Ubuntu 5.15.0-100\x01"
      "bad 5.15",
      NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = lp_kernel_linux_release_from_signature (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_debian_architecture (void)
{
  g_assert_cmpstr (lp_kernel_debian_architecture ("x86_64"), ==, "amd64");
  g_assert_cmpstr (lp_kernel_debian_architecture ("aarch64"), ==, "arm64");
  g_assert_cmpstr (lp_kernel_debian_architecture ("ppc64le"), ==, "ppc64el");
  g_assert_cmpstr (lp_kernel_debian_architecture ("s390x"), ==, "s390x");
  g_assert_cmpstr (lp_kernel_debian_architecture ("i686"), ==, "i386");
}

static void
test_module_name (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = lp_module_name_from_file ("lkp_Debian_6_1_0-57_amd64_57.ko", NULL);
  g_autofree char *b = lp_module_name_from_file ("/x/y/plain.ko", NULL);
  g_autofree char *dotted = lp_module_name_from_file ("lkp_Test.abcdef.ko", &error);

  g_assert_cmpstr (a, ==, "lkp_Debian_6_1_0_57_amd64_57");
  g_assert_cmpstr (b, ==, "plain");
  /* A dot would make the lock look like a temporary file: no such module name. */
  g_assert_null (dotted);
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "invalid module name \"lkp_Test.abcdef\": a module name is 1 to 55 letters, "
                   "digits or '_'");
}

static void
test_mode_sources (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lp-mode-XXXXXX", NULL);
  g_autofree char *cmdline = g_build_filename (dir, "cmdline", NULL);
  g_autofree char *file = g_build_filename (dir, "mode", NULL);

  g_assert_cmpint (lp_mode_read (cmdline, file), ==, LP_MODE_NORMAL);
  g_assert_true (g_file_set_contents (file, "no-apply\n", -1, NULL));
  g_assert_cmpint (lp_mode_read (cmdline, file), ==, LP_MODE_NO_APPLY);
  g_assert_true (g_file_set_contents (
      cmdline, "BOOT_IMAGE=/vmlinuz canonical_livepatch_mode=stop quiet\n", -1, NULL));
  g_assert_cmpint (lp_mode_read (cmdline, file), ==, LP_MODE_STOP);
  /* An unknown value on the command line falls back to the file. */
  g_assert_true (g_file_set_contents (cmdline, "canonical_livepatch_mode=bogus\n", -1, NULL));
  g_test_expect_message ("lp-mode", G_LOG_LEVEL_WARNING, "*bogus*");
  g_assert_cmpint (lp_mode_read (cmdline, file), ==, LP_MODE_NO_APPLY);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (lp_mode_to_string (LP_MODE_NO_REFRESH), ==, "no-refresh");
  rm_rf (dir);
}

/* The mode file is in /var/local, writable by group staff on Debian: a FIFO
 * there used to hang the daemon, a symbolic link made it read (and log) any
 * file, and a huge file was read whole. Each is ignored with a warning. */
static void
test_mode_file_hostile (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lp-mode-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "mode", NULL);
  g_autofree char *target = g_build_filename (dir, "secret", NULL);
  g_autofree char *padded = g_strnfill (1024 * 1024, ' ');
  g_autofree char *big = NULL;
  g_autofree char *warning = NULL;

  g_assert_true (g_file_set_contents (target, "stop\n", -1, NULL));
  g_assert_cmpint (symlink (target, file), ==, 0);
  warning = g_strdup_printf ("ignoring %s: Too many levels of symbolic links", file);
  g_test_expect_message ("lp-mode", G_LOG_LEVEL_WARNING, warning);
  g_assert_cmpint (lp_mode_read (NULL, file), ==, LP_MODE_NORMAL);
  g_test_assert_expected_messages ();

  g_assert_cmpint (unlink (file), ==, 0);
  g_assert_cmpint (mkfifo (file, 0600), ==, 0);
  g_free (warning);
  warning = g_strdup_printf ("ignoring %s: not a regular file", file);
  g_test_expect_message ("lp-mode", G_LOG_LEVEL_WARNING, warning);
  g_assert_cmpint (lp_mode_read (NULL, file), ==, LP_MODE_NORMAL);
  g_test_assert_expected_messages ();

  g_assert_cmpint (unlink (file), ==, 0);
  big = g_strconcat ("stop", padded, NULL);
  g_assert_true (g_file_set_contents (file, big, -1, NULL));
  g_free (warning);
  warning = g_strdup_printf ("ignoring %s: larger than 64 bytes", file);
  g_test_expect_message ("lp-mode", G_LOG_LEVEL_WARNING, warning);
  g_assert_cmpint (lp_mode_read (NULL, file), ==, LP_MODE_NORMAL);
  g_test_assert_expected_messages ();

  /* What it holds reaches the journal without its escapes. */
  g_assert_true (g_file_set_contents (file, "\x1b]0;owned\x07\n", -1, NULL));
  g_free (warning);
  warning = g_strdup_printf ("ignoring unknown operating mode '\xef\xbf\xbd]0;owned\xef\xbf\xbd' "
                             "from %s",
                             file);
  g_test_expect_message ("lp-mode", G_LOG_LEVEL_WARNING, warning);
  g_assert_cmpint (lp_mode_read (NULL, file), ==, LP_MODE_NORMAL);
  g_test_assert_expected_messages ();
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/kernel-sim/identity-from-files", test_identity_from_files);
  g_test_add_func ("/kernel-sim/identity-defaults-from-uname", test_identity_defaults);
  ADD ("/kernel-sim/load-vermagic-match", test_load_match);
  ADD ("/kernel-sim/reject-vermagic-mismatch", test_load_mismatch);
  ADD ("/kernel-sim/reject-not-elf", test_load_not_elf);
  ADD ("/kernel-sim/reject-truncated-section-table", test_load_truncated);
  ADD ("/kernel-sim/reject-no-vermagic", test_load_no_modinfo);
  ADD ("/kernel-sim/fault-file-fails-load", test_fault_file);
  ADD ("/kernel-sim/unload-removes-patch", test_unload);
  ADD ("/kernel-sim/transition-timeout", test_transition_stuck);
#undef ADD
  g_test_add_func ("/kernel-linux/identity-from-uname", test_linux_identity);
  g_test_add_func ("/kernel-linux/release-from-version-signature",
                   test_linux_release_from_version_signature);
  g_test_add_func ("/kernel-linux/reject-malformed-version-signature", test_release_from_signature);
  g_test_add_func ("/kernel/debian-architecture", test_debian_architecture);
  g_test_add_func ("/kernel/module-name-from-file", test_module_name);
  g_test_add_func ("/mode/cmdline-then-file", test_mode_sources);
  g_test_add_func ("/mode/file-hostile", test_mode_file_hostile);
  return g_test_run ();
}
