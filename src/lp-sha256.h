/* lp-sha256.h: streaming SHA-256 (GnuTLS), one pass, constant memory
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LP_SHA256_LEN 32
#define LP_SHA256_HEX_LEN 64

typedef struct _LpSha256 LpSha256;

LpSha256 *lp_sha256_new (void);
void lp_sha256_update (LpSha256 *self, const void *data, gsize len);
char *lp_sha256_finish_hex (LpSha256 *self);
void lp_sha256_free (LpSha256 *self);

char *lp_sha256_hex_of_stream (GInputStream *stream, guint64 *out_size, GCancellable *cancellable,
                               GError **error);
char *lp_sha256_hex_of_bytes (GBytes *bytes);
gboolean lp_sha256_hex_is_valid (const char *hex);
gboolean lp_sha256_hex_equal (const char *a, const char *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpSha256, lp_sha256_free)

G_END_DECLS
