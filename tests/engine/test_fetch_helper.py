# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""A misbehaving livepatch-fetch (docs/ARCHITECTURE.md, "Privilege
separation"): one that crashes, hangs, writes garbage, sends a reply of the
wrong type or not in normal form, lies in a well-typed reply, or passes a
module fd anybody could still change, or an fd nobody asked for.

livepatchd runs tests/engine/fake-livepatch-fetch instead of the real
helper; it hands every operation but the one under test to the real helper.
Each failure is Internal, with the message that names it; nothing applied,
loaded or stored changes, and the daemon goes on serving: the next Refresh,
with the real helper again, applies the offered patch."""

import json
import os
import re
import shutil
import stat
import struct
import tempfile
import time

import pytest
from gi.repository import GLib

from conftest import HERE, error_name, module_name

FAKE = os.path.join(HERE, "fake-livepatch-fetch")
# LP_FETCH_REPLY_TYPE (src/lp-fetch-message.h), as the daemon names it.
REPLY_TYPE = "(ssm(sss)m(sm(ssstb)s(ssa(sxs)))m(bsxa(sas))m((xssssa(sssb))t))"
# fake-livepatch-fetch's GARBAGE starts with these 32 bits.
GARBAGE_KIND = struct.unpack("=I", b"\x7fGAR")[0]


class FakeHelper:
    """fake-livepatch-fetch and its behaviour.json in a directory of their
    own: when the tests run as root, the daemon starts it as the user
    livepatch, who must be able to read both (the test's tmp_root is 0700)."""

    def __init__(self, real):
        self.real = real
        self.dir = tempfile.mkdtemp(prefix="lp-fake-fetch-")
        os.chmod(self.dir, 0o755)
        self.path = os.path.join(self.dir, "livepatch-fetch")
        shutil.copy(FAKE, self.path)
        os.chmod(self.path, 0o755)
        self.act()

    def act(self, **actions):
        """operation (cve_data for cve-data) -> action; the rest run the real helper."""
        tmp = os.path.join(self.dir, "behaviour.json.tmp")
        with open(tmp, "w") as f:
            json.dump({"real": self.real,
                       "actions": {k.replace("_", "-"): v for k, v in actions.items()}}, f)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
        os.rename(tmp, os.path.join(self.dir, "behaviour.json"))

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def fake(lp_stopped):
    """A daemon (not started) whose LP_FETCH_HELPER is the fake helper; the
    fake is at lp_stopped.fake."""
    helper = FakeHelper(os.environ["LP_FETCH_HELPER"])
    lp_stopped.daemon.env["LP_FETCH_HELPER"] = helper.path
    lp_stopped.fake = helper
    yield lp_stopped
    helper.remove()


def start_with_patch(lp, deadline=None):
    """Starts the daemon, enables it and applies 57.3 with the real helper;
    then publishes 57.4. Returns what must not change."""
    if deadline is not None:
        lp.daemon.env["LP_TEST_FETCH_DEADLINE"] = str(deadline)
    lp.daemon.start()
    lp.enable()
    lp.apply("57.3")
    lp.server.publish([("57.4", lp.kit.make("57.4"))])
    return state(lp)


def state(lp):
    return {"PatchVersion": lp.prop("PatchVersion"), "Supported": lp.prop("Supported"),
            "loaded": lp.loaded(), "patches": lp.patch_files()}


def message(error):
    """The D-Bus error's message without GDBus's remote-error prefix."""
    return error.message.split(": ", 1)[1] if error.message.startswith("GDBus.Error:") \
        else error.message


def refresh_fails(lp):
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    assert error_name(info.value) == "Internal", info.value.message
    return message(info.value)


def assert_unchanged_and_serving(lp, before, text, check_failed):
    """@text is LastError; nothing else changed; the daemon still answers,
    and with the real helper back the next Refresh applies 57.4."""
    assert lp.daemon.proc.poll() is None, lp.daemon.log()
    props = lp.daemon.get_all()
    assert props["LastErrorCode"] == "Internal"
    assert props["LastError"] == text
    if check_failed:
        assert props["CheckState"] == "check-failed"
        assert props["PatchState"] == "applied"
    else:
        assert props["CheckState"] == "checked"
        assert props["PatchState"] == "apply-failed"
    assert state(lp) == before
    assert before["loaded"] == [module_name("57.3")]
    lp.fake.act()
    lp.refresh()
    assert lp.prop("PatchState") == "applied" and lp.prop("PatchVersion") == "57.4"
    assert lp.loaded() == [module_name("57.4")]
    assert lp.prop("LastErrorCode") == ""


# --- (1) crash ---

@pytest.mark.parametrize("op", ["check", "download"])
def test_crashing_helper(fake, op):
    lp = fake
    before = start_with_patch(lp)
    lp.fake.act(**{op: "crash"})
    text = refresh_fails(lp)
    prefix = "check failed: " if op == "check" else "cannot download patch 57.4: "
    assert text == prefix + "livepatch-fetch crashed (signal 11: Segmentation fault)"
    assert_unchanged_and_serving(lp, before, text, check_failed=op == "check")


# --- (2) hang, and a helper that exits while a child of its own keeps fd 3 ---

def test_hanging_helper_is_killed_at_the_deadline(fake):
    lp = fake
    before = start_with_patch(lp, deadline=2)
    lp.fake.act(check="hang")
    started = time.monotonic()
    text = refresh_fails(lp)
    assert text == "check failed: livepatch-fetch did not finish in time and was killed"
    assert 1.5 < time.monotonic() - started < 20
    assert_unchanged_and_serving(lp, before, text, check_failed=True)


def test_helper_whose_child_keeps_the_socket_open(fake):
    """Once the helper has exited, what it sent is all there is to read: a
    process it left behind holding fd 3 does not keep the run (and so
    Refresh) waiting until it goes away."""
    lp = fake
    before = start_with_patch(lp, deadline=10)
    lp.fake.act(check="orphan")
    started = time.monotonic()
    text = refresh_fails(lp)
    assert text == "check failed: livepatch-fetch exited with status 0 without a reply"
    # The orphan sleeps 30 s; the deadline is 10 s.
    assert time.monotonic() - started < 8
    assert_unchanged_and_serving(lp, before, text, check_failed=True)


# --- (3) garbage, (4) well framed but badly typed, (5) well typed but
# lying, (7) an fd with a reply that has no module: all refused the same way ---

@pytest.mark.parametrize("action,what", [
    ("garbage", f"a record of kind {GARBAGE_KIND}"),
    ("wrong-type", f"a reply that is not a normal-form {REPLY_TYPE}"),
    ("not-normal", f"a reply that is not a normal-form {REPLY_TYPE}"),
    ("registration-for-check", "a registration it was not asked for"),
    ("supported-escape", 'a bad "supported" or buggy version'),
    ("bad-sha256", "a bad patch offer"),
    ("check-with-fd", "an fd it was not asked for"),
])
def test_bad_check_reply(fake, action, what):
    lp = fake
    before = start_with_patch(lp)
    lp.fake.act(check=action)
    text = refresh_fails(lp)
    assert text == "check failed: livepatch-fetch sent " + what
    assert_unchanged_and_serving(lp, before, text, check_failed=True)


# --- (6) a module fd that is not sealed, or not a memfd ---

@pytest.mark.parametrize("action", ["unsealed", "three-seals", "plain-file", "wrong-size"])
def test_download_module_fd_refused(fake, action):
    lp = fake
    before = start_with_patch(lp)
    lp.fake.act(download=action)
    text = refresh_fails(lp)
    if action == "wrong-size":
        assert re.fullmatch(r"cannot download patch 57\.4: livepatch-fetch sent a module fd "
                            r"that is not the [0-9]+ bytes it announced", text), text
    else:
        assert text == ("cannot download patch 57.4: livepatch-fetch sent a module fd without "
                        "all four seals")
    # Nothing loaded, nothing stored under patches/ (state() compares both).
    assert_unchanged_and_serving(lp, before, text, check_failed=False)
