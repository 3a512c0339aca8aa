/* lp-baked-certs.h: certificates compiled into the binary at build time
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Module signing certificates (meson option module_certs), PEM, never empty. */
extern const char lp_baked_module_certs_pem[];
/* Extra TLS trust anchors (meson option tls_certs_dir), PEM, may be "". */
extern const char lp_baked_tls_certs_pem[];
