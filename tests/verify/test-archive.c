/* test-archive.c: safe extraction of patch tarballs
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-archive.h"
#include "lp-error.h"
#include "lp-test-corpus.h"

/* Small caps so every limit can be crossed by a small corpus file;
 * gen-corpus.py sizes its cases against these numbers. */
static const LpArchiveLimits test_limits = {
  .max_archive_size = 1024 * 1024,
  .max_entries = 4,
  .max_entry_size = 64 * 1024,
  .max_total_size = 96 * 1024,
};

typedef struct
{
  char *jail; /* parent: must hold nothing but dest afterwards */
  char *dest;
  int dest_fd;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->jail = lp_test_make_tempdir ();
  fx->dest = g_build_filename (fx->jail, "dest", NULL);
  g_assert_cmpint (g_mkdir (fx->dest, 0700), ==, 0);
  fx->dest_fd = open (fx->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fx->dest_fd, >=, 0);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  close (fx->dest_fd);
  lp_test_rmtree (fx->jail);
  g_free (fx->jail);
  g_free (fx->dest);
}

static void
assert_jail_holds_only_dest (Fixture *fx)
{
  g_auto (GStrv) names = lp_test_list_dir (fx->jail);

  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "dest");
  g_assert_false (g_file_test ("/tmp/lp-verify-evil", G_FILE_TEST_EXISTS));
}

static void
assert_extracted_files_private (Fixture *fx, GPtrArray *names)
{
  for (guint i = 0; i < names->len; i++)
    {
      struct stat st;

      g_assert_cmpint (
          fstatat (fx->dest_fd, g_ptr_array_index (names, i), &st, AT_SYMLINK_NOFOLLOW), ==, 0);
      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
    }
}

static void
test_corpus_case (Fixture *fx, gconstpointer data)
{
  JsonObject *entry = (JsonObject *) data;
  g_autofree char *path = lp_test_corpus_path ("archive", entry);
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GError) error = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  gboolean ok;
  int code;

  g_assert_cmpint (fd, >=, 0);
  ok = lp_archive_extract (fd, fx->dest_fd, &test_limits, &names, &error);
  close (fd);
  assert_jail_holds_only_dest (fx);
  if (lp_test_corpus_expected_error (entry, &code))
    {
      g_assert_error (error, LP_ERROR, code);
      g_assert_false (ok);
      g_assert_null (names);
      g_test_message ("%s", error->message);
      lp_test_assert_dir_empty (fx->dest);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (names->len, ==, json_object_get_int_member (entry, "entries"));
  assert_extracted_files_private (fx, names);
}

/* A name that already exists in the destination is not overwritten, and a
 * symlink planted there is not followed. */
static void
test_reject_existing_symlink (Fixture *fx, gconstpointer data)
{
  g_autofree char *path =
      g_build_filename (lp_test_corpus_dir (), "archive", "two-files-none.tar", NULL);
  g_autofree char *target = g_build_filename (fx->jail, "target", NULL);
  g_autoptr (GError) error = NULL;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (symlinkat (target, fx->dest_fd, "patch.json"), ==, 0);
  g_assert_false (lp_archive_extract (fd, fx->dest_fd, &test_limits, NULL, &error));
  close (fd);
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE);
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
}

static void
test_default_limits (void)
{
  const LpArchiveLimits *limits = lp_archive_limits_default ();

  g_assert_cmpuint (limits->max_entries, >=, 2);
  g_assert_cmpuint (limits->max_entry_size, <=, limits->max_total_size);
  g_assert_cmpuint (limits->max_archive_size, >=, 16 * 1024 * 1024);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) cases = NULL;

  g_test_init (&argc, &argv, NULL);
  cases = lp_test_corpus_load ("archive");
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (cases, i);
      gboolean bad = !json_object_get_null_member (entry, "error");
      g_autofree char *path = g_strdup_printf ("/archive/%s-%s", bad ? "reject" : "accept",
                                               json_object_get_string_member (entry, "name"));

      g_test_add (path, Fixture, entry, fixture_setup, test_corpus_case, fixture_teardown);
    }
  g_test_add ("/archive/reject-planted-symlink", Fixture, NULL, fixture_setup,
              test_reject_existing_symlink, fixture_teardown);
  g_test_add_func ("/archive/default-limits", test_default_limits);
  return g_test_run ();
}
