# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kernel coverage end date, tier description, patches held back by
patch-delay/cutoff-date, and the CVE data fetched with content caching:
from the test server's check reply through the engine to D-Bus properties
(fixtures in conftest.py)."""

import hashlib
import json
import os
import time

from gi.repository import GLib

from conftest import RELEASE

TIER_DESCRIPTION = "Free usage; This machine beta tests new patches."
OTHER_KERNEL = "6.1.0-99-amd64"
CVE_FIXES = {RELEASE: ["cve-2026-0001"], OTHER_KERNEL: ["cve-2026-0002", "cve-2026-0003"]}
CVE_TIMESTAMP = 1767225600


def install_kernel(lp, release):
    """What a kernel package leaves behind: /lib/modules/RELEASE."""
    os.makedirs(os.path.join(lp.daemon.sim_dir, "lib", "modules", release), exist_ok=True)


def cve_body(fixes, kernels, timestamp=CVE_TIMESTAMP):
    """The bytes the test server sends for @kernels, as it builds them."""
    data = {"timestamp": timestamp,
            "kernels": [{"kernel": k, "fixes": fixes[k]} for k in sorted(kernels) if k in fixes]}
    return json.dumps(data, sort_keys=True).encode()


def cve_path(lp):
    return os.path.join(lp.daemon.state_dir, "cve-data")


def cve_requests(lp):
    return lp.server.requests("/cve-fixes")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def stored_cve_data(lp):
    """The daemon's stored copy: no longer the server's JSON (livepatchd
    parses none) but what livepatch-fetch took from it, as GVariant text:
    (digest, timestamp, [(kernel, [fix, ...]), ...])."""
    with open(cve_path(lp)) as f:
        return GLib.Variant.parse(GLib.VariantType("(sxa(sas))"), f.read(), None, None).unpack()


def as_stored(body):
    """What the stored copy holds for the server's @body: its SHA-256 (the
    ETag), and its values."""
    data = json.loads(body)
    return (hashlib.sha256(body).hexdigest(), data["timestamp"],
            [(k["kernel"], k["fixes"]) for k in data["kernels"]])


# ---- coverage date and tier description ----

def test_coverage_date_and_tier_description_appear(enabled):
    lp = enabled
    assert (lp.prop("UpgradeRequiredDate"), lp.prop("TierDescription")) == ("", "")
    lp.server.publish([], upgrade_required_date={RELEASE: "2027-10-05", "*": "2020-01-01"},
                      tier_description=TIER_DESCRIPTION)
    lp.refresh()
    assert lp.prop("UpgradeRequiredDate") == "2027-10-05"
    assert lp.prop("TierDescription") == TIER_DESCRIPTION
    assert lp.prop("Supported") == "supported"
    # A server that stops sending them: they are gone after the next check.
    lp.server.publish([])
    lp.refresh()
    assert (lp.prop("UpgradeRequiredDate"), lp.prop("TierDescription")) == ("", "")


def test_coverage_outlives_a_restart_and_goes_with_disable(enabled):
    """A reboot comes long before the next check: what the last check said
    is shown at once after a restart, and Disable forgets it."""
    lp = enabled
    lp.server.publish([], upgrade_required_date="2027-10-05", tier_description=TIER_DESCRIPTION)
    lp.refresh()
    lp.daemon.restart()
    assert lp.prop("UpgradeRequiredDate") == "2027-10-05"
    assert lp.prop("TierDescription") == TIER_DESCRIPTION
    lp.call("Disable")
    assert (lp.prop("UpgradeRequiredDate"), lp.prop("TierDescription")) == ("", "")
    lp.daemon.restart()
    assert (lp.prop("UpgradeRequiredDate"), lp.prop("TierDescription")) == ("", "")


def test_damaged_stored_coverage_is_ignored(lp_stopped):
    lp = lp_stopped
    os.makedirs(lp.daemon.state_dir, mode=0o700, exist_ok=True)
    with open(os.path.join(lp.daemon.state_dir, "coverage"), "w") as f:
        f.write("('2027-13-45', 'x', @a(sxs) [])")
    lp.daemon.start()
    assert lp.prop("UpgradeRequiredDate") == ""
    assert "ignoring the stored kernel coverage" in lp.daemon.log()


def test_coverage_ended_date_is_shown_with_the_server_verdict(enabled):
    lp = enabled
    lp.server.publish([], supported="kernel-upgrade-required", upgrade_required_date="2024-04-25")
    lp.refresh()
    assert lp.prop("Supported") == "kernel-upgrade-required"
    assert lp.prop("UpgradeRequiredDate") == "2024-04-25"


def test_bad_coverage_date_fails_the_check_and_changes_nothing(enabled):
    lp = enabled
    lp.server.publish([], upgrade_required_date="2027-10-05", tier_description=TIER_DESCRIPTION)
    lp.refresh()
    last_check = lp.prop("LastCheck")
    lp.server.publish([], upgrade_required_date="2027-02-30")
    assert lp.refresh_error() == "Server"
    assert lp.prop("LastError") == ('check failed: check: member "upgrade-required-date" '
                                    'is not a date such as 2027-04-30')
    assert lp.prop("UpgradeRequiredDate") == "2027-10-05"
    assert lp.prop("TierDescription") == TIER_DESCRIPTION
    # LastCheck is the failed attempt (status shows when it was), the
    # coverage data stays that of the last good check
    assert lp.prop("CheckState") == "check-failed"
    assert lp.prop("LastCheck") >= last_check


def test_control_characters_in_the_tier_description_are_replaced(enabled):
    """Prose, as lp-text treats it: shown, with each control character
    replaced, never passed to a terminal."""
    lp = enabled
    lp.server.publish([], tier_description="beta\x1b[2Jtester")
    lp.refresh()
    assert lp.prop("TierDescription") == "beta\ufffd[2Jtester"


def test_control_character_in_a_held_back_fix_name_fails_the_check(enabled):
    lp = enabled
    old = int(time.time()) - 30 * 86400
    lp.server.publish([
        ("57.3", lp.kit.make("57.3"), RELEASE, "amd64", {"published": old}),
        ("57.4", lp.kit.make("57.4"), RELEASE, "amd64",
         {"published": int(time.time()), "fixes": ["cve-2026-1111", "cve\x1b]0;x\x07"]}),
    ])
    lp.daemon.set_config({"patch-delay": "1w"})
    assert lp.refresh_error() == "Server"
    assert lp.prop("LastError") == ('check failed: check: member "held-back[0].fixes[1]" '
                                    'contains a control character')
    assert lp.prop("HeldBackPatches") == []
    assert lp.prop("PatchVersion") == ""


# ---- held-back patches ----

def publish_delayed(lp, published_new):
    old = time.time() - 30 * 86400
    lp.server.publish([
        ("57.3", lp.kit.make("57.3"), RELEASE, "amd64", {"published": int(old)}),
        ("57.4", lp.kit.make("57.4"), RELEASE, "amd64",
         {"published": published_new, "notice": "LSN-0108-1",
          "fixes": ["cve-2026-1111", "cve-2026-2222"]}),
    ])


def test_held_back_patches_appear_with_patch_delay(enabled):
    lp = enabled
    published = int(time.time()) - 3600
    publish_delayed(lp, published)
    lp.daemon.set_config({"patch-delay": "1w"})
    lp.refresh()
    assert json.loads(lp.server.requests("/updates")[-1]["body"])["patch-delay"] == "1w"
    assert (lp.prop("PatchState"), lp.prop("PatchVersion")) == ("applied", "57.3")
    assert lp.prop("HeldBackPatches") == [("cve-2026-1111", published, "LSN-0108-1"),
                                          ("cve-2026-2222", published, "LSN-0108-1")]
    # Once the delay no longer holds it back, the patch comes and the list empties.
    lp.daemon.set_config({"patch-delay": "0"})
    lp.refresh()
    assert (lp.prop("PatchState"), lp.prop("PatchVersion")) == ("applied", "57.4")
    assert lp.prop("HeldBackPatches") == []


def test_held_back_patches_appear_with_cutoff_date(enabled):
    lp = enabled
    published = int(time.time()) - 86400
    publish_delayed(lp, published)
    cutoff = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 10 * 86400))
    lp.daemon.set_config({"cutoff-date": cutoff})
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.3"
    assert [name for name, _, _ in lp.prop("HeldBackPatches")] == ["cve-2026-1111",
                                                                    "cve-2026-2222"]


def test_malformed_held_back_list_fails_the_check(enabled):
    lp = enabled
    lp.server.misbehave(mode="bad-type", member="held-back", value={"version": "57.4"})
    assert lp.refresh_error() == "Server"
    assert lp.prop("LastError") == 'check failed: check: member "held-back" is not an array'
    assert lp.prop("HeldBackPatches") == []


# ---- CVE data with content caching ----

def test_cve_data_fetched_once_then_not_modified(enabled):
    lp = enabled
    install_kernel(lp, OTHER_KERNEL)
    install_kernel(lp, "6.1.0-98-amd64")  # installed, but the server knows nothing of it
    lp.server.publish([], cve_fixes=CVE_FIXES, cve_timestamp=CVE_TIMESTAMP)
    lp.refresh()
    first = cve_requests(lp)
    assert len(first) == 1
    assert first[0]["method"] == "GET"
    kernels = sorted([RELEASE, OTHER_KERNEL, "6.1.0-98-amd64"])
    assert first[0]["path"].endswith("/cve-fixes?" + "&".join(f"kernel={k}" for k in kernels))
    assert "if-none-match" not in first[0]["headers"]
    assert first[0]["headers"]["authorization"].startswith("Bearer ")
    assert first[0]["status"] == 200
    body = cve_body(CVE_FIXES, [RELEASE, OTHER_KERNEL, "6.1.0-98-amd64"])
    digest = hashlib.sha256(body).hexdigest()
    assert stored_cve_data(lp) == as_stored(body)
    assert lp.prop("CveDataDigest") == digest
    assert lp.prop("CveDataTimestamp") == CVE_TIMESTAMP
    assert lp.prop("KernelPackageFixes") == [(RELEASE, ["cve-2026-0001"]),
                                             (OTHER_KERNEL, ["cve-2026-0002", "cve-2026-0003"])]
    before = os.stat(cve_path(lp))

    lp.refresh()
    second = cve_requests(lp)[1:]
    assert len(second) == 1
    assert second[0]["headers"]["if-none-match"] == f'"{digest}"'
    assert second[0]["status"] == 304
    after = os.stat(cve_path(lp))
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino, before.st_mtime_ns, before.st_size)
    assert stored_cve_data(lp) == as_stored(body)
    assert lp.prop("CveDataDigest") == digest

    # The stored copy outlives the daemon: after a restart the same data is
    # shown at once and the next check revalidates it.
    lp.daemon.restart()
    assert lp.prop("CveDataDigest") == digest
    assert lp.prop("KernelPackageFixes")[1][0] == OTHER_KERNEL
    lp.refresh()
    third = cve_requests(lp)[2:]
    assert (third[0]["headers"]["if-none-match"], third[0]["status"]) == (f'"{digest}"', 304)


def test_changed_cve_data_replaces_the_stored_copy(enabled):
    lp = enabled
    lp.server.publish([], cve_fixes=CVE_FIXES)
    lp.refresh()
    old_digest = lp.prop("CveDataDigest")
    changed = {RELEASE: ["cve-2026-0001", "cve-2026-0004"]}
    lp.server.publish([], cve_fixes=changed, cve_timestamp=CVE_TIMESTAMP + 60)
    lp.refresh()
    request = cve_requests(lp)[-1]
    assert (request["headers"]["if-none-match"], request["status"]) == (f'"{old_digest}"', 200)
    body = cve_body(changed, [RELEASE], CVE_TIMESTAMP + 60)
    assert stored_cve_data(lp) == as_stored(body)
    assert lp.prop("CveDataDigest") == hashlib.sha256(body).hexdigest()
    assert lp.prop("KernelPackageFixes") == [(RELEASE, ["cve-2026-0001", "cve-2026-0004"])]


def assert_cve_data_kept(lp, body, digest):
    assert read_bytes(cve_path(lp)) == body
    assert lp.prop("CveDataDigest") == digest
    assert lp.prop("KernelPackageFixes") == [(RELEASE, ["cve-2026-0001"])]
    assert [n for n in os.listdir(lp.daemon.state_dir) if n.startswith("cve-data")] == ["cve-data"]


def test_corrupt_cve_data_is_refused_and_the_old_copy_kept(enabled):
    lp = enabled
    lp.server.publish([], cve_fixes=CVE_FIXES)
    lp.refresh()
    body = read_bytes(cve_path(lp))
    digest = lp.prop("CveDataDigest")
    changed = {RELEASE: ["cve-2026-0009"]}
    lp.server.publish([], cve_fixes=changed)

    # Damaged in transit: the bytes are not those the ETag names.
    lp.server.misbehave(mode="cve-corrupt", times=1)
    lp.refresh()  # the check itself succeeds: CVE data never holds a patch back
    full = cve_body(changed, [RELEASE], timestamp=0)
    half = full[: len(full) // 2]
    assert (f"CVE data not updated: cve data: the ETag {hashlib.sha256(full).hexdigest()} is "
            f"not the SHA-256 of the data received ({hashlib.sha256(half).hexdigest()})"
            in lp.daemon.log())
    assert lp.prop("CheckState") == "checked"
    assert_cve_data_kept(lp, body, digest)

    # Intact but wrong: valid JSON of the wrong shape, under its own ETag.
    lp.server.misbehave(mode="cve-corrupt", times=1, body='{"timestamp": 1, "kernels": "x"}')
    lp.refresh()
    assert 'CVE data not updated: cve data: member "kernels" is not an array' in lp.daemon.log()
    assert_cve_data_kept(lp, body, digest)

    # Not JSON at all.
    lp.server.misbehave(mode="cve-corrupt", times=1, body='{"timestamp": 1, "kern')
    lp.refresh()
    assert "CVE data not updated: cve data: not valid JSON: " in lp.daemon.log()
    assert_cve_data_kept(lp, body, digest)

    # The next good reply is taken.
    lp.refresh()
    assert stored_cve_data(lp) == as_stored(full)
    assert lp.prop("KernelPackageFixes") == [(RELEASE, ["cve-2026-0009"])]


def test_server_without_cve_data_leaves_it_empty(enabled):
    lp = enabled
    lp.refresh()
    assert cve_requests(lp)[-1]["status"] == 404
    assert (lp.prop("CveDataDigest"), lp.prop("KernelPackageFixes")) == ("", [])
    assert not os.path.exists(cve_path(lp))
    assert "CVE data not updated" not in lp.daemon.log()


def test_damaged_stored_cve_data_is_ignored_at_start(lp_stopped):
    lp = lp_stopped
    os.makedirs(lp.daemon.state_dir, mode=0o700, exist_ok=True)
    with open(cve_path(lp), "w") as f:
        f.write('{"timestamp": 1, "kernels": [')
    lp.daemon.start()
    assert lp.prop("CveDataDigest") == ""
    assert "ignoring the stored CVE data" in lp.daemon.log()
    lp.enable()
    lp.server.publish([], cve_fixes=CVE_FIXES)
    lp.refresh()
    assert "if-none-match" not in cve_requests(lp)[-1]["headers"]
    assert stored_cve_data(lp) == as_stored(cve_body(CVE_FIXES, [RELEASE], timestamp=0))
