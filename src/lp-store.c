/* lp-store.c: persistent state, written atomically, damaged files moved aside
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "lp-atomic-file.h"
#include "lp-error.h"
#include "lp-module-name.h"
#include "lp-redact.h"
#include "lp-store.h"

#define LP_STORE_GROUP "state"
#define LP_STORE_FORMAT 1

struct _LpStore
{
  GObject parent_instance;
  char *dir;
  char *machine_token;
  char *origin; /* of the server that issued machine_token */
  char *client_id;
  char *tier;
  char *supported;
  gint64 last_check;
  char *buggy_version; /* the server's verdict at the last check */
  char *patch_version;
  char *patch_module;
  char *patch_sha256;
  char *patch_file;
  GVariant *fixes;
};

G_DEFINE_TYPE (LpStore, lp_store, G_TYPE_OBJECT)

static gboolean
set_errno_error (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot %s %s: %s", what, path,
               g_strerror (errsv));
  return FALSE;
}

static char *
store_path (LpStore *self, const char *name)
{
  return g_build_filename (self->dir, name, NULL);
}

static gboolean
make_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    return set_errno_error (error, errno, "create", path);
  return TRUE;
}

static void
store_reset (LpStore *self)
{
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->tier, g_free);
  g_clear_pointer (&self->supported, g_free);
  g_clear_pointer (&self->buggy_version, g_free);
  self->last_check = 0;
  lp_store_clear_patch (self);
}

/* patch-file names a file under patches/: a plain name, never a path. */
static gboolean
check_file_name (const char *file, GError **error)
{
  if (file != NULL && *file != '\0' && *file != '.' && strchr (file, '/') == NULL)
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "patch file \"%s\" is not a plain file name",
               file != NULL ? file : "");
  return FALSE;
}

static char *
key_file_get_string (GKeyFile *kf, const char *key)
{
  return g_key_file_get_string (kf, LP_STORE_GROUP, key, NULL);
}

static gboolean
store_parse (LpStore *self, GKeyFile *kf, GError **error)
{
  g_autofree char *fixes = key_file_get_string (kf, "fixes");
  g_autoptr (GError) local_error = NULL;

  if (g_key_file_get_integer (kf, LP_STORE_GROUP, "format", &local_error) != LP_STORE_FORMAT)
    {
      g_set_error_literal (error, LP_ERROR, LP_ERROR_INTERNAL, "unknown or missing format");
      return FALSE;
    }
  if (fixes != NULL)
    {
      self->fixes = g_variant_parse (G_VARIANT_TYPE ("a(ssbs)"), fixes, NULL, NULL, error);
      /* g_variant_parse() returns a full, non-floating reference. */
      if (self->fixes == NULL)
        return FALSE;
    }
  self->client_id = key_file_get_string (kf, "client-id");
  self->tier = key_file_get_string (kf, "tier");
  self->supported = key_file_get_string (kf, "supported");
  self->last_check = g_key_file_get_int64 (kf, LP_STORE_GROUP, "last-check", NULL);
  self->buggy_version = key_file_get_string (kf, "buggy-version");
  self->patch_version = key_file_get_string (kf, "patch-version");
  self->patch_module = key_file_get_string (kf, "patch-module");
  self->patch_sha256 = key_file_get_string (kf, "patch-sha256");
  self->patch_file = key_file_get_string (kf, "patch-file");
  if (self->patch_file != NULL && !check_file_name (self->patch_file, error))
    return FALSE;
  if (self->patch_module != NULL && !lp_module_name_check (self->patch_module, error))
    return FALSE;
  return TRUE;
}

/* A state file nobody can parse must not keep the service down. */
static void
store_move_aside (LpStore *self, const char *path, const GError *why)
{
  g_autofree char *name =
      g_strdup_printf ("state.damaged-%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *aside = store_path (self, name);

  g_warning ("state file %s is damaged (%s); moved to %s, starting clean", path, why->message,
             aside);
  if (g_rename (path, aside) != 0)
    g_warning ("cannot move %s aside: %s", path, g_strerror (errno));
  store_reset (self);
}

static gboolean
store_load_state (LpStore *self, GError **error)
{
  g_autofree char *path = store_path (self, "state");
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      if (local_error->domain == G_FILE_ERROR)
        return set_errno_error (error, EIO, "read", path);
      store_move_aside (self, path, local_error);
      return TRUE;
    }
  if (!store_parse (self, kf, &local_error))
    store_move_aside (self, path, local_error);
  return TRUE;
}

static gboolean
store_load_token (LpStore *self, GError **error)
{
  g_autofree char *path = store_path (self, "machine-token");
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "%s", local_error->message);
      return FALSE;
    }
  /* "TOKEN\nORIGIN\n"; files written before origins were recorded hold
   * the token alone (the engine then records one, docs/SECURITY.md). */
  lines = g_strsplit (text, "\n", 3);
  g_strstrip (lines[0]);
  if (*lines[0] == '\0')
    return TRUE;
  self->machine_token = g_strdup (lines[0]);
  lp_redact_add_secret (self->machine_token);
  self->origin = g_strdup (lines[1] != NULL ? g_strstrip (lines[1]) : "");
  return TRUE;
}

/* A crash between writing a temporary file and renaming it leaves the
 * temporary file; the old content is intact, so it only needs deleting. */
static void
remove_temp_files (const char *dir_path, const char *const *bases)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      gboolean temp = bases == NULL && lp_atomic_file_is_temporary (name, NULL);

      for (guint i = 0; bases != NULL && bases[i] != NULL && !temp; i++)
        temp = lp_atomic_file_is_temporary (name, bases[i]);
      if (temp)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);

          g_message ("removing %s, left by an interrupted write", path);
          g_unlink (path);
        }
    }
}

LpStore *
lp_store_new (const char *dir, GError **error)
{
  /* Every file of the state directory written by lp_atomic_file_write(). */
  const char *const own_files[] = {
    "state", "machine-token", "config", "cve-data", "coverage", NULL
  };
  g_autoptr (LpStore) self = g_object_new (LP_TYPE_STORE, NULL);
  g_autofree char *patches = g_build_filename (dir, "patches", NULL);
  g_autofree char *locks = g_build_filename (dir, "locks", NULL);

  self->dir = g_strdup (dir);
  if (!make_dir (dir, error) || !make_dir (patches, error) || !make_dir (locks, error))
    return NULL;
  remove_temp_files (dir, own_files);
  remove_temp_files (locks, NULL);
  if (!store_load_state (self, error) || !store_load_token (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
lp_store_get_dir (LpStore *self)
{
  return self->dir;
}

const char *
lp_store_get_machine_token (LpStore *self)
{
  return self->machine_token;
}

const char *
lp_store_get_origin (LpStore *self)
{
  return self->machine_token != NULL && self->origin != NULL ? self->origin : "";
}

#define LP_STORE_STRING_GETTER(field)                                                              \
  const char *lp_store_get_##field (LpStore *self)                                                 \
  {                                                                                                \
    return self->field != NULL ? self->field : "";                                                 \
  }

LP_STORE_STRING_GETTER (client_id)
LP_STORE_STRING_GETTER (tier)
LP_STORE_STRING_GETTER (supported)
LP_STORE_STRING_GETTER (buggy_version)
LP_STORE_STRING_GETTER (patch_version)
LP_STORE_STRING_GETTER (patch_module)
LP_STORE_STRING_GETTER (patch_sha256)
LP_STORE_STRING_GETTER (patch_file)

gint64
lp_store_get_last_check (LpStore *self)
{
  return self->last_check;
}

GVariant *
lp_store_get_fixes (LpStore *self)
{
  if (self->fixes == NULL)
    self->fixes = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ssbs)"), NULL, 0));
  return self->fixes;
}

gboolean
lp_store_set_machine_token (LpStore *self, const char *token, const char *origin, GError **error)
{
  g_autofree char *path = store_path (self, "machine-token");
  g_autofree char *text = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *old_origin = NULL;

  g_return_val_if_fail (token == NULL || origin != NULL, FALSE);
  /* One file, so that a token is never stored with another server's origin. */
  if (token == NULL)
    {
      if (!lp_atomic_file_remove (path, error))
        return FALSE;
    }
  else
    {
      text = g_strdup_printf ("%s\n%s\n", token, origin);
      if (!lp_atomic_file_write (path, text, strlen (text), 0600, error))
        return FALSE;
    }
  /* @token and @origin may be the stored strings themselves: copy first. */
  old_token = g_steal_pointer (&self->machine_token);
  old_origin = g_steal_pointer (&self->origin);
  self->machine_token = g_strdup (token);
  self->origin = g_strdup (origin);
  lp_redact_add_secret (token);
  return TRUE;
}

void
lp_store_set_registration (LpStore *self, const char *client_id, const char *tier)
{
  g_free (self->client_id);
  self->client_id = g_strdup (client_id);
  g_free (self->tier);
  self->tier = g_strdup (tier);
}

void
lp_store_set_check (LpStore *self, gint64 last_check, const char *supported)
{
  self->last_check = last_check;
  g_free (self->supported);
  self->supported = g_strdup (supported);
}

void
lp_store_set_buggy_version (LpStore *self, const char *version)
{
  g_free (self->buggy_version);
  self->buggy_version = g_strdup (version);
}

void
lp_store_set_patch (LpStore *self, const char *version, const char *module, const char *sha256,
                    const char *file, GVariant *fixes)
{
  lp_store_clear_patch (self);
  self->patch_version = g_strdup (version);
  self->patch_module = g_strdup (module);
  self->patch_sha256 = g_strdup (sha256);
  self->patch_file = g_strdup (file);
  self->fixes = fixes != NULL ? g_variant_take_ref (fixes) : NULL;
}

void
lp_store_clear_patch (LpStore *self)
{
  g_clear_pointer (&self->patch_version, g_free);
  g_clear_pointer (&self->patch_module, g_free);
  g_clear_pointer (&self->patch_sha256, g_free);
  g_clear_pointer (&self->patch_file, g_free);
  g_clear_pointer (&self->fixes, g_variant_unref);
}

static void
key_file_set_optional (GKeyFile *kf, const char *key, const char *value)
{
  if (value != NULL && *value != '\0')
    g_key_file_set_string (kf, LP_STORE_GROUP, key, value);
}

gboolean
lp_store_save (LpStore *self, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *path = store_path (self, "state");
  g_autofree char *fixes = g_variant_print (lp_store_get_fixes (self), FALSE);
  g_autofree char *data = NULL;
  gsize len = 0;

  g_key_file_set_integer (kf, LP_STORE_GROUP, "format", LP_STORE_FORMAT);
  key_file_set_optional (kf, "client-id", self->client_id);
  key_file_set_optional (kf, "tier", self->tier);
  key_file_set_optional (kf, "supported", self->supported);
  g_key_file_set_int64 (kf, LP_STORE_GROUP, "last-check", self->last_check);
  key_file_set_optional (kf, "buggy-version", self->buggy_version);
  key_file_set_optional (kf, "patch-version", self->patch_version);
  key_file_set_optional (kf, "patch-module", self->patch_module);
  key_file_set_optional (kf, "patch-sha256", self->patch_sha256);
  key_file_set_optional (kf, "patch-file", self->patch_file);
  g_key_file_set_string (kf, LP_STORE_GROUP, "fixes", fixes);
  data = g_key_file_to_data (kf, &len, NULL);
  if (!lp_atomic_file_write (path, data, len, 0600, error))
    {
      g_prefix_error (error, "cannot save state: ");
      return FALSE;
    }
  return TRUE;
}

gboolean
lp_store_forget (LpStore *self, GError **error)
{
  if (!lp_store_set_machine_token (self, NULL, NULL, error))
    return FALSE;
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->tier, g_free);
  g_clear_pointer (&self->supported, g_free);
  g_clear_pointer (&self->buggy_version, g_free);
  self->last_check = 0;
  return lp_store_save (self, error);
}

char *
lp_store_get_patch_path (LpStore *self, const char *file)
{
  return g_build_filename (self->dir, "patches", file, NULL);
}

char *
lp_store_get_lock_path (LpStore *self, const char *name)
{
  g_return_val_if_fail (lp_module_name_check (name, NULL), NULL);
  return g_build_filename (self->dir, "locks", name, NULL);
}

static gboolean
lock_check_name (const char *name, GError **error)
{
  if (lp_module_name_check (name, error))
    return TRUE;
  g_prefix_error (error, "no lock for this name: ");
  return FALSE;
}

#define LP_LOCK_GROUP "lock"

gboolean
lp_store_write_lock (LpStore *self, const char *name, const char *version, const char *sha256,
                     const char *file, GVariant *fixes, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *fixes_text = g_variant_print (fixes, FALSE);
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!lock_check_name (name, error) || !check_file_name (file, error))
    return FALSE;
  path = lp_store_get_lock_path (self, name);
  g_key_file_set_comment (kf, NULL, NULL,
                          " livepatch was inserting this module; if this file is still here\n"
                          " after a reboot, the module is not inserted again: remove the file\n"
                          " to allow it",
                          NULL);
  g_key_file_set_int64 (kf, LP_LOCK_GROUP, "since", g_get_real_time () / G_USEC_PER_SEC);
  g_key_file_set_string (kf, LP_LOCK_GROUP, "module", name);
  g_key_file_set_string (kf, LP_LOCK_GROUP, "version", version);
  g_key_file_set_string (kf, LP_LOCK_GROUP, "sha256", sha256);
  g_key_file_set_string (kf, LP_LOCK_GROUP, "file", file);
  g_key_file_set_string (kf, LP_LOCK_GROUP, "fixes", fixes_text);
  data = g_key_file_to_data (kf, &len, NULL);
  return lp_atomic_file_write (path, data, len, 0600, error);
}

static gboolean
lock_get (GKeyFile *kf, const char *key, char **out, GError **error)
{
  *out = g_key_file_get_string (kf, LP_LOCK_GROUP, key, error);
  return *out != NULL;
}

gboolean
lp_store_adopt_lock (LpStore *self, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *version = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *file = NULL;
  g_autofree char *fixes_text = NULL;
  GVariant *fixes = NULL;

  if (!lock_check_name (name, error))
    return FALSE;
  path = lp_store_get_lock_path (self, name);
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error) ||
      !lock_get (kf, "version", &version, error) || !lock_get (kf, "sha256", &sha256, error) ||
      !lock_get (kf, "file", &file, error) || !lock_get (kf, "fixes", &fixes_text, error))
    {
      g_prefix_error (error, "cannot read %s: ", path);
      return FALSE;
    }
  if (!check_file_name (file, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  fixes = g_variant_parse (G_VARIANT_TYPE ("a(ssbs)"), fixes_text, NULL, NULL, error);
  if (fixes == NULL)
    return FALSE;
  lp_store_set_patch (self, version, name, sha256, file, fixes);
  return TRUE;
}

GStrv
lp_store_list_locks (LpStore *self)
{
  g_autofree char *dir_path = g_build_filename (self->dir, "locks", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  const char *name;

  /* Anything else there (a temporary file, or a name no module can have) is
   * no lock: it must not reach a path in /sys. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (lp_module_name_check (name, NULL))
        g_strv_builder_add (names, name);
    }
  return g_strv_builder_end (names);
}

gboolean
lp_store_remove_lock (LpStore *self, const char *name, GError **error)
{
  g_autofree char *path = NULL;

  if (!lock_check_name (name, error))
    return FALSE;
  path = lp_store_get_lock_path (self, name);
  return lp_atomic_file_remove (path, error);
}

gboolean
lp_store_has_lock (LpStore *self, const char *name)
{
  g_autofree char *path = NULL;

  if (!lp_module_name_check (name, NULL))
    return FALSE;
  path = lp_store_get_lock_path (self, name);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
lp_store_finalize (GObject *object)
{
  LpStore *self = LP_STORE (object);

  store_reset (self);
  g_free (self->machine_token);
  g_free (self->origin);
  g_free (self->dir);
  G_OBJECT_CLASS (lp_store_parent_class)->finalize (object);
}

static void
lp_store_class_init (LpStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lp_store_finalize;
}

static void
lp_store_init (LpStore *self)
{
}
