/* lp-json.c: the one way this project parses JSON it did not write itself
 *
 * Server replies, patch.json and anything else from outside pass through
 * lp_json_parse(): the bytes are scanned first, without recursion, so that
 * json-glib's recursive descent never meets a document nested deep enough
 * to exhaust the stack.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-json"

#include "config.h"

#include <string.h>

#include "lp-json.h"
#include "lp-text.h"

typedef struct
{
  guint depth;     /* deepest nesting seen, counted up to limit + 1 */
  gsize extension; /* offset of a comment or single-quoted string, or len */
} LpJsonScan;

/* One pass over the bytes, tracking strings the way json-glib does.
 * json-glib also reads two things JSON does not have, comments and
 * single-quoted strings; either could hide brackets from this count (a '"'
 * inside a comment would make the scan skip what json-glib parses), so the
 * scan stops at the first one and the document is refused. */
static LpJsonScan
lp_json_scan (const char *data, gsize len, guint limit)
{
  LpJsonScan scan = { 0, len };
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len && scan.depth <= limit; i++)
    {
      char c = data[i];

      if (in_string)
        {
          /* A backslash escapes exactly the next byte ("\"" or "\\"); the
           * other escapes have no quote after the backslash. */
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '\'' || c == '/')
        {
          scan.extension = i;
          break;
        }
      else if (c == '[' || c == '{')
        {
          depth++;
          scan.depth = MAX (scan.depth, depth);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return scan;
}

guint
lp_json_nesting_depth (const char *data, gsize len, guint limit)
{
  return lp_json_scan (data, len, limit).depth;
}

static gboolean
lp_json_check_bytes (const char *data, gsize len, LpError code, GError **error)
{
  LpJsonScan scan;

  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, len, NULL))
    {
      g_set_error (error, LP_ERROR, code, "not UTF-8 text");
      return FALSE;
    }
  scan = lp_json_scan (data, len, LP_JSON_MAX_DEPTH);
  if (scan.depth > LP_JSON_MAX_DEPTH)
    {
      g_set_error (error, LP_ERROR, code, "nested deeper than %d levels", LP_JSON_MAX_DEPTH);
      return FALSE;
    }
  if (scan.extension < len)
    {
      g_set_error (error, LP_ERROR, code,
                   "not valid JSON: a comment or single-quoted string at byte %" G_GSIZE_FORMAT,
                   scan.extension);
      return FALSE;
    }
  return TRUE;
}

JsonNode *
lp_json_parse (const char *data, gsize len, LpError code, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL)
    data = "";
  if (!lp_json_check_bytes (data, len, code, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      /* json-glib quotes the offending input in its message. */
      g_autofree char *why = lp_text_clean (local_error->message);

      g_set_error (error, LP_ERROR, code, "not valid JSON: %s", why);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, LP_ERROR, code, "not valid JSON: empty document");
      return NULL;
    }
  return json_node_ref (root);
}
