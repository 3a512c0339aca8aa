/* test-elf.c: the module name read from a module's ELF image (lp-elf.c)
 *
 * Images are built here, field by field: a valid relocatable object in each
 * class and byte order, then one defect at a time, each refused with its
 * exact LP_ERROR_INVALID_ARCHIVE message, never read out of bounds.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "lp-elf.h"
#include "lp-error.h"

#define SHT_PROGBITS 1
#define SHT_STRTAB 3
#define SHT_NOBITS 8
#define SHF_WRITE 1
#define SHF_ALLOC 2

enum
{
  SEC_NULL,
  SEC_MODINFO,
  SEC_THIS_MODULE,
  SEC_SHSTRTAB,
  N_SECTIONS
};

/* What goes into an image; tests change one thing before building it. */
typedef struct
{
  gboolean is64;
  gboolean big;
  const char *name;    /* in struct module */
  const char *modinfo; /* "a=b|c=d": '|' becomes NUL; NULL = no name= entry */
  gsize this_module_size;
  guint32 this_module_flags;
} ElfSpec;

/* A built image and where its fields are, for tests that break them. */
typedef struct
{
  GByteArray *bytes;
  gboolean is64;
  gboolean big;
  gsize shoff;
  gsize sec_offset[N_SECTIONS];
} ElfImage;

static void
put (ElfImage *img, gsize at, guint size, guint64 value)
{
  g_assert_cmpuint (at + size, <=, img->bytes->len);
  for (guint i = 0; i < size; i++)
    {
      guint shift = 8 * (img->big ? size - 1 - i : i);
      img->bytes->data[at + i] = (value >> shift) & 0xff;
    }
}

static gsize
entsize (const ElfImage *img)
{
  return img->is64 ? 64 : 40;
}

/* Offsets of fields in a section header. */
static gsize
sh_field (const ElfImage *img, guint index, const char *field)
{
  gsize base = img->shoff + index * entsize (img);

  if (g_str_equal (field, "name"))
    return base;
  if (g_str_equal (field, "type"))
    return base + 4;
  if (g_str_equal (field, "flags"))
    return base + 8;
  if (g_str_equal (field, "offset"))
    return base + (img->is64 ? 24 : 16);
  g_assert (g_str_equal (field, "size"));
  return base + (img->is64 ? 32 : 20);
}

static void
put_sh (ElfImage *img, guint index, const char *field, guint64 value)
{
  gboolean wide = img->is64 && !g_str_equal (field, "name") && !g_str_equal (field, "type");

  put (img, sh_field (img, index, field), wide ? 8 : 4, value);
}

static gsize
append (ElfImage *img, const void *data, gsize len)
{
  gsize at = img->bytes->len;

  g_byte_array_append (img->bytes, data, len);
  return at;
}

static gsize
append_zero (ElfImage *img, gsize len)
{
  g_autofree guint8 *zero = g_malloc0 (len);

  return append (img, zero, len);
}

static const char shstrtab[] = "\0.modinfo\0.gnu.linkonce.this_module\0.shstrtab";
static const guint32 sh_names[N_SECTIONS] = { 0, 1, 10, 36 };

static void
put_header (ElfImage *img)
{
  guint8 ident[16] = { 0x7f, 'E', 'L', 'F', img->is64 ? 2 : 1, img->big ? 2 : 1, 1 };

  memcpy (img->bytes->data, ident, sizeof ident);
  put (img, 16, 2, 1); /* ET_REL */
  put (img, 18, 2, 62);
  put (img, 20, 4, 1);
  put (img, img->is64 ? 40 : 32, img->is64 ? 8 : 4, img->shoff);
  put (img, img->is64 ? 52 : 40, 2, img->is64 ? 64 : 52);
  put (img, img->is64 ? 58 : 46, 2, entsize (img));
  put (img, img->is64 ? 60 : 48, 2, N_SECTIONS);
  put (img, img->is64 ? 62 : 50, 2, SEC_SHSTRTAB);
}

static void
put_section (ElfImage *img, guint i, guint32 type, guint32 flags, gsize size)
{
  put_sh (img, i, "name", sh_names[i]);
  put_sh (img, i, "type", type);
  put_sh (img, i, "flags", flags);
  put_sh (img, i, "offset", img->sec_offset[i]);
  put_sh (img, i, "size", size);
}

static ElfImage *
build (const ElfSpec *spec)
{
  ElfImage *img = g_new0 (ElfImage, 1);
  g_autofree char *modinfo = g_strdup (spec->modinfo != NULL ? spec->modinfo : "license=GPL");
  gsize modinfo_len = strlen (modinfo) + 1;
  gsize name_at = spec->is64 ? 24 : 12;

  g_strdelimit (modinfo, "|", '\0');
  img->bytes = g_byte_array_new ();
  img->is64 = spec->is64;
  img->big = spec->big;
  append_zero (img, spec->is64 ? 64 : 52);
  img->sec_offset[SEC_MODINFO] = append (img, modinfo, modinfo_len);
  img->sec_offset[SEC_THIS_MODULE] = append_zero (img, spec->this_module_size);
  if (spec->this_module_size >= name_at + 1)
    memcpy (img->bytes->data + img->sec_offset[SEC_THIS_MODULE] + name_at, spec->name,
            MIN (strlen (spec->name), spec->this_module_size - name_at));
  img->sec_offset[SEC_SHSTRTAB] = append (img, shstrtab, sizeof shstrtab);
  img->shoff = append_zero (img, N_SECTIONS * entsize (img));
  put_header (img);
  put_section (img, SEC_MODINFO, SHT_PROGBITS, SHF_ALLOC, modinfo_len);
  put_section (img, SEC_THIS_MODULE, SHT_PROGBITS, spec->this_module_flags, spec->this_module_size);
  put_section (img, SEC_SHSTRTAB, SHT_STRTAB, 0, sizeof shstrtab);
  return img;
}

static void
elf_image_free (ElfImage *img)
{
  g_byte_array_unref (img->bytes);
  g_free (img);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ElfImage, elf_image_free)

static ElfSpec
good_spec (gboolean is64, gboolean big)
{
  ElfSpec spec = { is64,
                   big,
                   "lkp_Test_57_3",
                   "license=GPL|name=lkp_Test_57_3|livepatch=Y",
                   is64 ? 24 + 56 + 600 : 12 + 60 + 300,
                   SHF_ALLOC | SHF_WRITE };
  return spec;
}

static char *
name_of (ElfImage *img, GError **error)
{
  return lp_elf_get_module_name (img->bytes->data, img->bytes->len, error);
}

static void
assert_refused (ElfImage *img, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = name_of (img, &error);

  g_assert_null (name);
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE);
  g_assert_cmpstr (error->message, ==, message);
}

/* Every class and byte order; the modinfo name may be absent. */
static void
test_name_each_layout (void)
{
  for (guint i = 0; i < 4; i++)
    {
      ElfSpec spec = good_spec (i & 1, i & 2);
      g_autoptr (ElfImage) img = build (&spec);
      g_autoptr (ElfImage) bare = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *name = name_of (img, &error);
      g_autofree char *bare_name = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, "lkp_Test_57_3");
      spec.modinfo = "license=GPL";
      bare = build (&spec);
      bare_name = name_of (bare, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (bare_name, ==, "lkp_Test_57_3");
    }
}

/* Any image cut short is refused: the section table comes last. */
static void
test_reject_every_truncation (void)
{
  ElfSpec spec = good_spec (TRUE, FALSE);
  g_autoptr (ElfImage) img = build (&spec);

  for (gsize len = 0; len < img->bytes->len; len++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *copy = g_memdup2 (img->bytes->data, len + 1);
      g_autofree char *name = lp_elf_get_module_name (copy, len, &error);

      g_assert_null (name);
      g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE);
    }
}

typedef void (*Breaker) (ElfImage *img);

static void
break_magic (ElfImage *img)
{
  img->bytes->data[1] = 'X';
}
static void
break_class (ElfImage *img)
{
  img->bytes->data[4] = 3;
}
static void
break_order (ElfImage *img)
{
  img->bytes->data[5] = 0;
}
static void
break_version (ElfImage *img)
{
  img->bytes->data[6] = 0;
}
static void
break_type (ElfImage *img)
{
  put (img, 16, 2, 3); /* ET_DYN */
}
static void
break_entsize (ElfImage *img)
{
  put (img, 58, 2, 56);
}
static void
break_shnum (ElfImage *img)
{
  put (img, 60, 2, 0);
}
static void
break_shstrndx (ElfImage *img)
{
  put (img, 62, 2, N_SECTIONS);
}
static void
break_shoff (ElfImage *img)
{
  put (img, 40, 8, G_MAXUINT64 - 8);
}
static void
break_section_overflow (ElfImage *img)
{
  put_sh (img, SEC_MODINFO, "offset", 16);
  put_sh (img, SEC_MODINFO, "size", G_MAXUINT64 - 8);
}
static void
break_section_zero (ElfImage *img)
{
  put_sh (img, SEC_NULL, "size", 4);
}
static void
break_strtab_end (ElfImage *img)
{
  put_sh (img, SEC_SHSTRTAB, "size", sizeof shstrtab - 5);
}
static void
break_strtab_nobits (ElfImage *img)
{
  put_sh (img, SEC_SHSTRTAB, "type", SHT_NOBITS);
}
static void
break_name_index (ElfImage *img)
{
  put_sh (img, SEC_MODINFO, "name", 4096);
}
static void
break_not_alloc (ElfImage *img)
{
  put_sh (img, SEC_THIS_MODULE, "flags", SHF_WRITE);
}
static void
break_twice (ElfImage *img)
{
  put_sh (img, SEC_MODINFO, "name", sh_names[SEC_THIS_MODULE]);
}
static void
break_small (ElfImage *img)
{
  put_sh (img, SEC_THIS_MODULE, "size", 24 + 55);
}
static void
break_nobits (ElfImage *img)
{
  put_sh (img, SEC_THIS_MODULE, "type", SHT_NOBITS);
}
static void
break_unterminated (ElfImage *img)
{
  memset (img->bytes->data + img->sec_offset[SEC_THIS_MODULE] + 24, 'a', 56);
}
static void
break_modinfo_end (ElfImage *img)
{
  put_sh (img, SEC_MODINFO, "size", 5);
}

static const struct
{
  const char *path;
  Breaker breaker;
  const char *message;
} broken[] = {
  { "magic", break_magic, "module ELF: not an ELF file" },
  { "class", break_class, "module ELF: unknown ELF class 3" },
  { "byte-order", break_order, "module ELF: unknown byte order 0" },
  { "version", break_version, "module ELF: unknown ELF version 0" },
  { "not-relocatable", break_type, "module ELF: not a relocatable object (e_type 3)" },
  { "section-header-size", break_entsize,
    "module ELF: section header size 56 is not the standard one" },
  { "no-sections", break_shnum, "module ELF: no section table" },
  { "name-table-index", break_shstrndx, "module ELF: section name table index 4 is not a section" },
  { "table-offset-overflow", break_shoff,
    "module ELF: the section table (4 entries at offset 18446744073709551607) is outside the "
    "1089-byte image" },
  { "section-size-overflow", break_section_overflow,
    "module ELF: section 1 (18446744073709551607 bytes at offset 16) is outside the 1089-byte "
    "image" },
  { "section-zero-not-empty", break_section_zero,
    "module ELF: section 0 is not the empty section" },
  { "name-table-unterminated", break_strtab_end,
    "module ELF: the section name table does not end in NUL" },
  { "name-table-nobits", break_strtab_nobits, "module ELF: the section name table is empty" },
  { "name-outside-table", break_name_index,
    "module ELF: a section name is outside the section name table" },
  { "this-module-not-allocated", break_not_alloc,
    "module ELF: no .gnu.linkonce.this_module section" },
  { "this-module-twice", break_twice,
    "module ELF: more than one .gnu.linkonce.this_module section" },
  { "this-module-too-small", break_small,
    "module ELF: .gnu.linkonce.this_module is too small for struct module" },
  { "this-module-nobits", break_nobits,
    "module ELF: .gnu.linkonce.this_module is too small for struct module" },
  { "name-unterminated", break_unterminated,
    "module ELF: the name in .gnu.linkonce.this_module is not NUL-terminated" },
  { "modinfo-unterminated", break_modinfo_end, "module ELF: .modinfo does not end in NUL" },
};

static void
test_reject_broken (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  ElfSpec spec = good_spec (TRUE, FALSE);
  g_autoptr (ElfImage) img = build (&spec);

  g_assert_cmpuint (img->bytes->len, ==, 1089);
  broken[i].breaker (img);
  assert_refused (img, broken[i].message);
}

/* The kernel's name and kmod's must be the same module. */
static void
test_reject_modinfo_disagrees (void)
{
  ElfSpec spec = good_spec (FALSE, TRUE);
  g_autoptr (ElfImage) img = NULL;
  g_autoptr (ElfImage) twice = NULL;

  spec.modinfo = "license=GPL|name=lkp_Other";
  img = build (&spec);
  assert_refused (img, "module ELF: .gnu.linkonce.this_module names the module lkp_Test_57_3 but "
                       ".modinfo says name=lkp_Other");
  spec.modinfo = "name=lkp_Test_57_3|name=lkp_Test_57_3";
  twice = build (&spec);
  assert_refused (twice, "module ELF: .modinfo has more than one name=");
}

/* A name the kernel's rules forbid (here one that looks like a temporary
 * file) never leaves the parser. */
static void
test_reject_invalid_name (void)
{
  const char *names[] = { "lkp_Test.abcdef", "lkp-57", "", "../x" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ElfSpec spec = good_spec (TRUE, TRUE);
      g_autoptr (ElfImage) img = NULL;
      g_autofree char *expected = g_strdup_printf (
          "module ELF: invalid module name \"%s\": a module name is 1 to 55 letters, digits or '_'",
          names[i]);

      spec.name = names[i];
      spec.modinfo = NULL;
      img = build (&spec);
      assert_refused (img, expected);
    }
}

/* The fd reader sees only the first @len bytes: what the signature covers. */
static void
test_fd_reads_only_len (void)
{
  ElfSpec spec = good_spec (TRUE, FALSE);
  g_autoptr (ElfImage) img = build (&spec);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "lp-test-elf-XXXXXX", NULL);
  g_autofree char *name = NULL;
  g_autofree char *cut = NULL;
  int fd = g_mkstemp (path);

  g_assert_cmpint (fd, >=, 0);
  g_unlink (path);
  g_assert_cmpint (write (fd, img->bytes->data, img->bytes->len), ==, img->bytes->len);
  g_assert_cmpint (write (fd, "~Module signature appended~\n", 28), ==, 28);
  name = lp_elf_get_module_name_fd (fd, img->bytes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "lkp_Test_57_3");
  g_assert_cmpint (lseek (fd, 0, SEEK_CUR), ==, img->bytes->len + 28);
  cut = lp_elf_get_module_name_fd (fd, img->bytes->len - 1, &error);
  g_assert_null (cut);
  g_assert_error (error, LP_ERROR, LP_ERROR_INVALID_ARCHIVE);
  g_assert_cmpstr (error->message, ==,
                   "module ELF: the section table (4 entries at offset 833) is outside the "
                   "1088-byte image");
  close (fd);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/elf/name-each-class-and-byte-order", test_name_each_layout);
  g_test_add_func ("/elf/reject-every-truncation", test_reject_every_truncation);
  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autofree char *path = g_strdup_printf ("/elf/reject-%s", broken[i].path);
      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_reject_broken);
    }
  g_test_add_func ("/elf/reject-modinfo-disagrees", test_reject_modinfo_disagrees);
  g_test_add_func ("/elf/reject-invalid-module-name", test_reject_invalid_name);
  g_test_add_func ("/elf/fd-reads-only-signed-length", test_fd_reads_only_len);
  return g_test_run ();
}
