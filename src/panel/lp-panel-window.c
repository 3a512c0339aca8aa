/* lp-panel-window.c: the panel's one window, a settings page for livepatchd
 *
 * A client of the public D-Bus API only, through the generated proxy. Every
 * widget is rendered from the proxy's cached properties by
 * lp_panel_window_update(), which runs when PropertiesChanged arrives, when
 * the service appears or vanishes, and when one of the panel's own calls
 * starts or ends. The service emits every property change a method causes
 * before the method's reply, so the cache is final when a reply arrives and
 * the panel never polls.
 *
 * Privileged calls carry ALLOW_INTERACTIVE_AUTHORIZATION so the desktop's
 * polkit agent can ask for a password, and no reply timeout: the user may
 * take their time, and a Refresh lasts as long as its download.
 *
 * Copyright 2026 The livepatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lp-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "lp-dbus-generated.h"
#include "lp-panel-text.h"
#include "lp-panel-window.h"

#define LP_PANEL_BUS_NAME "com.canonical.Livepatch"
#define LP_PANEL_OBJECT_PATH "/com/canonical/Livepatch"

/* The common settings the page edits, in the order of their rows. */
static const char *const setting_keys[] = { "check-interval", "http-proxy", "https-proxy",
                                            "no-proxy", "remote-server" };

struct _LpPanelWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwStatusPage *unavailable_page;
  GtkEntry *token_entry;
  GtkLabel *enable_error_label;
  GtkButton *enable_button;
  AdwActionRow *coverage_row;
  AdwActionRow *kernel_row;
  AdwActionRow *patch_row;
  AdwActionRow *last_check_row;
  AdwActionRow *next_check_row;
  AdwActionRow *error_row;
  AdwActionRow *refresh_row;
  GtkProgressBar *progress_bar;
  GtkButton *cancel_button;
  GtkButton *refresh_button;
  AdwPreferencesGroup *fixes_group;
  AdwActionRow *no_fixes_row;
  AdwEntryRow *check_interval_row;
  AdwEntryRow *http_proxy_row;
  AdwEntryRow *https_proxy_row;
  AdwEntryRow *no_proxy_row;
  AdwEntryRow *remote_server_row;
  AdwActionRow *settings_error_row;
  GtkButton *save_button;
  AdwActionRow *disable_row;
  GtkButton *disable_button;

  LpDBusLivepatch *proxy;
  GCancellable *cancellable; /* every call of this window; cancelled on dispose */
  char *connect_error;       /* why there is no proxy, or NULL */

  /* the panel's own calls in flight, and what the last one left to say */
  gboolean enabling;
  gboolean refreshing;
  gboolean cancelling;
  gboolean disabling;
  gboolean configuring;
  char *enable_error;
  char *refresh_outcome;
  char *settings_error;

  /* what the fixes list and the settings rows show, to redraw only changes */
  GVariant *shown_fixes;
  GVariant *shown_config;
  GPtrArray *fix_rows;
  AdwEntryRow *setting_rows[G_N_ELEMENTS (setting_keys)];
};

G_DEFINE_FINAL_TYPE (LpPanelWindow, lp_panel_window, ADW_TYPE_APPLICATION_WINDOW)

static void lp_panel_window_update (LpPanelWindow *self);

/* --- small helpers --- */

static const char *
prop_string (const char *value)
{
  return value != NULL ? value : "";
}

static void
set_subtitle (AdwActionRow *row, const char *text)
{
  adw_action_row_set_subtitle (row, text != NULL ? text : "");
}

static void
show_toast (LpPanelWindow *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
replace_string (char **slot, char *value)
{
  g_free (*slot);
  *slot = value;
}

static gboolean
is_cancelled (GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A privileged call: the polkit agent may prompt, and there is no reply
 * timeout (see the header comment). */
static void
call_service (LpPanelWindow *self, const char *method, GVariant *parameters,
              GAsyncReadyCallback callback, gpointer user_data)
{
  g_dbus_proxy_call (G_DBUS_PROXY (self->proxy), method, parameters,
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT, self->cancellable,
                     callback, user_data);
}

/* NULL on success, else the message to show; NULL too when the window is
 * gone (the call was cancelled), which *@cancelled reports. */
static char *
finish_call (GObject *source, GAsyncResult *result, gboolean *cancelled)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);

  *cancelled = error != NULL && is_cancelled (error);
  if (reply != NULL || *cancelled)
    return NULL;
  g_debug ("call failed: %s", error->message);
  return lp_panel_text_error_from_call (error);
}

/* --- rendering --- */

static const char *
visible_page (LpPanelWindow *self)
{
  g_autofree char *owner = NULL;

  if (self->proxy == NULL)
    return self->connect_error != NULL ? "unavailable" : "connecting";
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (self->proxy));
  if (owner == NULL)
    return "unavailable";
  return lp_dbus_livepatch_get_enabled (self->proxy) ? "enabled" : "disabled";
}

/* The other pages are hidden too, not only covered: a screen reader must not
 * read the rows of a page that is not on screen. */
static void
show_page (LpPanelWindow *self, const char *name)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, name);

  gtk_widget_set_visible (page, TRUE);
  gtk_stack_set_visible_child (self->stack, page);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_visible (child, child == page);
}

static void
update_unavailable (LpPanelWindow *self)
{
  adw_status_page_set_description (self->unavailable_page,
                                   self->connect_error != NULL
                                       ? self->connect_error
                                       : _ ("Start the livepatchd service, then open this panel "
                                            "again."));
}

static void
update_disabled (LpPanelWindow *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->enable_error_label), self->enable_error != NULL);
  gtk_label_set_text (self->enable_error_label, prop_string (self->enable_error));
  gtk_widget_set_sensitive (GTK_WIDGET (self->enable_button), !self->enabling);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_entry), !self->enabling);
  gtk_button_set_label (self->enable_button, self->enabling ? _ ("Turning On…") : _ ("_Turn On"));
}

static void
update_status (LpPanelWindow *self)
{
  const char *version = prop_string (lp_dbus_livepatch_get_patch_version (self->proxy));
  const char *state = lp_panel_text_patch_state (lp_dbus_livepatch_get_patch_state (self->proxy));
  const char *code = prop_string (lp_dbus_livepatch_get_last_error_code (self->proxy));
  g_autofree char *patch = NULL;
  g_autofree char *last_check = NULL;
  g_autofree char *next_check = NULL;
  g_autofree char *kernel = NULL;
  g_autofree char *problem = NULL;

  set_subtitle (self->coverage_row,
                lp_panel_text_supported (lp_dbus_livepatch_get_supported (self->proxy)));
  kernel = g_strdup_printf ("%s (%s)", prop_string (lp_dbus_livepatch_get_kernel (self->proxy)),
                            prop_string (lp_dbus_livepatch_get_architecture (self->proxy)));
  set_subtitle (self->kernel_row, kernel);
  /* TRANSLATORS: patch state, then the version of the applied patch */
  patch =
      *version != '\0' ? g_strdup_printf (_ ("%s, version %s"), state, version) : g_strdup (state);
  set_subtitle (self->patch_row, patch);
  last_check = lp_panel_text_time (lp_dbus_livepatch_get_last_check (self->proxy), _ ("Never"));
  set_subtitle (self->last_check_row, last_check);
  next_check =
      lp_panel_text_time (lp_dbus_livepatch_get_next_check (self->proxy), _ ("Not scheduled"));
  set_subtitle (self->next_check_row, next_check);

  gtk_widget_set_visible (GTK_WIDGET (self->error_row), *code != '\0');
  problem = lp_panel_text_error_message (code, lp_dbus_livepatch_get_last_error (self->proxy));
  set_subtitle (self->error_row, *code != '\0' ? problem : "");
  /* The service's own words, for a bug report. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_row),
                               lp_dbus_livepatch_get_last_error (self->proxy));
}

static void
update_refresh (LpPanelWindow *self)
{
  const char *check_state = prop_string (lp_dbus_livepatch_get_check_state (self->proxy));
  const char *patch_state = prop_string (lp_dbus_livepatch_get_patch_state (self->proxy));
  guint progress = MIN (lp_dbus_livepatch_get_progress (self->proxy), 100);
  gboolean applying = g_str_equal (patch_state, "applying");
  gboolean working = self->refreshing || g_str_equal (check_state, "checking") ||
                     g_str_equal (patch_state, "downloading") || applying;
  g_autofree char *doing = NULL;

  if (g_str_equal (patch_state, "downloading"))
    doing = g_strdup_printf (_ ("Downloading the patch: %u %%"), progress);
  else if (applying)
    doing = g_strdup_printf (_ ("Applying the patch: %u %%"), progress);
  else
    doing = g_strdup (_ ("Checking for patches…"));

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), working);
  gtk_progress_bar_set_fraction (self->progress_bar, progress / 100.0);
  /* An apply past verification runs to its end: Cancel would change nothing. */
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), working);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !applying && !self->cancelling);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !working);
  set_subtitle (self->refresh_row, working ? doing : self->refresh_outcome);
}

static GtkWidget *
fix_row_new (const char *name, const char *description, gboolean patched, const char *bug)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *mark = gtk_label_new (patched ? _ ("Patched") : _ ("Not patched"));

  /* Server text: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
  if (*bug != '\0')
    gtk_widget_set_tooltip_text (row, bug);
  gtk_widget_add_css_class (mark, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), mark);
  return row;
}

static void
update_fixes (LpPanelWindow *self)
{
  GVariant *fixes = lp_dbus_livepatch_get_fixes (self->proxy);
  GVariantIter iter;
  const char *name, *description, *bug;
  gboolean patched;

  if (fixes == NULL || (self->shown_fixes != NULL && g_variant_equal (fixes, self->shown_fixes)))
    return;
  g_clear_pointer (&self->shown_fixes, g_variant_unref);
  self->shown_fixes = g_variant_ref (fixes);
  for (guint i = 0; i < self->fix_rows->len; i++)
    adw_preferences_group_remove (self->fixes_group, g_ptr_array_index (self->fix_rows, i));
  g_ptr_array_set_size (self->fix_rows, 0);

  g_variant_iter_init (&iter, fixes);
  while (g_variant_iter_next (&iter, "(&s&sb&s)", &name, &description, &patched, &bug))
    {
      GtkWidget *row = fix_row_new (name, description, patched, bug);
      adw_preferences_group_add (self->fixes_group, row);
      g_ptr_array_add (self->fix_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_fixes_row), self->fix_rows->len == 0);
}

/* The rows where the user typed something other than the service's value. */
static GVariant *
settings_changes (LpPanelWindow *self)
{
  GVariantBuilder changes;
  gboolean any = FALSE;

  g_variant_builder_init (&changes, G_VARIANT_TYPE ("a{ss}"));
  for (gsize i = 0; self->shown_config != NULL && i < G_N_ELEMENTS (self->setting_rows); i++)
    {
      const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->setting_rows[i]));
      const char *value = "";
      g_variant_lookup (self->shown_config, setting_keys[i], "&s", &value);
      if (!g_str_equal (typed, value))
        {
          g_variant_builder_add (&changes, "{ss}", setting_keys[i], typed);
          any = TRUE;
        }
    }
  if (!any)
    {
      g_variant_builder_clear (&changes);
      return NULL;
    }
  return g_variant_builder_end (&changes);
}

/* The rows show the service's values whenever those change; values the user
 * typed and the service refused stay in their rows until then. */
static void
update_settings (LpPanelWindow *self)
{
  GVariant *config = lp_dbus_livepatch_get_config (self->proxy);
  g_autoptr (GVariant) changes = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->settings_error_row), self->settings_error != NULL);
  set_subtitle (self->settings_error_row, self->settings_error);
  for (gsize i = 0; i < G_N_ELEMENTS (self->setting_rows); i++)
    gtk_widget_set_sensitive (GTK_WIDGET (self->setting_rows[i]), !self->configuring);

  if (config != NULL &&
      (self->shown_config == NULL || !g_variant_equal (config, self->shown_config)))
    {
      g_clear_pointer (&self->shown_config, g_variant_unref);
      self->shown_config = g_variant_ref (config);
      for (gsize i = 0; i < G_N_ELEMENTS (self->setting_rows); i++)
        {
          const char *value = "";
          g_variant_lookup (config, setting_keys[i], "&s", &value);
          gtk_editable_set_text (GTK_EDITABLE (self->setting_rows[i]), value);
        }
    }
  changes = settings_changes (self);
  if (changes != NULL)
    g_variant_ref_sink (changes);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), changes != NULL && !self->configuring);
}

static void
update_disable (LpPanelWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->disable_button), !self->disabling);
}

static void
lp_panel_window_update (LpPanelWindow *self)
{
  show_page (self, visible_page (self));
  update_unavailable (self);
  update_disabled (self);
  if (self->proxy == NULL)
    return;
  update_status (self);
  update_refresh (self);
  update_fixes (self);
  update_settings (self);
  update_disable (self);
}

/* --- Enable --- */

static void
enable_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean cancelled;
  char *error = finish_call (source, result, &cancelled);
  LpPanelWindow *self = user_data;

  if (cancelled)
    return;
  self->enabling = FALSE;
  replace_string (&self->enable_error, error);
  if (error == NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->token_entry), "");
  lp_panel_window_update (self);
}

static void
enable_clicked_cb (LpPanelWindow *self)
{
  g_autofree char *token =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_entry))));

  if (self->enabling || self->proxy == NULL)
    return;
  if (*token == '\0')
    {
      replace_string (&self->enable_error, g_strdup (_ ("Enter the token of your subscription.")));
      lp_panel_window_update (self);
      return;
    }
  self->enabling = TRUE;
  replace_string (&self->enable_error, NULL);
  call_service (self, "Enable", g_variant_new ("(s)", token), enable_reply_cb, self);
  lp_panel_window_update (self);
}

/* --- Refresh and Cancel --- */

static void
refresh_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean cancelled;
  char *error = finish_call (source, result, &cancelled);
  LpPanelWindow *self = user_data;

  if (cancelled)
    return;
  self->refreshing = FALSE;
  replace_string (&self->refresh_outcome, error);
  if (error != NULL)
    show_toast (self, error);
  lp_panel_window_update (self);
}

static void
refresh_clicked_cb (LpPanelWindow *self)
{
  if (self->refreshing || self->proxy == NULL)
    return;
  self->refreshing = TRUE;
  replace_string (&self->refresh_outcome, NULL);
  call_service (self, "Refresh", NULL, refresh_reply_cb, self);
  lp_panel_window_update (self);
}

static void
cancel_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean cancelled;
  g_autofree char *error = finish_call (source, result, &cancelled);
  LpPanelWindow *self = user_data;

  if (cancelled)
    return;
  self->cancelling = FALSE;
  if (error != NULL)
    show_toast (self, error);
  lp_panel_window_update (self);
}

static void
cancel_clicked_cb (LpPanelWindow *self)
{
  if (self->cancelling || self->proxy == NULL)
    return;
  self->cancelling = TRUE;
  call_service (self, "Cancel", NULL, cancel_reply_cb, self);
  lp_panel_window_update (self);
}

/* --- Disable, after a confirmation --- */

static void
disable_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean cancelled;
  g_autofree char *error = finish_call (source, result, &cancelled);
  LpPanelWindow *self = user_data;

  if (cancelled)
    return;
  self->disabling = FALSE;
  if (error != NULL)
    show_toast (self, error);
  lp_panel_window_update (self);
}

static void
disable_response_cb (AdwMessageDialog *dialog, const char *response, LpPanelWindow *self)
{
  if (!g_str_equal (response, "disable") || self->disabling || self->proxy == NULL)
    return;
  self->disabling = TRUE;
  call_service (self, "Disable", NULL, disable_reply_cb, self);
  lp_panel_window_update (self);
}

static void
disable_clicked_cb (LpPanelWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (
      GTK_WINDOW (self), _ ("Turn off Livepatch?"),
      _ ("This machine will no longer receive kernel patches. Patches already applied stay "
         "loaded until the next reboot."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "disable",
                                    _ ("_Turn Off"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "disable",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (disable_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Settings --- */

static void
set_config_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean cancelled;
  char *error = finish_call (source, result, &cancelled);
  LpPanelWindow *self = user_data;

  if (cancelled)
    return;
  self->configuring = FALSE;
  replace_string (&self->settings_error, error);
  show_toast (self, error != NULL ? error : _ ("Settings saved"));
  lp_panel_window_update (self);
}

/* One SetConfig with every changed row: the service applies them all or none. */
static void
save_clicked_cb (LpPanelWindow *self)
{
  GVariant *changes;

  if (self->configuring || self->proxy == NULL)
    return;
  changes = settings_changes (self);
  if (changes == NULL)
    return;
  self->configuring = TRUE;
  call_service (self, "SetConfig", g_variant_new_tuple (&changes, 1), set_config_reply_cb, self);
  lp_panel_window_update (self);
}

/* --- the service --- */

static void
proxy_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  LpDBusLivepatch *proxy = lp_dbus_livepatch_proxy_new_for_bus_finish (result, &error);
  LpPanelWindow *self = user_data;

  if (proxy == NULL && is_cancelled (error))
    return;
  if (proxy == NULL)
    {
      self->connect_error = g_strdup (error->message);
      lp_panel_window_update (self);
      return;
    }
  self->proxy = proxy;
  g_signal_connect_object (proxy, "g-properties-changed", G_CALLBACK (lp_panel_window_update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (proxy, "notify::g-name-owner", G_CALLBACK (lp_panel_window_update), self,
                           G_CONNECT_SWAPPED);
  lp_panel_window_update (self);
}

static void
lp_panel_window_dispose (GObject *object)
{
  LpPanelWindow *self = LP_PANEL_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->proxy);
  gtk_widget_dispose_template (GTK_WIDGET (self), LP_PANEL_TYPE_WINDOW);
  G_OBJECT_CLASS (lp_panel_window_parent_class)->dispose (object);
}

static void
lp_panel_window_finalize (GObject *object)
{
  LpPanelWindow *self = LP_PANEL_WINDOW (object);

  g_free (self->connect_error);
  g_free (self->enable_error);
  g_free (self->refresh_outcome);
  g_free (self->settings_error);
  g_clear_pointer (&self->shown_fixes, g_variant_unref);
  g_clear_pointer (&self->shown_config, g_variant_unref);
  g_ptr_array_unref (self->fix_rows);
  G_OBJECT_CLASS (lp_panel_window_parent_class)->finalize (object);
}

static void
lp_panel_window_class_init (LpPanelWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lp_panel_window_dispose;
  object_class->finalize = lp_panel_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/com/canonical/Livepatch/Panel/lp-panel-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, unavailable_page);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, token_entry);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, enable_error_label);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, enable_button);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, coverage_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, kernel_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, patch_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, last_check_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, next_check_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, error_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, refresh_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, fixes_group);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, no_fixes_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, check_interval_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, http_proxy_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, https_proxy_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, no_proxy_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, remote_server_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, settings_error_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, disable_row);
  gtk_widget_class_bind_template_child (widget_class, LpPanelWindow, disable_button);
}

static void
connect_signals (LpPanelWindow *self)
{
  AdwEntryRow *rows[] = { self->check_interval_row, self->http_proxy_row, self->https_proxy_row,
                          self->no_proxy_row, self->remote_server_row };
  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == G_N_ELEMENTS (setting_keys));

  g_signal_connect_swapped (self->enable_button, "clicked", G_CALLBACK (enable_clicked_cb), self);
  g_signal_connect_swapped (self->token_entry, "activate", G_CALLBACK (enable_clicked_cb), self);
  g_signal_connect_swapped (self->refresh_button, "clicked", G_CALLBACK (refresh_clicked_cb), self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  g_signal_connect_swapped (self->disable_button, "clicked", G_CALLBACK (disable_clicked_cb), self);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      self->setting_rows[i] = rows[i];
      g_signal_connect_swapped (rows[i], "changed", G_CALLBACK (lp_panel_window_update), self);
    }
}

static void
lp_panel_window_init (LpPanelWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->fix_rows = g_ptr_array_new ();
  connect_signals (self);
  lp_dbus_livepatch_proxy_new_for_bus (G_BUS_TYPE_SYSTEM, G_DBUS_PROXY_FLAGS_NONE,
                                       LP_PANEL_BUS_NAME, LP_PANEL_OBJECT_PATH, self->cancellable,
                                       proxy_ready_cb, self);
  lp_panel_window_update (self);
}

LpPanelWindow *
lp_panel_window_new (GtkApplication *app)
{
  return g_object_new (LP_PANEL_TYPE_WINDOW, "application", app, NULL);
}
