/* lp-authority.c: asynchronous polkit checks that fail closed
 *
 * Checks are batched: callers asking the same question (same bus name,
 * action and interaction flag) while it is being decided share one polkit
 * call, and at most LP_AUTHORITY_MAX_IN_FLIGHT calls run at once, the rest
 * waiting in order. A burst of method calls therefore never runs into the
 * bus's limit on pending replies, which would refuse callers polkit allows.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-authority"

#include "config.h"

#include <glib/gi18n.h>
#include <polkit/polkit.h>

#include "lp-authority.h"
#include "lp-error.h"

/* Well below dbus-daemon's default max_replies_per_connection (128). */
#define LP_AUTHORITY_MAX_IN_FLIGHT 32

/* One question to polkit and every caller waiting for its answer. */
typedef struct
{
  char *key; /* sender, action and flags: what makes two checks the same */
  PolkitSubject *subject;
  char *action_id;
  PolkitCheckAuthorizationFlags flags;
  GPtrArray *waiters; /* GTask, answered together */
} CheckBatch;

struct _LpAuthority
{
  GObject parent_instance;

  /* Kept once reached; a failure is not cached, so a polkitd started
   * after the daemon is found on the next call. */
  PolkitAuthority *authority;
  gboolean getting_authority;
  GHashTable *batches; /* key -> CheckBatch, queued or in flight */
  GQueue queued;       /* CheckBatch not yet sent */
  guint in_flight;
};

G_DEFINE_TYPE (LpAuthority, lp_authority, G_TYPE_OBJECT)

static void
check_batch_free (CheckBatch *batch)
{
  g_free (batch->key);
  g_clear_object (&batch->subject);
  g_free (batch->action_id);
  g_ptr_array_unref (batch->waiters);
  g_free (batch);
}

static void
return_denied (GTask *task, const char *action_id, const char *why, GError *cause)
{
  /* A caller reads the reason, not GDBus's "GDBus.Error:...ServiceUnknown:" prefix. */
  if (cause != NULL)
    g_dbus_error_strip_remote_error (cause);
  g_debug ("%s denied: %s%s%s", action_id, why, cause ? ": " : "", cause ? cause->message : "");
  g_task_return_new_error (task, LP_ERROR, LP_ERROR_NOT_AUTHORIZED,
                           _ ("not authorized to %s: %s%s%s"), action_id, _ (why),
                           cause ? ": " : "", cause ? cause->message : "");
}

/* Answers every waiter of @batch (allowed when @why is NULL) and forgets it. */
static void
finish_batch (LpAuthority *self, CheckBatch *batch, const char *why, GError *cause)
{
  g_autoptr (GPtrArray) waiters = g_ptr_array_ref (batch->waiters);
  g_autofree char *action_id = g_strdup (batch->action_id);

  g_hash_table_remove (self->batches, batch->key);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (why == NULL)
        g_task_return_boolean (task, TRUE);
      else
        return_denied (task, action_id, why, cause);
    }
}

static void send_queued (LpAuthority *self);

static void
check_authorization_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CheckBatch *batch = user_data;
  LpAuthority *self = g_task_get_source_object (g_ptr_array_index (batch->waiters, 0));
  g_autoptr (LpAuthority) keep_alive = g_object_ref (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (PolkitAuthorizationResult) res = NULL;

  res = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  self->in_flight--;
  if (res == NULL)
    finish_batch (self, batch, N_ ("polkit could not decide"), error);
  else if (polkit_authorization_result_get_is_authorized (res))
    finish_batch (self, batch, NULL, NULL);
  else if (polkit_authorization_result_get_is_challenge (res))
    finish_batch (self, batch,
                  N_ ("authentication is required, but the request did not allow polkit to ask "
                      "for it; allow interactive authorization, or ask an administrator"),
                  NULL);
  else
    finish_batch (self, batch, N_ ("polkit denied the request; ask an administrator"), NULL);
  send_queued (self);
}

static void
send_batch (LpAuthority *self, CheckBatch *batch)
{
  GTask *first = g_ptr_array_index (batch->waiters, 0);

  self->in_flight++;
  polkit_authority_check_authorization (self->authority, batch->subject, batch->action_id, NULL,
                                        batch->flags, g_task_get_cancellable (first),
                                        check_authorization_cb, batch);
}

static void
send_queued (LpAuthority *self)
{
  while (self->authority != NULL && self->in_flight < LP_AUTHORITY_MAX_IN_FLIGHT &&
         !g_queue_is_empty (&self->queued))
    send_batch (self, g_queue_pop_head (&self->queued));
}

static void
authority_get_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (LpAuthority) self = user_data;
  g_autoptr (GError) error = NULL;
  PolkitAuthority *authority = polkit_authority_get_finish (result, &error);

  self->getting_authority = FALSE;
  if (authority != NULL)
    {
      self->authority = authority;
      send_queued (self);
      return;
    }
  while (!g_queue_is_empty (&self->queued))
    finish_batch (self, g_queue_pop_head (&self->queued), N_ ("polkit is not available"), error);
}

/* Joins the batch asking the same question, or queues a new one. */
static void
enqueue_check (LpAuthority *self, GTask *task, const char *sender, const char *action_id,
               PolkitCheckAuthorizationFlags flags)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s\n%u", sender, action_id, flags);
  CheckBatch *batch = g_hash_table_lookup (self->batches, key);

  if (batch == NULL)
    {
      batch = g_new0 (CheckBatch, 1);
      batch->key = g_steal_pointer (&key);
      batch->subject = polkit_system_bus_name_new (sender);
      batch->action_id = g_strdup (action_id);
      batch->flags = flags;
      batch->waiters = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->batches, batch->key, batch);
      g_queue_push_tail (&self->queued, batch);
    }
  g_ptr_array_add (batch->waiters, task);
}

void
lp_authority_check_async (LpAuthority *self, GDBusMethodInvocation *invocation,
                          const char *action_id, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

  g_return_if_fail (LP_IS_AUTHORITY (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lp_authority_check_async);

  /* A peer-to-peer connection has no sender for polkit to look up. */
  if (sender == NULL)
    {
      return_denied (task, action_id, N_ ("the caller has no bus name"), NULL);
      return;
    }
  if (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  enqueue_check (self, g_steal_pointer (&task), sender, action_id, flags);
  if (self->authority != NULL)
    send_queued (self);
  else if (!self->getting_authority)
    {
      self->getting_authority = TRUE;
      polkit_authority_get_async (NULL, authority_get_cb, g_object_ref (self));
    }
}

gboolean
lp_authority_check_finish (LpAuthority *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

LpAuthority *
lp_authority_new (void)
{
  return g_object_new (LP_TYPE_AUTHORITY, NULL);
}

static void
lp_authority_dispose (GObject *object)
{
  LpAuthority *self = LP_AUTHORITY (object);

  g_clear_object (&self->authority);
  G_OBJECT_CLASS (lp_authority_parent_class)->dispose (object);
}

static void
lp_authority_finalize (GObject *object)
{
  LpAuthority *self = LP_AUTHORITY (object);

  /* Batches hold their tasks, and tasks hold a reference on us: none is
   * left by the time we are finalized. */
  g_hash_table_unref (self->batches);
  G_OBJECT_CLASS (lp_authority_parent_class)->finalize (object);
}

static void
lp_authority_class_init (LpAuthorityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lp_authority_dispose;
  object_class->finalize = lp_authority_finalize;
}

static void
lp_authority_init (LpAuthority *self)
{
  self->batches =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) check_batch_free);
  g_queue_init (&self->queued);
}
