/* test-store.c: LpStore persistence — atomic writes, modes, damaged files
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "lp-atomic-file.h"
#include "lp-error.h"
#include "lp-store.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = g_dir_make_tmp ("lp-store-XXXXXX", NULL);
  g_assert_nonnull (fx->dir);
}

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
fixture_teardown (Fixture *fx, gconstpointer data)
{
  rm_rf (fx->dir);
  g_free (fx->dir);
}

static guint
count_entries_with_prefix (const char *dir_path, const char *prefix)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, prefix);
  return n;
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_no_errno (g_stat (path, &st));
  return st.st_mode & 07777;
}

static GVariant *
make_fixes (void)
{
  return g_variant_new_parsed ("[('CVE-2026-1', 'a fix', true, 'LP#1')]");
}

static void
test_round_trip (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpStore) store = lp_store_new (fx->dir, &error);
  g_autoptr (LpStore) again = NULL;
  g_autofree char *fixes = NULL;

  g_assert_no_error (error);
  g_assert_null (lp_store_get_machine_token (store));
  g_assert_cmpstr (lp_store_get_patch_version (store), ==, "");
  g_assert_cmpstr (lp_store_get_origin (store), ==, "");
  g_assert_true (lp_store_set_machine_token (store, "tok-1", "https://a.example", &error));
  lp_store_set_registration (store, "client-1", "stable");
  lp_store_set_check (store, 1700000000, "supported");
  lp_store_set_buggy_version (store, "57.3");
  lp_store_set_patch (store, "57.3", "lkp_57", "ab", "ab.patch", make_fixes ());
  g_assert_true (lp_store_save (store, &error));

  again = lp_store_new (fx->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lp_store_get_machine_token (again), ==, "tok-1");
  g_assert_cmpstr (lp_store_get_origin (again), ==, "https://a.example");
  g_assert_cmpstr (lp_store_get_client_id (again), ==, "client-1");
  g_assert_cmpstr (lp_store_get_tier (again), ==, "stable");
  g_assert_cmpstr (lp_store_get_supported (again), ==, "supported");
  g_assert_cmpint (lp_store_get_last_check (again), ==, 1700000000);
  g_assert_cmpstr (lp_store_get_buggy_version (again), ==, "57.3");
  g_assert_cmpstr (lp_store_get_patch_version (again), ==, "57.3");
  g_assert_cmpstr (lp_store_get_patch_module (again), ==, "lkp_57");
  g_assert_cmpstr (lp_store_get_patch_file (again), ==, "ab.patch");
  fixes = g_variant_print (lp_store_get_fixes (again), FALSE);
  g_assert_cmpstr (fixes, ==, "[('CVE-2026-1', 'a fix', true, 'LP#1')]");
}

static void
test_secret_modes (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpStore) store = lp_store_new (fx->dir, &error);
  g_autofree char *token = g_build_filename (fx->dir, "machine-token", NULL);
  g_autofree char *state = g_build_filename (fx->dir, "state", NULL);
  g_autofree char *locks = g_build_filename (fx->dir, "locks", NULL);

  umask (022);
  g_assert_true (lp_store_set_machine_token (store, "secret", "https://a.example", &error));
  g_assert_true (lp_store_save (store, &error));
  g_assert_cmpuint (file_mode (token), ==, 0600);
  g_assert_cmpuint (file_mode (state), ==, 0600);
  g_assert_cmpuint (file_mode (locks), ==, 0700);
}

/* A write leaves no temporary file behind and replaces the old content whole. */
static void
test_atomic_write (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fx->dir, "file", NULL);
  g_autofree char *content = NULL;

  g_assert_true (lp_atomic_file_write (path, "old content", 11, 0644, &error));
  g_assert_true (lp_atomic_file_write (path, "new", 3, 0600, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "new");
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (count_entries_with_prefix (fx->dir, "file."), ==, 0);
}

/* A failed write (directory missing) reports LP_ERROR_INTERNAL and creates nothing. */
static void
test_atomic_write_failure (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fx->dir, "missing", "file", NULL);

  g_assert_false (lp_atomic_file_write (path, "x", 1, 0600, &error));
  g_assert_error (error, LP_ERROR, LP_ERROR_INTERNAL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
assert_damaged_moved_aside (Fixture *fx, const char *content)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *state = g_build_filename (fx->dir, "state", NULL);
  g_autofree char *token = g_build_filename (fx->dir, "machine-token", NULL);
  g_autoptr (LpStore) store = NULL;

  g_assert_true (g_file_set_contents (state, content, -1, NULL));
  g_assert_true (g_file_set_contents (token, "tok\n", -1, NULL));
  g_test_expect_message ("lp-store", G_LOG_LEVEL_WARNING, "*damaged*");
  store = lp_store_new (fx->dir, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries_with_prefix (fx->dir, "state.damaged-"), ==, 1);
  g_assert_cmpstr (lp_store_get_patch_version (store), ==, "");
  g_assert_cmpstr (lp_store_get_client_id (store), ==, "");
  /* The token lives in its own file and survives a damaged state file; this
   * one predates origins, so it has none (the engine records one). */
  g_assert_cmpstr (lp_store_get_machine_token (store), ==, "tok");
  g_assert_cmpstr (lp_store_get_origin (store), ==, "");
  g_assert_true (lp_store_save (store, &error));
}

static void
test_damaged_garbage (Fixture *fx, gconstpointer data)
{
  assert_damaged_moved_aside (fx, "\x01\x02 this is not a key file [[[\n");
}

static void
test_damaged_bad_fixes (Fixture *fx, gconstpointer data)
{
  assert_damaged_moved_aside (fx, "[state]\nformat=1\npatch-version=57\nfixes=[(1,2)]\n");
}

static void
test_damaged_unknown_format (Fixture *fx, gconstpointer data)
{
  assert_damaged_moved_aside (fx, "[state]\nformat=99\n");
}

static void
test_forget_keeps_patch (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpStore) store = lp_store_new (fx->dir, &error);
  g_autoptr (LpStore) again = NULL;
  g_autofree char *token = g_build_filename (fx->dir, "machine-token", NULL);

  g_assert_true (lp_store_set_machine_token (store, "tok", "https://a.example", &error));
  lp_store_set_registration (store, "client-1", "stable");
  lp_store_set_buggy_version (store, "57.3");
  lp_store_set_patch (store, "57.3", "lkp_57", "ab", "ab.patch", NULL);
  g_assert_true (lp_store_forget (store, &error));
  g_assert_false (g_file_test (token, G_FILE_TEST_EXISTS));
  again = lp_store_new (fx->dir, &error);
  g_assert_null (lp_store_get_machine_token (again));
  g_assert_cmpstr (lp_store_get_origin (again), ==, "");
  g_assert_cmpstr (lp_store_get_client_id (again), ==, "");
  /* The server's verdict is a check result: forgotten with the enrolment. */
  g_assert_cmpstr (lp_store_get_buggy_version (again), ==, "");
  g_assert_cmpstr (lp_store_get_patch_version (again), ==, "57.3");
}

/* A crash between writing and renaming leaves ".name.XXXXXX" (or, from
 * earlier versions, "name.XXXXXX" for the store's own files); the next start
 * deletes it and keeps everything else: files moved aside, and every lock,
 * whatever its name (a lock is never taken for a temporary file). */
static void
test_interrupted_write_cleaned (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpStore) store = NULL;
  const char *names[] = { ".state.Ab3dE9",       ".machine-token.zZ9y8X", ".config.Ab3dE9",
                          "state.Ab3dE9",        "machine-token.zZ9y8X",  "config.Ab3dE9",
                          "locks/.lkp_57.q1w2e3" };
  const char *kept[] = { "state.damaged-1700000000", "config", "notes.Ab3dE9", "locks/lkp_57",
                         "locks/lkp_Test.abcdef" };

  g_assert_true (g_mkdir_with_parents (fx->dir, 0700) == 0);
  store = lp_store_new (fx->dir, &error);
  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, names[i], NULL);
      g_assert_true (g_file_set_contents (path, "partial", -1, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, kept[i], NULL);
      g_assert_true (g_file_set_contents (path, "keep", -1, NULL));
    }
  store = lp_store_new (fx->dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, names[i], NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, kept[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

static void
test_locks (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpStore) store = lp_store_new (fx->dir, &error);
  g_autofree char *path = lp_store_get_lock_path (store, "lkp_57");
  g_autoptr (GVariant) fixes = g_variant_ref_sink (make_fixes ());
  g_auto (GStrv) locks = NULL;

  g_assert_false (lp_store_has_lock (store, "lkp_57"));
  g_assert_true (lp_store_write_lock (store, "lkp_57", "57.3", "ab", "ab.patch", fixes, &error));
  g_assert_true (lp_store_adopt_lock (store, "lkp_57", &error));
  g_assert_cmpstr (lp_store_get_patch_version (store), ==, "57.3");
  g_assert_cmpstr (lp_store_get_patch_module (store), ==, "lkp_57");
  g_assert_cmpstr (lp_store_get_patch_file (store), ==, "ab.patch");
  g_assert_true (g_variant_equal (lp_store_get_fixes (store), fixes));
  locks = lp_store_list_locks (store);
  g_assert_cmpuint (g_strv_length (locks), ==, 1);
  g_assert_true (lp_store_has_lock (store, "lkp_57"));
  g_assert_true (g_str_has_suffix (path, "/locks/lkp_57"));
  g_assert_true (lp_store_remove_lock (store, "lkp_57", &error));
  g_assert_false (lp_store_has_lock (store, "lkp_57"));
  /* Removing a lock that is not there is fine. */
  g_assert_true (lp_store_remove_lock (store, "lkp_57", &error));
  g_assert_no_error (error);
}

/* A lock named like a temporary file ("lkp_Test.abcdef") cannot exist: the
 * name breaks the kernel's module-name rules and every lock call refuses it,
 * changing nothing; a valid lock survives a restart that cleans temporaries. */
static void
test_lock_names_follow_module_rules (Fixture *fx, gconstpointer data)
{
  const char *bad[] = {
    "lkp_Test.abcdef", "lkp-57",         "",
    "../state",        ".lkp_57.q1w2e3", "lkp_5678901234567890123456789012345678901234567890123456"
  };
  g_autoptr (GVariant) fixes = g_variant_ref_sink (make_fixes ());
  g_autoptr (GError) error = NULL;
  g_autoptr (LpStore) store = lp_store_new (fx->dir, &error);
  g_autofree char *temp = g_build_filename (fx->dir, "locks", ".lkp_57.Ab3dE9", NULL);
  g_auto (GStrv) locks = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *shown = g_strescape (bad[i], NULL);
      g_autofree char *expected = g_strdup_printf (
          "no lock for this name: invalid module name \"%s\": a module name is 1 to 55 "
          "letters, digits or '_'",
          shown);

      g_assert_false (lp_store_write_lock (store, bad[i], "1", "ab", "ab.patch", fixes, &error));
      g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
      g_assert_false (lp_store_adopt_lock (store, bad[i], &error));
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
      g_assert_false (lp_store_remove_lock (store, bad[i], &error));
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
      g_assert_false (lp_store_has_lock (store, bad[i]));
    }
  g_assert_cmpuint (count_entries_with_prefix (fx->dir, ""), ==, 2); /* locks, patches */
  /* 55 characters is the longest name, as in the kernel. */
  g_assert_true (
      lp_store_write_lock (store, "lkp_Test_abcdef", "1", "ab", "ab.patch", fixes, &error));
  g_assert_true (lp_store_write_lock (store, bad[5] + 1, "1", "ab", "ab.patch", fixes, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (temp, "partial", -1, NULL));
  g_clear_object (&store);
  store = lp_store_new (fx->dir, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
  g_assert_true (lp_store_has_lock (store, "lkp_Test_abcdef"));
  g_assert_true (lp_store_has_lock (store, bad[5] + 1));
  locks = lp_store_list_locks (store);
  g_assert_cmpuint (g_strv_length (locks), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/store/round-trip", test_round_trip);
  ADD ("/store/secret-file-modes", test_secret_modes);
  ADD ("/store/atomic-write-replaces-whole", test_atomic_write);
  ADD ("/store/atomic-write-failure-creates-nothing", test_atomic_write_failure);
  ADD ("/store/damaged-garbage-moved-aside", test_damaged_garbage);
  ADD ("/store/damaged-fixes-moved-aside", test_damaged_bad_fixes);
  ADD ("/store/damaged-unknown-format-moved-aside", test_damaged_unknown_format);
  ADD ("/store/forget-keeps-patch-record", test_forget_keeps_patch);
  ADD ("/store/locks-record-the-patch", test_locks);
  ADD ("/store/interrupted-write-cleaned-at-start", test_interrupted_write_cleaned);
  ADD ("/store/lock-names-follow-module-rules", test_lock_names_follow_module_rules);
#undef ADD
  return g_test_run ();
}
