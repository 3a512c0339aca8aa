/* lp-mode.c: operating mode parsing
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-mode"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-mode.h"
#include "lp-text.h"

#define LP_MODE_CMDLINE_KEY "canonical_livepatch_mode="
/* Longer than any mode name with a newline: anything bigger is not a mode. */
#define LP_MODE_FILE_MAX 64

static const char *const lp_mode_names[] = { "normal", "no-apply", "no-refresh", "stop" };

const char *
lp_mode_to_string (LpMode mode)
{
  g_return_val_if_fail (mode < G_N_ELEMENTS (lp_mode_names), "normal");
  return lp_mode_names[mode];
}

gboolean
lp_mode_from_string (const char *text, LpMode *out_mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (lp_mode_names); i++)
    {
      if (g_strcmp0 (text, lp_mode_names[i]) == 0)
        {
          *out_mode = (LpMode) i;
          return TRUE;
        }
    }
  return FALSE;
}

static char *
mode_from_cmdline (const char *cmdline_path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) words = NULL;

  if (cmdline_path == NULL || !g_file_get_contents (cmdline_path, &text, NULL, NULL))
    return NULL;
  words = g_strsplit_set (g_strstrip (text), " \t\n", -1);
  /* The kernel lets the last occurrence of a parameter win; so do we. */
  for (guint i = g_strv_length (words); i > 0; i--)
    {
      if (g_str_has_prefix (words[i - 1], LP_MODE_CMDLINE_KEY))
        return g_strdup (words[i - 1] + strlen (LP_MODE_CMDLINE_KEY));
    }
  return NULL;
}

/* Reads the whole file open on @fd into @buf (LP_MODE_FILE_MAX + 1 bytes),
 * NUL-terminated; returns why not, or NULL. */
static const char *
mode_file_read (int fd, char *buf)
{
  struct stat st;
  ssize_t n;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    return "not a regular file";
  n = read (fd, buf, LP_MODE_FILE_MAX + 1);
  if (n < 0)
    return g_strerror (errno);
  if (n > LP_MODE_FILE_MAX)
    return "larger than " G_STRINGIFY (LP_MODE_FILE_MAX) " bytes";
  buf[n] = '\0';
  return NULL;
}

/* The mode file lives in /var/local, which Debian lets group staff write:
 * it is read as a hostile file. Only a regular file, not through a symbolic
 * link (which could point at /etc/shadow, whose first line the warning below
 * would then log), non-blocking (a FIFO would hang the daemon) and at most
 * LP_MODE_FILE_MAX bytes (/dev/zero never ends). */
static char *
mode_from_file (const char *mode_file)
{
  char buf[LP_MODE_FILE_MAX + 1];
  const char *why;
  int fd;

  if (mode_file == NULL)
    return NULL;
  fd = open (mode_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    {
      if (errno != ENOENT)
        g_warning ("ignoring %s: %s", mode_file, g_strerror (errno));
      return NULL;
    }
  why = mode_file_read (fd, buf);
  close (fd);
  if (why != NULL)
    {
      g_warning ("ignoring %s: %s", mode_file, why);
      return NULL;
    }
  return g_strdup (g_strstrip (buf));
}

static gboolean
mode_parse_source (const char *text, const char *origin, LpMode *out_mode)
{
  g_autofree char *shown = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  if (lp_mode_from_string (text, out_mode))
    return TRUE;
  /* Whoever wrote the file does not get to put escapes into the journal. */
  shown = lp_text_clean (text);
  g_warning ("ignoring unknown operating mode '%s' from %s", shown, origin);
  return FALSE;
}

LpMode
lp_mode_read (const char *cmdline_path, const char *mode_file)
{
  g_autofree char *from_cmdline = mode_from_cmdline (cmdline_path);
  g_autofree char *from_file = NULL;
  LpMode mode = LP_MODE_NORMAL;

  if (mode_parse_source (from_cmdline, cmdline_path, &mode))
    return mode;
  from_file = mode_from_file (mode_file);
  if (mode_parse_source (from_file, mode_file, &mode))
    return mode;
  return LP_MODE_NORMAL;
}
