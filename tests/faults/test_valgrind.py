# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""livepatchd under valgrind memcheck through one full engine cycle (enable,
check, download, verify, apply, disable, shutdown): 0 errors, 0 bytes
definitely or indirectly lost (tests/valgrind.supp lists the one-time
library allocations it ignores, each explained)."""

import os
import re
import shutil

import pytest

from conftest import module_name

SUPP = os.path.join(os.path.dirname(__file__), "..", "valgrind.supp")


def summary(log, what):
    match = re.search(rf"{what}: ([\d,]+) bytes", log)
    return int(match.group(1).replace(",", "")) if match else 0


def test_daemon_full_cycle_is_clean_under_memcheck(lp_stopped, monkeypatch, tmp_root):
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is not installed (Debian package valgrind)")
    lp = lp_stopped
    log_path = os.path.join(tmp_root, "memcheck.log")
    monkeypatch.setenv("LP_DAEMON_WRAPPER", " ".join([
        "valgrind", "--tool=memcheck", "--error-exitcode=3", "--leak-check=full",
        "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
        "--num-callers=30", f"--suppressions={os.path.abspath(SUPP)}", f"--log-file={log_path}"]))
    monkeypatch.setenv("G_SLICE", "always-malloc")
    monkeypatch.setenv("G_DEBUG", "gc-friendly,fatal-criticals")
    lp.daemon.start()
    lp.enable()
    lp.server.publish([("57.3", lp.kit.make("57.3"))])
    lp.refresh()
    assert lp.prop("PatchState") == "applied" and lp.loaded() == [module_name("57.3")]
    lp.call("Disable")
    code = lp.daemon.stop()
    with open(log_path) as f:
        log = f.read()
    errors = int(re.search(r"ERROR SUMMARY: ([\d,]+) errors", log).group(1).replace(",", ""))
    definite, indirect = summary(log, "definitely lost"), summary(log, "indirectly lost")
    # tools/reliability-report reads this line.
    print(f"memcheck: errors={errors} definitely_lost={definite} indirectly_lost={indirect}")
    assert errors == 0 and definite == 0 and indirect == 0, log
    assert code == 0, log
