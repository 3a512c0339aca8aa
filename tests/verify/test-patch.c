/* test-patch.c: the whole verification pipeline on patch tarballs
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-patch.h"
#include "lp-test-corpus.h"

#define KERNEL "6.1.0-57-amd64"
#define ARCH "amd64"

typedef struct
{
  char *parent; /* extract_parent: empty after any failure */
  LpCertSet *trusted;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autofree char *pem = g_build_filename (lp_test_corpus_dir (), "trusted.pem", NULL);

  fx->parent = lp_test_make_tempdir ();
  fx->trusted = lp_cert_set_new ();
  g_assert_true (lp_cert_set_add_file (fx->trusted, pem, NULL));
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  lp_test_rmtree (fx->parent);
  g_free (fx->parent);
  g_object_unref (fx->trusted);
}

/* A copy cut to @keep bytes: a download that stopped early. */
static int
open_truncated (const char *path, gint64 keep, const char *dir)
{
  g_autofree char *contents = NULL;
  g_autofree char *copy = g_build_filename (dir, "..", "truncated.tar", NULL);
  gsize len = 0;
  int fd;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpint (keep, <, (gint64) len);
  g_assert_true (g_file_set_contents (copy, contents, keep, NULL));
  fd = open (copy, O_RDONLY | O_CLOEXEC);
  g_unlink (copy);
  return fd;
}

static void
assert_verified (Fixture *fx, LpVerifiedPatch *patch, const char *path)
{
  g_autofree char *module_bytes = NULL;
  struct stat st;
  gsize len = 0;
  char head[4];
  int fd = lp_verified_patch_get_module_fd (patch);

  g_assert_cmpstr (lp_manifest_get_version (lp_verified_patch_get_manifest (patch)), ==, "57.3");
  g_assert_cmpint (g_stat (lp_verified_patch_get_directory (patch), &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0700);
  g_assert_true (g_str_has_prefix (lp_verified_patch_get_directory (patch), fx->parent));
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_true (
      g_file_get_contents (lp_verified_patch_get_module_path (patch), &module_bytes, &len, NULL));
  g_assert_cmpuint (len, ==, st.st_size);
  g_assert_cmpint (pread (fd, head, 4, 0), ==, 4);
  g_assert_cmpmem (head, 4, "\177ELF", 4);
  g_assert_cmpstr (lp_verified_patch_get_signature (patch)->hash, !=, NULL);
  g_assert_cmpuint (lp_verified_patch_get_entries (patch)->len, ==, 2);
  g_assert_true (lp_verified_patch_remove_directory (patch, NULL));
  lp_test_assert_dir_empty (fx->parent);
  /* The fd outlives the directory: the kernel loads what was verified. */
  g_assert_cmpint (pread (fd, head, 4, 0), ==, 4);
}

static void
test_corpus_case (Fixture *fx, gconstpointer data)
{
  JsonObject *entry = (JsonObject *) data;
  JsonObject *expect = json_object_get_object_member (entry, "expect");
  g_autofree char *path = lp_test_corpus_path ("patch", entry);
  g_autoptr (LpVerifiedPatch) patch = NULL;
  g_autoptr (GError) error = NULL;
  LpPatchExpectation ex = { KERNEL, ARCH, json_object_get_string_member (entry, "sha256"), NULL };
  int fd, code;

  if (json_object_has_member (expect, "sha256"))
    ex.sha256 = json_object_get_string_member (expect, "sha256");
  if (json_object_has_member (expect, "truncate"))
    fd = open_truncated (path, json_object_get_int_member (expect, "truncate"), fx->parent);
  else
    fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  patch = lp_patch_verify (fd, fx->parent, &ex, fx->trusted, NULL, &error);
  close (fd);
  if (lp_test_corpus_expected_error (entry, &code))
    {
      g_assert_error (error, LP_ERROR, code);
      g_assert_null (patch);
      g_test_message ("%s", error->message);
      if (json_object_has_member (expect, "message"))
        g_assert_cmpstr (error->message, ==, json_object_get_string_member (expect, "message"));
      if (json_object_has_member (expect, "message_prefix"))
        g_assert_true (g_str_has_prefix (error->message,
                                         json_object_get_string_member (expect, "message_prefix")));
      lp_test_assert_dir_empty (fx->parent);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (patch);
  g_assert_cmpstr (lp_verified_patch_get_sha256 (patch), ==, ex.sha256);
  g_assert_cmpstr (lp_verified_patch_get_module_name (patch), ==,
                   json_object_has_member (expect, "module_name")
                       ? json_object_get_string_member (expect, "module_name")
                       : "lkp_Test_57_3");
  assert_verified (fx, patch, path);
}

static int
open_good (void)
{
  g_autofree char *path =
      g_build_filename (lp_test_corpus_dir (), "patch", "good-xz-issuer-serial.tar", NULL);

  return open (path, O_RDONLY | O_CLOEXEC);
}

static void
test_cancelled (Fixture *fx, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (LpVerifiedPatch) patch = NULL;
  int fd = open_good ();

  g_cancellable_cancel (cancellable);
  patch = lp_patch_verify (fd, fx->parent, NULL, fx->trusted, cancellable, &error);
  close (fd);
  g_assert_error (error, LP_ERROR, LP_ERROR_CANCELLED);
  g_assert_null (patch);
  lp_test_assert_dir_empty (fx->parent);
}

/* NULL expectations skip the kernel check (livepatch-verify's default). */
static void
test_no_expectation (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpVerifiedPatch) patch = NULL;
  int fd = open_good ();
  int stolen;

  patch = lp_patch_verify (fd, fx->parent, NULL, fx->trusted, NULL, &error);
  close (fd);
  g_assert_no_error (error);
  stolen = lp_verified_patch_steal_module_fd (patch);
  g_assert_cmpint (stolen, >=, 0);
  g_assert_cmpint (lp_verified_patch_get_module_fd (patch), ==, -1);
  close (stolen);
  g_assert_true (lp_verified_patch_remove_directory (patch, NULL));
  lp_test_assert_dir_empty (fx->parent);
}

static void
test_missing_parent (Fixture *fx, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fx->parent, "missing", NULL);
  g_autoptr (GError) error = NULL;
  int fd = open_good ();

  g_assert_null (lp_patch_verify (fd, missing, NULL, fx->trusted, NULL, &error));
  close (fd);
  g_assert_error (error, LP_ERROR, LP_ERROR_INTERNAL);
  lp_test_assert_dir_empty (fx->parent);
}

static void
test_digest (Fixture *fx, gconstpointer data)
{
  g_autoptr (GPtrArray) cases = lp_test_corpus_load ("patch");
  JsonObject *entry = g_ptr_array_index (cases, 0);
  const char *sha = json_object_get_string_member (entry, "sha256");
  g_autofree char *upper = g_ascii_strup (sha, -1);
  g_autoptr (GError) error = NULL;
  int fd = open_good ();
  g_autofree char *path = lp_test_corpus_path ("patch", entry);

  close (fd);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_true (lp_patch_verify_digest (fd, sha, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 0);
  g_assert_false (lp_patch_verify_digest (fd, "00", &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_CHECKSUM_MISMATCH);
  g_clear_error (&error);
  upper[0] = upper[0] == 'A' ? 'B' : 'A';
  g_assert_false (lp_patch_verify_digest (fd, upper, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_CHECKSUM_MISMATCH);
  close (fd);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) cases = NULL;

  g_test_init (&argc, &argv, NULL);
  cases = lp_test_corpus_load ("patch");
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (cases, i);
      gboolean bad = !json_object_get_null_member (entry, "error");
      g_autofree char *path = g_strdup_printf ("/patch/%s-%s", bad ? "reject" : "accept",
                                               json_object_get_string_member (entry, "name"));

      g_test_add (path, Fixture, entry, fixture_setup, test_corpus_case, fixture_teardown);
    }
  g_test_add ("/patch/reject-cancelled", Fixture, NULL, fixture_setup, test_cancelled,
              fixture_teardown);
  g_test_add ("/patch/accept-without-expectation", Fixture, NULL, fixture_setup,
              test_no_expectation, fixture_teardown);
  g_test_add ("/patch/reject-missing-parent", Fixture, NULL, fixture_setup, test_missing_parent,
              fixture_teardown);
  g_test_add ("/patch/digest", Fixture, NULL, fixture_setup, test_digest, fixture_teardown);
  return g_test_run ();
}
