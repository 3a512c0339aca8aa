/* lp-authority.c: asynchronous polkit checks that fail closed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-authority"

#include "config.h"

#include <polkit/polkit.h>

#include "lp-authority.h"
#include "lp-error.h"

struct _LpAuthority
{
  GObject parent_instance;

  /* Kept once reached; a failure is not cached, so a polkitd started
   * after the daemon is found on the next call. */
  PolkitAuthority *authority;
};

typedef struct
{
  PolkitSubject *subject;
  char *action_id;
  PolkitCheckAuthorizationFlags flags;
} CheckData;

G_DEFINE_TYPE (LpAuthority, lp_authority, G_TYPE_OBJECT)

static void
check_data_free (CheckData *data)
{
  g_clear_object (&data->subject);
  g_free (data->action_id);
  g_free (data);
}

static void
fail_closed (GTask *task, const char *why, GError *cause)
{
  CheckData *data = g_task_get_task_data (task);

  /* A caller reads the reason, not GDBus's "GDBus.Error:...ServiceUnknown:" prefix. */
  if (cause != NULL)
    g_dbus_error_strip_remote_error (cause);
  g_debug ("%s denied: %s%s%s", data->action_id, why, cause ? ": " : "",
           cause ? cause->message : "");
  g_task_return_new_error (task, LP_ERROR, LP_ERROR_NOT_AUTHORIZED, "not authorized to %s: %s%s%s",
                           data->action_id, why, cause ? ": " : "", cause ? cause->message : "");
}

static void
check_authorization_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PolkitAuthorizationResult) res = NULL;

  res = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  if (res == NULL)
    fail_closed (task, "polkit could not decide", error);
  else if (polkit_authorization_result_get_is_authorized (res))
    g_task_return_boolean (task, TRUE);
  else if (polkit_authorization_result_get_is_challenge (res))
    fail_closed (task,
                 "authentication is required; run the command from a terminal or as an "
                 "administrator so polkit can ask for it",
                 NULL);
  else
    fail_closed (task, "polkit denied the request", NULL);
}

static void
run_check (GTask *task)
{
  LpAuthority *self = g_task_get_source_object (task);
  CheckData *data = g_task_get_task_data (task);

  polkit_authority_check_authorization (self->authority, data->subject, data->action_id, NULL,
                                        data->flags, g_task_get_cancellable (task),
                                        check_authorization_cb, task);
}

static void
authority_get_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpAuthority *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  PolkitAuthority *authority = polkit_authority_get_finish (result, &error);

  if (authority == NULL)
    {
      fail_closed (task, "polkit is not available", error);
      return;
    }
  if (self->authority == NULL)
    self->authority = authority;
  else
    g_object_unref (authority);
  run_check (g_steal_pointer (&task));
}

void
lp_authority_check_async (LpAuthority *self, GDBusMethodInvocation *invocation,
                          const char *action_id, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  const char *sender = g_dbus_method_invocation_get_sender (invocation);
  GDBusMessage *message = g_dbus_method_invocation_get_message (invocation);
  CheckData *data = g_new0 (CheckData, 1);

  g_return_if_fail (LP_IS_AUTHORITY (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lp_authority_check_async);
  data->action_id = g_strdup (action_id);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  /* A peer-to-peer connection has no sender for polkit to look up. */
  if (sender == NULL)
    {
      fail_closed (task, "the caller has no bus name", NULL);
      return;
    }
  data->subject = polkit_system_bus_name_new (sender);
  if (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    data->flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  if (self->authority != NULL)
    run_check (g_steal_pointer (&task));
  else
    polkit_authority_get_async (cancellable, authority_get_cb, g_steal_pointer (&task));
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
lp_authority_class_init (LpAuthorityClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lp_authority_dispose;
}

static void
lp_authority_init (LpAuthority *self)
{
}
