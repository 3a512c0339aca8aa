/* lp-cli-json.h: JSON text as the reference client prints it
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* @node indented by two spaces per level, members in insertion order,
 * "key": value (no space before the colon, as Go's encoder writes it),
 * ending in a newline. */
char *lp_cli_json_pretty (JsonNode *node);

/* @value as a quoted, escaped JSON string */
char *lp_cli_json_quote (const char *value);

G_END_DECLS
