#!/usr/bin/python3
# Makes the verify suite's corpus at test time: keys and certificates, modules
# signed by the kernel's sign-file, broken signatures made with openssl cms,
# and good and bad patch tarballs.  Each directory gets an index.json naming
# every case and the LP_ERROR nick the code under test must answer with.
#
# usage: gen-corpus.py OUTDIR
#   Generates once into OUTDIR (under a lock, so parallel test programs share
#   one corpus); a stamp records the generator's own digest and later calls
#   return at once unless this script changed.
#
# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
import bz2
import fcntl
import gzip
import hashlib
import importlib.machinery
import io
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, '..', 'tools')
MAGIC = b'~Module signature appended~\n'
KERNEL = '6.1.0-57-amd64'
ARCH = 'amd64'


def load_tool(name):
    loader = importlib.machinery.SourceFileLoader(name.replace('-', '_'), os.path.join(TOOLS, name))
    return loader.load_module()


mtp = load_tool('make-test-patch')
pkcs7 = load_tool('pkcs7-edit')


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw).stdout


class Corpus:
    def __init__(self, out):
        self.out = out
        self.index = {}

    def path(self, *parts):
        p = os.path.join(self.out, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def add(self, area, name, data, error=None, **extra):
        """Records one case; error None means it must verify."""
        ext = extra.pop('ext', '')
        p = self.path(area, name + ext)
        with open(p, 'wb') as f:
            f.write(data)
        self.index.setdefault(area, []).append(dict(name=name, file=os.path.basename(p),
                                                    error=error, **extra))

    def write_indexes(self):
        for area, cases in self.index.items():
            with open(self.path(area, 'index.json'), 'w') as f:
                json.dump(cases, f, indent=1)


# ---------------------------------------------------------------- keys

def make_key(c, name, bits=4096, cn=None, algo='rsa'):
    d = c.path('keys', name, 'x')[:-2]
    if algo == 'rsa':
        run(os.path.join(TOOLS, 'make-signing-cert'), '--bits', str(bits), '--cn',
            cn or f'Verify Test {name}', d)
    else:
        key = os.path.join(d, 'signing_key.pem')
        run('openssl', 'req', '-new', '-nodes', '-x509', '-batch', '-days', '3650', '-newkey', 'ec',
            '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', key,
            '-out', os.path.join(d, 'signing_cert.pem'), '-subj', f'/CN=Verify Test {name}',
            '-addext', 'subjectKeyIdentifier=hash')
    return os.path.join(d, 'signing_key.pem'), os.path.join(d, 'signing_cert.pem')


def make_expired_key(c):
    """A certificate whose validity ended years ago: dates are not enforced."""
    d = c.path('keys', 'expired', 'x')[:-2]
    key = os.path.join(d, 'signing_key.pem')
    cert = os.path.join(d, 'signing_cert.pem')
    csr = os.path.join(d, 'req.csr')
    run('openssl', 'req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', key, '-out', csr,
        '-subj', '/CN=Verify Test expired')
    open(os.path.join(d, 'index.txt'), 'w').close()
    with open(os.path.join(d, 'ca.cnf'), 'w') as f:
        f.write(f"""[ ca ]
default_ca = CA_default
[ CA_default ]
dir = {d}
database = {d}/index.txt
new_certs_dir = {d}
serial = {d}/serial
default_md = sha256
policy = policy_any
x509_extensions = exts
unique_subject = no
[ policy_any ]
commonName = supplied
[ exts ]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature
subjectKeyIdentifier = hash
""")
    with open(os.path.join(d, 'serial'), 'w') as f:
        f.write('1000\n')
    run('openssl', 'ca', '-batch', '-selfsign', '-config', os.path.join(d, 'ca.cnf'),
        '-keyfile', key, '-in', csr, '-out', cert, '-startdate', '20150101000000Z',
        '-enddate', '20160101000000Z', '-notext')
    return key, cert


def make_high_serial_cert(c, key):
    """A certificate for @key whose serial has its top bit set, so DER
    encodes it with a leading zero byte (the kernel compares those bytes)."""
    cert = c.path('keys', 'high-serial', 'signing_cert.pem')
    run('openssl', 'req', '-new', '-x509', '-batch', '-key', key[0], '-out', cert, '-days', '3650',
        '-sha256', '-subj', '/CN=Verify Test high serial', '-set_serial', '0x8123456789abcdef',
        '-addext', 'subjectKeyIdentifier=hash')
    return key[0], cert


# ---------------------------------------------------------------- modules

def fake_module(c, name='lkp_test', version='57.3', elf_name=None):
    p = c.path('work', name + '.ko')
    mtp.make_fake_module(p, KERNEL, name + '.ko', version, elf_name=elf_name)
    with open(p, 'rb') as f:
        return f.read()


def sign_file(c, body, key, cert, hash_algo='sha512', ski=False):
    p = c.path('work', 'sign-file.ko')
    with open(p, 'wb') as f:
        f.write(body)
    mtp.sign_module(p, key, cert, hash_algo, ski)
    with open(p, 'rb') as f:
        return f.read()


def cms_sign(c, body, signers, md='sha512', extra=()):
    """PKCS#7 DER from openssl cms; signers = [(key, cert)]."""
    p = c.path('work', 'cms-body')
    with open(p, 'wb') as f:
        f.write(body)
    cmd = ['openssl', 'cms', '-sign', '-binary', '-in', p, '-outform', 'DER', '-md', md]
    for key, cert in signers:
        cmd += ['-signer', cert, '-inkey', key]
    return run(*cmd, *extra)


def trailer(sig_len, algo=0, hash_=0, id_type=2, signer_len=0, key_id_len=0, pad=b'\0\0\0'):
    return struct.pack('>BBBBB3sI', algo, hash_, id_type, signer_len, key_id_len, pad, sig_len) + MAGIC


def with_sig(body, der, **fields):
    return body + der + trailer(len(der), **fields)


def split_signed(data):
    sig_len = struct.unpack('>I', data[-len(MAGIC) - 4:-len(MAGIC)])[0]
    end = len(data) - len(MAGIC) - 12
    return data[:end - sig_len], data[end - sig_len:end]


def flip(data, offset):
    b = bytearray(data)
    b[offset] ^= 0x01
    return bytes(b)


def gen_modsig(c, keys):
    k4, k2, k1, kx, kec, kexp = (keys[n] for n in ('rsa4096', 'rsa2048', 'rsa1024', 'untrusted',
                                                   'ec', 'expired'))
    body = fake_module(c)
    good = sign_file(c, body, *k4)
    noattr = ['-noattr', '-nocerts', '-nosmimecap']
    # Positive: the kernel's own sign-file in both signer modes, and openssl cms.
    c.add('modsig', 'sign-file-sha512-rsa4096-issuer-serial', good, ext='.ko', method='issuer-serial')
    c.add('modsig', 'sign-file-sha512-rsa4096-ski', sign_file(c, body, *k4, ski=True), ext='.ko',
          method='subject-key-id')
    c.add('modsig', 'sign-file-sha256-rsa2048-issuer-serial', sign_file(c, body, *k2, 'sha256'),
          ext='.ko', method='issuer-serial')
    c.add('modsig', 'sign-file-sha256-rsa2048-ski', sign_file(c, body, *k2, 'sha256', True),
          ext='.ko', method='subject-key-id')
    c.add('modsig', 'sign-file-sha384-rsa4096', sign_file(c, body, *k4, 'sha384'), ext='.ko',
          method='issuer-serial')
    c.add('modsig', 'sign-file-sha512-rsa2048-expired-cert', sign_file(c, body, *kexp), ext='.ko',
          method='issuer-serial')
    c.add('modsig', 'cms-trusted-cert-embedded', with_sig(body, cms_sign(
        c, body, [k4], extra=['-noattr', '-nosmimecap'])), ext='.ko', method='issuer-serial')

    bad = lambda name, data: c.add('modsig', name, data, 'InvalidSignature', ext='.ko')
    bad('unsigned', body)
    bad('signed-attributes', with_sig(body, cms_sign(c, body, [k4], extra=['-nocerts'])))
    bad('sha1', with_sig(body, cms_sign(c, body, [k4], 'sha1', noattr)))
    try:
        bad('md5', with_sig(body, cms_sign(c, body, [k4], 'md5', noattr)))
    except subprocess.CalledProcessError:
        pass
    bad('rsa1024', sign_file(c, body, *k1))
    bad('ecdsa', with_sig(body, cms_sign(c, body, [kec], 'sha256', noattr)))
    bad('rsa-pss', with_sig(body, cms_sign(c, body, [k4], 'sha512', noattr + [
        '-keyopt', 'rsa_padding_mode:pss'])))
    bad('two-signers', with_sig(body, cms_sign(c, body, [k4, k2], 'sha512', noattr)))
    bad('embedded-content', with_sig(body, cms_sign(c, body, [k4], 'sha512', noattr + ['-nodetach'])))
    bad('untrusted-cert-embedded', with_sig(body, cms_sign(c, body, [kx], 'sha512',
                                                           ['-noattr', '-nosmimecap'])))
    bad('untrusted-issuer-serial', sign_file(c, body, *kx))
    bad('untrusted-ski', sign_file(c, body, *kx, ski=True))
    mod, der = split_signed(good)
    for field, kw in (('algo', dict(algo=1)), ('hash', dict(hash_=1)), ('id-type-pgp', dict(id_type=1)),
                      ('id-type-x509', dict(id_type=1 << 1 | 1)), ('signer-len', dict(signer_len=4)),
                      ('key-id-len', dict(key_id_len=8)), ('pad', dict(pad=b'\0\x01\0'))):
        bad(f'trailer-{field}', with_sig(mod, der, **kw))
    bad('sig-len-past-start', mod + der + trailer(len(mod) + len(der) + 1))
    bad('sig-len-whole-body', mod + der + trailer(len(mod) + len(der)))
    bad('sig-len-zero', mod + der + trailer(0))
    bad('sig-len-short', mod + der + trailer(len(der) - 1))
    bad('truncated-der', mod + der[:len(der) // 2] + trailer(len(der) // 2))
    bad('garbage-der', mod + b'\x30\x82' + os.urandom(200) + trailer(202))
    bad('module-byte-changed', flip(mod, len(mod) // 2) + der + trailer(len(der)))
    bad('module-first-byte-changed', flip(mod, 0) + der + trailer(len(der)))
    bad('signature-byte-changed', mod + flip(der, len(der) - 10) + trailer(len(der)))
    bad('magic-truncated', good[:-1])
    bad('magic-only', MAGIC)
    bad('empty', b'')
    bad('appended-byte', good + b'\n')
    bad('other-module-signature', with_sig(fake_module(c, 'lkp_other', '58.1'), der))
    c.add('modsig', 'sign-file-serial-high-bit', sign_file(c, body, *keys['high-serial']),
          ext='.ko', method='issuer-serial')
    gen_modsig_envelopes(c, keys, good, sign_file(c, body, *k4, ski=True),
                         sign_file(c, body, *keys['high-serial']))


def cert_der(key):
    return run('openssl', 'x509', '-in', key[1], '-outform', 'DER')


def make_impostor_cert(c, victim, other):
    """A well-formed self-signed certificate for @other's key with @victim's
    subject, issuer and serial: the key id the kernel looks up, another key."""
    subject = run('openssl', 'x509', '-in', victim[1], '-noout', '-subject', '-nameopt',
                  'compat').decode().strip().split('=', 1)[1].strip()
    serial = run('openssl', 'x509', '-in', victim[1], '-noout', '-serial').decode().split('=')[1]
    out = c.path('keys', 'impostor', 'cert.der')
    run('openssl', 'req', '-new', '-x509', '-batch', '-utf8', '-key', other[0], '-outform', 'DER',
        '-out', out, '-days', '3650', '-subj', subject, '-set_serial', '0x' + serial.strip())
    with open(out, 'rb') as f:
        der = f.read()
    assert pkcs7.same_issuer_and_serial(der, cert_der(victim)), 'impostor names differ'
    return der


# The kernel's PKCS#7 rules, one envelope each (tests/tools/pkcs7-edit makes
# them from sign-file's output, the RSA signature left valid), with the
# exact message the verifier must give.
ENVELOPE_ERRORS = {
    'signed-attributes-empty': 'PKCS#7 SignerInfo has an empty signed-attributes set; the kernel '
                               'refuses module signatures with signed attributes, even none',
    'signed-attributes-sequence-form': 'PKCS#7 SignerInfo has signed attributes; the kernel '
                                       'refuses them in module signatures',
    'signature-algorithm-sha512-with-rsa': 'PKCS#7 signature algorithm RSA-SHA512 '
                                           '(1.2.840.113549.1.1.13) is not rsaEncryption '
                                           '(1.2.840.113549.1.1.1), the only RSA signature the '
                                           "kernel's PKCS#7 parser takes",
    'digest-algorithms-md5': "PKCS#7 digestAlgorithms lists MD5 (1.2.840.113549.2.5), not the "
                             "signer's SHA512",
    'digest-algorithms-extra': 'PKCS#7 digestAlgorithms lists SHA256 (2.16.840.1.101.3.4.2.1), '
                               "not the signer's SHA512",
    'digest-algorithms-empty': "PKCS#7 digestAlgorithms is empty; it must list the signer's SHA512",
    'content-type-not-data': 'PKCS#7 eContentType 1.3.6.1.4.1.311.2.1.4 is not data '
                             '(1.2.840.113549.1.7.1)',
    'content-info-not-signed-data': 'PKCS#7 contentType 1.2.840.113549.1.7.1 is not signedData '
                                    '(1.2.840.113549.1.7.2)',
    'embedded-content-empty': 'PKCS#7 carries embedded content; the kernel needs it detached',
    'signer-v3-issuer-serial': 'PKCS#7 SignerInfo version 3 names its signer by issuer and '
                               'serial; the kernel needs a subjectKeyIdentifier for version 3',
    'signer-v1-key-id': 'PKCS#7 SignerInfo version 1 names its signer by key id; the kernel '
                        'needs issuer and serial for version 1',
    'signed-data-v3-signer-v1': 'PKCS#7 SignerInfo version 1 does not go with SignedData version 3',
    'signed-data-v1-signer-v3': 'PKCS#7 SignerInfo version 3 does not go with SignedData version 1',
    'signed-data-version-2': 'PKCS#7 SignedData version is not the one-byte INTEGER 1 or 3',
    'signer-version-2': 'PKCS#7 SignerInfo version is not the one-byte INTEGER 1 or 3',
    'version-two-bytes': 'PKCS#7 SignedData version is not the one-byte INTEGER 1 or 3',
    'serial-leading-zero': "PKCS#7 signer's serial number is not in its shortest form (a leading "
                           'zero byte), so it names no certificate',
    'key-id-empty': "PKCS#7 signer's subjectKeyIdentifier is empty",
    'no-signers': 'PKCS#7 has 0 signers, expected exactly one',
    'crls-present': 'PKCS#7 carries certificate revocation lists; module signatures have none',
    'embedded-cert-not-x509': 'PKCS#7 embedded certificate 1 does not parse as X.509',
    'embedded-signer-cert-other-key': "embedded certificate 1 has the signer's issuer and serial "
                                      'but does not verify the signature',
    'embedded-cert-bad-self-signature': 'PKCS#7 embedded certificate 1 is self-signed but its '
                                        'signature does not verify',
    'signer-info-extra-field': 'DER SignerInfo: 2 unexpected bytes after its last field',
    'signature-leading-zero': 'signature is 513 bytes; the 4096-bit RSA key needs 512',
    'der-indefinite-length': 'DER ContentInfo: indefinite length (BER, not DER)',
    'der-length-not-minimal': 'DER ContentInfo: length not in its shortest form',
    'der-trailing-bytes': 'DER PKCS#7 message: 2 unexpected bytes after its last field',
    'serial-sign-byte-dropped': 'signer (by issuer-serial) is not among the 6 trusted certificates',
}


def gen_modsig_envelopes(c, keys, by_issuer_serial, by_key_id, by_high_serial):
    k4 = keys['rsa4096']
    ctx = {'impostor_cert': make_impostor_cert(c, k4, keys['rsa2048']),
           'broken_self_signed_cert': flip(cert_der(k4), len(cert_der(k4)) - 1),
           'unrelated_cert': cert_der(keys['untrusted'])}
    signed = {'is': by_issuer_serial, 'ski': by_key_id, 'raw': by_issuer_serial,
              'high-serial': by_high_serial}
    assert set(ENVELOPE_ERRORS) == set(pkcs7.VARIANTS)
    for name, (source, _) in pkcs7.VARIANTS.items():
        c.add('modsig', name, pkcs7.make(name, signed[source], ctx), 'InvalidSignature', ext='.ko',
              message='module signature: ' + ENVELOPE_ERRORS[name])
    for name, (source, _) in pkcs7.ACCEPTED.items():
        c.add('modsig', name, pkcs7.make(name, signed[source], ctx), ext='.ko',
              method='issuer-serial' if source == 'is' else 'subject-key-id')


# ---------------------------------------------------------------- archives

def tar_bytes(members, fmt=tarfile.USTAR_FORMAT):
    """members: list of TarInfo-ish tuples (name, data, kw)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=fmt) as tar:
        for name, data, kw in members:
            info = tarfile.TarInfo(name)
            info.size = len(data) if data is not None else 0
            info.mode = 0o644
            for k, v in kw.items():
                setattr(info, k, v)
            tar.addfile(info, io.BytesIO(data) if data else None)
    return buf.getvalue()


def compress(raw, how):
    if how == 'none':
        return raw
    if how == 'gz':
        return gzip.compress(raw, mtime=0)
    if how == 'xz':
        return lzma.compress(raw)
    if how == 'bz2':
        return bz2.compress(raw)
    if how == 'zst':
        return subprocess.run(['zstd', '-q', '-c', '-'], input=raw, check=True,
                              stdout=subprocess.PIPE).stdout
    raise ValueError(how)


def retarget_size(raw, new_size):
    """Rewrites the first header's size field and checksum (a lying header)."""
    h = bytearray(raw[:512])
    h[124:136] = b'%011o\0' % new_size
    h[148:156] = b' ' * 8
    h[148:156] = b'%06o\0 ' % sum(h)
    return bytes(h) + raw[512:]


def gen_archive(c):
    """Cases for lp_archive_extract with the suite's small caps:
    4 entries, 64 KiB per entry, 96 KiB in total, 1 MiB archive."""
    ok = lambda name, raw, how='none', n=1: c.add('archive', name, compress(raw, how),
                                                  ext='.tar', entries=n)
    bad = lambda name, data: c.add('archive', name, data, 'InvalidArchive', ext='.tar')
    two = [('patch.json', b'{}', {}), ('lkp.ko', b'\x7fELF' + b'x' * 1000, {})]
    for how in ('none', 'gz', 'xz', 'bz2', 'zst'):
        ok(f'two-files-{how}', tar_bytes(two), how, 2)
    ok('pax-format', tar_bytes(two, tarfile.PAX_FORMAT), 'gz', 2)
    ok('gnu-format', tar_bytes(two, tarfile.GNU_FORMAT), 'xz', 2)
    ok('empty-member', tar_bytes([('a.ko', b'', {})]), 'none', 1)
    ok('entry-at-cap', tar_bytes([('a.ko', b'a' * 65536, {})]), 'gz', 1)
    ok('four-entries', tar_bytes([(f'f{i}', b'x', {}) for i in range(4)]), 'none', 4)

    bad('dotdot', tar_bytes([('../evil', b'x', {})]))
    bad('dotdot-deep', tar_bytes([('a/../../evil', b'x', {})]))
    bad('dotdot-pax', tar_bytes([('x' * 120 + '/../../evil', b'x', {})], tarfile.PAX_FORMAT))
    bad('dotdot-gnu-longname', tar_bytes([('../' * 40 + 'evil', b'x', {})], tarfile.GNU_FORMAT))
    bad('absolute', tar_bytes([('/tmp/lp-verify-evil', b'x', {})]))
    bad('subdirectory', tar_bytes([('dir/patch.json', b'x', {})]))
    bad('dot-slash', tar_bytes([('./patch.json', b'x', {})]))
    bad('hidden', tar_bytes([('.patch.json', b'x', {})]))
    bad('control-char', tar_bytes([('a\nb', b'x', {})]))
    bad('symlink', tar_bytes([('link', None, dict(type=tarfile.SYMTYPE, linkname='/etc/passwd'))]))
    bad('symlink-then-file', tar_bytes([('lkp.ko', None, dict(type=tarfile.SYMTYPE, linkname='/tmp/x')),
                                        ('lkp.ko', b'x', {})]))
    bad('hardlink', tar_bytes([('a', b'x', {}), ('b', None, dict(type=tarfile.LNKTYPE, linkname='a'))]))
    bad('hardlink-outside', tar_bytes([('b', None, dict(type=tarfile.LNKTYPE, linkname='/etc/shadow'))]))
    bad('char-device', tar_bytes([('null', None, dict(type=tarfile.CHRTYPE, devmajor=1, devminor=3))]))
    bad('block-device', tar_bytes([('sda', None, dict(type=tarfile.BLKTYPE, devmajor=8, devminor=0))]))
    bad('fifo', tar_bytes([('fifo', None, dict(type=tarfile.FIFOTYPE))]))
    bad('directory', tar_bytes([('dir', None, dict(type=tarfile.DIRTYPE, mode=0o755))]))
    bad('duplicate', tar_bytes([('patch.json', b'{}', {}), ('patch.json', b'{"x":1}', {})]))
    bad('oversize-entry', compress(tar_bytes([('big.ko', b'\0' * 65537, {})]), 'gz'))
    bad('oversize-total-bomb', compress(tar_bytes([(f'z{i}', b'\0' * 60000, {}) for i in range(2)]), 'xz'))
    bad('too-many-entries', tar_bytes([(f'f{i}', b'x', {}) for i in range(5)]))
    bad('size-lie-smaller', retarget_size(tar_bytes([('a.ko', b'A' * 3000, {})]), 10))
    bad('size-lie-larger', retarget_size(tar_bytes([('a.ko', b'A' * 100, {})]), 5000)[:1536])
    good_gz = compress(tar_bytes(two), 'gz')
    bad('truncated-gz', good_gz[:len(good_gz) // 2])
    bad('truncated-tar', tar_bytes(two)[:700])
    bad('no-members', tar_bytes([]))
    bad('empty-file', b'')
    bad('not-an-archive', b'this is not a tarball\n' * 50)
    bad('wrong-compression-lzma-alone', lzma.compress(tar_bytes(two), format=lzma.FORMAT_ALONE))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, 'w') as z:
        z.writestr('patch.json', '{}')
    bad('wrong-format-zip', zbuf.getvalue())
    bad('oversize-archive', b'\0' * (1024 * 1024 + 1))
    bad('double-compressed-gz', compress(good_gz, 'gz'))


# ---------------------------------------------------------------- patches

def make_patch(c, name, error=None, *, keys, how='none', ski=False, hash_algo='sha512',
               manifest=None, members=None, mutate_ko=None, module_name='lkp_Test_57_3.ko',
               signer='rsa4096', expect=None, elf_name=None, mutate_body=None):
    body = fake_module(c, module_name[:-3], elf_name=elf_name)
    if mutate_body:
        body = mutate_body(body)
    ko = sign_file(c, body, *keys[signer], hash_algo, ski) if signer else body
    if mutate_ko:
        ko = mutate_ko(ko)
    m = mtp.make_manifest('57.3', KERNEL, ARCH, module_name,
                          [{'name': 'CVE-2026-1234', 'description': 'd', 'bug': 'LP#1', 'patched': True}])
    if manifest:
        m = manifest(m)
    mbytes = m if isinstance(m, bytes) else json.dumps(m).encode()
    if members is None:
        members = [('patch.json', mbytes), (module_name, ko)]
    else:
        members = members(mbytes, ko)
    p = c.path('patch', name + '.tar')
    digest, _ = mtp.write_tarball(p, members, how)
    c.index.setdefault('patch', []).append(dict(name=name, file=os.path.basename(p), error=error,
                                                sha256=digest, expect=expect or {}))


def drop(key):
    return lambda m: {k: v for k, v in m.items() if k != key}


def setv(key, value):
    return lambda m: dict(m, **{key: value})


def gen_patch(c, keys):
    for how in ('none', 'gz', 'xz', 'bz2', 'zst'):
        make_patch(c, f'good-{how}-issuer-serial', keys=keys, how=how)
        make_patch(c, f'good-{how}-ski', keys=keys, how=how, ski=True)
    make_patch(c, 'good-sha256-rsa2048', keys=keys, hash_algo='sha256', signer='rsa2048')
    make_patch(c, 'good-unknown-members', keys=keys, manifest=setv('future', {'x': [1]}))
    make_patch(c, 'good-module-first', keys=keys,
               members=lambda m, ko: [('lkp_Test_57_3.ko', ko), ('patch.json', m)])
    M = 'InvalidMetadata'
    for key in ('format', 'version', 'kernel', 'architecture', 'module', 'fixes'):
        make_patch(c, f'missing-{key}', M, keys=keys, manifest=drop(key))
    for key, value in (('format', '1'), ('version', 57.3), ('kernel', ['6.1']), ('architecture', 1),
                       ('module', None), ('fixes', {})):
        make_patch(c, f'ill-typed-{key}', M, keys=keys, manifest=setv(key, value))
    make_patch(c, 'format-2', M, keys=keys, manifest=setv('format', 2))
    make_patch(c, 'version-not-numeric', M, keys=keys, manifest=setv('version', '57.3-rc1'))
    make_patch(c, 'module-with-slash', M, keys=keys, manifest=setv('module', '../lkp_Test_57_3.ko'))
    make_patch(c, 'module-not-ko', M, keys=keys, manifest=setv('module', 'patch.json'))
    make_patch(c, 'module-not-in-archive', M, keys=keys, manifest=setv('module', 'lkp_other.ko'))
    make_patch(c, 'fix-missing-patched', M, keys=keys,
               manifest=setv('fixes', [{'name': 'CVE-1', 'description': '', 'bug': ''}]))
    make_patch(c, 'fix-ill-typed-patched', M, keys=keys,
               manifest=setv('fixes', [{'name': 'CVE-1', 'description': '', 'bug': '', 'patched': 'yes'}]))
    make_patch(c, 'manifest-not-json', M, keys=keys, manifest=lambda m: b'{"format": 1,')
    make_patch(c, 'manifest-array', M, keys=keys, manifest=lambda m: b'[]')
    # 200 KB of '[' overflowed json-glib's recursive parser (issue 11, defect 1).
    make_patch(c, 'manifest-deep-nesting', M, keys=keys,
               manifest=lambda m: b'{"format": 1, "x": ' + b'[' * (200 * 1024) + b'}',
               expect={'message': 'patch.json: nested deeper than 32 levels'})
    A = 'InvalidArchive'
    make_patch(c, 'no-manifest', A, keys=keys, members=lambda m, ko: [('lkp_Test_57_3.ko', ko)])
    make_patch(c, 'extra-member', A, keys=keys,
               members=lambda m, ko: [('patch.json', m), ('lkp_Test_57_3.ko', ko), ('README', b'hi')])
    make_patch(c, 'traversal', A, keys=keys,
               members=lambda m, ko: [('patch.json', m), ('../lkp_Test_57_3.ko', ko)])
    K = 'KernelMismatch'
    make_patch(c, 'other-kernel', K, keys=keys, manifest=setv('kernel', '6.1.0-58-amd64'))
    make_patch(c, 'other-architecture', K, keys=keys, manifest=setv('architecture', 'arm64'))
    S = 'InvalidSignature'
    make_patch(c, 'unsigned-module', S, keys=keys, signer=None)
    make_patch(c, 'untrusted-signer', S, keys=keys, signer='untrusted')
    make_patch(c, 'module-tampered', S, keys=keys, mutate_ko=lambda ko: flip(ko, 100))
    # The module's name comes from the signed ELF; patch.json must agree.
    make_patch(c, 'module-name-json-a-elf-b', M, keys=keys, module_name='lkp_A.ko', elf_name='lkp_B',
               expect={'message': 'patch.json: module "lkp_A.ko" is a module named lkp_B, not lkp_A'})
    make_patch(c, 'module-name-json-b-elf-a', M, keys=keys, module_name='lkp_B.ko', elf_name='lkp_A',
               expect={'message': 'patch.json: module "lkp_B.ko" is a module named lkp_A, not lkp_B'})
    make_patch(c, 'good-module-file-with-dash', keys=keys, module_name='lkp_Test-57-3.ko',
               expect={'module_name': 'lkp_Test_57_3'})
    make_patch(c, 'module-name-looks-temporary', A, keys=keys, module_name='lkp_Test.abcdef.ko',
               expect={'message': 'module ELF: invalid module name "lkp_Test.abcdef": a module name '
                                  'is 1 to 55 letters, digits or \'_\''})
    make_patch(c, 'module-json-name-looks-temporary', M, keys=keys,
               module_name='lkp_Test.abcdef.ko', elf_name='lkp_Test_abcdef',
               expect={'message': 'patch.json: module "lkp_Test.abcdef.ko": invalid module name '
                                  '"lkp_Test.abcdef": a module name is 1 to 55 letters, digits or \'_\''})
    # Signed, but not an ELF module (the signature covers garbage just as well).
    make_patch(c, 'module-not-elf', A, keys=keys, mutate_body=lambda ko: b'not an ELF module\n' * 8,
               expect={'message': 'module ELF: not an ELF file'})
    make_patch(c, 'module-elf-header-truncated', A, keys=keys, mutate_body=lambda ko: ko[:40],
               expect={'message': 'module ELF: the ELF header (64 bytes at offset 0) is outside the '
                                  '40-byte image'})
    make_patch(c, 'module-elf-section-table-garbled', A, keys=keys,
               mutate_body=lambda ko: ko[:40] + struct.pack('<Q', 2**64 - 1) + ko[48:],
               expect={'message_prefix': 'module ELF: the section table ('})
    C = 'ChecksumMismatch'
    make_patch(c, 'digest-mismatch', C, keys=keys, expect={'sha256': '0' * 64})
    make_patch(c, 'digest-malformed', C, keys=keys, expect={'sha256': 'not-hex'})
    # A truncated download: the server's digest is of the whole file.
    make_patch(c, 'truncated-download', C, keys=keys, how='gz', expect={'truncate': 200})


def generate(out):
    c = Corpus(out)
    keys = {
        'rsa4096': make_key(c, 'rsa4096', 4096),
        'rsa2048': make_key(c, 'rsa2048', 2048),
        'rsa1024': make_key(c, 'rsa1024', 1024),
        'untrusted': make_key(c, 'untrusted', 2048),
        'ec': make_key(c, 'ec', algo='ec'),
        'expired': make_expired_key(c),
    }
    keys['high-serial'] = make_high_serial_cert(c, keys['rsa4096'])
    with open(c.path('trusted.pem'), 'w') as f:
        for name in ('rsa4096', 'rsa2048', 'rsa1024', 'ec', 'expired', 'high-serial'):
            with open(keys[name][1]) as cert:
                f.write(cert.read())
    shutil.copyfile(keys['untrusted'][1], c.path('untrusted.pem'))
    gen_modsig(c, keys)
    gen_archive(c)
    gen_patch(c, keys)
    c.write_indexes()
    shutil.rmtree(c.path('work', 'x')[:-2])


def main():
    out = os.path.abspath(sys.argv[1])
    digest = hashlib.sha256()
    for source in (__file__, os.path.join(TOOLS, 'pkcs7-edit')):
        with open(source, 'rb') as f:
            digest.update(f.read())
    me = digest.hexdigest()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = os.path.join(out, 'stamp')
        if os.path.exists(stamp) and open(stamp).read() == me:
            return 0
        tmp = out + '.tmp'
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(tmp)
        generate(tmp)
        with open(os.path.join(tmp, 'stamp'), 'w') as f:
            f.write(me)
        os.rename(tmp, out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
