# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The machine token stays with the server that issued it (issue 11, defect 2).

Two local servers, A (the fixture's) and B. The daemon enables against A;
then remote-server is changed to B by someone allowed to configure. Nothing
may reach B carrying A's token, nor any check at all, until Enable runs
against B; changing remote-server back to A restores service."""

import os

import pytest
from gi.repository import GLib

from conftest import Server, error_name, module_name, spin_until


@pytest.fixture
def server_b(tmp_root):
    s = Server(os.path.join(tmp_root, "b"))
    yield s
    s.stop()


def stored_token(lp):
    """(token, origin) from the machine-token file."""
    with open(os.path.join(lp.daemon.state_dir, "machine-token")) as f:
        lines = f.read().split("\n")
    return lines[0], lines[1] if len(lines) > 1 else ""


def carries(requests, token):
    return [r for r in requests if token in r["headers"].get("authorization", "")
            or token in r["path"] or token in r["body"]]


def mismatch(a, b):
    return f"enabled for {a.url}; enable again to use {b.url}"


def test_token_bound_to_origin_of_enable(enabled):
    token, origin = stored_token(enabled)
    assert origin == enabled.server.url
    assert len(token) > 8


def test_check_refused_after_remote_server_change(enabled, server_b):
    lp = enabled
    token, _ = stored_token(lp)
    checks_at_a = len(lp.server.requests("/updates"))
    lp.daemon.set_config({"remote-server": server_b.url})
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    assert error_name(info.value) == "NotEnabled"
    assert info.value.message.endswith("check failed: " + mismatch(lp.server, server_b))
    assert lp.prop("CheckState") == "check-failed"
    assert lp.prop("LastError") == mismatch(lp.server, server_b)
    assert lp.prop("Enabled") is True
    # Nothing at all reached B, and A got no check either.
    assert server_b.requests() == []
    assert len(lp.server.requests("/updates")) == checks_at_a
    # Back to A: service resumes with the same token.
    lp.daemon.set_config({"remote-server": lp.server.url})
    lp.refresh()
    assert lp.prop("CheckState") == "checked"
    assert len(carries(lp.server.requests("/updates"), token)) == checks_at_a + 1
    assert server_b.requests() == []


def test_enable_again_moves_to_new_origin(enabled, server_b):
    lp = enabled
    token_a, _ = stored_token(lp)
    lp.daemon.set_config({"remote-server": server_b.url})
    lp.enable("token-for-b")
    token_b, origin = stored_token(lp)
    assert origin == server_b.url and token_b != token_a
    assert lp.prop("CheckState") == "needs-check"
    server_b.publish([("57.3", lp.kit.make("57.3"))])
    lp.refresh()
    assert lp.prop("PatchState") == "applied"
    assert lp.loaded() == [module_name("57.3")]
    assert carries(server_b.requests(), token_a) == []
    assert len(carries(server_b.requests("/updates"), token_b)) == 1
    # Enabled for B now: with A configured again, it is A that is refused.
    lp.daemon.set_config({"remote-server": lp.server.url})
    with pytest.raises(GLib.Error):
        lp.refresh()
    assert lp.prop("LastError") == mismatch(server_b, lp.server)
    assert carries(lp.server.requests(), token_b) == []


def test_enable_twice_same_origin_still_refused(enabled, server_b):
    with pytest.raises(GLib.Error) as info:
        enabled.enable("other-token")
    assert error_name(info.value) == "AlreadyEnabled"


def test_disable_deregisters_only_at_origin(enabled, server_b):
    lp = enabled
    token, _ = stored_token(lp)
    lp.daemon.set_config({"remote-server": server_b.url})
    lp.call("Disable")
    assert lp.prop("Enabled") is False
    assert server_b.requests() == []
    assert [r for r in lp.server.requests() if r["method"] == "DELETE"] == []
    assert not os.path.exists(os.path.join(lp.daemon.state_dir, "machine-token"))
    assert "not deregistering: " + mismatch(lp.server, server_b) in lp.daemon.log()
    assert token not in lp.daemon.log()


def test_download_refused_after_change_mid_cycle(enabled, server_b):
    """remote-server changes while the check runs: the download that follows
    would go to B with A's token."""
    lp = enabled
    token, _ = stored_token(lp)
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    # The server holds its reply: the check is in flight while remote-server
    # changes (the delay only has to outlast one SetConfig call).
    lp.server.misbehave(mode="slow", on="updates", delay=10)
    refresh = lp.call_async("Refresh")
    spin_until(lambda: lp.server.requests("/updates"), "the check reached A")
    lp.daemon.set_config({"remote-server": server_b.url})
    refresh.wait()
    assert refresh.error is not None
    assert error_name(refresh.error) == "NotEnabled"
    assert lp.prop("PatchState") == "apply-failed"
    assert lp.prop("LastError") == mismatch(lp.server, server_b)
    assert server_b.requests() == []
    assert lp.loaded() == []


def test_token_file_without_origin_takes_remote_server(enabled):
    """A machine-token file written before origins were recorded: the
    remote-server configured at upgrade time becomes its origin."""
    lp = enabled
    token, _ = stored_token(lp)
    lp.daemon.stop()
    with open(os.path.join(lp.daemon.state_dir, "machine-token"), "w") as f:
        f.write(token + "\n")
    lp.daemon.start()
    assert stored_token(lp) == (token, lp.server.url)
    lp.refresh()
    assert lp.prop("CheckState") == "checked"
    assert f"machine token recorded as issued by {lp.server.url}" in lp.daemon.log()

