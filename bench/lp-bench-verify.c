/* lp-bench-verify.c: times the in-process patch verification pipeline
 *
 * Runs what livepatchd runs on a downloaded patch (streaming SHA-256,
 * safe extraction, module signature check) on one tarball, and prints one
 * JSON line: "ms" (wall milliseconds of the pipeline), "maxrss_kib" (peak
 * resident set of this process), "max_anon_kib" and "max_file_kib" (sampled
 * peaks of its anonymous and file-backed pages), "module_bytes".
 * bench/run calls it once per sample so each sample starts cold in memory
 * (warm in the page cache, like the reference tools it is compared with).
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-bench-verify"

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "lp-archive.h"
#include "lp-certs.h"
#include "lp-error.h"
#include "lp-patch.h"

/* The daemon's caps are sized for real patches (tens of MiB); the growth
 * benchmark needs 256 MiB modules, so it lifts them. */
static const LpArchiveLimits bench_limits = {
  .max_archive_size = G_GUINT64_CONSTANT (1) << 30,
  .max_entries = 8,
  .max_entry_size = G_GUINT64_CONSTANT (1) << 30,
  .max_total_size = G_GUINT64_CONSTANT (1) << 30,
};

typedef struct
{
  const char *tarball;
  const char *sha256;
  const char *extract_parent;
  const char *dest;
  gsize module_bytes;
} BenchJob;

static gboolean
bench_run_pipeline (BenchJob *job, LpCertSet *trusted, GError **error)
{
  g_autoptr (LpVerifiedPatch) patch = NULL;
  LpPatchExpectation expect = { .sha256 = job->sha256, .limits = &bench_limits };
  struct stat st;
  int fd = open (job->tarball, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot open %s: %s", job->tarball,
                   g_strerror (errno));
      return FALSE;
    }
  patch = lp_patch_verify (fd, job->extract_parent, &expect, trusted, NULL, error);
  close (fd);
  if (patch == NULL)
    return FALSE;
  if (fstat (lp_verified_patch_get_module_fd (patch), &st) == 0)
    job->module_bytes = st.st_size;
  job->dest = g_intern_string (lp_verified_patch_get_directory (patch));
  return TRUE;
}

/* Peak RSS alone cannot tell heap from mapped file pages (which the kernel
 * may drop at any time); a sampler thread reads /proc/self/statm every
 * millisecond and keeps the largest anonymous and file-backed sizes. */
typedef struct
{
  GThread *thread;
  gint stop;
  long page_kib;
  long max_anon_kib;
  long max_file_kib;
} BenchSampler;

static void
bench_sampler_read (BenchSampler *sampler, int fd)
{
  char buf[128];
  long size, resident, shared;
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

  if (n <= 0)
    return;
  buf[n] = '\0';
  if (sscanf (buf, "%ld %ld %ld", &size, &resident, &shared) != 3)
    return;
  sampler->max_anon_kib = MAX (sampler->max_anon_kib, (resident - shared) * sampler->page_kib);
  sampler->max_file_kib = MAX (sampler->max_file_kib, shared * sampler->page_kib);
}

static gpointer
bench_sampler_run (gpointer data)
{
  BenchSampler *sampler = data;
  int fd = open ("/proc/self/statm", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return NULL;
  do
    {
      bench_sampler_read (sampler, fd);
      g_usleep (1000);
    }
  while (!g_atomic_int_get (&sampler->stop));
  bench_sampler_read (sampler, fd);
  close (fd);
  return NULL;
}

static void
bench_sampler_start (BenchSampler *sampler)
{
  sampler->page_kib = sysconf (_SC_PAGESIZE) / 1024;
  sampler->thread = g_thread_new ("bench-sampler", bench_sampler_run, sampler);
}

static void
bench_sampler_stop (BenchSampler *sampler)
{
  g_atomic_int_set (&sampler->stop, 1);
  g_thread_join (sampler->thread);
}

static double
bench_maxrss_kib (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) < 0)
    return -1;
  return ru.ru_maxrss;
}

/* MB/s of GnuTLS's digest on a buffer in memory: the floor of the pipeline's
 * hashing, to set beside `openssl speed`. */
static double
bench_hash_speed (gnutls_digest_algorithm_t algorithm)
{
  const gsize len = 64 * 1024 * 1024;
  g_autofree guint8 *buf = g_malloc (len);
  guint8 digest[64];
  gint64 start;

  memset (buf, 0x5a, len);
  gnutls_hash_fast (algorithm, buf, 4096, digest); /* load and select the implementation */
  start = g_get_monotonic_time ();
  gnutls_hash_fast (algorithm, buf, len, digest);
  return len / 1e6 / ((g_get_monotonic_time () - start) / 1e6);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LpCertSet) trusted = lp_cert_set_new ();
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char *cert = NULL;
  gboolean hash_speed = FALSE;
  BenchJob job = { 0 };
  BenchSampler sampler = { 0 };
  GOptionEntry entries[] = {
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "trusted signing certificate (PEM)", "PEM" },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &job.sha256,
      "expected digest of the tarball (omitted: skip check 1, as when the download was hashed "
      "on the way in)",
      "HEX" },
    { "extract-parent", 0, 0, G_OPTION_ARG_FILENAME, &job.extract_parent,
      "directory in which a fresh extraction directory is made", "DIR" },
    { "hash-speed", 0, 0, G_OPTION_ARG_NONE, &hash_speed,
      "print GnuTLS's SHA-256 and SHA-512 throughput and exit", NULL },
    { NULL },
  };
  gint64 start;
  double ms;

  context = g_option_context_new ("TARBALL - time the patch verification pipeline");
  g_option_context_add_main_entries (context, entries, NULL);
  if (g_option_context_parse (context, &argc, &argv, &error) && hash_speed)
    {
      g_print ("{\"sha256_mbs\": %.1f, \"sha512_mbs\": %.1f}\n",
               bench_hash_speed (GNUTLS_DIG_SHA256), bench_hash_speed (GNUTLS_DIG_SHA512));
      return 0;
    }
  if (error != NULL || argc != 2 || cert == NULL || job.extract_parent == NULL)
    {
      g_printerr ("usage: %s --cert PEM [--sha256 HEX] --extract-parent DIR TARBALL%s%s\n", argv[0],
                  error ? ": " : "", error ? error->message : "");
      return 2;
    }
  job.tarball = argv[1];
  if (!lp_cert_set_add_file (trusted, cert, &error))
    {
      g_printerr ("lp-bench-verify: %s\n", error->message);
      return 1;
    }

  bench_sampler_start (&sampler);
  start = g_get_monotonic_time ();
  if (!bench_run_pipeline (&job, trusted, &error))
    {
      bench_sampler_stop (&sampler);
      g_printerr ("lp-bench-verify: %s: %s\n",
                  error->domain == LP_ERROR ? lp_error_to_nick (error->code) : "foreign",
                  error->message);
      return 1;
    }
  ms = (g_get_monotonic_time () - start) / 1000.0;
  bench_sampler_stop (&sampler);
  g_print ("{\"ms\": %.3f, \"maxrss_kib\": %.0f, \"max_anon_kib\": %ld, \"max_file_kib\": %ld, "
           "\"module_bytes\": %" G_GSIZE_FORMAT ", \"dest\": \"%s\", \"pipeline\": \"%s\"}\n",
           ms, bench_maxrss_kib (), sampler.max_anon_kib, sampler.max_file_kib, job.module_bytes,
           job.dest ? job.dest : "", "lp_patch_verify");
  return 0;
}
