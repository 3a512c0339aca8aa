/* lp-test-corpus.h: the verify suite's generated corpus and sandbox checks
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Runs gen-corpus.py once (shared between test programs) and returns its
 * directory; aborts the test program when generation fails. */
const char *lp_test_corpus_dir (void);
/* The cases of one area ("modsig", "archive", "patch"): JsonObject each. */
GPtrArray *lp_test_corpus_load (const char *area);
char *lp_test_corpus_path (const char *area, JsonObject *entry);
/* The LpError of the case's "error" nick; FALSE when the case must pass. */
gboolean lp_test_corpus_expected_error (JsonObject *entry, int *out_code);

/* A fresh directory for one test, removed by lp_test_rmtree. */
char *lp_test_make_tempdir (void);
void lp_test_rmtree (const char *path);
/* Names in @dir (sorted, NULL-terminated). */
GStrv lp_test_list_dir (const char *dir);
void lp_test_assert_dir_empty (const char *dir);

G_END_DECLS
