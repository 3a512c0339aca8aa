/* lp-machine-facts.c: CPU model, boot time and cloud of this machine
 *
 * Test-only overrides, read by lp_machine_facts_read():
 *   LP_TEST_PROC_DIR             a directory with cpuinfo and stat instead of /proc
 *   LP_TEST_CLOUD_INSTANCE_DATA  cloud-init's instance data file instead of
 *                                /run/cloud-init/instance-data.json
 * so that the integration tests can compare status output byte for byte.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-machine-facts"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "lp-cli-sanitize.h"
#include "lp-error.h"
#include "lp-json.h"
#include "lp-machine-facts.h"

#define CLOUD_INSTANCE_DATA "/run/cloud-init/instance-data.json"
/* cloud-init's instance data is a few KiB; refuse a runaway file */
#define CLOUD_INSTANCE_DATA_MAX (1024 * 1024)

void
lp_machine_facts_free (LpMachineFacts *facts)
{
  if (facts == NULL)
    return;
  g_free (facts->cpu_model);
  g_free (facts->cloud);
  g_free (facts->region);
  g_free (facts->az);
  g_free (facts);
}

/* The value of the first "@key<spaces>: value" line of @text */
static char *
find_field (const char *text, const char *key, char separator)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gsize key_len = strlen (key);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];

      if (strncmp (p, key, key_len) != 0)
        continue;
      p += key_len;
      while (*p == ' ' || *p == '\t')
        p++;
      if (separator != ' ' && *p++ != separator)
        continue;
      return g_strstrip (g_strdup (p));
    }
  return NULL;
}

static char *
read_cpu_model (const char *proc_dir)
{
  g_autofree char *path = g_build_filename (proc_dir, "cpuinfo", NULL);
  g_autofree char *text = NULL;
  g_autofree char *model = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  model = find_field (text, "model name", ':');
  return lp_cli_strip_controls (model, FALSE);
}

static gint64
read_boot_time (const char *proc_dir)
{
  g_autofree char *path = g_build_filename (proc_dir, "stat", NULL);
  g_autofree char *text = NULL;
  g_autofree char *btime = NULL;
  guint64 value = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  btime = find_field (text, "btime", ' ');
  if (btime == NULL || !g_ascii_string_to_unsigned (btime, 10, 1, G_MAXINT64, &value, NULL))
    return 0;
  return (gint64) value;
}

/* printed as is later: no controls, whoever wrote the file */
static char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return g_strdup ("");
  return lp_cli_strip_controls (json_node_get_string (node), FALSE);
}

gboolean
lp_machine_facts_parse_cloud (LpMachineFacts *facts, const char *json, gssize length,
                              GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonNode *v1;
  JsonObject *data;
  g_autofree char *cloud = NULL;

  /* the project's one guarded JSON entry point, for a file root wrote but
   * a cloud's metadata service filled */
  root = lp_json_parse (json, length < 0 ? strlen (json) : (gsize) length,
                        LP_ERROR_INVALID_ARGUMENT, error);
  if (root == NULL)
    {
      g_prefix_error (error, "cloud-init instance data: ");
      return FALSE;
    }
  v1 = JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "v1")
                                     : NULL;
  if (v1 == NULL || !JSON_NODE_HOLDS_OBJECT (v1))
    {
      g_set_error_literal (error, LP_ERROR, LP_ERROR_INVALID_ARGUMENT,
                           "cloud-init instance data has no \"v1\" object");
      return FALSE;
    }
  data = json_node_get_object (v1);
  cloud = member_string (data, "cloud_name");
  /* cloud-init says "none" on bare metal and unknown platforms */
  facts->cloud_enabled = *cloud != '\0' && g_strcmp0 (cloud, "none") != 0;
  g_free (facts->cloud);
  facts->cloud = g_strdup (facts->cloud_enabled ? cloud : "");
  g_free (facts->region);
  facts->region = member_string (data, "region");
  g_free (facts->az);
  facts->az = member_string (data, "availability_zone");
  return TRUE;
}

static void
read_cloud (LpMachineFacts *facts, const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  if (path == NULL || !g_file_get_contents (path, &text, &length, NULL))
    return;
  if (length > CLOUD_INSTANCE_DATA_MAX)
    return;
  if (!lp_machine_facts_parse_cloud (facts, text, length, &error))
    g_debug ("ignoring %s: %s", path, error->message);
}

LpMachineFacts *
lp_machine_facts_read_from (const char *proc_dir, const char *instance_data)
{
  LpMachineFacts *facts = g_new0 (LpMachineFacts, 1);

  facts->cpu_model = read_cpu_model (proc_dir);
  facts->boot_time = read_boot_time (proc_dir);
  facts->cloud = g_strdup ("");
  facts->region = g_strdup ("");
  facts->az = g_strdup ("");
  read_cloud (facts, instance_data);
  return facts;
}

LpMachineFacts *
lp_machine_facts_read (void)
{
  const char *proc_dir = g_getenv ("LP_TEST_PROC_DIR");
  const char *instance_data = g_getenv ("LP_TEST_CLOUD_INSTANCE_DATA");

  return lp_machine_facts_read_from (proc_dir != NULL ? proc_dir : "/proc",
                                     instance_data != NULL ? instance_data : CLOUD_INSTANCE_DATA);
}
