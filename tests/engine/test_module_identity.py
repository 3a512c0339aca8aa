# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module is known by the name inside its signed ELF, not by patch.json
(issue 11, defect 4), end to end: a patch whose patch.json names another
module than the signed one is refused before any lock or load, nothing is
recorded, and the rollback floor does not move; a file name with '-' is the
module with '_', as the kernel names it."""

import os

import pytest
from gi.repository import GLib

from conftest import error_name, module_name


@pytest.mark.parametrize("listed, inside", [("lkp_A", "lkp_B"), ("lkp_B", "lkp_A")])
def test_patch_json_naming_another_module_is_refused(enabled, listed, inside):
    lp = enabled
    lp.apply("57.3")
    patch = lp.kit.make("99.0", module=listed + ".ko", elf_name=inside)
    lp.server.publish([("99.0", patch)])
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    assert error_name(info.value) == "InvalidMetadata"
    assert info.value.message.endswith(
        f'patch.json: module "{listed}.ko" is a module named {inside}, not {listed}')
    assert lp.prop("PatchState") == "apply-failed"
    assert lp.prop("PatchVersion") == "57.3"
    assert lp.loaded() == [module_name("57.3")]
    assert os.listdir(os.path.join(lp.daemon.state_dir, "locks")) == []
    # Not recorded: after a reboot the old patch comes back, and 57.4 is no rollback.
    lp.reboot()
    lp.wait_prop("PatchState", "applied")
    assert lp.prop("PatchVersion") == "57.3"
    lp.apply("57.4")


def test_dashed_file_name_is_the_kernel_name(enabled):
    lp = enabled
    patch = lp.kit.make("57.3", module="lkp-Dash-57.ko")
    lp.server.publish([("57.3", patch)])
    lp.refresh()
    assert lp.prop("PatchState") == "applied"
    assert lp.loaded() == ["lkp_Dash_57"]
    with open(os.path.join(lp.daemon.state_dir, "state")) as f:
        assert "patch-module=lkp_Dash_57\n" in f.read()
