/* fuzz-config.c: libFuzzer harness for configuration values
 *
 * The first byte picks the key (every key of lp_config_list_keys), the rest
 * is the value.  With the high bit of that byte set the rest is instead
 * loaded as a whole configuration file, as the daemon does at start-up.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-fuzz"

#include "config.h"

#include <stdlib.h>

#include "lp-config.h"
#include "lp-error.h"
#include "lp-fuzz.h"

static char *lp_fuzz_config_path;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *dir = lp_fuzz_make_tmp_dir ("lp-fuzz-config-XXXXXX");

  lp_fuzz_init ();
  lp_fuzz_config_path = g_build_filename (dir, "config", NULL);
  return 0;
}

static void
lp_fuzz_validate_value (guint8 selector, const char *value)
{
  const char *const *keys = lp_config_list_keys ();
  g_autoptr (GError) error = NULL;
  guint n_keys = g_strv_length ((char **) keys);

  if (!lp_config_validate (keys[selector % n_keys], value, &error))
    lp_fuzz_assert_error (error, LP_ERROR_INVALID_ARGUMENT);
}

static void
lp_fuzz_load_file (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpConfig) config = NULL;
  g_autoptr (GHashTable) dump = NULL;

  lp_fuzz_write_file (lp_fuzz_config_path, data, size);
  config = lp_config_new (lp_fuzz_config_path, &error);
  if (config == NULL)
    return;
  /* Whatever a file held, what was loaded must be complete. */
  dump = lp_config_dump (config);
  if (g_hash_table_size (dump) != g_strv_length ((char **) lp_config_list_keys ()))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *value = NULL;

  if (size == 0)
    return 0;
  if (data[0] & 0x80)
    {
      lp_fuzz_load_file (data + 1, size - 1);
      return 0;
    }
  /* D-Bus strings hold no NUL, so neither does a value. */
  value = g_strndup ((const char *) data + 1, size - 1);
  lp_fuzz_validate_value (data[0], value);
  return 0;
}
