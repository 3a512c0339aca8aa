# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""livepatchd against Debian's real polkitd with our installed policy."""

import subprocess

from conftest import ACTIONS, ERROR_PREFIX, call_as

NOT_AUTHORIZED = ERROR_PREFIX + "NotAuthorized"
# Every privileged method with arguments gdbus can pass, and its action.
PRIVILEGED = [
    ("Enable", ["some-token"], "enable"),
    ("Disable", [], "disable"),
    ("Refresh", [], "refresh"),
    ("SetConfig", ["{'check-interval': '90'}"], "configure"),
    ("GetMachineToken", [], "show-secrets"),
]
# DESIGN.md: enable, disable, configure = auth_admin_keep for active sessions,
# auth_admin otherwise; refresh = yes for active sessions, auth_admin otherwise.
DEFAULTS = {
    "enable": ("auth_admin", "auth_admin", "auth_admin_keep"),
    "disable": ("auth_admin", "auth_admin", "auth_admin_keep"),
    "configure": ("auth_admin", "auth_admin", "auth_admin_keep"),
    "refresh": ("auth_admin", "auth_admin", "yes"),
    # the machine token: administrators only, and never remembered
    "show-secrets": ("auth_admin", "auth_admin", "auth_admin"),
}


def pkaction(bus):
    env = {"DBUS_SYSTEM_BUS_ADDRESS": bus.address, "PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    return subprocess.run(["pkaction", "--verbose"], env=env, capture_output=True, text=True,
                          check=True).stdout


def parse_pkaction(text):
    actions, current = {}, None
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = actions.setdefault(line[:-1], {})
        elif current is not None and ":" in line:
            key, value = line.split(":", 1)
            current[key.strip()] = value.strip()
    return actions


def test_pkaction_shows_our_actions_with_design_defaults(system_bus, real_polkitd):
    actions = parse_pkaction(pkaction(system_bus))
    ours = sorted(a for a in actions if a.startswith("com.canonical.livepatch."))
    assert ours == sorted(f"com.canonical.livepatch.{a}" for a in ACTIONS)
    for name, (any_, inactive, active) in DEFAULTS.items():
        a = actions[f"com.canonical.livepatch.{name}"]
        assert (a["implicit any"], a["implicit inactive"], a["implicit active"]) == \
            (any_, inactive, active), name
        assert a["description"] and a["message"], name


def test_nobody_is_denied_every_privileged_method(system_bus, real_polkitd, daemon):
    before = daemon.get_all()
    config = daemon.get_config()
    for method, args, action in PRIVILEGED:
        code, error, out = call_as(system_bus, "nobody", method, *args)
        assert code != 0 and error == NOT_AUTHORIZED, (method, out)
    assert daemon.get_all() == before
    assert daemon.get_config() == config
    # Reading stays open to everyone.
    code, error, out = call_as(system_bus, "nobody", "GetConfig")
    assert code == 0, out


def test_root_is_allowed(system_bus, real_polkitd, daemon):
    code, error, out = call_as(system_bus, None, "SetConfig", "{'check-interval': '90'}")
    assert code == 0, out
    assert daemon.get_config()["check-interval"] == "90"
    # Past polkit: the engine answers, not the authority.
    code, error, out = call_as(system_bus, None, "Refresh")
    assert error == ERROR_PREFIX + "NotEnabled", out
    code, error, out = call_as(system_bus, None, "Disable")
    assert error in (None, ERROR_PREFIX + "NotEnabled"), out
    code, error, out = call_as(system_bus, None, "GetMachineToken")
    assert error == ERROR_PREFIX + "NotEnabled", out


def test_rules_d_file_granting_a_group_lets_a_member_in(system_bus, real_polkitd, daemon):
    rule = """polkit.addRule(function (action, subject) {
    if (action.id.indexOf("com.canonical.livepatch.") == 0 && subject.isInGroup("daemon"))
        return polkit.Result.YES;
});
"""
    real_polkitd.add_rule("50-livepatch-test.rules", rule, "com.canonical.livepatch.configure",
                          "daemon")
    code, error, out = call_as(system_bus, "daemon", "SetConfig", "{'check-interval': '120'}")
    assert code == 0, out
    assert daemon.get_config()["check-interval"] == "120"
    code, error, out = call_as(system_bus, "daemon", "Refresh")
    assert error == ERROR_PREFIX + "NotEnabled", out
    # A user outside the group is still refused.
    code, error, out = call_as(system_bus, "nobody", "SetConfig", "{'check-interval': '150'}")
    assert error == NOT_AUTHORIZED, out
    assert daemon.get_config()["check-interval"] == "120"
