/* lp-fuzz.c: log handling and error checks shared by the harnesses
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lp-error.h"
#include "lp-fuzz.h"

static GLogWriterOutput
lp_fuzz_log_writer_cb (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                       gpointer user_data)
{
  /* Hostile input makes the code under test warn on every run; printing
   * that would slow the fuzzer down and bury the real report. */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

void
lp_fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (lp_fuzz_log_writer_cb, NULL, NULL);
}

void
lp_fuzz_assert_error (const GError *error, int code)
{
  if (error != NULL && error->domain == LP_ERROR && error->code == code)
    return;
  fprintf (stderr, "lp-fuzz: expected LP_ERROR code %d, got %s %d: %s\n", code,
           error ? g_quark_to_string (error->domain) : "no error", error ? error->code : -1,
           error ? error->message : "(none)");
  abort ();
}

char *
lp_fuzz_make_tmp_dir (const char *tmpl)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  char *dir;

  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && access ("/dev/shm", W_OK) == 0)
    {
      path = g_build_filename ("/dev/shm", tmpl, NULL);
      if (g_mkdtemp (path) != NULL)
        return g_steal_pointer (&path);
    }
  dir = g_dir_make_tmp (tmpl, &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  return dir;
}

void
lp_fuzz_write_file (const char *path, const uint8_t *data, size_t size)
{
  FILE *file = fopen (path, "w");

  if (file == NULL || fwrite (data, 1, size, file) != size || fclose (file) != 0)
    abort ();
}
