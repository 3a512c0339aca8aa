# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install --destdir` puts the service's files in the standard places.

Installs the build under test into a temporary directory once, then checks the
systemd unit (where systemd.pc says, content and `systemd-analyze verify`), the
bus policy, the D-Bus activation file and introspection XML, the translated
polkit policy, the man pages, the API docs and the bash completion (where
bash-completion.pc says).
"""
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

BUILDDIR = os.environ.get('LP_TOP_BUILDDIR')
ACTIONS = {
    # action: (allow_any, allow_inactive, allow_active), as DESIGN.md says
    'com.canonical.livepatch.enable': ('auth_admin', 'auth_admin', 'auth_admin_keep'),
    'com.canonical.livepatch.disable': ('auth_admin', 'auth_admin', 'auth_admin_keep'),
    'com.canonical.livepatch.refresh': ('auth_admin', 'auth_admin', 'yes'),
    'com.canonical.livepatch.configure': ('auth_admin', 'auth_admin', 'auth_admin_keep'),
    'com.canonical.livepatch.show-secrets': ('auth_admin', 'auth_admin', 'auth_admin'),
}
XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'

pytestmark = pytest.mark.skipif(BUILDDIR is None, reason='needs LP_TOP_BUILDDIR (run through meson test)')


def build_options():
    with open(os.path.join(BUILDDIR, 'meson-info', 'intro-buildoptions.json'), encoding='utf-8') as f:
        return {o['name']: o['value'] for o in json.load(f)}


def pkg_config_variable(package, variable, extra=()):
    done = subprocess.run(['pkg-config', *extra, '--variable=' + variable, package],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip(), f'{package}.pc has no {variable}'
    return done.stdout.strip()


class Layout:
    """Where each kind of file must land, under the destdir."""

    def __init__(self, destdir):
        opts = build_options()
        prefix = opts['prefix']

        def under_prefix(path):
            return path if path.startswith('/') else os.path.join(prefix, path)

        self.destdir = destdir
        self.prefix = prefix
        self.datadir = under_prefix(opts['datadir'])
        self.bindir = under_prefix(opts['bindir'])
        self.libexecdir = under_prefix(opts['libexecdir'])
        self.mandir = under_prefix(opts['mandir'])
        self.localedir = under_prefix(opts['localedir'])
        # systemd.pc's directory as it is (/lib/systemd/system on Debian 12,
        # where debhelper looks), not moved under the prefix
        self.unitdir = opts['systemdsystemunitdir'] or pkg_config_variable('systemd', 'systemdsystemunitdir')
        # bash-completion.pc's directory, relative to this prefix's datadir
        self.completionsdir = opts['bashcompletiondir'] or pkg_config_variable(
            'bash-completion', 'completionsdir', ['--define-variable=datadir=' + self.datadir])
        self.dbus_datadir = opts['dbus_datadir'] or self.datadir
        self.docdir = os.path.join(self.datadir, 'doc', 'livepatch')
        # systemd.pc's sysusersdir, moved under this prefix
        self.sysusersdir = pkg_config_variable('systemd', 'sysusersdir', ['--define-variable=prefix=' + prefix])
        self.fetch_user = opts['fetch_user']

    def path(self, installed):
        """The file in the destdir for an installed absolute path."""
        return os.path.join(self.destdir, installed.lstrip('/'))

    def read(self, installed):
        with open(self.path(installed), encoding='utf-8') as f:
            return f.read()


@pytest.fixture(scope='module')
def layout(tmp_path_factory):
    destdir = str(tmp_path_factory.mktemp('destdir'))
    subprocess.run(['meson', 'install', '-C', BUILDDIR, '--destdir', destdir, '--no-rebuild', '--quiet'],
                   check=True, stdout=subprocess.DEVNULL)
    return Layout(destdir)


def test_binaries_land_in_bindir_and_libexecdir(layout):
    assert os.access(layout.path(os.path.join(layout.bindir, 'canonical-livepatch')), os.X_OK)
    assert os.access(layout.path(os.path.join(layout.libexecdir, 'livepatchd')), os.X_OK)
    # The unprivileged download helper livepatchd starts for every server
    # operation (privilege separation): without it the daemon cannot fetch.
    assert os.access(layout.path(os.path.join(layout.libexecdir, 'livepatch-fetch')), os.X_OK)


def unit_text(layout):
    return layout.read(os.path.join(layout.unitdir, 'livepatchd.service'))


def unit_settings(text):
    settings = {}
    for line in text.splitlines():
        if '=' in line and not line.lstrip().startswith('#'):
            key, value = line.split('=', 1)
            settings[key.strip()] = value.strip()
    return settings


def test_unit_runs_the_installed_daemon_as_dbus_service(layout):
    settings = unit_settings(unit_text(layout))
    assert settings['Type'] == 'dbus'
    assert settings['BusName'] == 'com.canonical.Livepatch'
    assert settings['ExecStart'] == os.path.join(layout.libexecdir, 'livepatchd')
    assert settings['StateDirectory'] == 'livepatch'


def test_unit_has_the_hardening_of_style_md(layout):
    settings = unit_settings(unit_text(layout))
    expected = {
        'ProtectSystem': 'strict', 'ProtectHome': 'yes', 'PrivateTmp': 'yes',
        'PrivateDevices': 'yes', 'ProtectKernelLogs': 'yes', 'ProtectControlGroups': 'yes',
        'ProtectClock': 'yes', 'ProtectHostname': 'yes',
        'RestrictAddressFamilies': 'AF_UNIX AF_INET AF_INET6 AF_NETLINK',
        'RestrictNamespaces': 'yes', 'RestrictRealtime': 'yes', 'RestrictSUIDSGID': 'yes',
        'LockPersonality': 'yes', 'MemoryDenyWriteExecute': 'yes', 'NoNewPrivileges': 'yes',
        'SystemCallArchitectures': 'native',
        # CAP_SETUID/CAP_SETGID: the child that becomes livepatch-fetch drops to
        # its unprivileged user before exec (docs/SECURITY.md)
        'CapabilityBoundingSet': 'CAP_SYS_MODULE CAP_SETUID CAP_SETGID',
    }
    for key, value in expected.items():
        assert settings.get(key) == value, key
    assert settings['ReadWritePaths'].lstrip('-') == '/sys/kernel/livepatch'


def test_unit_lands_where_systemd_pc_says(layout):
    """Debian 12's systemd.pc says /lib/systemd/system; debhelper enables only
    the units it finds there (a unit under /usr/lib would never be started)."""
    assert os.path.exists(layout.path(os.path.join(layout.unitdir, 'livepatchd.service')))
    assert layout.unitdir == pkg_config_variable('systemd', 'systemdsystemunitdir')


def test_sysusers_file_makes_the_helper_user_without_home_or_shell(layout):
    """livepatch-fetch runs as this user; systemd-sysusers (the package's
    postinst) creates it from the installed file."""
    text = layout.read(os.path.join(layout.sysusersdir, 'livepatch.conf'))
    lines = [l for l in text.splitlines() if l.strip() and not l.startswith('#')]
    assert lines == [f'u {layout.fetch_user} - "Livepatch download helper" /nonexistent /usr/sbin/nologin']
    if shutil.which('systemd-sysusers') is None:
        return
    result = subprocess.run(['systemd-sysusers', '--dry-run', '--root=' + layout.destdir,
                             layout.path(os.path.join(layout.sysusersdir, 'livepatch.conf'))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"user '{layout.fetch_user}' (Livepatch download helper)" in result.stdout + result.stderr


def test_unit_says_why_it_keeps_cap_setuid_and_cap_setgid(layout):
    comment = [l for l in unit_text(layout).splitlines() if l.startswith('#') and 'CAP_SETUID' in l]
    assert comment, 'the unit must explain why CAP_SETUID and CAP_SETGID are in the bounding set'
    assert any(f'user {layout.fetch_user} ' in l for l in unit_text(layout).splitlines() if l.startswith('#'))


def test_unit_does_not_hold_boot_for_the_network(layout):
    """Re-applying the stored patch at boot needs no network: the unit must not
    pull in or wait for network-online.target."""
    settings = unit_settings(unit_text(layout))
    for key in ('Wants', 'After', 'Requires', 'BindsTo'):
        assert 'network-online.target' not in settings.get(key, ''), key
    assert settings['WantedBy'] == 'multi-user.target'


def test_unit_keeps_kernel_modules_unprotected_and_says_why(layout):
    text = unit_text(layout)
    assert 'ProtectKernelModules' not in unit_settings(text)
    comment = [l for l in text.splitlines() if l.startswith('#') and 'ProtectKernelModules' in l]
    assert comment, 'the unit must explain why ProtectKernelModules stays off'


def verifiable_unit(layout, tmp_path):
    """The unit with ExecStart pointing into the destdir, where the binary is."""
    text = unit_text(layout).replace(os.path.join(layout.libexecdir, 'livepatchd'),
                                     layout.path(os.path.join(layout.libexecdir, 'livepatchd')))
    unit = tmp_path / 'livepatchd.service'
    unit.write_text(text, encoding='utf-8')
    return str(unit)


def test_unit_passes_systemd_analyze_verify(layout, tmp_path):
    if shutil.which('systemd-analyze') is None:
        pytest.skip('systemd-analyze is not installed')
    result = subprocess.run(['systemd-analyze', 'verify', '--man=no', verifiable_unit(layout, tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'livepatchd.service' not in result.stderr, result.stderr


def test_unit_exposure_is_low(layout, tmp_path):
    if shutil.which('systemd-analyze') is None:
        pytest.skip('systemd-analyze is not installed')
    result = subprocess.run(['systemd-analyze', 'security', '--offline=yes', '--no-pager',
                             verifiable_unit(layout, tmp_path)], capture_output=True, text=True)
    match = re.search(r'Overall exposure level for livepatchd.service: ([0-9.]+)', result.stdout)
    assert match, result.stdout + result.stderr
    # a root service that loads kernel modules and talks to the network; 3.5
    # leaves room for nothing worse than what it needs
    assert float(match.group(1)) <= 3.5


def test_bus_policy_lets_only_root_own_and_anyone_call(layout):
    conf = layout.path(os.path.join(layout.dbus_datadir, 'dbus-1', 'system.d', 'com.canonical.Livepatch.conf'))
    root = ET.parse(conf).getroot()
    assert root.tag == 'busconfig'
    owners = []
    sends = set()
    for policy in root.findall('policy'):
        for rule in policy:
            if rule.get('own') is not None:
                assert rule.tag == 'allow'
                owners.append((policy.attrib, rule.get('own')))
            if rule.tag == 'allow' and rule.get('send_destination') == 'com.canonical.Livepatch':
                assert policy.attrib == {'context': 'default'}
                sends.add(rule.get('send_interface'))
            assert rule.tag != 'deny' or rule.get('own') is None
    assert owners == [({'user': 'root'}, 'com.canonical.Livepatch')]
    assert sends == {'com.canonical.Livepatch', 'org.freedesktop.DBus.Properties',
                     'org.freedesktop.DBus.Introspectable', 'org.freedesktop.DBus.Peer'}


def test_activation_file_hands_over_to_systemd(layout):
    text = layout.read(os.path.join(layout.dbus_datadir, 'dbus-1', 'system-services',
                                    'com.canonical.Livepatch.service'))
    assert text.count('[D-BUS Service]') == 1
    settings = unit_settings(text)
    assert settings == {
        'Name': 'com.canonical.Livepatch',
        'Exec': os.path.join(layout.libexecdir, 'livepatchd'),
        'User': 'root',
        'SystemdService': 'livepatchd.service',
    }


def test_introspection_xml_lands_in_dbus_interfaces(layout):
    installed = layout.path(os.path.join(layout.dbus_datadir, 'dbus-1', 'interfaces',
                                         'com.canonical.Livepatch.xml'))
    source = os.path.join(os.environ['LP_TOP_SRCDIR'], 'dbus', 'com.canonical.Livepatch.xml')
    assert open(installed, 'rb').read() == open(source, 'rb').read()
    assert ET.parse(installed).getroot().find('interface').get('name') == 'com.canonical.Livepatch'


def test_bash_completion_lands_where_bash_completion_pc_says(layout):
    path = layout.path(os.path.join(layout.completionsdir, 'canonical-livepatch'))
    text = open(path, encoding='utf-8').read()
    assert 'complete -F _canonical_livepatch canonical-livepatch' in text


def policy_actions(layout):
    path = layout.path(os.path.join(layout.datadir, 'polkit-1', 'actions', 'com.canonical.livepatch.policy'))
    return {a.get('id'): a for a in ET.parse(path).getroot().findall('action')}


def test_polkit_policy_has_our_actions_with_design_defaults(layout):
    actions = policy_actions(layout)
    assert set(actions) == set(ACTIONS)
    for action_id, (any_, inactive, active) in ACTIONS.items():
        defaults = actions[action_id].find('defaults')
        assert defaults.findtext('allow_any') == any_, action_id
        assert defaults.findtext('allow_inactive') == inactive, action_id
        assert defaults.findtext('allow_active') == active, action_id


def test_polkit_policy_is_translated_into_french(layout):
    actions = policy_actions(layout)
    enable = actions['com.canonical.livepatch.enable']
    french = {e.tag: e.text for e in enable if e.get(XML_LANG) == 'fr'}
    assert french == {
        'description': 'Activer Livepatch sur cette machine',
        'message': 'Une authentification est nécessaire pour activer Livepatch, '
                   'qui chargera des correctifs dans le noyau en cours d’exécution',
    }
    for action_id, action in actions.items():
        langs = {e.get(XML_LANG) for e in action.findall('description') + action.findall('message')}
        assert 'fr' in langs, action_id
        assert None in langs, action_id  # the untranslated English stays


def test_catalog_lands_in_localedir(layout):
    mo = layout.path(os.path.join(layout.localedir, 'fr', 'LC_MESSAGES', 'livepatch.mo'))
    assert os.path.getsize(mo) > 0
    if shutil.which('msgunfmt'):
        catalog = subprocess.run(['msgunfmt', mo], capture_output=True, text=True, check=True).stdout
        assert 'Désactiver Livepatch sur cette machine' in catalog
        assert 'commande inconnue' in catalog


def test_rules_example_is_documentation_not_active(layout):
    example = layout.path(os.path.join(layout.docdir, 'examples', '50-livepatch-admins.rules.example'))
    assert 'com.canonical.livepatch.' in open(example, encoding='utf-8').read()
    for rules_d in ('etc/polkit-1/rules.d', os.path.join(layout.datadir, 'polkit-1', 'rules.d')):
        assert not os.path.exists(os.path.join(layout.destdir, rules_d.lstrip('/'), '50-livepatch-admins.rules'))


@pytest.mark.parametrize('page', ['man1/canonical-livepatch.1', 'man8/livepatchd.8', 'man8/livepatch-fetch.8'])
def test_man_pages_land_in_mandir_and_render(layout, page):
    path = layout.path(os.path.join(layout.mandir, page))
    text = open(path, encoding='utf-8').read()
    assert text.startswith('.\\"') and '.TH ' in text
    if shutil.which('groff') is None:
        return
    result = subprocess.run(['groff', '-man', '-Tutf8', '-ww', '-z', path], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == '', result.stderr


def test_api_reference_and_docbook_land_in_docdir(layout):
    md = layout.read(os.path.join(layout.docdir, 'DBUS-API.md'))
    docbook = layout.read(os.path.join(layout.docdir, 'livepatch-dbus-com.canonical.Livepatch.xml'))
    assert '# livepatchd D-Bus API' in md
    assert 'com.canonical.Livepatch' in docbook and 'refentry' in docbook


def test_api_reference_covers_every_member_of_the_xml(layout):
    """docs/DBUS-API.md is written by hand; it must not fall behind the XML."""
    md = layout.read(os.path.join(layout.docdir, 'DBUS-API.md'))
    xml = os.path.join(os.environ['LP_TOP_SRCDIR'], 'dbus', 'com.canonical.Livepatch.xml')
    iface = ET.parse(xml).getroot().find('interface')
    for method in iface.findall('method'):
        assert f"### `{method.get('name')} (" in md, method.get('name')
    for prop in iface.findall('property'):
        assert f"| `{prop.get('name')}` | `{prop.get('type')}` |" in md, prop.get('name')
    errors_c = open(os.path.join(os.environ['LP_TOP_SRCDIR'], 'src', 'lp-error.c'), encoding='utf-8').read()
    for name in re.findall(r'LP_DBUS_ERROR_PREFIX "(\w+)"', errors_c):
        assert f'| `{name}` |' in md, name
