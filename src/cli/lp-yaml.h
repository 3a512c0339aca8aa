/* lp-yaml.h: YAML scalars and blocks for status --format yaml and config
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @value written plain would read back as something other than
 * that string: empty, a number, a bool or null, a YAML 1.1 timestamp, or
 * text with indicators, ": ", " #", controls or edge spaces. */
gboolean lp_yaml_needs_quotes (const char *value);

/* Appends @value as a scalar: plain when it reads back as the same string,
 * double-quoted with escapes otherwise (as Go's YAML encoder, which the
 * reference client uses, does). */
void lp_yaml_append_scalar (GString *out, const char *value);

/* "<indent>key: value\n", value as lp_yaml_append_scalar() writes it */
void lp_yaml_append_pair (GString *out, guint indent, const char *key, const char *value);

/* "<indent>key: <raw>\n": @raw is written as is (true, 60, ...) */
void lp_yaml_append_raw (GString *out, guint indent, const char *key, const char *raw);

/* "<indent>key: |-" and each line of @text indented two more columns; an
 * empty @text gives "key: \"\"". */
void lp_yaml_append_literal (GString *out, guint indent, const char *key, const char *text);

G_END_DECLS
