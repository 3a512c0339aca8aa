# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""No credential reaches the daemon's log or an unprivileged reply
(issue 11, defect 6).

One run full of credentials, with every debug message on: proxy URLs with a
password and with a user name only, in the configuration file and through
SetConfig, valid and refused; ca-certs bodies, valid and refused; an Enable
token and the machine token the server returns; requests through a proxy
that refuses them. Afterwards the daemon's whole log output must not hold
any of the secrets, and GetConfig must show them masked."""

import os

import pytest
from gi.repository import GLib

from conftest import error_name

MASK = "********"
ENABLE_TOKEN = "tok-Sekr1tEnableToken"


def cert_body(kit):
    """A real certificate: its base64 body is what must not be logged."""
    with open(os.path.join(kit.trusted, "signing_cert.pem")) as f:
        pem = f.read()
    lines = pem.strip().split("\n")
    return pem, lines[len(lines) // 2]


@pytest.fixture
def noisy(lp_stopped, monkeypatch):
    monkeypatch.setenv("G_MESSAGES_DEBUG", "all")
    lp = lp_stopped
    with open(lp.daemon.config_path, "a") as f:
        f.write("http-proxy=http://Sekr1tFileUser@proxy.invalid:3128\n"
                "https-proxy=ftp://admin:Sekr1tFileRefused@proxy.invalid:21\n"
                "no-proxy=127.0.0.1\n")
    lp.daemon.start()
    return lp


def test_no_secret_in_log_or_reply(noisy):
    lp = noisy
    pem, pem_line = cert_body(lp.kit)
    refused_pem = "-----BEGIN CERTIFICATE-----\nSekr1tNotACertificate\n-----END CERTIFICATE-----\n"
    secrets = ["Sekr1tFileUser", "Sekr1tFileRefused", "Sekr1tSetPassword", "Sekr1tSetUser",
               "Sekr1tSetRefused", "Sekr1tNotACertificate", pem_line, ENABLE_TOKEN]

    lp.daemon.set_config({"https-proxy": "http://admin:Sekr1tSetPassword@127.0.0.1:1",
                          "ca-certs": pem})
    for key, value in (("http-proxy", "ftp://Sekr1tSetUser:Sekr1tSetRefused@proxy.invalid:21"),
                       ("ca-certs", refused_pem)):
        with pytest.raises(GLib.Error) as info:
            lp.daemon.set_config({key: value})
        assert error_name(info.value) == "InvalidArgument"
        for secret in secrets:
            assert secret not in info.value.message

    lp.enable(ENABLE_TOKEN)
    with open(os.path.join(lp.daemon.state_dir, "machine-token")) as f:
        machine_token = f.read().split("\n")[0]
    secrets.append(machine_token)
    lp.refresh()
    # Now through the proxy, which refuses the connection: errors name it.
    lp.daemon.set_config({"no-proxy": ""})
    with pytest.raises(GLib.Error) as info:
        lp.refresh()
    for secret in secrets:
        assert secret not in info.value.message
        assert secret not in lp.prop("LastError")

    config = lp.daemon.get_config()
    assert config["http-proxy"] == f"http://{MASK}@proxy.invalid:3128"
    assert config["https-proxy"] == f"http://{MASK}@127.0.0.1:1"
    assert config["ca-certs"] == MASK

    assert lp.daemon.stop() == 0
    log = lp.daemon.log()
    # The refused values were logged, masked (so the grep below means something):
    # the one in the file at the default level, the SetConfig one at debug level.
    assert f"ignoring https-proxy: https-proxy: “ftp://{MASK}@proxy.invalid:21”" in log
    assert f"refused: http-proxy: “ftp://{MASK}@proxy.invalid:21”" in log
    for secret in secrets:
        assert secret not in log, f"{secret!r} is in the daemon's log"
