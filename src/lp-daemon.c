/* lp-daemon.c: owns com.canonical.Livepatch, exports the generated skeleton,
 * mirrors LpEngine properties onto it and checks polkit before each
 * privileged call. Nothing else: the work is LpEngine's.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-daemon"

#include "config.h"

#include <string.h>

#include "lp-authority.h"
#include "lp-daemon.h"
#include "lp-dbus-generated.h"
#include "lp-error.h"
#include "lp-redact.h"
#include "lp-token.h"

/* ApiVersion: raised by one whenever the interface gains a member or an enum
 * value; see "Stability" in docs/DBUS-API.md. */
#define LP_DBUS_API_VERSION 1

struct _LpDaemon
{
  GObject parent_instance;

  LpEngine *engine;
  LpConfig *config;
  LpAuthority *authority;
  LpDBusLivepatch *skeleton;
  GCancellable *cancellable; /* polkit checks in flight, cancelled on dispose */
  guint owner_id;
  gulong config_changed_id;
  gboolean engine_started;
};

enum
{
  SIGNAL_NAME_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (LpDaemon, lp_daemon, G_TYPE_OBJECT)

/* Engine properties whose D-Bus twin has the same GObject property name on
 * the skeleton; the skeleton emits PropertiesChanged only for real changes. */
static const char *const mirrored_properties[] = {
  "enabled",
  "machine-id",
  "kernel",
  "architecture",
  "supported",
  "check-state",
  "patch-state",
  "patch-version",
  "fixes",
  "last-check",
  "next-check",
  "last-error",
  "tier",
  "mode",
  "progress",
  "last-error-code",
  "upgrade-required-date",
  "held-back-patches",
  "tier-description",
  "kernel-package-fixes",
  "cve-data-digest",
  "cve-data-timestamp",
};

/* One privileged call between its polkit check and its reply. */
typedef struct
{
  LpDaemon *daemon;
  GDBusMethodInvocation *invocation;
  char *method;
  char *token;         /* Enable */
  GHashTable *changes; /* SetConfig */
} Call;

static Call *
call_new (LpDaemon *self, GDBusMethodInvocation *invocation)
{
  Call *call = g_new0 (Call, 1);

  call->daemon = g_object_ref (self);
  call->invocation = invocation; /* a handled invocation is ours to reply to */
  call->method = g_strdup (g_dbus_method_invocation_get_method_name (invocation));
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->daemon);
  g_object_unref (call->invocation);
  g_free (call->method);
  g_free (call->token);
  g_clear_pointer (&call->changes, g_hash_table_unref);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

/* PropertiesChanged is otherwise sent from an idle callback, after the
 * reply: a client redrawing on the reply would show stale state. Sent now,
 * it precedes the reply on the same connection. */
static void
call_flush_properties (Call *call)
{
  g_dbus_interface_skeleton_flush (G_DBUS_INTERFACE_SKELETON (call->daemon->skeleton));
}

/* Replies with @error; GDBus sends LP_ERROR codes as com.canonical.Livepatch.Error.*. */
/* @error as sent to a caller: in the LP_ERROR domain, credentials masked. */
static GError *
reply_error (const GError *error)
{
  g_autofree char *message = lp_redact_text (error->message);

  /* Foreign domains would arrive as org.gtk.GDBus.UnmappedGError; keep the contract. */
  if (error->domain != LP_ERROR)
    return g_error_new_literal (LP_ERROR, LP_ERROR_INTERNAL, message);
  return g_error_new_literal (LP_ERROR, error->code, message);
}

static void
call_return_error (Call *call, const GError *error)
{
  g_autoptr (GError) reply = reply_error (error);

  g_debug ("%s from %s failed: %s", call->method,
           g_dbus_method_invocation_get_sender (call->invocation), reply->message);
  call_flush_properties (call);
  g_dbus_method_invocation_return_gerror (g_object_ref (call->invocation), reply);
}

static void
log_call (GDBusMethodInvocation *invocation)
{
  g_debug ("%s from %s", g_dbus_method_invocation_get_method_name (invocation),
           g_dbus_method_invocation_get_sender (invocation));
}

static gboolean
return_invalid (GDBusMethodInvocation *invocation, const GError *error)
{
  g_autoptr (GError) reply = reply_error (error);

  g_debug ("%s from %s refused: %s", g_dbus_method_invocation_get_method_name (invocation),
           g_dbus_method_invocation_get_sender (invocation), reply->message);
  g_dbus_method_invocation_return_gerror (invocation, reply);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* --- engine calls, after polkit said yes --- */

static void
engine_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  LpEngine *engine = LP_ENGINE (source);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (g_strcmp0 (call->method, "Enable") == 0)
    ok = lp_engine_enable_finish (engine, result, &error);
  else if (g_strcmp0 (call->method, "Disable") == 0)
    ok = lp_engine_disable_finish (engine, result, &error);
  else if (g_strcmp0 (call->method, "Cancel") == 0)
    ok = lp_engine_cancel_finish (engine, result, &error);
  else
    ok = lp_engine_refresh_finish (engine, result, &error);
  if (!ok)
    {
      call_return_error (call, error);
      return;
    }
  g_debug ("%s from %s done", call->method, g_dbus_method_invocation_get_sender (call->invocation));
  call_flush_properties (call);
  g_dbus_method_invocation_return_value (g_object_ref (call->invocation), NULL);
}

/* The token goes into the reply and nowhere else: never logged. */
static void
run_get_machine_token (Call *call)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = lp_engine_dup_machine_token (call->daemon->engine, &error);

  if (token == NULL)
    {
      call_return_error (call, error);
      return;
    }
  g_info ("machine token shown to %s", g_dbus_method_invocation_get_sender (call->invocation));
  lp_dbus_livepatch_complete_get_machine_token (call->daemon->skeleton,
                                                g_object_ref (call->invocation), token);
}

static void
run_set_config (Call *call)
{
  g_autoptr (GError) error = NULL;

  if (!lp_config_set_many (call->daemon->config, call->changes, &error))
    {
      call_return_error (call, error);
      return;
    }
  g_info ("configuration changed by %s", g_dbus_method_invocation_get_sender (call->invocation));
  call_flush_properties (call);
  lp_dbus_livepatch_complete_set_config (call->daemon->skeleton, g_object_ref (call->invocation));
}

/* Engine calls take no cancellable from here: a caller that hangs up must
 * not abort an apply half-way; Disable and shutdown cancel inside the engine. */
static void
run_call (Call *call)
{
  LpEngine *engine = call->daemon->engine;

  if (g_strcmp0 (call->method, "Enable") == 0)
    lp_engine_enable_async (engine, call->token, NULL, engine_done_cb, call);
  else if (g_strcmp0 (call->method, "Disable") == 0)
    lp_engine_disable_async (engine, NULL, engine_done_cb, call);
  else if (g_strcmp0 (call->method, "Refresh") == 0)
    lp_engine_refresh_async (engine, NULL, engine_done_cb, call);
  else if (g_strcmp0 (call->method, "GetMachineToken") == 0)
    {
      run_get_machine_token (call);
      call_free (call);
    }
  else if (g_strcmp0 (call->method, "Cancel") == 0)
    lp_engine_cancel_async (engine, NULL, engine_done_cb, call);
  else
    {
      run_set_config (call);
      call_free (call);
    }
}

static void
authority_check_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  g_autoptr (GError) error = NULL;

  if (!lp_authority_check_finish (LP_AUTHORITY (source), result, &error))
    {
      call_return_error (call, error);
      return;
    }
  run_call (g_steal_pointer (&call));
}

static void
authorize_and_run (LpDaemon *self, Call *call, const char *action_id)
{
  lp_authority_check_async (self->authority, call->invocation, action_id, self->cancellable,
                            authority_check_cb, call);
}

/* --- argument checks --- */

static GHashTable *
changes_from_variant (GVariant *changes, GError **error)
{
  g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  const char *key, *value;

  g_variant_iter_init (&iter, changes);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    {
      if (!lp_config_validate (key, value, error))
        return NULL;
      g_hash_table_insert (table, g_strdup (key), g_strdup (value));
    }
  return g_steal_pointer (&table);
}

/* --- method handlers --- */

static gboolean
handle_enable_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation, const char *token,
                  LpDaemon *self)
{
  g_autoptr (GError) error = NULL;
  Call *call;

  log_call (invocation);
  if (!lp_token_validate (token, &error))
    return return_invalid (invocation, error);
  call = call_new (self, invocation);
  call->token = g_strdup (token);
  authorize_and_run (self, call, LP_ACTION_ENABLE);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_disable_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation, LpDaemon *self)
{
  log_call (invocation);
  authorize_and_run (self, call_new (self, invocation), LP_ACTION_DISABLE);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_refresh_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation, LpDaemon *self)
{
  log_call (invocation);
  authorize_and_run (self, call_new (self, invocation), LP_ACTION_REFRESH);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Same action as Refresh: whoever may start a check may stop one. */
static gboolean
handle_cancel_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation, LpDaemon *self)
{
  log_call (invocation);
  authorize_and_run (self, call_new (self, invocation), LP_ACTION_REFRESH);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_set_config_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation,
                      GVariant *changes, LpDaemon *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) table = NULL;
  Call *call;

  log_call (invocation);
  table = changes_from_variant (changes, &error);
  if (table == NULL)
    return return_invalid (invocation, error);
  call = call_new (self, invocation);
  call->changes = g_steal_pointer (&table);
  authorize_and_run (self, call, LP_ACTION_CONFIGURE);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_machine_token_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation,
                             LpDaemon *self)
{
  log_call (invocation);
  authorize_and_run (self, call_new (self, invocation), LP_ACTION_SHOW_SECRETS);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Every key with its value, secrets masked: GetConfig and the Config property. */
static GVariant *
config_to_variant (LpConfig *config)
{
  g_autoptr (GHashTable) dump = lp_config_dump (config);
  const char *const *keys = lp_config_list_keys ();
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; keys[i] != NULL; i++)
    g_variant_builder_add (&builder, "{ss}", keys[i],
                           (const char *) g_hash_table_lookup (dump, keys[i]));
  return g_variant_builder_end (&builder);
}

/* Unprivileged: every key with its value, proxy credentials masked. */
static gboolean
handle_get_config_cb (LpDBusLivepatch *skeleton, GDBusMethodInvocation *invocation, LpDaemon *self)
{
  log_call (invocation);
  lp_dbus_livepatch_complete_get_config (skeleton, invocation, config_to_variant (self->config));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* --- bus name --- */

/* SetConfig, or a reload: the skeleton emits Config only if a shown value changed. */
static void
config_changed_cb (LpConfig *config, gpointer user_data)
{
  LpDaemon *self = LP_DAEMON (user_data);

  lp_dbus_livepatch_set_config (self->skeleton, config_to_variant (config));
}

static void
bind_properties (LpDaemon *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (mirrored_properties); i++)
    g_object_bind_property (self->engine, mirrored_properties[i], self->skeleton,
                            mirrored_properties[i], G_BINDING_SYNC_CREATE);
  lp_dbus_livepatch_set_client_version (self->skeleton, PACKAGE_VERSION);
  lp_dbus_livepatch_set_api_version (self->skeleton, LP_DBUS_API_VERSION);
  lp_dbus_livepatch_set_config (self->skeleton, config_to_variant (self->config));
  self->config_changed_id =
      g_signal_connect (self->config, "changed", G_CALLBACK (config_changed_cb), self);
}

static void
bus_acquired_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  LpDaemon *self = LP_DAEMON (user_data);
  g_autoptr (GError) error = NULL;

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection,
                                         LP_DBUS_PATH, &error))
    {
      g_warning ("cannot export %s: %s", LP_DBUS_PATH, error->message);
      g_signal_emit (self, signals[SIGNAL_NAME_LOST], 0);
    }
}

static void
name_acquired_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  LpDaemon *self = LP_DAEMON (user_data);

  g_info ("owning %s", name);
  if (!self->engine_started)
    {
      self->engine_started = TRUE;
      lp_engine_start (self->engine);
    }
}

static void
name_lost_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  LpDaemon *self = LP_DAEMON (user_data);

  if (connection == NULL)
    g_warning ("cannot connect to the system bus");
  else
    g_warning ("lost or could not own the name %s", name);
  g_signal_emit (self, signals[SIGNAL_NAME_LOST], 0);
}

void
lp_daemon_start (LpDaemon *self)
{
  g_return_if_fail (LP_IS_DAEMON (self));
  g_return_if_fail (self->owner_id == 0);
  self->owner_id = g_bus_own_name (G_BUS_TYPE_SYSTEM, LP_DBUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                   bus_acquired_cb, name_acquired_cb, name_lost_cb, self, NULL);
}

LpDaemon *
lp_daemon_new (LpEngine *engine, LpConfig *config)
{
  LpDaemon *self;

  g_return_val_if_fail (LP_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (LP_IS_CONFIG (config), NULL);
  self = g_object_new (LP_TYPE_DAEMON, NULL);
  self->engine = g_object_ref (engine);
  self->config = g_object_ref (config);
  bind_properties (self);
  return self;
}

/* --- GObject --- */

static void
lp_daemon_dispose (GObject *object)
{
  LpDaemon *self = LP_DAEMON (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->owner_id, g_bus_unown_name);
  if (self->config != NULL)
    g_clear_signal_handler (&self->config_changed_id, self->config);
  /* Never exported when the bus could not be reached: unexporting then is a
   * GIO critical. */
  if (self->skeleton != NULL &&
      g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)) != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
  g_clear_object (&self->skeleton);
  g_clear_object (&self->authority);
  g_clear_object (&self->engine);
  g_clear_object (&self->config);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (lp_daemon_parent_class)->dispose (object);
}

static void
lp_daemon_class_init (LpDaemonClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lp_daemon_dispose;

  signals[SIGNAL_NAME_LOST] = g_signal_new ("name-lost", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lp_daemon_init (LpDaemon *self)
{
  self->authority = lp_authority_new ();
  self->cancellable = g_cancellable_new ();
  self->skeleton = lp_dbus_livepatch_skeleton_new ();
  g_signal_connect (self->skeleton, "handle-enable", G_CALLBACK (handle_enable_cb), self);
  g_signal_connect (self->skeleton, "handle-disable", G_CALLBACK (handle_disable_cb), self);
  g_signal_connect (self->skeleton, "handle-refresh", G_CALLBACK (handle_refresh_cb), self);
  g_signal_connect (self->skeleton, "handle-cancel", G_CALLBACK (handle_cancel_cb), self);
  g_signal_connect (self->skeleton, "handle-get-config", G_CALLBACK (handle_get_config_cb), self);
  g_signal_connect (self->skeleton, "handle-set-config", G_CALLBACK (handle_set_config_cb), self);
  g_signal_connect (self->skeleton, "handle-get-machine-token",
                    G_CALLBACK (handle_get_machine_token_cb), self);
}
