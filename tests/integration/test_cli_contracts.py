# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""canonical-livepatch's output contracts, byte for byte, against livepatchd
on a private system bus and the local test server.

The reference client's consumers (Ubuntu Pro's client, Landscape's client,
cloud-init, admins' scripts) parse what `status`, `config`, `enable` and
`disable` print; each test pins one contract in one state. The CLI's clock,
/proc and cloud-init instance data come from fixtures (LP_TEST_NOW,
LP_TEST_PROC_DIR, LP_TEST_CLOUD_INSTANCE_DATA) so every byte is known.
"""
import base64
import json
import os
import re
import secrets
import subprocess
import tempfile
import urllib.parse

import pytest
import yaml
from gi.repository import GLib

from cli_helpers import (LivepatchServer, make_signing_cert, make_test_patch, patch_server,  # noqa: F401
                         run_cli)
from conftest import CLI, MACHINE_ID, dbus_error_name

HINT = ("Machine is not enabled. Please run 'sudo canonical-livepatch enable' with the\n"
        "token obtained from https://ubuntu.com/livepatch.\n")
CPU = "Intel(R) Xeon(R) CPU E5-2673 v4 @ 2.30GHz"
FIXES = ["cve-2026-1234:use-after-free in nf_tables:LP#2061234:true",
         "cve-2026-5678:race in io_uring::true"]
UPTIME = 4327  # seconds between the fixture's boot time and the CLI's "now"
SHOW_SECRETS = "com.canonical.livepatch.show-secrets"


def q(value):
    """A YAML scalar as a YAML reader needs it: plain when PyYAML reads it back
    as the same string, double-quoted otherwise (an independent oracle)."""
    return value if yaml.safe_load(value) == value else json.dumps(value)


def go_duration(seconds):
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if h or m else "") + f"{s}s"


def rfc3339(when):
    return GLib.DateTime.new_from_unix_utc(when).format("%Y-%m-%dT%H:%M:%SZ")


def series(kernel):
    return re.match(r"\d+\.\d+", kernel).group(0)


class Machine:
    """The CLI's view of the machine: /proc files, cloud-init data, a clock."""

    def __init__(self, tmp_path, now):
        self.now = now
        proc = tmp_path / "proc"
        proc.mkdir()
        (proc / "cpuinfo").write_text(f"processor\t: 0\nmodel name\t: {CPU}\n")
        (proc / "stat").write_text(f"cpu  1 2 3 4\nbtime {now - UPTIME}\nprocesses 42\n")
        cloud = tmp_path / "instance-data.json"
        cloud.write_text(json.dumps({"v1": {"cloud_name": "lxd", "region": "",
                                            "availability_zone": ""}}))
        self.env = {"LP_TEST_NOW": str(now), "LP_TEST_PROC_DIR": str(proc),
                    "LP_TEST_CLOUD_INSTANCE_DATA": str(cloud)}

    def run(self, *args):
        return run_cli(*args, env=self.env)


def expected_json(props, now, state, fixes):
    return json.dumps({
        "Client-Version": props["ClientVersion"],
        "Machine-Id": MACHINE_ID,
        "Architecture": props["Architecture"],
        "CPU-Model": CPU,
        "Last-Check": rfc3339(props["LastCheck"]),
        "Boot-Time": rfc3339(now - UPTIME),
        "Uptime": str(UPTIME),
        "Status": [{
            "Kernel": props["Kernel"],
            "Running": True,
            "Livepatch": {"CheckState": props["CheckState"], "State": state,
                          "Version": props["PatchVersion"], "Fixes": fixes},
            "Supported": props["Supported"],
            "UpgradeRequiredDate": props.get("UpgradeRequiredDate", ""),
        }],
        "tier": props["Tier"],
        "Cloud-Enabled": {"cloud-enabled": True, "cloud": "lxd", "region": "", "az": ""},
    }, indent=2, ensure_ascii=False) + "\n"


def expected_yaml(props, now, fixes_block):
    fixes = ("    fixes: |-\n" + "".join(f"      {line}\n" for line in fixes_block)
             if fixes_block else '    fixes: ""\n')
    return (f"client-version: {q(props['ClientVersion'])}\n"
            f"machine-id: {q(MACHINE_ID)}\n"
            f"architecture: {q(props['Architecture'])}\n"
            f"cpu-model: {q(CPU)}\n"
            f"last-check: {rfc3339(props['LastCheck'])}\n"
            f"boot-time: {rfc3339(now - UPTIME)}\n"
            f"uptime: {go_duration(UPTIME)}\n"
            "status:\n"
            f"- kernel: {q(props['Kernel'])}\n"
            "  running: true\n"
            "  livepatch:\n"
            f"    checkState: {q(props['CheckState'])}\n"
            f"    patchState: {q(props['PatchState'])}\n"
            f"    version: {q(props['PatchVersion'])}\n"
            + fixes +
            f"  supported: {q(props['Supported'])}\n"
            f"  upgradeRequiredDate: {q(props.get('UpgradeRequiredDate', ''))}\n"
            f"tier: {q(props['Tier'])}\n"
            "cloud-enabled:\n"
            "  cloud-enabled: true\n"
            "  cloud: lxd\n"
            '  region: ""\n'
            '  az: ""\n')


def tier_line(props):
    description = props.get("TierDescription", "")
    return f"tier: {props['Tier']} ({description})\n" if description else f"tier: {props['Tier']}\n"


# ---- not enabled: every format, nothing on stdout ----

@pytest.mark.parametrize("args", [[], ["--verbose"], ["--summary"], ["--show-secrets"],
                                  ["--format", "humane"], ["--format", "json"],
                                  ["--format", "yaml"], ["--verbose", "--format", "json"]])
def test_status_not_enabled(daemon, args):
    result = run_cli("status", *args)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", HINT)


# ---- a machine with a patch applied ----

def point_at(daemon, server):
    daemon.set_config({"remote-server": server.url})


@pytest.fixture
def trusted_key(tmp_path, daemon):
    key, cert = make_signing_cert(str(tmp_path / "keys"))
    certs_dir = tmp_path / "module-certs"
    certs_dir.mkdir(mode=0o755)
    (certs_dir / "test.pem").write_bytes(open(cert, "rb").read())
    daemon.extra_args += ["--module-certs-dir", str(certs_dir)]
    daemon.restart()
    return key, cert


def publish(daemon, server, key, cert, version, name):
    kernel, arch = daemon.get("Kernel"), daemon.get("Architecture")
    make_test_patch(key, cert, kernel, arch, version, os.path.join(server.patch_dir, name),
                    fixes=FIXES)
    server.publish({"supported": "supported",
                    "patches": [{"kernel": kernel, "architecture": arch, "version": version,
                                 "file": name}]})


@pytest.fixture
def applied(daemon, polkitd, patch_server, trusted_key, tmp_path):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    publish(daemon, patch_server, *trusted_key, "57.3", "p.tar.xz")
    assert run_cli("enable", "goodtoken").returncode == 0
    refreshed = run_cli("refresh")
    assert (refreshed.returncode, refreshed.stderr) == (0, ""), refreshed.stderr
    props = daemon.get_all()
    assert props["PatchState"] == "applied"
    return props, Machine(tmp_path, props["LastCheck"] + 300)


APPLIED_FIXES = [
    {"Name": "cve-2026-1234", "Description": "use-after-free in nf_tables", "Bug": "LP#2061234",
     "Patched": True},
    {"Name": "cve-2026-5678", "Description": "race in io_uring", "Bug": "", "Patched": True},
]


def test_status_applied_humane(applied):
    props, machine = applied
    result = machine.run("status")
    kernel = props["Kernel"]
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "last check: 5 minutes ago\n"
        f"kernel: {kernel}\n"
        "server check-in: succeeded\n"
        f"kernel state: ✓ kernel series {series(kernel)} is covered by Livepatch\n"
        "patch state: ✓ all applicable live kernel patch modules applied\n"
        "patch version: 57.3\n"
        + tier_line(props) +
        f"machine id: {MACHINE_ID}\n")


def test_status_applied_verbose_and_summary(applied):
    props, machine = applied
    kernel = props["Kernel"]
    state_lines = ("last check: 5 minutes ago\n"
                   f"kernel: {kernel}\n"
                   "server check-in: succeeded\n"
                   f"kernel state: ✓ kernel series {series(kernel)} is covered by Livepatch\n"
                   "patch state: ✓ all applicable live kernel patch modules applied\n"
                   "patch version: 57.3\n")
    summary = machine.run("status", "--summary")
    assert (summary.returncode, summary.stdout, summary.stderr) == (0, state_lines, "")
    verbose = machine.run("status", "--verbose")
    next_check = props["NextCheck"] - machine.now
    assert next_check > 0
    assert verbose.stdout.startswith(state_lines + tier_line(props) +
                                     f"client version: {props['ClientVersion']}\n"
                                     f"architecture: {props['Architecture']}\n"
                                     f"cpu model: {CPU}\n"
                                     f"boot time: {rfc3339(machine.now - UPTIME)}\n"
                                     f"uptime: {go_duration(UPTIME)}\n"
                                     f"mode: {props['Mode']}\n"
                                     "next check: in "), verbose.stdout
    assert verbose.stdout.endswith(
        "fixes:\n"
        "  * cve-2026-1234: use-after-free in nf_tables [LP#2061234]\n"
        "  * cve-2026-5678: race in io_uring\n"
        f"machine id: {MACHINE_ID}\n"), verbose.stdout


def test_status_applied_json(applied):
    props, machine = applied
    result = machine.run("status", "--format", "json")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected_json(props, machine.now, "applied", APPLIED_FIXES)


def test_status_applied_yaml(applied):
    props, machine = applied
    result = machine.run("status", "--format", "yaml")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == expected_yaml(props, machine.now,
                                          ["* cve-2026-1234 LP#2061234", "* cve-2026-5678"])


# ---- the last check failed ----

@pytest.fixture
def check_failed(daemon, polkitd, patch_server, tmp_path):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    assert run_cli("enable", "goodtoken").returncode == 0
    assert run_cli("refresh").returncode == 0
    first_check = daemon.get("LastCheck")
    patch_server.stop()
    before = int(GLib.get_real_time() / 1e6)
    failed = run_cli("refresh")
    assert failed.returncode == 1
    props = daemon.get_all()
    assert props["CheckState"] == "check-failed" and props["LastError"]
    # "last check" is the failed attempt, not the last good one
    assert props["LastCheck"] >= before >= first_check
    return props, Machine(tmp_path, props["LastCheck"] + 16)


def test_status_check_failed_humane(check_failed):
    props, machine = check_failed
    kernel = props["Kernel"]
    result = machine.run("status")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "last check: 16 seconds ago\n"
        f"kernel: {kernel}\n"
        f"server check-in: failed: {props['LastError']}\n"
        f"kernel state: ✓ kernel series {series(kernel)} is covered by Livepatch\n"
        # nothing is applied and the server could not say what there is
        + tier_line(props) +
        f"machine id: {MACHINE_ID}\n")


def test_status_check_failed_json_and_yaml(check_failed):
    props, machine = check_failed
    as_json = machine.run("status", "--format", "json")
    assert (as_json.returncode, as_json.stderr) == (0, "")
    assert as_json.stdout == expected_json(props, machine.now, props["PatchState"], [])
    as_yaml = machine.run("status", "--format", "yaml")
    assert (as_yaml.returncode, as_yaml.stderr) == (0, "")
    assert as_yaml.stdout == expected_yaml(props, machine.now, [])


# ---- an apply that failed: a patch signed by a key the daemon does not trust ----

def test_status_apply_failed(daemon, polkitd, patch_server, trusted_key, tmp_path):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    rogue_key, rogue_cert = make_signing_cert(str(tmp_path / "rogue"))
    publish(daemon, patch_server, rogue_key, rogue_cert, "57.9", "rogue.tar.xz")
    assert run_cli("enable", "goodtoken").returncode == 0
    assert run_cli("refresh").returncode == 1
    props = daemon.get_all()
    assert props["PatchState"] == "apply-failed"
    machine = Machine(tmp_path, props["LastCheck"] + 60)
    # the documented signature line once the daemon names the failure
    # (LastErrorCode); the documented catch-all line from a daemon without it
    if props.get("LastErrorCode") == "InvalidSignature":
        state = "✗ failed to verify the signature of the Livepatch kernel module"
    else:
        state = ("✗ unknown error occurred, please check system logs with "
                 "journalctl -f -u livepatchd")
    kernel = props["Kernel"]
    result = machine.run("status")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "last check: 1 minute ago\n"
        f"kernel: {kernel}\n"
        "server check-in: succeeded\n"
        f"kernel state: ✓ kernel series {series(kernel)} is covered by Livepatch\n"
        f"patch state: {state}\n"
        + tier_line(props) +
        f"machine id: {MACHINE_ID}\n")
    as_json = json.loads(machine.run("status", "--format", "json").stdout)
    assert as_json["Status"][0]["Livepatch"]["State"] == "apply-failed"
    as_yaml = yaml.safe_load(machine.run("status", "--format", "yaml").stdout)
    assert as_yaml["status"][0]["livepatch"]["patchState"] == "apply-failed"


# ---- status --show-secrets: the machine token, only through polkit ----

def machine_token(daemon):
    # the file holds the token, then the origin that issued it
    with open(os.path.join(daemon.state_dir, "machine-token")) as f:
        return f.readline().strip()


def test_show_secrets_refused_without_the_action(daemon, polkitd, patch_server):
    polkitd.allow("com.canonical.livepatch.enable", "com.canonical.livepatch.configure")
    point_at(daemon, patch_server)
    daemon.call("Enable", ("goodtoken",), "(s)")
    refused = run_cli("status", "--show-secrets")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith(f"canonical-livepatch: not authorized to {SHOW_SECRETS}: ")
    assert len(refused.stderr.splitlines()) == 1
    with pytest.raises(GLib.Error) as raised:
        daemon.call("GetMachineToken")
    assert dbus_error_name(raised.value) == "com.canonical.Livepatch.Error.NotAuthorized"
    # plain status still works, without the token
    assert run_cli("status").returncode == 0


def test_show_secrets_prints_the_token_and_nothing_else_carries_it(daemon, polkitd, patch_server,
                                                                  tmp_path):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    assert run_cli("enable", "goodtoken").returncode == 0
    token = machine_token(daemon)
    assert len(token) >= 16
    machine = Machine(tmp_path, int(GLib.get_real_time() / 1e6))
    humane = machine.run("status", "--show-secrets")
    assert (humane.returncode, humane.stderr) == (0, "")
    assert humane.stdout.endswith(f"machine id: {MACHINE_ID}\nmachine token: {token}\n")
    assert json.loads(machine.run("status", "--show-secrets", "--format", "json").stdout)[
        "Machine-Token"] == token
    assert yaml.safe_load(machine.run("status", "--show-secrets", "--format", "yaml").stdout)[
        "machine-token"] == token
    assert daemon.call("GetMachineToken") == (token,)
    # nowhere else: properties, configuration, plain status, the daemon's debug log
    assert token not in json.dumps(daemon.get_all(), default=str)
    assert token not in json.dumps(daemon.get_config())
    for args in (["status"], ["status", "--verbose"], ["status", "--format", "json"],
                 ["status", "--format", "yaml"], ["config"]):
        assert token not in machine.run(*args).stdout
    assert token not in daemon.log()


def test_get_machine_token_when_not_enabled(daemon, polkitd):
    polkitd.allow_all()
    with pytest.raises(GLib.Error) as raised:
        daemon.call("GetMachineToken")
    assert dbus_error_name(raised.value) == "com.canonical.Livepatch.Error.NotEnabled"


# ---- enable and disable, as the reference prints them ----

def test_enable_and_disable_messages(daemon, polkitd, patch_server):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    enabled = run_cli("enable", "goodtoken")
    token = machine_token(daemon)
    # root reads the token without a prompt; anyone else gets the bare message
    suffix = f" Using machine-token: {token}" if os.geteuid() == 0 else ""
    assert (enabled.returncode, enabled.stdout, enabled.stderr) == (
        0, f"Successfully enabled device.{suffix}\n", "")
    disabled = run_cli("disable")
    suffix = f" Removed machine-token: {token}" if os.geteuid() == 0 else ""
    assert (disabled.returncode, disabled.stdout, disabled.stderr) == (
        0, f"Successfully disabled device.{suffix}\n", "")
    assert daemon.get("Enabled") is False


def test_enable_with_a_refused_token_says_unknown_auth_token(daemon, polkitd, tmp_path):
    polkitd.allow_all()
    server = LivepatchServer(str(tmp_path / "srv"), extra_args=["--token", "the-good-one"])
    try:
        point_at(daemon, server)
        refused = run_cli("enable", "not-the-good-one")
    finally:
        server.stop()
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("canonical-livepatch: Unknown Auth-Token"), refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert daemon.get("Enabled") is False


# ---- tokens: legacy UUIDs and Ubuntu Pro's macaroons ----

def macaroon(size):
    """A token shaped like a Pro resource token: a binary macaroon (location,
    identifier, caveats, signature packets) in base64url with '=' padding."""
    while True:
        packets = (b"0027location https://contracts.canonical.com\n"
                   b"0040identifier " + secrets.token_hex(24).encode() + b"\n")
        while len(packets) < size * 3 // 4 - 40:
            packets += b"0052cid " + secrets.token_hex(32).encode() + b"\n"
        packets += b"002fsignature " + secrets.token_bytes(32) + b"\n"
        # an odd length, so that the encoding ends in padding
        if len(packets) % 3 == 0:
            packets += b"\n"
        text = base64.urlsafe_b64encode(packets).decode()
        # the binary signature brings the url-safe characters, most times
        if "-" in text or "_" in text:
            assert text.endswith("=")
            return text


def register_paths(server):
    return [r["path"] for r in server.requests() if r["path"].startswith("/v1/client/")
            and not r["path"].endswith("/updates")]


@pytest.mark.parametrize("token", [
    "0c3dd4e6-b1b1-4e55-9fb5-4a3c3e0e8f8e",   # legacy auth token (UUIDv4)
    "0c3dd4e6b1b14e559fb54a3c3e0e8f8e",       # legacy, without dashes
    "macaroon-1500",
    "base64-standard",
    "max-length",
])
def test_enable_accepts_legacy_and_pro_tokens(daemon, polkitd, patch_server, token):
    if token == "macaroon-1500":
        token = macaroon(1500)
        assert 1000 <= len(token) <= 2100
    elif token == "base64-standard":
        token = base64.b64encode(secrets.token_bytes(700)).decode()
        assert "+" in token or "/" in token
        if not token.endswith("="):
            token = token[:-4] + "AA=="
    elif token == "max-length":
        token = "A" * 4094 + "=="
    polkitd.allow_all()
    point_at(daemon, patch_server)
    enabled = run_cli("enable", token)
    assert (enabled.returncode, enabled.stderr) == (0, ""), enabled.stderr
    assert daemon.get("Enabled") is True
    # escaped in the URL path, and the server read back exactly the token
    paths = register_paths(patch_server)
    assert len(paths) == 1
    segment = paths[0][len("/v1/client/"):]
    assert "=" not in segment and "/" not in segment and "+" not in segment
    assert urllib.parse.unquote(segment) == token
    # never in a log line, even at debug level
    assert token not in daemon.log()
    # and the machine works: a check with it
    assert run_cli("refresh").returncode == 0


@pytest.mark.parametrize("token, message", [
    ("A" * 4095 + "==", "the token must be 1 to 4096 characters long; copy it from "
                        "https://ubuntu.com/pro/dashboard"),
    ("abc=def", "the token may contain only letters, digits, '-', '_', '+', '/' and up to two "
                "'=' at its end"),
    ("abc===", "the token may contain only letters, digits, '-', '_', '+', '/' and up to two "
               "'=' at its end"),
    ("==", "the token may contain only letters, digits, '-', '_', '+', '/' and up to two "
           "'=' at its end"),
    ("abc/../x?y", "the token may contain only letters, digits, '-', '_', '+', '/' and up to two "
                   "'=' at its end"),
    ("tok en", "the token may contain only letters, digits, '-', '_', '+', '/' and up to two "
               "'=' at its end"),
])
def test_enable_refuses_malformed_tokens(daemon, polkitd, patch_server, token, message):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    refused = run_cli("enable", token)
    assert (refused.returncode, refused.stdout, refused.stderr) == (
        1, "", f"canonical-livepatch: {message}\n")
    with pytest.raises(GLib.Error) as raised:
        daemon.call("Enable", (token,), "(s)")
    assert dbus_error_name(raised.value) == "com.canonical.Livepatch.Error.InvalidArgument"
    assert daemon.get("Enabled") is False
    assert register_paths(patch_server) == []
    assert not os.path.exists(os.path.join(daemon.state_dir, "machine-token"))


# ---- config ----

TYPED = {"check-interval", "tls-patch-download"}
REFERENCE_ORDER = ["http-proxy", "https-proxy", "no-proxy", "remote-server", "ca-certs",
                   "dial-timeout", "check-interval", "log-level", "tls-patch-download",
                   "cutoff-date", "patch-delay"]


def config_line(key, value):
    if key == "check-interval" and value:
        return f"{key}: {value}  # minutes\n"
    if key in TYPED and value:
        return f"{key}: {value}\n"
    return f"{key}: {q(value)}\n"


def test_config_lists_keys_in_the_reference_order(daemon):
    config = daemon.get_config()
    keys = [k for k in REFERENCE_ORDER if k in config] + sorted(set(config) - set(REFERENCE_ORDER))
    result = run_cli("config")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "".join(config_line(k, config[k]) for k in keys)
    assert 'http-proxy: ""\n' in result.stdout
    assert re.search(r"(?m)^check-interval: \d+  # minutes$", result.stdout)


def test_config_one_key_in_yaml_and_json(daemon, polkitd):
    polkitd.allow_all()
    assert run_cli("config", "cutoff-date=2024-02-01T00:00:00Z").returncode == 0
    for args in (["config", "cutoff-date"], ["config", "cutoff-date", "--format", "yaml"],
                 ["config", "cutoff-date", "--format=yaml"]):
        result = run_cli(*args)
        assert (result.returncode, result.stdout, result.stderr) == (
            0, 'cutoff-date: "2024-02-01T00:00:00Z"\n', "")
    result = run_cli("config", "cutoff-date", "--format", "json")
    assert (result.returncode, result.stdout, result.stderr) == (
        0, '{"cutoff-date": "2024-02-01T00:00:00Z"}\n', "")
    interval = daemon.get_config()["check-interval"]
    result = run_cli("config", "check-interval", "--format", "json")
    assert result.stdout == f'{{"check-interval": {interval}}}\n'
    assert json.loads(result.stdout) == {"check-interval": int(interval)}
    assert run_cli("config", "http-proxy").stdout == 'http-proxy: ""\n'


@pytest.mark.parametrize("args, code, stderr", [
    (["bogus"], 1, "canonical-livepatch: unknown configuration key 'bogus'\n"),
    (["cutoff-date", "patch-delay"], 2, None),
    (["cutoff-date", "--format", "xml"], 2, None),
    (["--format", "json"], 2, None),
])
def test_config_get_errors(daemon, args, code, stderr):
    before = daemon.get_config()
    result = run_cli("config", *args)
    assert result.returncode == code and result.stdout == ""
    if stderr is not None:
        assert result.stderr == stderr
    else:
        assert result.stderr == ("canonical-livepatch: use 'config KEY [--format yaml|json]' to "
                                 "show one key\nRun 'canonical-livepatch --help' for usage.\n")
    assert daemon.get_config() == before


# ---- the way consumers drive it ----

def consumer_run(*args):
    """As Ubuntu Pro and Landscape do: a subprocess, text, both streams kept."""
    return subprocess.run([CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          encoding="utf8", stdin=subprocess.DEVNULL)


def test_consumers_parse_what_they_read(applied, patch_server):
    props, _ = applied
    # Ubuntu Pro: status --verbose --format json, Status[0] with Kernel,
    # Supported, Livepatch {State, Version, Fixes[{Name, Patched}]}
    pro = consumer_run("status", "--verbose", "--format", "json")
    assert pro.returncode == 0
    status = json.loads(pro.stdout)["Status"][0]
    assert status["Kernel"] == props["Kernel"] and status["Supported"] == "supported"
    assert status["Livepatch"]["State"] == "applied" and status["Livepatch"]["Version"] == "57.3"
    assert [(f["Name"], f["Patched"]) for f in status["Livepatch"]["Fixes"]] == [
        ("cve-2026-1234", True), ("cve-2026-5678", True)]
    # Landscape: json with Last-Check and Uptime (it drops both), humane split at ':'
    landscape_json = json.loads(consumer_run("status", "--format", "json").stdout.strip())
    assert {"Last-Check", "Uptime", "Client-Version", "Cloud-Enabled", "tier"} <= set(landscape_json)
    humane = consumer_run("status", "--format", "humane")
    parsed = dict((line.split(":", 1)[0], line.split(":", 1)[1].strip())
                  for line in humane.stdout.strip().split("\n"))
    assert parsed["patch state"] == "✓ all applicable live kernel patch modules applied"
    assert parsed["machine id"] == MACHINE_ID and parsed["server check-in"] == "succeeded"
    # the YAML tree, read by a YAML parser, says the same as the JSON one
    tree = yaml.safe_load(consumer_run("status", "--format", "yaml").stdout)
    lp = tree["status"][0]["livepatch"]
    assert tree["client-version"] == landscape_json["Client-Version"]
    assert tree["status"][0]["kernel"] == status["Kernel"]
    assert (lp["checkState"], lp["patchState"], lp["version"]) == ("checked", "applied", "57.3")
    assert lp["fixes"].split("\n") == ["* cve-2026-1234 LP#2061234", "* cve-2026-5678"]
    assert isinstance(tree["cloud-enabled"]["cloud-enabled"], bool)
    # Ubuntu Pro reads one config value with ^key: (.*)$ and strips the quotes
    config = consumer_run("config").stdout
    match = re.search(r"^remote-server: (.*)$", config, re.MULTILINE)
    assert re.sub(r"\"(.*)\"", r"\g<1>", match.group(1)).strip() == patch_server.url
    # Ubuntu Pro's not-enabled check is the exit code of plain `status`
    assert consumer_run("status").returncode == 0



# ---- whatever the daemon says, no control character reaches the terminal ----

HOSTILE = "\x1b]0;owned\x07\x1b[2J\x1b[31m"  # retitle the window, clear the screen, red
MOCK_TEMPLATE = '''
import dbus
BUS_NAME = "com.canonical.Livepatch"
MAIN_OBJ = "/com/canonical/Livepatch"
MAIN_IFACE = "com.canonical.Livepatch"
SYSTEM_BUS = True

def load(mock, parameters):
    h = parameters["hostile"]
    mock.AddProperties(MAIN_IFACE, {
        "Enabled": dbus.Boolean(True), "MachineId": "m" + h + "id",
        "ClientVersion": "9" + h, "Kernel": "6.1.0-57-amd64" + h, "Architecture": "amd64",
        "Supported": "supported", "CheckState": "check-failed",
        "PatchState": "applied", "PatchVersion": "57.3" + h,
        "Fixes": dbus.Array([dbus.Struct(("cve-2026-1" + h, "desc" + h, dbus.Boolean(True),
                                          "LP" + h), signature="ssbs")], signature="(ssbs)"),
        "LastCheck": dbus.Int64(1795986000), "NextCheck": dbus.Int64(0),
        "LastError": "boom" + h, "Tier": "updates" + h, "TierDescription": "free" + h,
        "Mode": "normal", "Progress": dbus.UInt32(0),
        "UpgradeRequiredDate": "", "LastErrorCode": "",
    })
    mock.AddMethod(MAIN_IFACE, "GetConfig", "", "a{ss}",
                   "ret = {'http-proxy': 'http://p' + %(h)r, 'check-interval': '60',"
                   " 'ca-certs': '-----BEGIN' + %(h)r + chr(10) + 'AAA' + chr(10)}" % {"h": h})
    mock.AddMethod(MAIN_IFACE, "Refresh", "", "",
                   "raise dbus.exceptions.DBusException('refresh failed' + %(h)r,"
                   " name='com.canonical.Livepatch.Error.Server')" % {"h": h})
'''


@pytest.fixture
def hostile_daemon(system_bus, tmp_path):
    template = tmp_path / "hostile_livepatchd.py"
    template.write_text(MOCK_TEMPLATE)
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "dbusmock", "--system", "--template",
                             str(template), "--parameters", json.dumps({"hostile": HOSTILE})],
                            stdout=subprocess.DEVNULL)
    deadline = GLib.get_monotonic_time() + 30 * 1000000
    while not system_bus.has_owner("com.canonical.Livepatch"):
        assert proc.poll() is None and GLib.get_monotonic_time() < deadline, "mock did not start"
        GLib.usleep(50000)
    yield proc
    proc.terminate()
    proc.wait()


def assert_clean(text):
    assert not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in text), repr(text)
    assert "owned" not in text


@pytest.mark.parametrize("args", [["status"], ["status", "--verbose"], ["status", "--summary"],
                                  ["status", "--format", "json"], ["status", "--format", "yaml"],
                                  ["config"], ["config", "http-proxy"],
                                  ["config", "http-proxy", "--format", "json"], ["refresh"]])
def test_control_characters_from_the_daemon_are_never_printed(hostile_daemon, args):
    result = run_cli(*args)
    assert_clean(result.stdout)
    assert_clean(result.stderr)
    assert result.stdout or result.stderr
    if args == ["status"]:
        assert result.stdout == ("last check: " + result.stdout.split("\n")[0][12:] + "\n"
                                 "kernel: 6.1.0-57-amd64\n"
                                 "server check-in: failed: boom\n"
                                 "kernel state: ✓ kernel series 6.1 is covered by Livepatch\n"
                                 "patch state: ✓ all applicable live kernel patch modules applied\n"
                                 "patch version: 57.3\n"
                                 "tier: updates (free)\n"
                                 "machine id: mid\n")
    if args == ["refresh"]:
        assert (result.returncode, result.stderr) == (1, "canonical-livepatch: refresh failed\n")
    if args == ["config"]:
        assert 'http-proxy: http://p\n' in result.stdout
        assert "ca-certs: |-\n  -----BEGIN\n  AAA\n" in result.stdout


# ---- kernel coverage dates and held-back patches, from the server ----

TIER_DESCRIPTION = "Free usage; This machine beta tests new patches."


def coverage_state(daemon, polkitd, server, tmp_path, supported, date):
    polkitd.allow_all()
    point_at(daemon, server)
    server.publish({"supported": supported, "upgrade-required-date": date,
                    "tier-description": TIER_DESCRIPTION, "patches": []})
    assert run_cli("enable", "goodtoken").returncode == 0
    assert run_cli("refresh").returncode == 0
    props = daemon.get_all()
    assert (props["UpgradeRequiredDate"], props["TierDescription"]) == (date, TIER_DESCRIPTION)
    return props, Machine(tmp_path, props["LastCheck"] + 300)


@pytest.mark.parametrize("supported, date, kernel_state", [
    # coverage ending: the date is ahead of the machine's clock
    ("kernel-upgrade-required", "2099-03-07",
     "✓ kernel {kernel} is covered by Livepatch until 2099-03-07, please install available "
     "kernel updates and reboot before then"),
    # coverage ended on that date
    ("kernel-upgrade-required", "2020-01-01",
     "✗ Livepatch coverage ended 2020-01-01; please upgrade the kernel and reboot"),
    ("supported", "2020-01-01",
     "✗ Livepatch coverage ended 2020-01-01; please upgrade the kernel and reboot"),
    # a supported series with a date far ahead stays the series line, as in real samples
    ("supported", "2099-03-07", "✓ kernel series {series} is covered by Livepatch"),
])
def test_status_coverage_dates(daemon, polkitd, patch_server, tmp_path, supported, date,
                               kernel_state):
    props, machine = coverage_state(daemon, polkitd, patch_server, tmp_path, supported, date)
    kernel = props["Kernel"]
    humane = machine.run("status")
    assert (humane.returncode, humane.stderr) == (0, "")
    assert humane.stdout == (
        "last check: 5 minutes ago\n"
        f"kernel: {kernel}\n"
        "server check-in: succeeded\n"
        f"kernel state: {kernel_state.format(kernel=kernel, series=series(kernel))}\n"
        f"patch state: ✓ no live kernel patches available for kernel {kernel}\n"
        f"tier: {props['Tier']} ({TIER_DESCRIPTION})\n"
        f"machine id: {MACHINE_ID}\n")
    as_json = machine.run("status", "--format", "json")
    assert as_json.stdout == expected_json(props, machine.now, "nothing-to-apply", [])
    assert json.loads(as_json.stdout)["Status"][0]["UpgradeRequiredDate"] == date
    as_yaml = machine.run("status", "--format", "yaml")
    assert as_yaml.stdout == expected_yaml(props, machine.now, [])
    assert f'  upgradeRequiredDate: "{date}"\n' in as_yaml.stdout


def test_status_verbose_lists_held_back_patches(daemon, polkitd, patch_server, trusted_key,
                                                tmp_path):
    polkitd.allow_all()
    point_at(daemon, patch_server)
    key, cert = trusted_key
    kernel, arch = daemon.get("Kernel"), daemon.get("Architecture")
    now = int(GLib.get_real_time() / 1e6)
    recent = now - 3600
    make_test_patch(key, cert, kernel, arch, "57.3", os.path.join(patch_server.patch_dir, "a.tar"),
                    fixes=FIXES)
    make_test_patch(key, cert, kernel, arch, "57.4", os.path.join(patch_server.patch_dir, "b.tar"),
                    fixes=FIXES)
    patch_server.publish({"supported": "supported", "patches": [
        {"kernel": kernel, "architecture": arch, "version": "57.3", "file": "a.tar",
         "published": now - 30 * 86400},
        {"kernel": kernel, "architecture": arch, "version": "57.4", "file": "b.tar",
         "published": recent, "notice": "LSN-0108-1",
         "fixes": ["cve-2026-1111", "cve-2026-2222"]}]})
    assert run_cli("config", "patch-delay=1w").returncode == 0
    assert run_cli("enable", "goodtoken").returncode == 0
    assert run_cli("refresh").returncode == 0
    props = daemon.get_all()
    assert (props["PatchState"], props["PatchVersion"]) == ("applied", "57.3")
    machine = Machine(tmp_path, props["LastCheck"] + 60)
    day = GLib.DateTime.new_from_unix_utc(recent).format("%Y-%m-%d")
    verbose = machine.run("status", "--verbose")
    assert (verbose.returncode, verbose.stderr) == (0, "")
    assert verbose.stdout.endswith(
        "fixes:\n"
        "  * cve-2026-1234: use-after-free in nf_tables [LP#2061234]\n"
        "  * cve-2026-5678: race in io_uring\n"
        "held back by cutoff-date or patch-delay:\n"
        f"  * cve-2026-1111 (LSN-0108-1, published {day})\n"
        f"  * cve-2026-2222 (LSN-0108-1, published {day})\n"
        f"machine id: {MACHINE_ID}\n"), verbose.stdout
    # only --verbose lists them; the default output stays the reference's
    assert "held back" not in machine.run("status").stdout
