/* lp-elf.h: the name a kernel module gives itself, read from its ELF image
 *
 * The kernel registers a module (and its livepatch) under the name in the
 * module's own struct module, the section ".gnu.linkonce.this_module"
 * (kernel/module/main.c, setup_load_info()); modpost also writes "name=" in
 * ".modinfo", which kmod shows. Both are inside the signed bytes, unlike
 * patch.json. This reader takes the name from .gnu.linkonce.this_module, as
 * the kernel does, and requires .modinfo's name=, when present, to agree.
 *
 * Parsing is strict and bounded: ELF32 or ELF64, either byte order, a
 * relocatable object (ET_REL, as the kernel requires), a section table of
 * standard entry size inside the image, every section with file contents
 * inside the image (no offset + size overflow), section names inside a
 * NUL-terminated name table, each of the two sections at most once. Every
 * refusal is LP_ERROR_INVALID_ARCHIVE "module ELF: ..."; nothing is read
 * outside [0, @len).
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest .modinfo section read (real ones are a few KiB). */
#define LP_ELF_MAX_MODINFO (1024 * 1024)

/* The module name of the ELF image @data[0..@len), which also keeps the
 * rules of lp-module-name.h. */
char *lp_elf_get_module_name (const guint8 *data, gsize len, GError **error);

/* The same for the first @len bytes of the open file @fd (for a signed
 * module: the signed bytes, without the appended signature), read with
 * pread() in small pieces: the file offset is left alone. */
char *lp_elf_get_module_name_fd (int fd, guint64 len, GError **error);

G_END_DECLS
