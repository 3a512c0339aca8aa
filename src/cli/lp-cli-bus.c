/* lp-cli-bus.c: reaching livepatchd on the system bus from the CLI
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <unistd.h>

#include "lp-cli-bus.h"
#include "lp-cli-sanitize.h"

static void
prefix_unreachable (GError **error)
{
  g_prefix_error (error, _ ("cannot reach livepatchd on the system bus: "));
}

LpDBusLivepatch *
lp_cli_connect (GError **error)
{
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (LpDBusLivepatch) proxy = NULL;
  g_autofree char *owner = NULL;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  if (bus == NULL)
    {
      g_dbus_error_strip_remote_error (*error);
      prefix_unreachable (error);
      return NULL;
    }
  /* Without DO_NOT_AUTO_START the proxy asks the bus to activate the service,
   * and quietly carries on without an owner when nothing can be activated. */
  proxy = lp_dbus_livepatch_proxy_new_sync (bus, G_DBUS_PROXY_FLAGS_NONE, LP_CLI_BUS_NAME,
                                            LP_CLI_OBJECT_PATH, NULL, error);
  if (proxy == NULL)
    {
      g_dbus_error_strip_remote_error (*error);
      prefix_unreachable (error);
      return NULL;
    }
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (proxy));
  if (owner == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER,
                   _ ("cannot reach livepatchd on the system bus: %s is not running and "
                      "cannot be started"),
                   LP_CLI_BUS_NAME);
      return NULL;
    }
  return g_steal_pointer (&proxy);
}

static GDBusCallFlags
call_flags (void)
{
  return isatty (STDIN_FILENO) ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                               : G_DBUS_CALL_FLAGS_NONE;
}

GVariant *
lp_cli_call (LpDBusLivepatch *proxy, const char *method, GVariant *parameters, int timeout_msec,
             GError **error)
{
  return g_dbus_proxy_call_sync (G_DBUS_PROXY (proxy), method, parameters, call_flags (),
                                 timeout_msec, NULL, error);
}

void
lp_cli_call_async (LpDBusLivepatch *proxy, const char *method, GVariant *parameters,
                   int timeout_msec, GAsyncReadyCallback callback, gpointer user_data)
{
  g_dbus_proxy_call (G_DBUS_PROXY (proxy), method, parameters, call_flags (), timeout_msec, NULL,
                     callback, user_data);
}

GVariant *
lp_cli_call_finish (LpDBusLivepatch *proxy, GAsyncResult *result, GError **error)
{
  return g_dbus_proxy_call_finish (G_DBUS_PROXY (proxy), result, error);
}

/* Like systemctl: without an agent, a user on a server (no desktop agent)
 * would get "not authorized" where polkit could have asked for a password.
 * Root is always authorized by polkit and needs none. */
GSubprocess *
lp_cli_polkit_agent_start (void)
{
  g_autofree char *program = NULL;
  g_autofree char *pid = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) agent = NULL;
  g_autoptr (GError) error = NULL;
  int notify[2];
  char byte;

  if (!isatty (STDIN_FILENO) || geteuid () == 0)
    return NULL;
  program = g_find_program_in_path ("pkttyagent");
  if (program == NULL || !g_unix_open_pipe (notify, FD_CLOEXEC, NULL))
    return NULL;
  pid = g_strdup_printf ("%d", (int) getpid ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_fd (launcher, notify[1], 3);
  agent = g_subprocess_launcher_spawn (launcher, &error, program, "--notify-fd", "3", "--fallback",
                                       "--process", pid, NULL);
  /* freeing the launcher closes our copy of the write end */
  g_clear_object (&launcher);
  if (agent == NULL)
    g_debug ("no polkit agent: %s", error->message);
  /* the agent closes the pipe once registered, or by exiting if it cannot */
  else
    while (read (notify[0], &byte, 1) < 0 && errno == EINTR)
      ;
  g_close (notify[0], NULL);
  return g_steal_pointer (&agent);
}

void
lp_cli_polkit_agent_stop (GSubprocess *agent)
{
  if (agent == NULL)
    return;
  g_subprocess_send_signal (agent, SIGTERM);
  g_subprocess_wait (agent, NULL, NULL);
  g_object_unref (agent);
}

GVariant *
lp_cli_get_properties (LpDBusLivepatch *proxy, GError **error)
{
  GDBusProxy *dbus_proxy = G_DBUS_PROXY (proxy);
  g_autoptr (GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (
      g_dbus_proxy_get_connection (dbus_proxy), g_dbus_proxy_get_name (dbus_proxy),
      g_dbus_proxy_get_object_path (dbus_proxy), "org.freedesktop.DBus.Properties", "GetAll",
      g_variant_new ("(s)", LP_CLI_INTERFACE), G_VARIANT_TYPE ("(a{sv})"),
      G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, error);
  if (reply == NULL)
    return NULL;
  return g_variant_get_child_value (reply, 0);
}

void
lp_cli_print_error (const GError *error)
{
  g_autoptr (GError) copy = g_error_copy (error);
  g_autofree char *message = NULL;

  g_dbus_error_strip_remote_error (copy);
  /* daemon messages quote server text */
  message = lp_cli_strip_controls (copy->message, FALSE);
  g_printerr ("canonical-livepatch: %s\n", message);
}
