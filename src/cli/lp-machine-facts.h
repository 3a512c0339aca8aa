/* lp-machine-facts.h: CPU model, boot time and cloud of this machine, as the
 * reference client's status shows them
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lp-status-format.h"

G_BEGIN_DECLS

/* Reads /proc/cpuinfo, /proc/stat and cloud-init's
 * /run/cloud-init/instance-data.json; what cannot be read stays unknown
 * ("" or 0, not cloud-enabled). Never fails. */
LpMachineFacts *lp_machine_facts_read (void);

/* The same from explicit paths: @proc_dir holds cpuinfo and stat,
 * @instance_data is cloud-init's JSON (NULL: none). */
LpMachineFacts *lp_machine_facts_read_from (const char *proc_dir, const char *instance_data);

/* Fills the cloud members from cloud-init's instance data (v1.cloud_name,
 * v1.region, v1.availability_zone). Fails, leaving @facts unchanged, when
 * @json is not an object with a v1 object. */
gboolean lp_machine_facts_parse_cloud (LpMachineFacts *facts, const char *json, gssize length,
                                       GError **error);

void lp_machine_facts_free (LpMachineFacts *facts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpMachineFacts, lp_machine_facts_free)

G_END_DECLS
