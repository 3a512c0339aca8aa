/* lp-bench-rusage.c: runs a command and reports its peak RSS and CPU time
 *
 *   lp-bench-rusage OUTFILE COMMAND [ARG]...
 *
 * Writes "maxrss_kib user_s sys_s" of COMMAND and everything it waited for
 * to OUTFILE and exits with its status.  bench/run cannot measure from
 * Python directly: a child forked from the interpreter starts with the
 * interpreter's pages counted in its high-water mark, so every command would
 * seem to need at least 15 MiB.  This wrapper is small and uses no library
 * beyond libc, so what it adds to the mark is about 1 MiB, the same for
 * every contender.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int
write_usage (const char *path, const struct rusage *ru)
{
  FILE *f = fopen (path, "w");

  if (f == NULL)
    return -1;
  fprintf (f, "%ld %ld.%06ld %ld.%06ld\n", ru->ru_maxrss, (long) ru->ru_utime.tv_sec,
           (long) ru->ru_utime.tv_usec, (long) ru->ru_stime.tv_sec, (long) ru->ru_stime.tv_usec);
  return fclose (f);
}

int
main (int argc, char **argv)
{
  struct rusage ru;
  int status;
  pid_t pid;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s OUTFILE COMMAND [ARG]...\n", argv[0]);
      return 2;
    }
  pid = fork ();
  if (pid < 0)
    {
      perror ("fork");
      return 2;
    }
  if (pid == 0)
    {
      execvp (argv[2], argv + 2);
      fprintf (stderr, "%s: %s\n", argv[2], strerror (errno));
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &ru) < 0 || write_usage (argv[1], &ru) < 0)
    {
      perror ("lp-bench-rusage");
      return 2;
    }
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}
