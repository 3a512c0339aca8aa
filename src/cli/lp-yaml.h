/* lp-yaml.h: a small YAML emitter for JSON trees (status --format yaml)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Block-style YAML of @node, members in their insertion order, ending in a
 * newline. Strings are double-quoted whenever a plain scalar could be read
 * back as something else (a number, a bool, null, a key, a comment...). */
char *lp_yaml_from_json_node (JsonNode *node);

G_END_DECLS
