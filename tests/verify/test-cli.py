#!/usr/bin/python3
# livepatch-verify: exit codes, the first-failed-check line, JSON output and
# the baked-in Canonical certificate.
#
# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SRCDIR = os.environ['LP_TOP_SRCDIR']
BUILDDIR = os.environ['LP_TOP_BUILDDIR']
VERIFY = os.path.join(BUILDDIR, 'src', 'tools', 'livepatch-verify')
CORPUS = os.path.join(BUILDDIR, 'tests', 'verify', 'corpus')
TOOLS = os.path.join(SRCDIR, 'tests', 'tools')
KERNEL = '6.1.0-57-amd64'


def setUpModule():
    subprocess.run(['/usr/bin/python3', os.path.join(SRCDIR, 'tests', 'verify', 'gen-corpus.py'),
                    CORPUS], check=True)


class VerifyCli(unittest.TestCase):
    def setUp(self):
        # livepatch-verify extracts under TMPDIR: it must leave nothing there.
        self.tmp = tempfile.mkdtemp(prefix='lp-verify-cli-')
        self.env = dict(os.environ, TMPDIR=self.tmp)
        self.trusted = os.path.join(CORPUS, 'trusted.pem')

    def tearDown(self):
        leftovers = os.listdir(self.tmp)
        shutil.rmtree(self.tmp)
        self.assertEqual(leftovers, [])

    def run_verify(self, *args, trusted=True):
        cmd = [VERIFY] + (['--cert', self.trusted] if trusted else []) + list(args)
        return subprocess.run(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)

    def corpus(self, area, name):
        return os.path.join(CORPUS, area, name)

    def assert_failed(self, result, check):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1, result.stdout)
        self.assertTrue(lines[0].startswith(f'FAILED {check}: '), lines[0])

    def test_list_certs_has_canonical(self):
        r = self.run_verify('--list-certs', '--certs-dir', '/nonexistent', trusted=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Canonical Ltd. Live Patch Signing', r.stdout)
        r = self.run_verify('--list-certs', '--format', 'json', '--certs-dir', '/nonexistent',
                            trusted=False)
        certs = json.loads(r.stdout)
        self.assertIn('CN=Canonical Ltd. Live Patch Signing', [c['subject'] for c in certs])
        self.assertEqual(certs[0]['origin'], 'built-in')

    def test_good_tarball(self):
        for name in ('good-none-issuer-serial', 'good-gz-ski', 'good-xz-issuer-serial',
                     'good-bz2-ski', 'good-zst-issuer-serial'):
            r = self.run_verify('--kernel', KERNEL, '--arch', 'amd64', self.corpus('patch', name + '.tar'))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn('result:    OK', r.stdout)
            self.assertIn('SHA512 with RSA-4096', r.stdout)

    def test_good_tarball_json(self):
        with open(os.path.join(CORPUS, 'patch', 'index.json')) as f:
            index = json.load(f)
        entry = next(e for e in index if e['name'] == 'good-xz-ski')
        r = self.run_verify('--format', 'json', '--sha256', entry['sha256'],
                            self.corpus('patch', entry['file']))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out['ok'])
        self.assertEqual(out['sha256'], entry['sha256'])
        self.assertEqual(out['version'], '57.3')
        self.assertEqual(out['signature']['matched-by'], 'subject-key-id')
        self.assertEqual(out['signature']['hash'], 'SHA512')
        self.assertEqual(out['entries'], ['patch.json', 'lkp_Test_57_3.ko'])

    def test_first_failed_check(self):
        cases = [
            ('digest', ['--sha256', '0' * 64], 'good-gz-ski'),
            ('archive', [], 'traversal'),
            ('archive', [], 'extra-member'),
            ('metadata', [], 'missing-version'),
            ('metadata', [], 'module-not-in-archive'),
            ('kernel', ['--kernel', '6.1.0-58-amd64'], 'good-gz-ski'),
            ('kernel', ['--arch', 'arm64'], 'good-gz-ski'),
            ('signature', [], 'untrusted-signer'),
            ('signature', [], 'module-tampered'),
        ]
        for check, args, name in cases:
            with self.subTest(name=name, check=check):
                self.assert_failed(self.run_verify(*args, self.corpus('patch', name + '.tar')), check)

    def test_deep_nesting_refused_without_crash(self):
        """patch.json of 200 KB of '[' crashed livepatch-verify (issue 11, defect 1)."""
        path = self.corpus('patch', 'manifest-deep-nesting.tar')
        self.assert_failed(self.run_verify(path), 'metadata')
        r = self.run_verify('--format', 'json', path)
        self.assertEqual(r.returncode, 1, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual((out['failed-check'], out['error'], out['message']),
                         ('metadata', 'InvalidMetadata', 'patch.json: nested deeper than 32 levels'))

    def test_failure_json(self):
        r = self.run_verify('--format', 'json', self.corpus('patch', 'untrusted-signer.tar'))
        self.assertEqual(r.returncode, 1)
        out = json.loads(r.stdout)
        self.assertFalse(out['ok'])
        self.assertEqual(out['failed-check'], 'signature')
        self.assertEqual(out['error'], 'InvalidSignature')

    def test_module(self):
        r = self.run_verify(self.corpus('modsig', 'sign-file-sha256-rsa2048-issuer-serial.ko'))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn('kernel module', r.stdout)
        self.assertIn('SHA256 with RSA-2048', r.stdout)
        self.assert_failed(self.run_verify(self.corpus('modsig', 'signed-attributes.ko')), 'signature')
        self.assert_failed(self.run_verify(self.corpus('modsig', 'unsigned.ko')), 'signature')
        self.assert_failed(self.run_verify('--sha256', 'f' * 64,
                                           self.corpus('modsig', 'sign-file-sha384-rsa4096.ko')),
                           'digest')

    def test_default_trust_refuses_test_key(self):
        r = self.run_verify('--certs-dir', '/nonexistent',
                            self.corpus('modsig', 'sign-file-sha512-rsa4096-ski.ko'), trusted=False)
        self.assert_failed(r, 'signature')

    def test_freshly_signed(self):
        """A new key, a module signed by sign-file and a tarball, made right now."""
        keys = os.path.join(self.tmp, 'keys')
        subprocess.run([os.path.join(TOOLS, 'make-signing-cert'), '--bits', '2048', keys],
                       check=True, stdout=subprocess.DEVNULL)
        tarball = os.path.join(self.tmp, 'p.tar.zst')
        ko = os.path.join(self.tmp, 'p.ko')
        made = subprocess.run([os.path.join(TOOLS, 'make-test-patch'), '--json',
                               '--key', os.path.join(keys, 'signing_key.pem'),
                               '--cert', os.path.join(keys, 'signing_cert.pem'),
                               '--kernel', KERNEL, '--arch', 'amd64', '--version', '58.1',
                               '--compression', 'zst', '--ski', '--output', tarball,
                               '--keep-ko', ko], check=True, stdout=subprocess.PIPE, text=True)
        digest = json.loads(made.stdout)['sha256']
        cert = os.path.join(keys, 'signing_cert.pem')
        for path, extra in ((tarball, ['--sha256', digest, '--kernel', KERNEL]), (ko, [])):
            r = subprocess.run([VERIFY, '--cert', cert] + extra + [path], env=self.env,
                               stdout=subprocess.PIPE, text=True)
            self.assertEqual(r.returncode, 0, r.stdout)
        shutil.rmtree(keys)
        os.unlink(tarball)
        os.unlink(ko)

    def test_usage_errors(self):
        self.assertEqual(self.run_verify().returncode, 2)
        self.assertEqual(self.run_verify('--format', 'yaml', 'x').returncode, 2)
        r = self.run_verify(os.path.join(self.tmp, 'missing.tar'))
        self.assertEqual(r.returncode, 1)


if __name__ == '__main__':
    unittest.main(verbosity=2)
