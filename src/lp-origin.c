/* lp-origin.c: the origin a machine token belongs to
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-origin"

#include "config.h"

#include "lp-error.h"
#include "lp-origin.h"

static int
default_port (const char *scheme)
{
  return g_str_equal (scheme, "https") ? 443 : 80;
}

char *
lp_origin_from_url (const char *url, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url != NULL ? url : "", G_URI_FLAGS_NONE, NULL);
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  int port;

  if (uri != NULL)
    scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  if (scheme == NULL || !(g_str_equal (scheme, "https") || g_str_equal (scheme, "http")) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not an http or https URL with a host", url != NULL ? url : "");
      return NULL;
    }
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  /* GUri gives an IPv6 literal without its brackets. */
  if (strchr (host, ':') != NULL)
    {
      g_autofree char *bare = g_steal_pointer (&host);
      host = g_strdup_printf ("[%s]", bare);
    }
  port = g_uri_get_port (uri);
  if (port < 0 || port == default_port (scheme))
    return g_strdup_printf ("%s://%s", scheme, host);
  return g_strdup_printf ("%s://%s:%d", scheme, host, port);
}

GError *
lp_origin_check_enrolment (const char *enrolled, const char *remote_server)
{
  g_autofree char *wanted = lp_origin_from_url (remote_server, NULL);

  if (enrolled != NULL && *enrolled != '\0' && g_strcmp0 (enrolled, wanted) == 0)
    return NULL;
  if (enrolled == NULL || *enrolled == '\0')
    return g_error_new (LP_ERROR, LP_ERROR_NOT_ENABLED,
                        "enabled for an unrecorded server; enable again to use %s",
                        wanted != NULL ? wanted : remote_server);
  return g_error_new (LP_ERROR, LP_ERROR_NOT_ENABLED, "enabled for %s; enable again to use %s",
                      enrolled, wanted != NULL ? wanted : remote_server);
}
