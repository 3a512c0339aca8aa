# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""livepatch-panel against livepatchd: every state a user meets, read and
driven through the accessibility tree (fixtures in conftest.py). Each state
is saved as a screenshot in the build tree (tests/panel/screenshots/);
assertions are on what the widgets say, never on pixels."""

import pytest
from gi.repository import Gio, GLib

from conftest import engine

NOT_ALLOWED = "You are not allowed to do this. Ask an administrator."
BAD_SIGNATURE = "The patch is not signed by a trusted key. It was not applied."


def daemon_error_message(lp, method, args, signature):
    """The message livepatchd itself gives for a refused call."""
    with pytest.raises(GLib.Error) as info:
        lp.call(method, *args, signature=signature)
    prefix = f"GDBus.Error:{Gio.DBusError.get_remote_error(info.value)}: "
    assert info.value.message.startswith(prefix)
    return info.value.message[len(prefix):]


def test_not_enabled_to_applied_refused_and_failed(lp, panel, polkitd):
    # Not enabled: the status page, and an empty token is refused in place.
    panel.wait(lambda: panel.has_label("Livepatch is off"), "the not-enabled page")
    panel.screenshot("01-not-enabled")
    panel.click("Turn On")
    panel.wait(lambda: panel.has_label("Enter the token of your subscription."),
               "the empty-token message")
    assert lp.prop("Enabled") is False

    # Enable with a token.
    panel.type_into("Livepatch token", "test-token")
    panel.click("Turn On")
    panel.wait(lambda: panel.row("Coverage") is not None, "the enabled page")
    assert lp.prop("Enabled") is True
    assert [r["path"] for r in lp.server.requests("/v1/client/test-token")]
    panel.wait_subtitle("Patch", "No patch applied")
    panel.wait_subtitle("Running kernel", f"{engine.RELEASE} (amd64)")
    panel.screenshot("02-enabled")

    # Refresh with progress: the download stalls half way, the bar shows it,
    # and Cancel stops it.
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="stall", on="download", times=1)
    panel.click("Check Now")
    panel.wait(lambda: (panel.subtitle("Check for patches") or "").startswith(
        "Downloading the patch: ") and (panel.progress() or 0) > 0, "download progress")
    percent = round(panel.progress())
    assert panel.subtitle("Check for patches") == f"Downloading the patch: {percent} %"
    assert 0 < percent < 90
    assert not panel.is_sensitive(panel.button("Check Now"))
    panel.screenshot("03-downloading")
    panel.click("Cancel")
    panel.wait_subtitle("Check for patches", "Stopped.")
    assert panel.progress() is None  # the bar is gone
    assert panel.button("Cancel") is None
    panel.wait_subtitle("Patch", "No patch applied")
    assert lp.prop("PatchState") == "unapplied" and lp.loaded() == []

    # Refresh again: applied, with its fixes.
    panel.click("Check Now")
    panel.wait_subtitle("Patch", "Applied, version 57.3")
    panel.wait_subtitle("Check for patches", "")
    assert lp.loaded() == [engine.module_name("57.3")]
    assert panel.subtitle("Coverage") == "Supported"
    assert panel.subtitle("Last check") not in (None, "Never")
    assert panel.subtitle("CVE-2026-573") == "fix for 57.3"
    assert "Patched" in panel.labels(panel.row("CVE-2026-573"))
    assert panel.row("No fixes applied") is None
    assert panel.row("Last problem") is None
    panel.screenshot("04-applied")

    # A refused refresh: polkit says no; nothing changes but the message.
    polkitd.deny_all()
    panel.click("Check Now")
    panel.wait_subtitle("Check for patches", NOT_ALLOWED)
    assert panel.subtitle("Patch") == "Applied, version 57.3"
    assert panel.row("Last problem") is None
    assert lp.prop("PatchState") == "applied"
    panel.screenshot("05-refresh-refused")

    # A failed apply: the next patch is signed by an untrusted key.
    polkitd.allow_all()
    lp.server.publish([("57.4", lp.kit.make("57.4", key="untrusted"))])
    panel.click("Check Now")
    panel.wait_subtitle("Last problem", BAD_SIGNATURE)
    panel.wait_subtitle("Check for patches", BAD_SIGNATURE)
    assert lp.prop("LastErrorCode") == "InvalidSignature"
    assert panel.subtitle("Patch") == "The last patch could not be applied, version 57.3"
    assert lp.loaded() == [engine.module_name("57.3")]
    panel.screenshot("06-apply-failed")
    assert panel.stop() in (0, -15), panel.log()


def test_settings_refused_inline_then_saved_and_disable_confirmed(lp, panel):
    lp.enable()
    panel.wait(lambda: panel.row("Coverage") is not None, "the enabled page")
    panel.wait(lambda: panel.text_of(panel.field("Livepatch server")) == lp.server.url,
               "the server's URL in its row")
    before = lp.daemon.get_config()
    refused = daemon_error_message(lp, "SetConfig", ({"check-interval": "soon"},), "(a{ss})")

    # A value the daemon refuses: its message under the settings, nothing saved.
    panel.type_into("Check interval in minutes (0: never)", "soon")
    panel.click("Save")
    panel.wait_subtitle("Setting not saved", refused)
    assert lp.daemon.get_config() == before
    panel.screenshot("07-setting-refused")

    # A good value: saved, the message gone.
    panel.type_into("Check interval in minutes (0: never)", "120")
    panel.click("Save")
    panel.wait(lambda: panel.row("Setting not saved") is None, "the refusal to go")
    assert lp.daemon.get_config()["check-interval"] == "120"

    # Disable asks first; Cancel keeps it on, Turn Off turns it off.
    panel.click("Turn Off…")
    panel.click("Cancel")
    panel.wait(lambda: panel.button("Turn Off") is None, "the dialog to close")
    assert lp.prop("Enabled") is True
    panel.click("Turn Off…")
    panel.click("Turn Off")
    panel.wait(lambda: panel.has_label("Livepatch is off"), "the not-enabled page")
    assert lp.prop("Enabled") is False
    panel.screenshot("08-disabled")


def test_follows_the_service_going_and_coming_back(lp, panel):
    """The bus name's owner is followed too: no polling, no stale page."""
    panel.wait(lambda: panel.has_label("Livepatch is off"), "the not-enabled page")
    assert lp.daemon.stop() == 0
    panel.wait(lambda: panel.has_label("The Livepatch service is not running"),
               "the service-gone page")
    assert not panel.has_label("Livepatch is off")
    panel.screenshot("09-service-gone")
    lp.daemon.start()
    panel.wait(lambda: panel.has_label("Livepatch is off"), "the not-enabled page again")
    lp.enable()
    panel.wait(lambda: panel.row("Coverage") is not None, "the enabled page")
