/* lp-engine.c: the patch cycle — enable, check, download, verify, apply,
 * disable — its scheduling, and the properties that show where it stands
 *
 * Everything here runs on the main context except apply_job_run(), the
 * verification and loading step, which runs in a GTask thread and touches
 * only its job, the kernel backend and the store's lock files.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-engine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp-backoff.h"
#include "lp-coverage.h"
#include "lp-crash-point.h"
#include "lp-cve-data.h"
#include "lp-engine.h"
#include "lp-error.h"
#include "lp-kernel-linux.h"
#include "lp-kernel-sim.h"
#include "lp-mode.h"
#include "lp-origin.h"
#include "lp-atomic-file.h"
#include "lp-fetcher.h"
#include "lp-patch.h"
#include "lp-redact.h"
#include "lp-store.h"
#include "lp-token.h"

#define LP_ENGINE_TRANSITION_TIMEOUT_MS (60 * 1000)
#define LP_ENGINE_RETRY_BASE_MS (60 * 1000)
#define LP_ENGINE_RETRY_CAP_MS (60 * 60 * 1000)
#define LP_ENGINE_RETRY_MIN_MS (10 * 1000)
/* The first check after Enable, or after a start with a stale last check,
 * comes soon but not at once, spread so a fleet booted together does not
 * call in at the same second. */
#define LP_ENGINE_FIRST_CHECK_MIN_MS (5 * 1000)
#define LP_ENGINE_FIRST_CHECK_SPREAD_MS (55 * 1000)
/* A verified patch is kept as patches/<sha256>.ko and .manifest. */
#define LP_ENGINE_MODULE_SUFFIX ".ko"
#define LP_ENGINE_MANIFEST_SUFFIX ".manifest"
/* Progress: downloading fills 0..90, verifying and loading the rest. */
#define LP_ENGINE_DOWNLOAD_SHARE 90
/* For tests only: LP_TEST_CHECK_INTERVAL_MINUTE_MS, when set to a number of
 * milliseconds from 1 to 60000, is how long one minute of `check-interval`
 * lasts, so a test can watch periodic checks happen without waiting hours
 * and without a documented minimum below 60 minutes. */
#define LP_ENGINE_MINUTE_MS_ENV "LP_TEST_CHECK_INTERVAL_MINUTE_MS"

enum
{
  PROP_0,
  PROP_ENABLED,
  PROP_MACHINE_ID,
  PROP_KERNEL,
  PROP_ARCHITECTURE,
  PROP_SUPPORTED,
  PROP_CHECK_STATE,
  PROP_PATCH_STATE,
  PROP_PATCH_VERSION,
  PROP_FIXES,
  PROP_LAST_CHECK,
  PROP_NEXT_CHECK,
  PROP_LAST_ERROR,
  PROP_LAST_ERROR_CODE,
  PROP_TIER,
  PROP_MODE,
  PROP_PROGRESS,
  PROP_UPGRADE_REQUIRED_DATE,
  PROP_HELD_BACK_PATCHES,
  PROP_TIER_DESCRIPTION,
  PROP_KERNEL_PACKAGE_FIXES,
  PROP_CVE_DATA_DIGEST,
  PROP_CVE_DATA_TIMESTAMP,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

typedef struct _LpCycle LpCycle;

struct _LpEngine
{
  GObject parent_instance;

  LpConfig *config;
  char *state_dir;
  char *module_certs_dir;
  char *mode_file;
  char *cmdline_path;
  char *work_dir;
  LpKernel *kernel;
  LpStore *store;
  LpFetcher *fetcher;
  LpBackoff *backoff;
  gulong config_changed_id;
  guint timer_id;
  gboolean retry_pending;
  guint pending;             /* asynchronous operations not finished yet */
  GCancellable *life_cancel; /* cancelled at shutdown */
  GCancellable *enable_cancel;

  LpCycle *cycle;          /* the running check or re-apply, NULL when idle */
  GPtrArray *next_waiters; /* Refresh calls that came during a re-apply */

  gboolean enabled;
  char *machine_id;
  char *supported;
  char *check_state;
  char *patch_state;
  char *patch_version;
  GVariant *fixes;
  gint64 last_check;
  gint64 next_check;
  char *last_error;
  char *last_error_code;
  char *tier;
  LpMode mode;
  guint progress;
  LpCoverage *coverage; /* from the last check; never NULL */
  LpCveData *cve_data;
  char *modules_dir; /* where the installed kernels are found */
};

G_DEFINE_TYPE (LpEngine, lp_engine, G_TYPE_OBJECT)

typedef enum
{
  LP_CYCLE_CHECKING,
  LP_CYCLE_FETCHING_CVE, /* the check succeeded; CVE data on its way */
  LP_CYCLE_DOWNLOADING,
  LP_CYCLE_APPLYING, /* verifying and loading: Cancel lets it finish */
} LpCyclePhase;

/* One run of the cycle. The engine drops it (engine->cycle = NULL) when
 * Disable or shutdown cancel it; its late callbacks then only clean up.
 * Cancel keeps it attached: its callbacks end it as cancelled. */
struct _LpCycle
{
  gint ref_count;
  LpEngine *engine;
  GCancellable *cancellable;
  GPtrArray *waiters;        /* GTask: Refresh calls */
  GPtrArray *cancel_waiters; /* GTask: Cancel calls, answered once it stopped */
  LpPatchOffer *offer;
  LpPatchOffer *checked_offer; /* the check's offer, while the CVE data is fetched */
  char *patch_path;
  char *check_state_before; /* CheckState to restore when a check is cancelled */
  LpCyclePhase phase;
  gboolean reapply;
  gboolean cancel_requested;
};

typedef struct
{
  char *file; /* under patches/: <sha256>.ko, with <sha256>.manifest beside it */
  char *sha256;
  LpManifest *manifest; /* from livepatch-fetch; NULL = read the stored one */
  int module_fd;        /* the sealed memfd; -1 = open the stored module */
  gboolean save;        /* a fresh download: store both once verified */
  char *kernel_release;
  char *architecture;
  char *module_certs_dir;
  char *expected_version; /* the server's offer; NULL = the stored patch */
  char *applied_version;  /* rollback floor; NULL = no check */
  char *replaced_module;  /* unloaded once the new one is settled */
  gboolean load;          /* FALSE in no-apply mode */
  LpKernel *kernel;
  LpStore *store;
  /* results */
  char *version;
  char *module_name;
  GVariant *fixes;
} LpApplyJob;

static void engine_start_check (LpEngine *self);
static void engine_schedule_periodic (LpEngine *self);

/* ---- small helpers ---- */

static LpCycle *
lp_cycle_ref (LpCycle *cycle)
{
  cycle->ref_count++;
  return cycle;
}

static void
lp_cycle_unref (LpCycle *cycle)
{
  if (--cycle->ref_count > 0)
    return;
  g_object_unref (cycle->engine);
  g_object_unref (cycle->cancellable);
  g_ptr_array_unref (cycle->waiters);
  g_ptr_array_unref (cycle->cancel_waiters);
  g_clear_pointer (&cycle->offer, lp_patch_offer_free);
  g_clear_pointer (&cycle->checked_offer, lp_patch_offer_free);
  g_free (cycle->patch_path);
  g_free (cycle->check_state_before);
  g_free (cycle);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LpCycle, lp_cycle_unref)

static LpCycle *
lp_cycle_new (LpEngine *self, gboolean reapply)
{
  LpCycle *cycle = g_new0 (LpCycle, 1);

  cycle->ref_count = 1;
  cycle->engine = g_object_ref (self);
  cycle->cancellable = g_cancellable_new ();
  cycle->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  cycle->cancel_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  cycle->reapply = reapply;
  cycle->phase = reapply ? LP_CYCLE_APPLYING : LP_CYCLE_CHECKING;
  return cycle;
}

static gboolean
lp_cycle_is_current (LpCycle *cycle)
{
  return cycle->engine->cycle == cycle;
}

static void
lp_apply_job_free (LpApplyJob *job)
{
  g_free (job->file);
  g_free (job->sha256);
  g_clear_object (&job->manifest);
  if (job->module_fd >= 0)
    close (job->module_fd);
  g_free (job->kernel_release);
  g_free (job->architecture);
  g_free (job->module_certs_dir);
  g_free (job->expected_version);
  g_free (job->applied_version);
  g_free (job->replaced_module);
  g_clear_object (&job->kernel);
  g_clear_object (&job->store);
  g_free (job->version);
  g_free (job->module_name);
  g_clear_pointer (&job->fixes, g_variant_unref);
  g_free (job);
}

static void
engine_set_string (LpEngine *self, char **field, const char *value, guint prop)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
engine_set_int64 (LpEngine *self, gint64 *field, gint64 value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
engine_set_enabled (LpEngine *self, gboolean enabled)
{
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ENABLED]);
}

static void
engine_set_progress (LpEngine *self, guint progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROGRESS]);
}

/* Takes @fixes (floating or a full reference). */
static void
engine_set_fixes (LpEngine *self, GVariant *fixes)
{
  g_autoptr (GVariant) sunk = g_variant_take_ref (fixes);

  if (self->fixes != NULL && g_variant_equal (self->fixes, sunk))
    return;
  g_clear_pointer (&self->fixes, g_variant_unref);
  self->fixes = g_steal_pointer (&sunk);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FIXES]);
}

static char *
engine_coverage_path (LpEngine *self)
{
  return g_build_filename (self->state_dir, "coverage", NULL);
}

/* Takes @coverage; notifies each of its properties that changed, and keeps
 * it for the next start. */
static void
engine_set_coverage (LpEngine *self, LpCoverage *coverage)
{
  g_autoptr (LpCoverage) old = g_steal_pointer (&self->coverage);
  g_autofree char *path = engine_coverage_path (self);
  g_autoptr (GError) error = NULL;
  gboolean changed = FALSE;

  self->coverage = coverage;
  if (g_strcmp0 (old->upgrade_required_date, coverage->upgrade_required_date) != 0)
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_UPGRADE_REQUIRED_DATE]);
    }
  if (!g_variant_equal (old->held_back, coverage->held_back))
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HELD_BACK_PATCHES]);
    }
  if (g_strcmp0 (old->tier_description, coverage->tier_description) != 0)
    {
      changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TIER_DESCRIPTION]);
    }
  if (changed && !lp_coverage_save (coverage, path, &error))
    g_warning ("%s", error->message);
}

static void
engine_set_check_state (LpEngine *self, const char *state)
{
  engine_set_string (self, &self->check_state, state, PROP_CHECK_STATE);
}

static void
engine_set_patch_state (LpEngine *self, const char *state)
{
  engine_set_string (self, &self->patch_state, state, PROP_PATCH_STATE);
}

/* LastError and LastErrorCode change together; NULL clears both. */
static void
engine_set_last_error (LpEngine *self, const GError *error)
{
  const char *code = "";
  g_autofree char *shown = lp_redact_text (error != NULL ? error->message : "");

  if (error != NULL)
    code = error->domain == LP_ERROR ? lp_error_to_nick (error->code)
                                     : lp_error_to_nick (LP_ERROR_INTERNAL);
  engine_set_string (self, &self->last_error, shown, PROP_LAST_ERROR);
  engine_set_string (self, &self->last_error_code, code, PROP_LAST_ERROR_CODE);
}

static void
engine_update_mode (LpEngine *self)
{
  LpMode mode = lp_mode_read (self->cmdline_path, self->mode_file);

  if (mode == self->mode)
    return;
  g_info ("operating mode is now %s", lp_mode_to_string (mode));
  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MODE]);
}

static gboolean
engine_mode_allows_server (LpEngine *self)
{
  return self->mode == LP_MODE_NORMAL || self->mode == LP_MODE_NO_APPLY;
}

static GError *
engine_mode_error (LpEngine *self)
{
  return g_error_new (LP_ERROR, LP_ERROR_BLOCKED,
                      _ ("the operating mode is %s, so the server is not contacted; "
                         "change canonical_livepatch_mode= on the kernel command line or in %s"),
                      lp_mode_to_string (self->mode), self->mode_file);
}

static char *
read_trimmed_file (const char *path)
{
  g_autofree char *text = NULL;

  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return g_strdup (g_strstrip (text));
}

/* The patch on record, if the kernel really runs it. */
static gboolean
engine_stored_patch_is_loaded (LpEngine *self)
{
  const char *module = lp_store_get_patch_module (self->store);

  return *module != '\0' && lp_kernel_patch_is_enabled (self->kernel, module);
}

/* "applied", or "applied-with-bug" when the server called @version buggy. */
static const char *
engine_applied_state (LpEngine *self, const char *version)
{
  const char *buggy = lp_store_get_buggy_version (self->store);

  return *buggy != '\0' && lp_version_compare (buggy, version) == 0 ? "applied-with-bug"
                                                                    : "applied";
}

/* PatchState and PatchVersion as the store and the kernel say, outside a cycle. */
static void
engine_settle_patch_state (LpEngine *self)
{
  if (engine_stored_patch_is_loaded (self))
    {
      const char *version = lp_store_get_patch_version (self->store);

      engine_set_string (self, &self->patch_version, version, PROP_PATCH_VERSION);
      engine_set_fixes (self, g_variant_ref (lp_store_get_fixes (self->store)));
      engine_set_patch_state (self, engine_applied_state (self, version));
      return;
    }
  engine_set_string (self, &self->patch_version, "", PROP_PATCH_VERSION);
  engine_set_fixes (self, g_variant_new_array (G_VARIANT_TYPE ("(ssbs)"), NULL, 0));
  engine_set_patch_state (self, "unapplied");
}

/* ---- scheduling ---- */

static void
engine_unschedule (LpEngine *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->retry_pending = FALSE;
  engine_set_int64 (self, &self->next_check, 0, PROP_NEXT_CHECK);
}

static gboolean
engine_timer_cb (gpointer user_data)
{
  LpEngine *self = LP_ENGINE (user_data);

  self->timer_id = 0;
  self->retry_pending = FALSE;
  engine_set_int64 (self, &self->next_check, 0, PROP_NEXT_CHECK);
  engine_update_mode (self);
  if (self->cycle != NULL || !self->enabled || !engine_mode_allows_server (self))
    return G_SOURCE_REMOVE;
  g_debug ("scheduled check");
  engine_start_check (self);
  return G_SOURCE_REMOVE;
}

static void
engine_schedule_in (LpEngine *self, guint64 delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MIN (delay_ms, G_MAXUINT),
                                       engine_timer_cb, self, NULL);
  engine_set_int64 (self, &self->next_check,
                    g_get_real_time () / G_USEC_PER_SEC + (gint64) (delay_ms / 1000),
                    PROP_NEXT_CHECK);
}

static guint64
engine_minute_ms (void)
{
  const char *override = g_getenv (LP_ENGINE_MINUTE_MS_ENV);
  guint64 ms = 0;

  if (override != NULL && g_ascii_string_to_unsigned (override, 10, 1, 60 * 1000, &ms, NULL))
    return ms;
  return 60 * 1000;
}

/* check-interval in milliseconds; 0 = no automatic checks. */
static guint64
engine_check_interval_ms (LpEngine *self)
{
  return (guint64) lp_config_get_check_interval (self->config) * engine_minute_ms ();
}

static void
engine_schedule_periodic (LpEngine *self)
{
  guint64 interval_ms = engine_check_interval_ms (self);

  if (!self->enabled || !engine_mode_allows_server (self) || interval_ms == 0)
    {
      engine_unschedule (self);
      return;
    }
  self->retry_pending = FALSE;
  engine_schedule_in (self, lp_backoff_periodic_delay (interval_ms, NULL, NULL));
}

/* Soon after Enable, or at start-up: the last check is missing or stale. */
static void
engine_schedule_first (LpEngine *self)
{
  guint64 interval_ms = engine_check_interval_ms (self);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 since_ms = (now - self->last_check) * 1000;

  if (!self->enabled || !engine_mode_allows_server (self) || interval_ms == 0)
    {
      engine_unschedule (self);
      return;
    }
  if (self->last_check > 0 && since_ms >= 0 && (guint64) since_ms < interval_ms)
    {
      engine_schedule_in (self, MAX (interval_ms - since_ms, LP_ENGINE_FIRST_CHECK_MIN_MS));
      return;
    }
  engine_schedule_in (self, LP_ENGINE_FIRST_CHECK_MIN_MS +
                                (guint64) g_random_int_range (0, LP_ENGINE_FIRST_CHECK_SPREAD_MS));
}

static void
engine_schedule_retry (LpEngine *self)
{
  guint64 delay = MAX (lp_backoff_next_delay (self->backoff), LP_ENGINE_RETRY_MIN_MS);

  g_info ("next attempt in %" G_GUINT64_FORMAT " s", delay / 1000);
  engine_schedule_in (self, delay);
  self->retry_pending = TRUE;
}

static void
config_changed_cb (LpConfig *config, gpointer user_data)
{
  LpEngine *self = LP_ENGINE (user_data);

  /* A pending retry keeps its time, and a cycle still checking schedules
   * when its check is recorded; one that already scheduled the next check
   * (it is downloading, applying or fetching CVE data) is rescheduled now. */
  if (!self->retry_pending && (self->cycle == NULL || self->next_check != 0))
    engine_schedule_periodic (self);
}

/* ---- cycle completion ---- */

static void
engine_complete_waiters (GPtrArray *waiters, const GError *error)
{
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_ptr_array_set_size (waiters, 0);
}

/* Ends the current cycle; Refresh calls that waited for a re-apply then
 * get a check of their own. Every property is final before a waiter is
 * answered: the daemon replies from inside engine_complete_waiters(). */
static void
engine_finish_cycle (LpEngine *self, LpCycle *cycle, const GError *error)
{
  g_autoptr (LpCycle) ref = lp_cycle_ref (cycle);

  if (self->cycle == cycle)
    {
      self->cycle = NULL;
      lp_cycle_unref (cycle);
    }
  engine_set_progress (self, 0);
  /* A timer that fired during a re-apply found the engine busy. */
  if (self->timer_id == 0)
    engine_schedule_periodic (self);
  engine_complete_waiters (cycle->waiters, error);
  engine_complete_waiters (cycle->cancel_waiters, NULL);
  if (self->next_waiters->len == 0)
    return;
  if (!self->enabled || !engine_mode_allows_server (self))
    {
      g_autoptr (GError) blocked = engine_mode_error (self);
      engine_complete_waiters (self->next_waiters, blocked);
      return;
    }
  engine_start_check (self);
}

/* Disable and shutdown: the cycle's callbacks will find it detached. */
static void
engine_abort_cycle (LpEngine *self, const char *why)
{
  LpCycle *cycle = self->cycle;
  g_autoptr (GError) error = NULL;

  if (cycle == NULL)
    return;
  self->cycle = NULL;
  g_cancellable_cancel (cycle->cancellable);
  engine_set_progress (self, 0);
  error = g_error_new_literal (LP_ERROR, LP_ERROR_CANCELLED, why);
  engine_complete_waiters (cycle->waiters, error);
  engine_complete_waiters (self->next_waiters, error);
  engine_complete_waiters (cycle->cancel_waiters, NULL);
  lp_cycle_unref (cycle);
}

/* Cancel stopped the check or the download: what was there before it stays. */
static void
engine_finish_cancelled (LpEngine *self, LpCycle *cycle)
{
  g_autoptr (GError) error = NULL;

  g_message ("%s cancelled", cycle->phase == LP_CYCLE_DOWNLOADING ? "download" : "check");
  if (cycle->phase != LP_CYCLE_DOWNLOADING)
    {
      /* A check that completed (only its CVE data was pending) stays recorded. */
      if (cycle->phase == LP_CYCLE_CHECKING)
        engine_set_check_state (self, cycle->check_state_before);
      error = g_error_new_literal (LP_ERROR, LP_ERROR_CANCELLED, _ ("the check was cancelled"));
    }
  else
    {
      engine_settle_patch_state (self);
      error = g_error_new_literal (LP_ERROR, LP_ERROR_CANCELLED,
                                   _ ("the download was cancelled; nothing was applied"));
    }
  engine_finish_cycle (self, cycle, error);
}

static gboolean
is_cancelled_error (const GError *error)
{
  return g_error_matches (error, LP_ERROR, LP_ERROR_CANCELLED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* patches/<sha256>.ko -> patches/<sha256>.manifest */
static char *
engine_manifest_path (const char *module_path)
{
  g_autofree char *base =
      g_strndup (module_path, strlen (module_path) - strlen (LP_ENGINE_MODULE_SUFFIX));

  return g_strconcat (base, LP_ENGINE_MANIFEST_SUFFIX, NULL);
}

/* A stored patch: the module and, beside it, its manifest. */
static void
engine_remove_stored (const char *path)
{
  g_autofree char *manifest_path =
      g_str_has_suffix (path, LP_ENGINE_MODULE_SUFFIX) ? engine_manifest_path (path) : NULL;

  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
  if (manifest_path != NULL)
    g_unlink (manifest_path);
}

/* Deletes a downloaded patch that did not become the applied one. */
static void
engine_discard_download (LpEngine *self, const char *path)
{
  g_autofree char *applied = NULL;
  const char *file = lp_store_get_patch_file (self->store);

  if (path == NULL)
    return;
  applied = *file != '\0' ? lp_store_get_patch_path (self->store, file) : NULL;
  if (g_strcmp0 (applied, path) != 0)
    engine_remove_stored (path);
}

static void
engine_fail_apply (LpEngine *self, LpCycle *cycle, const GError *error)
{
  g_warning ("patch not applied: %s", error->message);
  engine_discard_download (self, cycle->patch_path);
  engine_set_patch_state (self, "apply-failed");
  engine_set_last_error (self, error);
  engine_finish_cycle (self, cycle, error);
}

/* ---- apply (GTask thread) ---- */

static GError *
apply_job_check_versions (LpApplyJob *job, LpManifest *manifest)
{
  const char *version = lp_manifest_get_version (manifest);

  if (job->expected_version != NULL && lp_version_compare (version, job->expected_version) != 0)
    return g_error_new (LP_ERROR, LP_ERROR_INVALID_METADATA,
                        "patch.json says version %s but the server offered %s", version,
                        job->expected_version);
  if (job->applied_version != NULL && *job->applied_version != '\0' &&
      lp_version_compare (version, job->applied_version) < 0)
    return g_error_new (LP_ERROR, LP_ERROR_ROLLBACK,
                        _ ("patch %s is older than the applied patch %s; refusing to roll back"),
                        version, job->applied_version);
  return NULL;
}

/* The stored module and its manifest, for the re-apply at boot. */
static gboolean
apply_job_open_stored (LpApplyJob *job, GError **error)
{
  g_autofree char *path = lp_store_get_patch_path (job->store, job->file);
  g_autofree char *manifest_path = engine_manifest_path (path);
  g_autofree char *data = NULL;
  g_autoptr (GVariant) value = NULL;
  gsize len = 0;

  if (!g_file_get_contents (manifest_path, &data, &len, error))
    return FALSE;
  value = g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (LP_MANIFEST_VARIANT_TYPE),
                                                       data, len, FALSE, NULL, NULL));
  if (!g_variant_is_normal_form (value))
    return lp_error_fail (error, LP_ERROR_INVALID_METADATA, "%s is damaged", manifest_path);
  job->manifest = lp_manifest_new_from_variant (value, error);
  if (job->manifest == NULL)
    return FALSE;
  job->module_fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (job->module_fd < 0)
    return lp_error_fail (error, LP_ERROR_INTERNAL, "cannot open %s: %s", path, g_strerror (errno));
  return TRUE;
}

static LpVerifiedPatch *
apply_job_verify (LpApplyJob *job, GError **error)
{
  g_autoptr (LpCertSet) certs = lp_cert_set_new_default (job->module_certs_dir, error);
  LpPatchExpectation expect = { job->kernel_release, job->architecture, NULL, NULL };

  if (certs == NULL || (job->manifest == NULL && !apply_job_open_stored (job, error)))
    return NULL;
  return lp_patch_verify_module (job->module_fd, job->manifest, &expect, certs, error);
}

/* A fresh download is kept for the re-apply at boot: the module as
 * verified, and its manifest beside it. */
static gboolean
apply_job_save (LpApplyJob *job, GError **error)
{
  g_autofree char *path = lp_store_get_patch_path (job->store, job->file);
  g_autofree char *manifest_path = engine_manifest_path (path);
  g_autoptr (GMappedFile) module = g_mapped_file_new_from_fd (job->module_fd, FALSE, error);
  g_autoptr (GVariant) manifest = g_variant_ref_sink (lp_manifest_to_variant (job->manifest));

  if (module == NULL ||
      !lp_atomic_file_write (manifest_path, g_variant_get_data (manifest),
                             g_variant_get_size (manifest), 0600, error) ||
      !lp_atomic_file_write (path, g_mapped_file_get_contents (module),
                             g_mapped_file_get_length (module), 0600, error))
    {
      g_prefix_error (error, "cannot store patch %s: ", job->version);
      return FALSE;
    }
  /* Stored, not yet recorded: the next start removes both files. */
  lp_crash_point ("after-store");
  return TRUE;
}

static GError *
apply_job_lock_error (LpApplyJob *job)
{
  g_autofree char *lock = lp_store_get_lock_path (job->store, job->module_name);

  return g_error_new (LP_ERROR, LP_ERROR_BLOCKED,
                      _ ("livepatch %s was being inserted when the service or the machine "
                         "stopped, so it is not inserted again (crash-loop guard); once the cause "
                         "is understood, remove %s to allow it"),
                      job->module_name, lock);
}

static void
apply_job_unload_replaced (LpApplyJob *job, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;

  if (job->replaced_module == NULL || g_strcmp0 (job->replaced_module, job->module_name) == 0)
    return;
  if (!lp_kernel_unload_patch (job->kernel, job->replaced_module, cancellable, &error))
    g_warning ("cannot unload replaced livepatch %s: %s", job->replaced_module, error->message);
  else
    g_message ("unloaded replaced livepatch %s", job->replaced_module);
}

/* Lock, insert, wait for the transition, unload what it replaced. The lock
 * stays until the main thread has recorded the patch (engine_record_applied),
 * so a service killed in between finds both the lock and the loaded module. */
static gboolean
apply_job_load (LpApplyJob *job, LpVerifiedPatch *patch, GCancellable *cancellable, GError **error)
{
  g_autoptr (GError) unlock_error = NULL;
  const char *file = job->file;

  if (lp_store_has_lock (job->store, job->module_name))
    {
      g_propagate_error (error, apply_job_lock_error (job));
      return FALSE;
    }
  /* The service died after the insert but before recording it: adopt it. */
  if (lp_kernel_patch_is_enabled (job->kernel, job->module_name))
    {
      g_message ("livepatch %s is already loaded; recording it", job->module_name);
      apply_job_unload_replaced (job, cancellable);
      return TRUE;
    }
  if (!lp_store_write_lock (job->store, job->module_name, job->version, job->sha256, file,
                            job->fixes, error))
    return FALSE;
  lp_crash_point ("after-lock");
  if (lp_kernel_load_module (job->kernel, lp_verified_patch_get_module_fd (patch), job->module_name,
                             error) &&
      lp_kernel_wait_transition (job->kernel, job->module_name, LP_ENGINE_TRANSITION_TIMEOUT_MS,
                                 NULL, error))
    {
      apply_job_unload_replaced (job, cancellable);
      return TRUE;
    }
  /* The kernel refused it and survived: not a crash loop. */
  if (!lp_store_remove_lock (job->store, job->module_name, &unlock_error))
    g_warning ("%s", unlock_error->message);
  return FALSE;
}

static gboolean
apply_job_run (LpApplyJob *job, GCancellable *cancellable, GError **error)
{
  g_autoptr (LpVerifiedPatch) patch = apply_job_verify (job, error);
  LpManifest *manifest;
  GError *version_error;
  gboolean ok = TRUE;

  if (patch == NULL)
    return FALSE;
  lp_crash_point ("after-verify");
  manifest = lp_verified_patch_get_manifest (patch);
  version_error = apply_job_check_versions (job, manifest);
  job->version = g_strdup (lp_manifest_get_version (manifest));
  job->module_name = g_strdup (lp_verified_patch_get_module_name (patch));
  job->fixes = g_variant_ref_sink (lp_manifest_get_fixes_variant (manifest));
  if (version_error != NULL)
    g_propagate_error (error, version_error);
  else if (g_cancellable_set_error_if_cancelled (cancellable, error))
    ok = FALSE;
  else if (job->save && !apply_job_save (job, error))
    ok = FALSE;
  else if (job->load)
    ok = apply_job_load (job, patch, cancellable, error);
  return ok && version_error == NULL;
}

static void
apply_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (apply_job_run (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* ---- apply (main context) ---- */

static void
engine_record_applied (LpEngine *self, LpCycle *cycle, LpApplyJob *job)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *old_file = g_strdup (lp_store_get_patch_file (self->store));
  const char *new_file = job->file;

  lp_store_set_patch (self->store, job->version, job->module_name, job->sha256, new_file,
                      g_variant_ref (job->fixes));
  lp_crash_point ("after-load");
  if (!lp_store_save (self->store, &error))
    g_warning ("%s", error->message);
  g_clear_error (&error);
  /* Even if the state could not be saved: the insert itself went well. */
  if (!lp_store_remove_lock (self->store, job->module_name, &error))
    g_warning ("%s", error->message);
  if (*old_file != '\0' && g_strcmp0 (old_file, new_file) != 0)
    {
      g_autofree char *old_path = lp_store_get_patch_path (self->store, old_file);
      engine_remove_stored (old_path);
    }
  engine_set_string (self, &self->patch_version, job->version, PROP_PATCH_VERSION);
  engine_set_fixes (self, g_variant_ref (job->fixes));
  engine_set_patch_state (self, engine_applied_state (self, job->version));
  engine_set_last_error (self, NULL);
  g_message ("livepatch %s applied (module %s)", job->version, job->module_name);
}

/* After a reboot into another kernel the stored patch simply no longer fits. */
static void
engine_forget_stored_patch (LpEngine *self, const GError *why)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path =
      lp_store_get_patch_path (self->store, lp_store_get_patch_file (self->store));

  g_message ("stored patch %s is not for this kernel (%s); forgetting it",
             lp_store_get_patch_version (self->store), why->message);
  lp_store_clear_patch (self->store);
  engine_discard_download (self, path);
  if (!lp_store_save (self->store, &error))
    g_warning ("%s", error->message);
  engine_settle_patch_state (self);
}

static void
engine_apply_failed (LpEngine *self, LpCycle *cycle, const GError *error)
{
  if (!lp_cycle_is_current (cycle))
    {
      engine_discard_download (self, cycle->patch_path);
      return;
    }
  if (is_cancelled_error (error))
    {
      engine_discard_download (self, cycle->patch_path);
      engine_finish_cycle (self, cycle, error);
      return;
    }
  if (cycle->reapply && g_error_matches (error, LP_ERROR, LP_ERROR_KERNEL_MISMATCH))
    {
      engine_forget_stored_patch (self, error);
      engine_finish_cycle (self, cycle, NULL);
      return;
    }
  /* A re-apply has no patch_path: the stored patch is kept for the record. */
  engine_fail_apply (self, cycle, error);
}

static void
apply_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (LpCycle) cycle = user_data;
  LpEngine *self = cycle->engine;
  LpApplyJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  self->pending--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      engine_apply_failed (self, cycle, error);
      return;
    }
  /* A module that went in is recorded even if Disable came meanwhile: the
   * store and the properties must tell what the kernel runs. */
  if (job->load)
    engine_record_applied (self, cycle, job);
  if (!lp_cycle_is_current (cycle))
    return;
  if (!job->load)
    {
      g_message ("patch %s downloaded and verified; not loaded in no-apply mode", job->version);
      engine_settle_patch_state (self);
      engine_set_last_error (self, NULL);
    }
  engine_finish_cycle (self, cycle, NULL);
}

/* @manifest (taken) NULL: re-apply the stored @file. */
static LpApplyJob *
engine_new_apply_job (LpEngine *self, const char *file, LpManifest *manifest)
{
  LpApplyJob *job = g_new0 (LpApplyJob, 1);
  const char *module = lp_store_get_patch_module (self->store);

  job->file = g_strdup (file);
  job->sha256 = g_strndup (file, strcspn (file, "."));
  job->manifest = manifest;
  job->module_fd = -1;
  job->kernel_release = g_strdup (lp_kernel_get_release (self->kernel));
  job->architecture = g_strdup (lp_kernel_get_architecture (self->kernel));
  job->module_certs_dir = g_strdup (self->module_certs_dir);
  job->replaced_module = *module != '\0' ? g_strdup (module) : NULL;
  job->load = self->mode != LP_MODE_NO_APPLY;
  job->kernel = g_object_ref (self->kernel);
  job->store = g_object_ref (self->store);
  return job;
}

static void
engine_run_apply (LpEngine *self, LpCycle *cycle, LpApplyJob *job)
{
  g_autoptr (GTask) task =
      g_task_new (NULL, cycle->cancellable, apply_done_cb, lp_cycle_ref (cycle));

  cycle->phase = LP_CYCLE_APPLYING;
  engine_set_patch_state (self, "applying");
  engine_set_progress (self, LP_ENGINE_DOWNLOAD_SHARE);
  g_task_set_task_data (task, job, (GDestroyNotify) lp_apply_job_free);
  self->pending++;
  g_task_run_in_thread (task, apply_thread);
}

/* ---- download ---- */

static void
download_progress_cb (guint64 received, guint64 total, gpointer user_data)
{
  LpCycle *cycle = user_data;

  if (lp_cycle_is_current (cycle) && total > 0)
    engine_set_progress (cycle->engine,
                         (guint) (MIN (received, total) * LP_ENGINE_DOWNLOAD_SHARE / total));
}

static void
download_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (LpCycle) cycle = user_data;
  LpEngine *self = cycle->engine;
  g_autoptr (GError) error = NULL;
  g_autoptr (LpFetchResult) fetched = lp_fetcher_run_finish (LP_FETCHER (source), result, &error);
  g_autofree char *file = NULL;
  LpApplyJob *job;

  self->pending--;
  /* Nothing is on disk yet: the module is in memory until it is verified. */
  if (!lp_cycle_is_current (cycle))
    return;
  if (cycle->cancel_requested)
    {
      engine_finish_cancelled (self, cycle);
      return;
    }
  if (fetched == NULL)
    {
      g_prefix_error (&error, "cannot download patch %s: ", cycle->offer->version);
      engine_fail_apply (self, cycle, error);
      return;
    }
  lp_crash_point ("after-download");
  file = g_strconcat (cycle->offer->sha256, LP_ENGINE_MODULE_SUFFIX, NULL);
  cycle->patch_path = lp_store_get_patch_path (self->store, file);
  job = engine_new_apply_job (self, file, g_steal_pointer (&fetched->manifest));
  job->module_fd = fetched->module_fd;
  fetched->module_fd = -1;
  job->save = TRUE;
  job->expected_version = g_strdup (cycle->offer->version);
  /* A patch the server marks as a replacement may be older: no rollback floor. */
  if (!cycle->offer->replacement)
    job->applied_version = g_strdup (lp_store_get_patch_version (self->store));
  engine_run_apply (self, cycle, job);
}

/* Starts @args with the client id and machine token (the stored ones when
 * NULL): what every request after Enable carries. */
static void
engine_init_token_args (LpEngine *self, GVariantDict *args, const char *client_id,
                        const char *token)
{
  g_variant_dict_init (args, NULL);
  g_variant_dict_insert (args, "client-id", "s",
                         client_id != NULL ? client_id : lp_store_get_client_id (self->store));
  token = token != NULL ? token : lp_store_get_machine_token (self->store);
  g_variant_dict_insert (args, "machine-token", "s", token != NULL ? token : "");
}

/* NULL when a request now may carry the machine token: remote-server is
 * still the origin that issued it. Called right before each such request,
 * on the main context, where LpClient reads remote-server too. */
static GError *
engine_origin_error (LpEngine *self)
{
  return lp_origin_check_enrolment (lp_store_get_origin (self->store),
                                    lp_config_get_remote_server (self->config));
}

static void
engine_download (LpEngine *self, LpCycle *cycle)
{
  g_autoptr (GError) error = engine_origin_error (self);
  GVariantDict args;

  if (error != NULL)
    {
      engine_fail_apply (self, cycle, error);
      return;
    }
  cycle->phase = LP_CYCLE_DOWNLOADING;
  engine_set_patch_state (self, "downloading");
  engine_set_progress (self, 0);
  engine_init_token_args (self, &args, NULL, NULL);
  g_variant_dict_insert (&args, "version", "s", cycle->offer->version);
  g_variant_dict_insert (&args, "url", "s", cycle->offer->url);
  g_variant_dict_insert (&args, "sha256", "s", cycle->offer->sha256);
  g_variant_dict_insert (&args, "size", "t", cycle->offer->size);
  g_variant_dict_insert (&args, "replacement", "b", cycle->offer->replacement);
  self->pending++;
  lp_fetcher_run_async (self->fetcher, LP_FETCH_DOWNLOAD, g_variant_dict_end (&args),
                        download_progress_cb, cycle, cycle->cancellable, download_done_cb,
                        lp_cycle_ref (cycle));
}

/* ---- check ---- */

static void
engine_handle_offer (LpEngine *self, LpCycle *cycle, LpPatchOffer *offer)
{
  const char *applied = lp_store_get_patch_version (self->store);
  g_autoptr (GError) error = NULL;

  if (offer == NULL)
    {
      engine_settle_patch_state (self);
      if (!engine_stored_patch_is_loaded (self))
        engine_set_patch_state (self, "nothing-to-apply");
      engine_finish_cycle (self, cycle, NULL);
      return;
    }
  if (*applied != '\0' && lp_version_compare (offer->version, applied) == 0 &&
      engine_stored_patch_is_loaded (self))
    {
      engine_settle_patch_state (self);
      engine_finish_cycle (self, cycle, NULL);
      return;
    }
  if (*applied != '\0' && lp_version_compare (offer->version, applied) < 0 && !offer->replacement)
    {
      error = g_error_new (LP_ERROR, LP_ERROR_ROLLBACK,
                           _ ("the server offered patch %s, older than the applied patch %s; "
                              "refusing to roll back"),
                           offer->version, applied);
      engine_fail_apply (self, cycle, error);
      return;
    }
  cycle->offer = lp_patch_offer_copy (offer);
  engine_download (self, cycle);
}

/* A refused token needs a person, not a retry: LastError says what to do. */
static void
engine_fail_check_unknown_token (LpEngine *self)
{
  g_autoptr (GError) hint = g_error_new_literal (
      LP_ERROR, LP_ERROR_UNKNOWN_TOKEN,
      _ ("the server no longer accepts this machine's token; disable Livepatch, then enable it "
         "again with a valid token"));

  engine_set_last_error (self, hint);
}

static void
engine_fail_check (LpEngine *self, LpCycle *cycle, GError *error)
{
  /* Says itself what to do (another server than the enrolment's). */
  g_autoptr (GError) unprefixed =
      g_error_matches (error, LP_ERROR, LP_ERROR_NOT_ENABLED) ? g_error_copy (error) : NULL;

  g_prefix_error (&error, "check failed: ");
  g_warning ("%s", error->message);
  /* "last check" is the attempt, as in the reference client; the stored
   * time of the last good check (scheduling after a restart) stays */
  engine_set_int64 (self, &self->last_check, g_get_real_time () / G_USEC_PER_SEC, PROP_LAST_CHECK);
  engine_set_check_state (self, "check-failed");
  if (g_error_matches (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN))
    engine_fail_check_unknown_token (self);
  else
    engine_set_last_error (self, unprefixed != NULL ? unprefixed : error);
  engine_settle_patch_state (self);
  /* Only Enable (or the old remote-server) mends these: no quick retries. */
  if (!g_error_matches (error, LP_ERROR, LP_ERROR_UNKNOWN_TOKEN) &&
      !g_error_matches (error, LP_ERROR, LP_ERROR_NOT_ENABLED))
    engine_schedule_retry (self);
  engine_finish_cycle (self, cycle, error);
}

static void
engine_record_check (LpEngine *self, const LpCheckReply *reply)
{
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  lp_backoff_reset (self->backoff);
  lp_store_set_check (self->store, now, reply->supported);
  lp_store_set_buggy_version (self->store, reply->buggy_version);
  if (*reply->buggy_version != '\0')
    g_warning ("the server reports patch %s as buggy", reply->buggy_version);
  if (!lp_store_save (self->store, &error))
    g_warning ("%s", error->message);
  engine_set_int64 (self, &self->last_check, now, PROP_LAST_CHECK);
  engine_set_string (self, &self->supported, reply->supported, PROP_SUPPORTED);
  engine_set_check_state (self, "checked");
  engine_schedule_periodic (self);
}

/* ---- CVE data ---- */

static void
cve_data_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (LpCycle) cycle = user_data;
  LpEngine *self = cycle->engine;
  g_autoptr (GError) error = NULL;
  g_autoptr (LpFetchResult) reply = lp_fetcher_run_finish (LP_FETCHER (source), result, &error);
  g_autofree char *before = NULL;

  self->pending--;
  if (!lp_cycle_is_current (cycle))
    return;
  if (cycle->cancel_requested)
    {
      engine_finish_cancelled (self, cycle);
      return;
    }
  before = g_strdup (lp_cve_data_get_digest (self->cve_data));
  /* The data only informs the administrator: a failure is logged, keeps the
   * stored copy and never holds a patch back. */
  if (reply != NULL && reply->cve_digest != NULL)
    lp_cve_data_replace_parsed (self->cve_data, reply->cve_digest, reply->cve_timestamp,
                                reply->cve_fixes, &error);
  if (error != NULL)
    g_warning ("CVE data not updated: %s", error->message);
  else if (reply->cve_not_modified)
    g_debug ("CVE data unchanged on the server");
  if (g_strcmp0 (before, lp_cve_data_get_digest (self->cve_data)) != 0)
    {
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_KERNEL_PACKAGE_FIXES]);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CVE_DATA_DIGEST]);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CVE_DATA_TIMESTAMP]);
    }
  engine_handle_offer (self, cycle, cycle->checked_offer);
}

/* After a successful check: refresh the CVE data, then act on the offer. */
static void
engine_fetch_cve_data (LpEngine *self, LpCycle *cycle)
{
  g_auto (GStrv) kernels =
      lp_cve_data_installed_kernels (self->modules_dir, lp_kernel_get_release (self->kernel));
  g_autoptr (GError) error = engine_origin_error (self);
  GVariantDict args;

  /* The request carries the token: not to another server (the offer then
   * fails the same way, with the message that says what to do). */
  if (error != NULL)
    {
      engine_handle_offer (self, cycle, cycle->checked_offer);
      return;
    }
  engine_init_token_args (self, &args, NULL, NULL);
  g_variant_dict_insert (&args, "kernels", "^as", kernels);
  g_variant_dict_insert (&args, "digest", "s", lp_cve_data_get_digest (self->cve_data));
  self->pending++;
  lp_fetcher_run_async (self->fetcher, LP_FETCH_CVE_DATA, g_variant_dict_end (&args), NULL, NULL,
                        cycle->cancellable, cve_data_done_cb, lp_cycle_ref (cycle));
}

static void
check_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (LpCycle) cycle = user_data;
  LpEngine *self = cycle->engine;
  GError *error = NULL;
  g_autoptr (LpFetchResult) fetched = lp_fetcher_run_finish (LP_FETCHER (source), result, &error);
  LpCheckReply *reply = fetched != NULL ? fetched->check : NULL;

  self->pending--;
  if (!lp_cycle_is_current (cycle) || cycle->cancel_requested)
    {
      g_clear_error (&error);
      /* A reply that beat the cancellation is dropped too: Cancel was asked for. */
      if (lp_cycle_is_current (cycle))
        engine_finish_cancelled (self, cycle);
      return;
    }
  if (reply == NULL)
    {
      engine_fail_check (self, cycle, error);
      g_error_free (error);
      return;
    }
  engine_record_check (self, reply);
  engine_set_coverage (self, g_steal_pointer (&reply->coverage));
  if (self->mode == LP_MODE_NO_APPLY && reply->patch != NULL)
    g_info ("no-apply mode: patch %s will be downloaded and verified only", reply->patch->version);
  cycle->checked_offer = g_steal_pointer (&reply->patch);
  cycle->phase = LP_CYCLE_FETCHING_CVE;
  engine_fetch_cve_data (self, cycle);
}

static void
read_uptime (gint64 *out_uptime, gint64 *out_boot_time)
{
  g_autofree char *text = read_trimmed_file ("/proc/uptime");
  gint64 uptime = (gint64) g_ascii_strtod (text, NULL);

  *out_uptime = uptime;
  *out_boot_time = uptime > 0 ? g_get_real_time () / G_USEC_PER_SEC - uptime : 0;
}

static void
engine_start_check (LpEngine *self)
{
  LpCycle *cycle = lp_cycle_new (self, FALSE);
  GVariantDict args;
  gint64 uptime = 0, boot_time = 0;
  GError *origin_error = NULL;

  g_ptr_array_extend_and_steal (cycle->waiters, g_steal_pointer (&self->next_waiters));
  self->next_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->cycle = cycle;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  engine_set_int64 (self, &self->next_check, 0, PROP_NEXT_CHECK);
  engine_set_progress (self, 0);
  origin_error = engine_origin_error (self);
  if (origin_error != NULL)
    {
      engine_fail_check (self, cycle, origin_error);
      g_error_free (origin_error);
      return;
    }
  engine_init_token_args (self, &args, NULL, NULL);
  g_variant_dict_insert (&args, "kernel", "s", lp_kernel_get_release (self->kernel));
  g_variant_dict_insert (&args, "architecture", "s", lp_kernel_get_architecture (self->kernel));
  g_variant_dict_insert (&args, "patch-version", "s", self->patch_version);
  g_variant_dict_insert (&args, "patch-state", "s", self->patch_state);
  g_variant_dict_insert (&args, "check-state", "s", self->check_state);
  cycle->check_state_before = g_strdup (self->check_state);
  read_uptime (&uptime, &boot_time);
  g_variant_dict_insert (&args, "uptime", "x", uptime);
  g_variant_dict_insert (&args, "boot-time", "x", boot_time);
  if (lp_config_get_cutoff_date_text (self->config) != NULL)
    g_variant_dict_insert (&args, "cutoff-date", "s",
                           lp_config_get_cutoff_date_text (self->config));
  if (lp_config_get_patch_delay_text (self->config) != NULL)
    g_variant_dict_insert (&args, "patch-delay", "s",
                           lp_config_get_patch_delay_text (self->config));
  engine_set_check_state (self, "checking");
  self->pending++;
  lp_fetcher_run_async (self->fetcher, LP_FETCH_CHECK, g_variant_dict_end (&args), NULL, NULL,
                        cycle->cancellable, check_done_cb, lp_cycle_ref (cycle));
}

/* ---- start-up ---- */

static void
engine_start_reapply (LpEngine *self)
{
  LpCycle *cycle = lp_cycle_new (self, TRUE);
  LpApplyJob *job = engine_new_apply_job (self, lp_store_get_patch_file (self->store), NULL);

  g_message ("re-applying stored patch %s", lp_store_get_patch_version (self->store));
  job->expected_version = g_strdup (lp_store_get_patch_version (self->store));
  self->cycle = cycle;
  engine_run_apply (self, cycle, job);
}

/* A Livepatch module (lkp_*) other than the stored one is running: the
 * service restarted without a reboot after loading a newer patch it had not
 * recorded yet. Loading the stored, older one would roll it back. */
static gboolean
engine_kernel_runs_other_patch (LpEngine *self)
{
  g_auto (GStrv) enabled = lp_kernel_list_patches (self->kernel, TRUE, NULL);
  const char *stored = lp_store_get_patch_module (self->store);

  for (guint i = 0; enabled != NULL && enabled[i] != NULL; i++)
    {
      if (g_str_has_prefix (enabled[i], "lkp_") && g_strcmp0 (enabled[i], stored) != 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
engine_should_reapply (LpEngine *self)
{
  const char *file = lp_store_get_patch_file (self->store);
  g_autofree char *path = NULL;

  if (!self->enabled || self->mode == LP_MODE_STOP || self->mode == LP_MODE_NO_APPLY ||
      *file == '\0' || engine_stored_patch_is_loaded (self))
    return FALSE;
  if (engine_kernel_runs_other_patch (self))
    {
      g_message ("another livepatch is running; not re-applying stored patch %s",
                 lp_store_get_patch_version (self->store));
      return FALSE;
    }
  path = lp_store_get_patch_path (self->store, file);
  if (!g_str_has_suffix (file, LP_ENGINE_MODULE_SUFFIX))
    {
      g_message ("stored patch %s is a tarball kept by an older version, which this one does "
                 "not unpack as root; the next check fetches it again",
                 lp_store_get_patch_version (self->store));
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  g_warning ("stored patch file %s is missing; waiting for the next check", path);
  return FALSE;
}

/* Removes @path and, for a real directory, what it holds; links are not followed. */
static void
remove_tree (const char *path)
{
  struct stat st;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_lstat (path, &st) != 0)
    return;
  if (!S_ISDIR (st.st_mode))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_rmdir (path);
}

/* What a crash or a kill left behind: a module or manifest stored but not
 * recorded, extraction directories. The recorded patch is two files. */
static void
engine_remove_leftovers (LpEngine *self)
{
  g_autofree char *patches = lp_store_get_patch_path (self->store, "");
  const char *keep = lp_store_get_patch_file (self->store);
  g_autofree char *keep_manifest =
      g_str_has_suffix (keep, LP_ENGINE_MODULE_SUFFIX) ? engine_manifest_path (keep) : NULL;
  const char *dirs[] = { patches, self->work_dir };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autoptr (GDir) dir = g_dir_open (dirs[i], 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dirs[i], name, NULL);

          if (dirs[i] == patches &&
              (g_strcmp0 (name, keep) == 0 || g_strcmp0 (name, keep_manifest) == 0))
            continue;
          g_debug ("removing leftover %s", path);
          remove_tree (path);
        }
    }
}

/* A lock whose module runs: the service was killed after the insert but
 * before recording it (no reboot happened, or the module would be gone). */
static void
engine_adopt_inserted (LpEngine *self)
{
  g_auto (GStrv) locks = lp_store_list_locks (self->store);

  for (guint i = 0; locks[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!lp_kernel_patch_is_enabled (self->kernel, locks[i]))
        continue;
      if (!lp_store_adopt_lock (self->store, locks[i], &error) ||
          !lp_store_save (self->store, &error) ||
          !lp_store_remove_lock (self->store, locks[i], &error))
        {
          g_warning ("cannot record running livepatch %s: %s", locks[i], error->message);
          continue;
        }
      g_message ("recorded livepatch %s, inserted before the service stopped", locks[i]);
    }
}

void
lp_engine_start (LpEngine *self)
{
  g_return_if_fail (LP_IS_ENGINE (self));

  engine_adopt_inserted (self);
  engine_remove_leftovers (self);
  engine_update_mode (self);
  engine_settle_patch_state (self);
  if (engine_should_reapply (self))
    engine_start_reapply (self);
  engine_schedule_first (self);
}

void
lp_engine_shutdown (LpEngine *self)
{
  g_return_if_fail (LP_IS_ENGINE (self));

  g_cancellable_cancel (self->life_cancel);
  if (self->enable_cancel != NULL)
    g_cancellable_cancel (self->enable_cancel);
  engine_abort_cycle (self, _ ("the service is shutting down"));
  engine_unschedule (self);
  g_clear_signal_handler (&self->config_changed_id, self->config);
}

gboolean
lp_engine_is_idle (LpEngine *self)
{
  g_return_val_if_fail (LP_IS_ENGINE (self), TRUE);
  return self->pending == 0;
}

static gboolean
drain_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
lp_engine_drain (LpEngine *self, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, drain_timeout_cb, &timed_out);

  while (!lp_engine_is_idle (self) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_warning ("%u operations still running at exit", self->pending);
  else
    g_source_remove (timeout_id);
}

/* ---- Enable ---- */

static void
register_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (LpFetchResult) fetched = lp_fetcher_run_finish (LP_FETCHER (source), result, &error);
  const char *origin = g_task_get_task_data (task); /* where the request went */
  LpRegistration *reg;

  self->pending--;
  g_clear_object (&self->enable_cancel);
  if (fetched == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  reg = fetched->registration;
  if (!lp_store_set_machine_token (self->store, reg->machine_token, origin, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  lp_fetcher_set_token_origin (self->fetcher, origin);
  lp_store_set_registration (self->store, reg->client_id, reg->tier);
  if (!lp_store_save (self->store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  engine_set_string (self, &self->tier, reg->tier, PROP_TIER);
  engine_set_check_state (self, "needs-check");
  engine_set_last_error (self, NULL);
  engine_set_enabled (self, TRUE);
  engine_schedule_first (self);
  g_message ("enabled for %s (client id %s)", origin, reg->client_id);
  g_task_return_boolean (task, TRUE);
}

void
lp_engine_enable_async (LpEngine *self, const char *token, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  g_autoptr (GError) other_server = engine_origin_error (self);
  GVariantDict args;
  char *origin = NULL;

  g_task_set_source_tag (task, lp_engine_enable_async);
  /* Valid or not, it is a secret: no log line may show it from now on. */
  lp_redact_add_secret (token);
  engine_update_mode (self);
  /* Enabled for another server than remote-server: enrol again there. */
  if (self->enabled && other_server == NULL)
    error = g_error_new_literal (LP_ERROR, LP_ERROR_ALREADY_ENABLED,
                                 _ ("this machine is already enabled; disable Livepatch first to "
                                    "use another token"));
  else if (self->enable_cancel != NULL)
    error =
        g_error_new_literal (LP_ERROR, LP_ERROR_BUSY,
                             _ ("Livepatch is being enabled already; wait until that finishes"));
  else if (!engine_mode_allows_server (self))
    error = engine_mode_error (self);
  else if (lp_token_validate (token, &error))
    origin = lp_origin_from_url (lp_config_get_remote_server (self->config), &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, origin, g_free);
  g_variant_dict_init (&args, NULL);
  g_variant_dict_insert (&args, "token", "s", token);
  g_variant_dict_insert (&args, "machine-id", "s", self->machine_id ? self->machine_id : "");
  g_variant_dict_insert (&args, "architecture", "s", lp_kernel_get_architecture (self->kernel));
  g_variant_dict_insert (&args, "kernel", "s", lp_kernel_get_release (self->kernel));
  /* The token is not yet the one to guard: the request goes to remote-server. */
  g_variant_dict_insert (&args, "token-origin", "s", origin);
  self->enable_cancel = g_cancellable_new ();
  self->pending++;
  lp_fetcher_run_async (self->fetcher, LP_FETCH_REGISTER, g_variant_dict_end (&args), NULL, NULL,
                        self->enable_cancel, register_done_cb, g_steal_pointer (&task));
}

gboolean
lp_engine_enable_finish (LpEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
lp_engine_dup_machine_token (LpEngine *self, GError **error)
{
  const char *token;

  g_return_val_if_fail (LP_IS_ENGINE (self), NULL);
  token = lp_store_get_machine_token (self->store);
  if (token == NULL)
    {
      g_set_error_literal (error, LP_ERROR, LP_ERROR_NOT_ENABLED,
                           _ ("this machine is not enabled; enable Livepatch with a token first"));
      return NULL;
    }
  return g_strdup (token);
}

/* ---- Disable ---- */

static void
deregister_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  LpEngine *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (LpFetchResult) fetched = NULL;

  self->pending--;
  /* Best effort: the server forgets idle machines anyway. */
  fetched = lp_fetcher_run_finish (LP_FETCHER (source), result, &error);
  if (fetched == NULL)
    g_warning ("could not deregister from the server: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
engine_reset_after_disable (LpEngine *self)
{
  engine_unschedule (self);
  engine_set_enabled (self, FALSE);
  engine_set_string (self, &self->tier, "", PROP_TIER);
  engine_set_coverage (self, lp_coverage_new ());
  engine_set_string (self, &self->supported, "unknown", PROP_SUPPORTED);
  engine_set_int64 (self, &self->last_check, 0, PROP_LAST_CHECK);
  engine_set_check_state (self, ""); /* no check state without enrolment */
  engine_set_last_error (self, NULL);
  engine_set_progress (self, 0);
  engine_settle_patch_state (self);
}

void
lp_engine_disable_async (LpEngine *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *client_id = NULL;
  g_autofree char *token = NULL;
  g_autoptr (GError) other_server = NULL;
  GError *error = NULL;
  GVariantDict args;

  g_task_set_source_tag (task, lp_engine_disable_async);
  if (!self->enabled && self->enable_cancel == NULL)
    {
      g_task_return_new_error (task, LP_ERROR, LP_ERROR_NOT_ENABLED, "%s",
                               _ ("this machine is not enabled"));
      return;
    }
  if (self->enable_cancel != NULL)
    g_cancellable_cancel (self->enable_cancel);
  client_id = g_strdup (lp_store_get_client_id (self->store));
  token = g_strdup (lp_store_get_machine_token (self->store));
  other_server = engine_origin_error (self);
  if (!lp_store_forget (self->store, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Reset first: a Refresh waiting on the cycle is answered with the final state. */
  engine_reset_after_disable (self);
  engine_abort_cycle (self, _ ("Livepatch was disabled while this ran"));
  g_message ("disabled; applied patches stay loaded until reboot");
  if (token == NULL || *client_id == '\0' || !engine_mode_allows_server (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The token goes to the server that issued it, or nowhere. */
  if (other_server != NULL)
    {
      g_message ("not deregistering: %s", other_server->message);
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->pending++;
  engine_init_token_args (self, &args, client_id, token);
  lp_fetcher_run_async (self->fetcher, LP_FETCH_DEREGISTER, g_variant_dict_end (&args), NULL, NULL,
                        self->life_cancel, deregister_done_cb, g_steal_pointer (&task));
}

gboolean
lp_engine_disable_finish (LpEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Refresh ---- */

void
lp_engine_refresh_async (LpEngine *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lp_engine_refresh_async);
  engine_update_mode (self);
  if (!self->enabled)
    {
      g_task_return_new_error (task, LP_ERROR, LP_ERROR_NOT_ENABLED, "%s",
                               _ ("this machine is not enabled; enable Livepatch with a token "
                                  "first"));
      return;
    }
  if (!engine_mode_allows_server (self))
    {
      g_task_return_error (task, engine_mode_error (self));
      return;
    }
  if (self->cycle != NULL && !self->cycle->reapply)
    {
      g_ptr_array_add (self->cycle->waiters, g_steal_pointer (&task));
      return;
    }
  g_ptr_array_add (self->next_waiters, g_steal_pointer (&task));
  if (self->cycle == NULL)
    engine_start_check (self);
}

gboolean
lp_engine_refresh_finish (LpEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Cancel ---- */

/* Refresh calls queued behind a re-apply wait for a check that has not
 * started: Cancel answers them at once. */
static void
engine_cancel_queued_refreshes (LpEngine *self)
{
  g_autoptr (GError) error = NULL;

  if (self->next_waiters->len == 0)
    return;
  error = g_error_new_literal (LP_ERROR, LP_ERROR_CANCELLED, _ ("the check was cancelled"));
  engine_complete_waiters (self->next_waiters, error);
}

void
lp_engine_cancel_async (LpEngine *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  LpCycle *cycle = self->cycle;

  g_task_set_source_tag (task, lp_engine_cancel_async);
  engine_cancel_queued_refreshes (self);
  if (cycle == NULL || cycle->phase == LP_CYCLE_APPLYING)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* Answered by engine_finish_cycle() once the cycle's callback has run,
   * so the partial download is gone by then. */
  g_ptr_array_add (cycle->cancel_waiters, g_steal_pointer (&task));
  if (!cycle->cancel_requested)
    {
      cycle->cancel_requested = TRUE;
      g_cancellable_cancel (cycle->cancellable);
    }
}

gboolean
lp_engine_cancel_finish (LpEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- construction ---- */

static LpKernel *
engine_make_kernel (const LpEngineOptions *options, GError **error)
{
  LpKernelSim *sim;

  if (options->kernel_sim_root == NULL)
    return LP_KERNEL (lp_kernel_linux_new ());
  sim = lp_kernel_sim_new (options->kernel_sim_root, error);
  if (sim == NULL)
    g_prefix_error (error, "simulated kernel in %s: ", options->kernel_sim_root);
  return sim != NULL ? LP_KERNEL (sim) : NULL;
}

static gboolean
engine_make_work_dir (LpEngine *self, GError **error)
{
  self->work_dir = g_build_filename (self->state_dir, "work", NULL);
  if (g_mkdir_with_parents (self->work_dir, 0700) == 0 && g_chmod (self->work_dir, 0700) == 0)
    return TRUE;
  g_set_error (error, LP_ERROR, LP_ERROR_INTERNAL, "cannot create %s: %s", self->work_dir,
               g_strerror (errno));
  return FALSE;
}

/* Before anyone listens: plain assignments, no notifications. */
static void
engine_load_properties (LpEngine *self, const LpEngineOptions *options)
{
  g_free (self->machine_id);
  self->machine_id = read_trimmed_file (options->machine_id_path);
  self->enabled = lp_store_get_machine_token (self->store) != NULL;
  g_free (self->tier);
  self->tier = g_strdup (lp_store_get_tier (self->store));
  g_free (self->supported);
  /* "unknown" until the server has said, as the Supported property documents. */
  self->supported = g_strdup (lp_store_get_supported (self->store)[0] != '\0'
                                  ? lp_store_get_supported (self->store)
                                  : "unknown");
  self->last_check = lp_store_get_last_check (self->store);
  g_free (self->check_state);
  self->check_state = g_strdup (!self->enabled         ? ""
                                : self->last_check > 0 ? "checked"
                                                       : "needs-check");
  self->mode = lp_mode_read (self->cmdline_path, self->mode_file);
}

/* What the server said that outlives a restart: the coverage of the last
 * check and the CVE data, next to the store's files; the kernels the CVE
 * data is asked for are those installed in /lib/modules (ROOT/lib/modules
 * when the kernel is simulated). */
static void
engine_load_server_data (LpEngine *self, const LpEngineOptions *options)
{
  g_autofree char *cve_path = g_build_filename (options->state_dir, "cve-data", NULL);
  g_autofree char *coverage_path = engine_coverage_path (self);

  lp_coverage_free (self->coverage);
  self->coverage = lp_coverage_load (coverage_path);
  self->cve_data = lp_cve_data_new (cve_path);
  self->modules_dir = options->kernel_sim_root != NULL
                          ? g_build_filename (options->kernel_sim_root, "lib", "modules", NULL)
                          : g_strdup ("/lib/modules");
}

/* A token stored before origins were recorded came from the remote-server
 * configured then, as far as anyone can tell now: record that one, once. */
static void
engine_record_legacy_origin (LpEngine *self)
{
  const char *token = lp_store_get_machine_token (self->store);
  const char *remote = lp_config_get_remote_server (self->config);
  g_autofree char *origin = NULL;
  g_autoptr (GError) error = NULL;

  if (token == NULL || *lp_store_get_origin (self->store) != '\0')
    return;
  origin = lp_origin_from_url (remote, &error);
  if (origin == NULL || !lp_store_set_machine_token (self->store, token, origin, &error))
    {
      g_warning ("cannot record the server of the stored machine token: %s", error->message);
      return;
    }
  g_message ("machine token recorded as issued by %s", origin);
}

LpEngine *
lp_engine_new (LpConfig *config, const LpEngineOptions *options, GError **error)
{
  g_autoptr (LpEngine) self = g_object_new (LP_TYPE_ENGINE, NULL);

  g_return_val_if_fail (LP_IS_CONFIG (config), NULL);
  g_return_val_if_fail (options != NULL && options->state_dir != NULL, NULL);

  self->config = g_object_ref (config);
  self->state_dir = g_strdup (options->state_dir);
  self->module_certs_dir = g_strdup (options->module_certs_dir);
  self->mode_file = g_strdup (options->mode_file);
  self->cmdline_path = g_strdup (options->cmdline_path);
  self->kernel = engine_make_kernel (options, error);
  if (self->kernel == NULL)
    return NULL;
  self->store = lp_store_new (options->state_dir, error);
  if (self->store == NULL || !engine_make_work_dir (self, error))
    return NULL;
  engine_load_server_data (self, options);
  engine_record_legacy_origin (self);
  engine_load_properties (self, options);
  self->fetcher = lp_fetcher_new (config);
  lp_fetcher_set_token_origin (self->fetcher, lp_store_get_origin (self->store));
  self->backoff =
      lp_backoff_new (LP_ENGINE_RETRY_BASE_MS, LP_ENGINE_RETRY_CAP_MS, NULL, NULL, NULL, NULL);
  self->config_changed_id =
      g_signal_connect (config, "changed", G_CALLBACK (config_changed_cb), self);
  return g_steal_pointer (&self);
}

/* ---- GObject ---- */

static void
lp_engine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LpEngine *self = LP_ENGINE (object);

  switch (prop_id)
    {
      case PROP_ENABLED:
        g_value_set_boolean (value, self->enabled);
        break;
      case PROP_UPGRADE_REQUIRED_DATE:
        g_value_set_string (value, self->coverage->upgrade_required_date);
        break;
      case PROP_HELD_BACK_PATCHES:
        g_value_set_variant (value, self->coverage->held_back);
        break;
      case PROP_TIER_DESCRIPTION:
        g_value_set_string (value, self->coverage->tier_description);
        break;
      case PROP_KERNEL_PACKAGE_FIXES:
        g_value_set_variant (value, lp_cve_data_get_kernel_fixes (self->cve_data));
        break;
      case PROP_CVE_DATA_DIGEST:
        g_value_set_string (value, lp_cve_data_get_digest (self->cve_data));
        break;
      case PROP_CVE_DATA_TIMESTAMP:
        g_value_set_int64 (value, lp_cve_data_get_timestamp (self->cve_data));
        break;
      case PROP_MACHINE_ID:
        g_value_set_string (value, self->machine_id);
        break;
      case PROP_KERNEL:
        g_value_set_string (value, self->kernel ? lp_kernel_get_release (self->kernel) : "");
        break;
      case PROP_ARCHITECTURE:
        g_value_set_string (value, self->kernel ? lp_kernel_get_architecture (self->kernel) : "");
        break;
      case PROP_SUPPORTED:
        g_value_set_string (value, self->supported);
        break;
      case PROP_CHECK_STATE:
        g_value_set_string (value, self->check_state);
        break;
      case PROP_PATCH_STATE:
        g_value_set_string (value, self->patch_state);
        break;
      case PROP_PATCH_VERSION:
        g_value_set_string (value, self->patch_version);
        break;
      case PROP_FIXES:
        g_value_set_variant (value, self->fixes);
        break;
      case PROP_LAST_CHECK:
        g_value_set_int64 (value, self->last_check);
        break;
      case PROP_NEXT_CHECK:
        g_value_set_int64 (value, self->next_check);
        break;
      case PROP_LAST_ERROR:
        g_value_set_string (value, self->last_error);
        break;
      case PROP_LAST_ERROR_CODE:
        g_value_set_string (value, self->last_error_code);
        break;
      case PROP_TIER:
        g_value_set_string (value, self->tier);
        break;
      case PROP_MODE:
        g_value_set_string (value, lp_mode_to_string (self->mode));
        break;
      case PROP_PROGRESS:
        g_value_set_uint (value, self->progress);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lp_engine_dispose (GObject *object)
{
  LpEngine *self = LP_ENGINE (object);

  if (self->config != NULL)
    lp_engine_shutdown (self);
  g_clear_object (&self->fetcher);
  g_clear_object (&self->config);
  G_OBJECT_CLASS (lp_engine_parent_class)->dispose (object);
}

static void
lp_engine_finalize (GObject *object)
{
  LpEngine *self = LP_ENGINE (object);

  g_clear_object (&self->kernel);
  g_clear_object (&self->store);
  g_clear_object (&self->life_cancel);
  g_clear_object (&self->enable_cancel);
  g_clear_pointer (&self->next_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->backoff, lp_backoff_free);
  g_clear_pointer (&self->fixes, g_variant_unref);
  g_clear_pointer (&self->coverage, lp_coverage_free);
  g_clear_object (&self->cve_data);
  g_free (self->modules_dir);
  g_free (self->state_dir);
  g_free (self->module_certs_dir);
  g_free (self->mode_file);
  g_free (self->cmdline_path);
  g_free (self->work_dir);
  g_free (self->machine_id);
  g_free (self->supported);
  g_free (self->check_state);
  g_free (self->patch_state);
  g_free (self->patch_version);
  g_free (self->last_error);
  g_free (self->last_error_code);
  g_free (self->tier);
  G_OBJECT_CLASS (lp_engine_parent_class)->finalize (object);
}

static GParamSpec *
string_prop (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, "", G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
int64_prop (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
lp_engine_class_init (LpEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lp_engine_get_property;
  object_class->dispose = lp_engine_dispose;
  object_class->finalize = lp_engine_finalize;

  props[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_MACHINE_ID] = string_prop ("machine-id");
  props[PROP_KERNEL] = string_prop ("kernel");
  props[PROP_ARCHITECTURE] = string_prop ("architecture");
  props[PROP_SUPPORTED] = string_prop ("supported");
  props[PROP_CHECK_STATE] = string_prop ("check-state");
  props[PROP_PATCH_STATE] = string_prop ("patch-state");
  props[PROP_PATCH_VERSION] = string_prop ("patch-version");
  props[PROP_FIXES] = g_param_spec_variant ("fixes", NULL, NULL, G_VARIANT_TYPE ("a(ssbs)"), NULL,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_LAST_CHECK] = int64_prop ("last-check");
  props[PROP_NEXT_CHECK] = int64_prop ("next-check");
  props[PROP_LAST_ERROR] = string_prop ("last-error");
  props[PROP_LAST_ERROR_CODE] = string_prop ("last-error-code");
  props[PROP_TIER] = string_prop ("tier");
  props[PROP_MODE] = string_prop ("mode");
  props[PROP_PROGRESS] = g_param_spec_uint ("progress", NULL, NULL, 0, 100, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_UPGRADE_REQUIRED_DATE] = string_prop ("upgrade-required-date");
  props[PROP_HELD_BACK_PATCHES] =
      g_param_spec_variant ("held-back-patches", NULL, NULL, G_VARIANT_TYPE ("a(sxs)"), NULL,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_TIER_DESCRIPTION] = string_prop ("tier-description");
  props[PROP_KERNEL_PACKAGE_FIXES] =
      g_param_spec_variant ("kernel-package-fixes", NULL, NULL, G_VARIANT_TYPE ("a(sas)"), NULL,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_CVE_DATA_DIGEST] = string_prop ("cve-data-digest");
  props[PROP_CVE_DATA_TIMESTAMP] = int64_prop ("cve-data-timestamp");
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
lp_engine_init (LpEngine *self)
{
  self->life_cancel = g_cancellable_new ();
  self->next_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->machine_id = g_strdup ("");
  self->supported = g_strdup ("unknown");
  self->check_state = g_strdup ("");
  self->patch_state = g_strdup ("unapplied");
  self->patch_version = g_strdup ("");
  self->fixes = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ssbs)"), NULL, 0));
  self->last_error = g_strdup ("");
  self->last_error_code = g_strdup ("");
  self->tier = g_strdup ("");
  self->coverage = lp_coverage_new ();
}
