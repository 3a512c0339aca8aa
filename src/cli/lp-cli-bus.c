/* lp-cli-bus.c: reaching livepatchd on the system bus from the CLI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "lp-cli-bus.h"

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

  g_dbus_error_strip_remote_error (copy);
  g_printerr ("canonical-livepatch: %s\n", copy->message);
}
