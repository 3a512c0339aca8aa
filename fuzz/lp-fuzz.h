/* lp-fuzz.h: what every libFuzzer harness shares
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* libFuzzer's entry points; declared here so -Wmissing-prototypes stays quiet. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Silences the expected warnings about bad input and makes criticals abort,
 * so a g_return_if_fail() reached by hostile input counts as a crash. */
void lp_fuzz_init (void);

/* Aborts unless @error is set in LP_ERROR with @code: a parser that fails
 * must fail with the code its header promises. */
void lp_fuzz_assert_error (const GError *error, int code);

/* A private directory for inputs that must live in files: in /dev/shm when
 * there is one, since a disk would make each run cost a file system sync. */
char *lp_fuzz_make_tmp_dir (const char *tmpl);

/* Writes @data to @path without fsync (g_file_set_contents may sync). */
void lp_fuzz_write_file (const char *path, const uint8_t *data, size_t size);

G_END_DECLS
