/* test-modsig.c: kernel module signatures and the trusted certificate set
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "lp-certs.h"
#include "lp-error.h"
#include "lp-modsig.h"
#include "lp-test-corpus.h"

static LpCertSet *
load_trusted (void)
{
  g_autofree char *pem = g_build_filename (lp_test_corpus_dir (), "trusted.pem", NULL);
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (lp_cert_set_add_file (set, pem, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&set);
}

/* One corpus module: verifies with the expected method, or fails with the
 * expected code (and, where the corpus names one, the exact message). */
static void
test_corpus_case (gconstpointer data)
{
  JsonObject *entry = (JsonObject *) data;
  g_autoptr (LpCertSet) trusted = load_trusted ();
  g_autofree char *path = lp_test_corpus_path ("modsig", entry);
  g_autofree char *contents = NULL;
  g_autoptr (LpModsigInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  int code;
  gboolean ok;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  ok = lp_modsig_verify ((const guint8 *) contents, len, trusted, &info, &error);
  if (lp_test_corpus_expected_error (entry, &code))
    {
      g_assert_error (error, LP_ERROR, code);
      g_assert_false (ok);
      g_assert_null (info);
      g_test_message ("%s", error->message);
      if (json_object_has_member (entry, "message"))
        g_assert_cmpstr (error->message, ==, json_object_get_string_member (entry, "message"));
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (info->id_method, ==, json_object_get_string_member (entry, "method"));
  g_assert_cmpuint (info->key_bits, >=, 2048);
  g_assert_true (g_str_has_prefix (info->hash, "SHA"));
  g_assert_true (strstr (info->signer, "CN=Verify Test") != NULL);
  g_assert_cmpuint (info->module_len, <, len);
}

static void
test_verify_fd (void)
{
  g_autoptr (LpCertSet) trusted = load_trusted ();
  g_autofree char *good =
      g_build_filename (lp_test_corpus_dir (), "modsig", "sign-file-sha512-rsa4096-ski.ko", NULL);
  g_autofree char *bad =
      g_build_filename (lp_test_corpus_dir (), "modsig", "module-byte-changed.ko", NULL);
  g_autoptr (LpModsigInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  int fd = open (good, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (lp_modsig_verify_fd (fd, trusted, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info->hash, ==, "SHA512");
  g_assert_cmpstr (info->id_method, ==, "subject-key-id");
  g_assert_cmpuint (strlen (info->key_id), ==, 40);
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 0);
  close (fd);

  fd = open (bad, O_RDONLY | O_CLOEXEC);
  g_assert_false (lp_modsig_verify_fd (fd, trusted, NULL, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_SIGNATURE);
  close (fd);
}

static void
assert_same_info (const LpModsigInfo *a, const LpModsigInfo *b)
{
  g_assert_cmpstr (a->signer, ==, b->signer);
  g_assert_cmpstr (a->hash, ==, b->hash);
  g_assert_cmpstr (a->key_id, ==, b->key_id);
  g_assert_cmpstr (a->id_method, ==, b->id_method);
  g_assert_cmpuint (a->key_bits, ==, b->key_bits);
  g_assert_cmpuint (a->module_len, ==, b->module_len);
}

/* The fd path reads the file in pieces instead of holding it; on every
 * corpus module it must reach the buffer path's verdict, to the message,
 * and leave the file offset where it was. */
static void
test_fd_agrees_with_buffer (void)
{
  g_autoptr (GPtrArray) cases = lp_test_corpus_load ("modsig");
  g_autoptr (LpCertSet) trusted = load_trusted ();

  for (guint i = 0; i < cases->len; i++)
    {
      g_autofree char *path = lp_test_corpus_path ("modsig", g_ptr_array_index (cases, i));
      g_autofree char *contents = NULL;
      g_autoptr (LpModsigInfo) by_buffer = NULL;
      g_autoptr (LpModsigInfo) by_fd = NULL;
      g_autoptr (GError) buffer_error = NULL;
      g_autoptr (GError) fd_error = NULL;
      gsize len = 0;
      gboolean buffer_ok, fd_ok;
      int fd;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      buffer_ok =
          lp_modsig_verify ((const guint8 *) contents, len, trusted, &by_buffer, &buffer_error);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (lseek (fd, 7, SEEK_SET), ==, 7);
      fd_ok = lp_modsig_verify_fd (fd, trusted, &by_fd, &fd_error);
      g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, 7);
      close (fd);
      g_assert_cmpint (fd_ok, ==, buffer_ok);
      if (!buffer_ok)
        {
          g_assert_error (fd_error, buffer_error->domain, buffer_error->code);
          /* Only an fd can be checked for emptiness before anything is read,
           * so an empty module is the one message that differs. */
          if (len == 0)
            g_assert_true (strstr (fd_error->message, "module is empty") != NULL);
          else
            g_assert_cmpstr (fd_error->message, ==, buffer_error->message);
          g_assert_null (by_fd);
          continue;
        }
      g_assert_no_error (fd_error);
      assert_same_info (by_fd, by_buffer);
    }
}

static void
test_reject_empty_fd (void)
{
  g_autoptr (LpCertSet) trusted = load_trusted ();
  g_autoptr (GError) error = NULL;
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  g_assert_false (lp_modsig_verify_fd (fd, trusted, NULL, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_SIGNATURE);
  close (fd);
}

/* Verification must not depend on anything but the trusted set passed in. */
static void
test_reject_empty_trust (void)
{
  g_autoptr (LpCertSet) none = lp_cert_set_new ();
  g_autofree char *path = g_build_filename (lp_test_corpus_dir (), "modsig",
                                            "sign-file-sha512-rsa4096-issuer-serial.ko", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_false (lp_modsig_verify ((const guint8 *) contents, len, none, NULL, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_SIGNATURE);
}

static gboolean
set_has_subject (LpCertSet *set, const char *needle)
{
  for (guint i = 0; i < lp_cert_set_get_n_certs (set); i++)
    {
      g_autofree char *subject = lp_cert_describe_subject (lp_cert_set_get_cert (set, i));

      if (strstr (subject, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_baked_canonical (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCertSet) set = lp_cert_set_new_default ("/nonexistent/module-certs.d", &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  g_assert_cmpuint (lp_cert_set_get_n_certs (set), >=, 1);
  g_assert_true (set_has_subject (set, "Canonical Ltd. Live Patch Signing"));
  g_assert_cmpstr (lp_cert_set_get_origin (set, 0), ==, "built-in");
}

/* A directory of operator certificates, each file with given mode/owner. */
static char *
make_cert_dir (const char *name, guint file_mode, uid_t file_uid)
{
  char *dir = lp_test_make_tempdir ();
  g_autofree char *src = g_build_filename (lp_test_corpus_dir (), "untrusted.pem", NULL);
  g_autofree char *dst = g_build_filename (dir, name, NULL);
  g_autofree char *pem = NULL;

  g_assert_true (g_file_get_contents (src, &pem, NULL, NULL));
  g_assert_true (g_file_set_contents (dst, pem, -1, NULL));
  g_assert_cmpint (g_chmod (dst, file_mode), ==, 0);
  /* a no-op for the process's own user, so a normal user can run the cases
   * that do not need another owner */
  g_assert_cmpint (chown (dst, file_uid, (gid_t) -1), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  return dir;
}

static void
test_dir_accepts_root_owned (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;
  guint added = 0;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to make root-owned files");
      return;
    }
  dir = make_cert_dir ("operator.pem", 0644, 0);
  g_assert_true (lp_cert_set_add_directory (set, dir, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
  g_assert_true (set_has_subject (set, "Verify Test untrusted"));
  lp_test_rmtree (dir);
}

/* Owned by the user the process runs as (root for the service, the builder in a
 * packager's test run): trusted, since that user could change the process anyway. */
static void
test_dir_accepts_own_user (void)
{
  g_autofree char *dir = lp_test_make_tempdir ();
  g_autofree char *src = g_build_filename (lp_test_corpus_dir (), "untrusted.pem", NULL);
  g_autofree char *dst = g_build_filename (dir, "operator.pem", NULL);
  g_autofree char *pem = NULL;
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;
  guint added = 0;

  g_assert_true (g_file_get_contents (src, &pem, NULL, NULL));
  g_assert_true (g_file_set_contents (dst, pem, -1, NULL));
  g_assert_cmpint (g_chmod (dst, 0644), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_true (lp_cert_set_add_directory (set, dir, &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
  g_assert_true (set_has_subject (set, "Verify Test untrusted"));
  lp_test_rmtree (dir);
}

static void
test_dir_missing_is_empty (void)
{
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;
  guint added = 7;

  g_assert_true (lp_cert_set_add_directory (set, "/nonexistent/lp-certs", &added, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 0);
}

static void
test_dir_refuses_group_writable (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;

  dir = make_cert_dir ("operator.pem", 0644, geteuid ());
  g_assert_cmpint (g_chmod (dir, 0775), ==, 0);
  g_assert_false (lp_cert_set_add_directory (set, dir, NULL, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (lp_cert_set_get_n_certs (set), ==, 0);
  lp_test_rmtree (dir);
}

static void
test_dir_refuses_non_root_dir (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root");
      return;
    }
  dir = make_cert_dir ("operator.pem", 0644, 0);
  g_assert_cmpint (chown (dir, 65534, 0), ==, 0);
  g_assert_false (lp_cert_set_add_directory (set, dir, NULL, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_suffix (error->message, ": not owned by root"));
  g_assert_cmpuint (lp_cert_set_get_n_certs (set), ==, 0);
  lp_test_rmtree (dir);
}

/* Refused files are skipped with a warning; the rest still load. */
static void
check_file_refused (guint mode, uid_t uid, gboolean make_symlink)
{
  g_autofree char *dir = NULL;
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;
  guint added = 9;

  if (uid != geteuid () && geteuid () != 0)
    {
      g_test_skip ("needs root to give a file another owner");
      return;
    }
  dir = make_cert_dir ("bad.pem", mode, uid);
  if (make_symlink)
    {
      g_autofree char *link = g_build_filename (dir, "link.pem", NULL);
      g_autofree char *target = g_build_filename (lp_test_corpus_dir (), "trusted.pem", NULL);

      g_assert_cmpint (symlink (target, link), ==, 0);
    }
  g_test_expect_message ("lp-certs", G_LOG_LEVEL_WARNING, "ignoring module certificate file*");
  g_assert_true (lp_cert_set_add_directory (set, dir, &added, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, make_symlink ? 1 : 0);
  g_assert_false (set_has_subject (set, "Verify Test rsa4096"));
  lp_test_rmtree (dir);
}

static void
test_file_refuses_world_writable (void)
{
  check_file_refused (0666, geteuid (), FALSE);
}

static void
test_file_refuses_non_root (void)
{
  check_file_refused (0644, 65534, FALSE);
}

static void
test_file_refuses_symlink (void)
{
  check_file_refused (0644, geteuid (), TRUE);
}

static void
test_add_pem_rejects_garbage (void)
{
  g_autoptr (LpCertSet) set = lp_cert_set_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (lp_cert_set_add_pem (set, "not a certificate", 17, "test", &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (lp_cert_set_get_n_certs (set), ==, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) cases = NULL;

  g_test_init (&argc, &argv, NULL);
  cases = lp_test_corpus_load ("modsig");
  for (guint i = 0; i < cases->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (cases, i);
      const char *name = json_object_get_string_member (entry, "name");
      gboolean bad = !json_object_get_null_member (entry, "error");
      g_autofree char *path = g_strdup_printf ("/modsig/%s-%s", bad ? "reject" : "accept", name);

      g_test_add_data_func (path, entry, test_corpus_case);
    }
  g_test_add_func ("/modsig/verify-fd", test_verify_fd);
  g_test_add_func ("/modsig/fd-agrees-with-buffer", test_fd_agrees_with_buffer);
  g_test_add_func ("/modsig/reject-empty-fd", test_reject_empty_fd);
  g_test_add_func ("/modsig/reject-when-trust-empty", test_reject_empty_trust);
  g_test_add_func ("/certs/baked-canonical", test_baked_canonical);
  g_test_add_func ("/certs/dir-accepts-root-owned", test_dir_accepts_root_owned);
  g_test_add_func ("/certs/dir-accepts-own-user", test_dir_accepts_own_user);
  g_test_add_func ("/certs/dir-missing-is-empty", test_dir_missing_is_empty);
  g_test_add_func ("/certs/dir-refuses-group-writable", test_dir_refuses_group_writable);
  g_test_add_func ("/certs/dir-refuses-non-root-owner", test_dir_refuses_non_root_dir);
  g_test_add_func ("/certs/file-refuses-world-writable", test_file_refuses_world_writable);
  g_test_add_func ("/certs/file-refuses-non-root-owner", test_file_refuses_non_root);
  g_test_add_func ("/certs/file-refuses-symlink", test_file_refuses_symlink);
  g_test_add_func ("/certs/reject-garbage-pem", test_add_pem_rejects_garbage);
  return g_test_run ();
}
