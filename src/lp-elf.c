/* lp-elf.c: the name a kernel module gives itself, from its section table
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-elf"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "lp-elf.h"
#include "lp-error.h"
#include "lp-module-name.h"

#define LP_ELF_THIS_MODULE ".gnu.linkonce.this_module"
#define LP_ELF_MODINFO ".modinfo"
#define LP_ELF_ET_REL 1
#define LP_ELF_SHT_NULL 0
#define LP_ELF_SHT_NOBITS 8
#define LP_ELF_SHF_ALLOC 0x2

/* Where the image is: in memory, or (data == NULL) in a file read with pread(). */
typedef struct
{
  const guint8 *data;
  int fd;
  guint64 len;
  gboolean is64;
  gboolean big_endian;
  guint64 shstrtab_offset;
  guint64 shstrtab_size;
} LpElf;

typedef struct
{
  guint32 name;
  guint32 type;
  guint64 flags;
  guint64 offset;
  guint64 size;
} LpElfSection;

/* struct module begins with "enum module_state state; struct list_head
 * list; char name[MODULE_NAME_LEN];" and MODULE_NAME_LEN is
 * 64 - sizeof (unsigned long). */
#define LP_ELF_NAME_OFFSET(is64) ((is64) ? 24 : 12)
#define LP_ELF_NAME_LEN(is64) ((is64) ? 56 : 60)

static gboolean G_GNUC_PRINTF (2, 3) elf_fail (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  lp_error_failv (error, LP_ERROR_INVALID_ARCHIVE, "module ELF: ", format, args);
  va_end (args);
  return FALSE;
}

static gboolean
elf_pread (int fd, guint8 *buf, gsize n, guint64 offset, GError **error)
{
  while (n > 0)
    {
      ssize_t got = pread (fd, buf, n, (off_t) offset);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return elf_fail (error, "cannot read the module: %s",
                         got < 0 ? g_strerror (errno) : "it shrank while being read");
      buf += got;
      n -= (gsize) got;
      offset += (guint64) got;
    }
  return TRUE;
}

/* Every read of the image passes here: [offset, offset + n) must lie inside it. */
static gboolean
elf_read (LpElf *elf, guint64 offset, gsize n, guint8 *buf, const char *what, GError **error)
{
  if (offset > elf->len || n > elf->len - offset)
    return elf_fail (error,
                     "%s (%" G_GSIZE_FORMAT " bytes at offset %" G_GUINT64_FORMAT
                     ") is outside the %" G_GUINT64_FORMAT "-byte image",
                     what, n, offset, elf->len);
  if (elf->data != NULL)
    {
      memcpy (buf, elf->data + offset, n);
      return TRUE;
    }
  return elf_pread (elf->fd, buf, n, offset, error);
}

static guint64
elf_get (LpElf *elf, const guint8 *p, guint size)
{
  guint64 v = 0;

  for (guint i = 0; i < size; i++)
    {
      guint byte = elf->big_endian ? i : size - 1 - i;
      v = (v << 8) | p[byte];
    }
  return v;
}

typedef struct
{
  guint64 shoff;
  guint shnum;
  guint shstrndx;
} LpElfHeader;

static gboolean
elf_check_ident (LpElf *elf, const guint8 *ident, GError **error)
{
  if (memcmp (ident, "\177ELF", 4) != 0)
    return elf_fail (error, "not an ELF file");
  if (ident[4] != 1 && ident[4] != 2)
    return elf_fail (error, "unknown ELF class %u", ident[4]);
  if (ident[5] != 1 && ident[5] != 2)
    return elf_fail (error, "unknown byte order %u", ident[5]);
  if (ident[6] != 1)
    return elf_fail (error, "unknown ELF version %u", ident[6]);
  elf->is64 = ident[4] == 2;
  elf->big_endian = ident[5] == 2;
  return TRUE;
}

static gboolean
elf_read_header (LpElf *elf, LpElfHeader *h, GError **error)
{
  guint8 buf[64];
  guint shentsize;

  if (!elf_read (elf, 0, 16, buf, "the ELF identification", error) ||
      !elf_check_ident (elf, buf, error) ||
      !elf_read (elf, 0, elf->is64 ? 64 : 52, buf, "the ELF header", error))
    return FALSE;
  if (elf_get (elf, buf + 16, 2) != LP_ELF_ET_REL)
    return elf_fail (error, "not a relocatable object (e_type %u)",
                     (guint) elf_get (elf, buf + 16, 2));
  h->shoff = elf->is64 ? elf_get (elf, buf + 40, 8) : elf_get (elf, buf + 32, 4);
  shentsize = elf_get (elf, buf + (elf->is64 ? 58 : 46), 2);
  h->shnum = elf_get (elf, buf + (elf->is64 ? 60 : 48), 2);
  h->shstrndx = elf_get (elf, buf + (elf->is64 ? 62 : 50), 2);
  if (shentsize != (elf->is64 ? 64u : 40u))
    return elf_fail (error, "section header size %u is not the standard one", shentsize);
  if (h->shnum == 0)
    return elf_fail (error, "no section table");
  if (h->shstrndx == 0 || h->shstrndx >= h->shnum)
    return elf_fail (error, "section name table index %u is not a section", h->shstrndx);
  return TRUE;
}

static void
elf_parse_section (LpElf *elf, const guint8 *p, LpElfSection *s)
{
  s->name = elf_get (elf, p, 4);
  s->type = elf_get (elf, p + 4, 4);
  s->flags = elf->is64 ? elf_get (elf, p + 8, 8) : elf_get (elf, p + 8, 4);
  s->offset = elf->is64 ? elf_get (elf, p + 24, 8) : elf_get (elf, p + 16, 4);
  s->size = elf->is64 ? elf_get (elf, p + 32, 8) : elf_get (elf, p + 20, 4);
}

/* As the kernel's ELF validity checks: section 0 is empty, and what each
 * other section holds in the file lies inside the image. */
static gboolean
elf_check_section (LpElf *elf, guint index, const LpElfSection *s, GError **error)
{
  if (index == 0)
    return s->type == LP_ELF_SHT_NULL && s->size == 0
               ? TRUE
               : elf_fail (error, "section 0 is not the empty section");
  if (s->type == LP_ELF_SHT_NULL || s->type == LP_ELF_SHT_NOBITS)
    return TRUE;
  if (s->offset > elf->len || s->size > elf->len - s->offset)
    return elf_fail (error,
                     "section %u (%" G_GUINT64_FORMAT " bytes at offset %" G_GUINT64_FORMAT
                     ") is outside the %" G_GUINT64_FORMAT "-byte image",
                     index, s->size, s->offset, elf->len);
  return TRUE;
}

static gboolean
elf_read_sections (LpElf *elf, const LpElfHeader *h, LpElfSection **out, GError **error)
{
  gsize entsize = elf->is64 ? 64 : 40;
  g_autofree guint8 *table = NULL;
  g_autofree LpElfSection *sections = g_new0 (LpElfSection, h->shnum);

  /* shnum < 2^16 and entsize <= 64: the product cannot overflow. */
  if (h->shoff > elf->len || (guint64) h->shnum * entsize > elf->len - h->shoff)
    return elf_fail (error,
                     "the section table (%u entries at offset %" G_GUINT64_FORMAT
                     ") is outside the %" G_GUINT64_FORMAT "-byte image",
                     h->shnum, h->shoff, elf->len);
  table = g_malloc (h->shnum * entsize);
  if (!elf_read (elf, h->shoff, h->shnum * entsize, table, "the section table", error))
    return FALSE;
  for (guint i = 0; i < h->shnum; i++)
    {
      elf_parse_section (elf, table + i * entsize, &sections[i]);
      if (!elf_check_section (elf, i, &sections[i], error))
        return FALSE;
    }
  *out = g_steal_pointer (&sections);
  return TRUE;
}

static gboolean
elf_set_name_table (LpElf *elf, const LpElfSection *s, GError **error)
{
  guint8 last;

  if (s->type == LP_ELF_SHT_NOBITS || s->size == 0)
    return elf_fail (error, "the section name table is empty");
  if (!elf_read (elf, s->offset + s->size - 1, 1, &last, "the section name table", error))
    return FALSE;
  if (last != '\0')
    return elf_fail (error, "the section name table does not end in NUL");
  elf->shstrtab_offset = s->offset;
  elf->shstrtab_size = s->size;
  return TRUE;
}

/* Whether section @s is called @wanted; a name outside the table is an error. */
static gboolean
elf_section_is (LpElf *elf, const LpElfSection *s, const char *wanted, gboolean *out,
                GError **error)
{
  guint8 buf[32];
  gsize n = strlen (wanted) + 1;

  g_assert (n <= sizeof buf);
  *out = FALSE;
  if (s->name >= elf->shstrtab_size)
    return elf_fail (error, "a section name is outside the section name table");
  /* The table ends in NUL: a shorter name stops inside it. */
  n = MIN (n, elf->shstrtab_size - s->name);
  if (!elf_read (elf, elf->shstrtab_offset + s->name, n, buf, "a section name", error))
    return FALSE;
  *out = memcmp (buf, wanted, n) == 0 && buf[n - 1] == '\0';
  return TRUE;
}

/* Like the kernel's find_sec(): allocated sections only; and at most one. */
static gboolean
elf_find (LpElf *elf, const LpElfSection *sections, guint n, const char *wanted,
          const LpElfSection **out, GError **error)
{
  *out = NULL;
  for (guint i = 1; i < n; i++)
    {
      gboolean match = FALSE;

      if (!(sections[i].flags & LP_ELF_SHF_ALLOC))
        continue;
      if (!elf_section_is (elf, &sections[i], wanted, &match, error))
        return FALSE;
      if (match && *out != NULL)
        return elf_fail (error, "more than one %s section", wanted);
      if (match)
        *out = &sections[i];
    }
  return TRUE;
}

static char *
elf_this_module_name (LpElf *elf, const LpElfSection *s, GError **error)
{
  guint8 name[64];
  gsize len = LP_ELF_NAME_LEN (elf->is64);
  guint64 at = LP_ELF_NAME_OFFSET (elf->is64);

  if (s == NULL)
    {
      elf_fail (error, "no " LP_ELF_THIS_MODULE " section");
      return NULL;
    }
  if (s->type == LP_ELF_SHT_NOBITS || s->size < at + len)
    {
      elf_fail (error, LP_ELF_THIS_MODULE " is too small for struct module");
      return NULL;
    }
  if (!elf_read (elf, s->offset + at, len, name, LP_ELF_THIS_MODULE, error))
    return NULL;
  if (memchr (name, '\0', len) == NULL)
    {
      elf_fail (error, "the name in " LP_ELF_THIS_MODULE " is not NUL-terminated");
      return NULL;
    }
  return g_strdup ((const char *) name);
}

/* name= of .modinfo (*out NULL when it has none). */
static gboolean
elf_modinfo_name (LpElf *elf, const LpElfSection *s, char **out, GError **error)
{
  g_autofree char *info = NULL;
  g_autofree char *found = NULL;

  *out = NULL;
  if (s == NULL || s->type == LP_ELF_SHT_NOBITS || s->size == 0)
    return TRUE;
  if (s->size > LP_ELF_MAX_MODINFO)
    return elf_fail (error, LP_ELF_MODINFO " is larger than %d bytes", LP_ELF_MAX_MODINFO);
  info = g_malloc (s->size);
  if (!elf_read (elf, s->offset, s->size, (guint8 *) info, LP_ELF_MODINFO, error))
    return FALSE;
  if (info[s->size - 1] != '\0')
    return elf_fail (error, LP_ELF_MODINFO " does not end in NUL");
  for (const char *p = info; p < info + s->size; p += strlen (p) + 1)
    {
      if (!g_str_has_prefix (p, "name="))
        continue;
      if (found != NULL)
        return elf_fail (error, LP_ELF_MODINFO " has more than one name=");
      found = g_strdup (p + 5);
    }
  *out = g_steal_pointer (&found);
  return TRUE;
}

static char *
elf_get_module_name (LpElf *elf, GError **error)
{
  LpElfHeader h = { 0 };
  g_autofree LpElfSection *sections = NULL;
  const LpElfSection *this_module = NULL, *modinfo = NULL;
  g_autofree char *name = NULL;
  g_autofree char *info_name = NULL;
  g_autoptr (GError) name_error = NULL;

  if (!elf_read_header (elf, &h, error) || !elf_read_sections (elf, &h, &sections, error) ||
      !elf_set_name_table (elf, &sections[h.shstrndx], error) ||
      !elf_find (elf, sections, h.shnum, LP_ELF_THIS_MODULE, &this_module, error) ||
      !elf_find (elf, sections, h.shnum, LP_ELF_MODINFO, &modinfo, error))
    return NULL;
  name = elf_this_module_name (elf, this_module, error);
  if (name == NULL)
    return NULL;
  if (!lp_module_name_check (name, &name_error))
    {
      elf_fail (error, "%s", name_error->message);
      return NULL;
    }
  if (!elf_modinfo_name (elf, modinfo, &info_name, error))
    return NULL;
  if (info_name != NULL && g_strcmp0 (info_name, name) != 0)
    {
      g_autofree char *shown = g_strescape (info_name, NULL);

      elf_fail (error,
                LP_ELF_THIS_MODULE " names the module %s but " LP_ELF_MODINFO " says name=%.80s",
                name, shown);
      return NULL;
    }
  return g_steal_pointer (&name);
}

char *
lp_elf_get_module_name (const guint8 *data, gsize len, GError **error)
{
  LpElf elf = { .data = data, .fd = -1, .len = len };

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (data == NULL)
    {
      elf_fail (error, "not an ELF file");
      return NULL;
    }
  return elf_get_module_name (&elf, error);
}

char *
lp_elf_get_module_name_fd (int fd, guint64 len, GError **error)
{
  LpElf elf = { .data = NULL, .fd = fd, .len = len };

  return elf_get_module_name (&elf, error);
}
