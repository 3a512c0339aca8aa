/* lp-coverage-json.h: reading the coverage members of a check reply
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "lp-coverage.h"

G_BEGIN_DECLS

/* Reads the optional members "upgrade-required-date", "tier-description" and
 * "held-back" of a check reply. Any of them present but ill-formed fails with
 * LP_ERROR_SERVER naming it, prefixed with "@what: ". Names, notices and the
 * date are lp-text identifiers (refused with a control character); the
 * description is prose (control characters become U+FFFD). */
LpCoverage *lp_coverage_parse (JsonObject *reply, const char *what, GError **error);

G_END_DECLS
