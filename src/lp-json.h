/* lp-json.h: the one way this project parses JSON it did not write itself
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "lp-error.h"

G_BEGIN_DECLS

/* Arrays and objects nested deeper than this are refused before json-glib,
 * whose parser recurses once per level, sees the bytes: 200 KB of "[" would
 * otherwise overflow the stack. No document of the protocol or of
 * patch.json comes close (they nest 3 levels). */
#define LP_JSON_MAX_DEPTH 32

/* Parses @len bytes of @data (not NUL-terminated; NULL with @len 0 is
 * empty). Refused, with an LP_ERROR of @code and these messages:
 *   "not UTF-8 text"                  a NUL byte or invalid UTF-8
 *   "nested deeper than 32 levels"    more than LP_JSON_MAX_DEPTH
 *   "not valid JSON: a comment or single-quoted string at byte N"
 *                                     json-glib extensions, refused
 *   "not valid JSON: <where and why>" json-glib's complaint, control
 *                                     characters escaped
 *   "not valid JSON: empty document"
 * Callers add what the document was with g_prefix_error(). */
JsonNode *lp_json_parse (const char *data, gsize len, LpError code, GError **error);

/* The deepest nesting of arrays and objects in @data, counting only
 * brackets outside strings; stops counting at @limit + 1 and at the first
 * comment or single-quoted string. */
guint lp_json_nesting_depth (const char *data, gsize len, guint limit);

G_END_DECLS
