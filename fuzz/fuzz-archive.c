/* fuzz-archive.c: libFuzzer harness for patch tarball reading (lp_archive_extract)
 *
 * Each input is extracted from a memfd into a fresh 0700 directory under a
 * private temporary root; afterwards the directory must hold exactly the
 * names reported (on success) or nothing at all (on failure).
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-archive.h"
#include "lp-error.h"
#include "lp-fuzz.h"

/* Smaller than the defaults so a decompression bomb costs milliseconds, not
 * seconds: the fuzzer tests that the caps hold, not how large they are. */
static const LpArchiveLimits lp_fuzz_limits = {
  .max_archive_size = 1024 * 1024,
  .max_entries = 8,
  .max_entry_size = 256 * 1024,
  .max_total_size = 512 * 1024,
};

static char *lp_fuzz_root;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  lp_fuzz_init ();
  lp_fuzz_root = lp_fuzz_make_tmp_dir ("lp-fuzz-archive-XXXXXX");
  return 0;
}

static int
lp_fuzz_input_fd (const uint8_t *data, size_t size)
{
  int fd = memfd_create ("lp-fuzz-archive", MFD_CLOEXEC);

  if (fd < 0 || (size > 0 && write (fd, data, size) != (ssize_t) size) ||
      lseek (fd, 0, SEEK_SET) != 0)
    abort ();
  return fd;
}

/* Removes every entry of the directory and returns how many there were. */
static guint
lp_fuzz_empty_dir (int dirfd)
{
  DIR *dir = fdopendir (dup (dirfd));
  struct dirent *entry;
  guint n = 0;

  if (dir == NULL)
    abort ();
  while ((entry = readdir (dir)) != NULL)
    {
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      n++;
      if (unlinkat (dirfd, entry->d_name, 0) != 0)
        abort (); /* not a regular file: the extractor let something else through */
    }
  closedir (dir);
  return n;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autofree char *dest = g_build_filename (lp_fuzz_root, "dest", NULL);
  int input = lp_fuzz_input_fd (data, size);
  int dirfd;
  gboolean ok;
  guint left;

  if (mkdir (dest, 0700) != 0 || (dirfd = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    abort ();
  ok = lp_archive_extract (input, dirfd, &lp_fuzz_limits, &names, &error);
  left = lp_fuzz_empty_dir (dirfd);
  close (dirfd);
  close (input);
  if (rmdir (dest) != 0)
    abort ();
  if (!ok)
    lp_fuzz_assert_error (error, LP_ERROR_INVALID_ARCHIVE);
  if (ok ? (names == NULL || left != names->len || names->len > lp_fuzz_limits.max_entries)
         : left != 0)
    abort ();
  return 0;
}
