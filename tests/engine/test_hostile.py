# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile server replies and patch metadata through the whole daemon, over
D-Bus (issue 11, defects 1 and 7): deeply nested JSON, terminal escapes and
lone surrogate escapes in server and patch.json text.  Each is refused (or,
in prose, replaced) where it enters; the daemon stays up under
G_DEBUG=fatal-criticals and what was applied stays applied."""

import io
import os
import tarfile

import pytest
from gi.repository import GLib

from conftest import error_name, module_name

ESCAPES = "\x1b]0;owned\x07\x1b[2J"
REPLACED = "\ufffd]0;owned\ufffd\ufffd[2J"


def refresh_fails(lp):
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    return info.value


def message(error):
    """The D-Bus error's message without GDBus's remote-error prefix."""
    return error.message.split(": ", 1)[1] if error.message.startswith("GDBus.Error:") \
        else error.message


def assert_alive(lp):
    assert lp.daemon.proc.poll() is None, lp.daemon.log()


def test_deeply_nested_check_reply_refused(enabled):
    lp = enabled
    lp.apply("57.3")
    lp.server.publish([("57.4", lp.kit.make("57.4"))])
    lp.server.misbehave(mode="raw-body", body="[", repeat=200 * 1024, times=1)
    error = refresh_fails(lp)
    assert error_name(error) == "Server", error.message
    assert message(error) == "check failed: check: reply: nested deeper than 32 levels"
    assert_alive(lp)
    assert lp.prop("CheckState") == "check-failed"
    assert lp.prop("LastError") == message(error)
    assert lp.prop("PatchVersion") == "57.3" and lp.loaded() == [module_name("57.3")]
    # The next check is answered normally.
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.4"


def test_escapes_in_tier_refuse_enable(lp):
    lp.server.misbehave(mode="bad-type", on="register", member="tier", value=ESCAPES)
    with pytest.raises(GLib.Error) as info:
        lp.enable()
    assert error_name(info.value) == "Server", info.value.message
    assert message(info.value) == 'register: member "tier" contains a control character'
    assert_alive(lp)
    assert lp.prop("Enabled") is False and lp.prop("Tier") == ""


def test_lone_surrogate_in_check_reply_refused(enabled):
    lp = enabled
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.server.misbehave(mode="bad-type", member="supported", value="\udc00supported")
    error = refresh_fails(lp)
    assert error_name(error) == "Server", error.message
    assert message(error) == 'check failed: check: member "supported" is not UTF-8 text'
    assert_alive(lp)
    assert lp.prop("CheckState") == "check-failed"
    assert lp.prop("Supported") == "unknown"
    assert lp.prop("PatchVersion") == "" and lp.loaded() == []


def test_escapes_in_fix_description_replaced(enabled):
    lp = enabled
    path = lp.kit.make("57.3", fixes=(f"CVE-2026-1:{ESCAPES}:LP#1{ESCAPES}:true",))
    lp.server.publish([("57.3", path)])
    lp.refresh()
    assert lp.prop("PatchVersion") == "57.3"
    assert lp.prop("Fixes") == [("CVE-2026-1", REPLACED, True, "LP#1" + REPLACED)]
    status = lp.cli("status", "--verbose")
    assert "\x1b" not in status.stdout and "\x07" not in status.stdout, status.stdout


def test_escapes_in_fix_name_refused(enabled):
    lp = enabled
    path = lp.kit.make("57.3", fixes=(f"CVE{ESCAPES}:description:LP#1:true",))
    lp.server.publish([("57.3", path)])
    error = refresh_fails(lp)
    assert error_name(error) == "InvalidMetadata", error.message
    assert message(error).endswith('patch.json: member "fixes[0].name" contains a control character')
    assert_alive(lp)
    assert lp.prop("PatchState") == "apply-failed"
    assert lp.prop("PatchVersion") == "" and lp.loaded() == []


def with_raw_description(kit, version, raw):
    """A copy of a signed patch whose first fix description is @raw, JSON
    text spliced in as is (Python's json cannot write a lone surrogate)."""
    src = kit.make(version, fixes=("CVE-2026-1:MARKER:LP#1:true",))
    out = os.path.join(kit.root, f"raw-{version}.tar.xz")
    with tarfile.open(src) as tin, tarfile.open(out, "w:xz", format=tarfile.USTAR_FORMAT) as tout:
        for member in tin.getmembers():
            data = tin.extractfile(member).read()
            if member.name == "patch.json":
                data = data.replace(b'"MARKER"', raw.encode())
                member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
    return out


def test_lone_surrogate_in_fix_description_replaced(enabled):
    lp = enabled
    lp.server.publish([("57.3", with_raw_description(lp.kit, "57.3", '"x\\udc00 y"'))])
    lp.refresh()
    assert_alive(lp)
    assert lp.prop("PatchVersion") == "57.3"
    (name, description, patched, bug), = lp.prop("Fixes")
    assert (name, patched, bug) == ("CVE-2026-1", True, "LP#1")
    assert description.startswith("x\ufffd") and "\udc00" not in description
