/* lp-test-corpus.c: the verify suite's generated corpus and sandbox checks
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "lp-error.h"
#include "lp-test-corpus.h"

const char *
lp_test_corpus_dir (void)
{
  static char *dir = NULL;
  g_autofree char *script = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[4];
  int status = 0;

  if (dir != NULL)
    return dir;
  dir = g_build_filename (g_getenv ("LP_TOP_BUILDDIR"), "tests", "verify", "corpus", NULL);
  script = g_build_filename (g_getenv ("LP_TOP_SRCDIR"), "tests", "verify", "gen-corpus.py", NULL);
  argv[0] = "/usr/bin/python3";
  argv[1] = script;
  argv[2] = dir;
  argv[3] = NULL;
  /* The generator locks and caches, so parallel test programs share one run. */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                     &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("gen-corpus.py failed: %s", error->message);
  return dir;
}

GPtrArray *
lp_test_corpus_load (const char *area)
{
  g_autofree char *path = g_build_filename (lp_test_corpus_dir (), area, "index.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JsonArray *array;

  if (!json_parser_load_from_file (parser, path, &error))
    g_error ("%s: %s", path, error->message);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (cases, json_object_ref (json_array_get_object_element (array, i)));
  return cases;
}

char *
lp_test_corpus_path (const char *area, JsonObject *entry)
{
  return g_build_filename (lp_test_corpus_dir (), area,
                           json_object_get_string_member (entry, "file"), NULL);
}

gboolean
lp_test_corpus_expected_error (JsonObject *entry, int *out_code)
{
  LpError code;

  if (json_object_get_null_member (entry, "error"))
    return FALSE;
  if (!lp_error_from_nick (json_object_get_string_member (entry, "error"), &code))
    g_error ("unknown error nick in the corpus");
  *out_code = code;
  return TRUE;
}

char *
lp_test_make_tempdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("lp-verify-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
lp_test_rmtree (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        lp_test_rmtree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GStrv
lp_test_list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

void
lp_test_assert_dir_empty (const char *dir)
{
  g_auto (GStrv) names = lp_test_list_dir (dir);

  if (names[0] != NULL)
    g_error ("%s is not empty: holds %s", dir, names[0]);
}
