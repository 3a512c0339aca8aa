#!/usr/bin/python3
# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unpack the ELF vmlinux from a bzImage (vmlinuz).

The bzImage carries the kernel as a compressed payload after its real-mode
setup code and decompressor stub.  We look for each known compression magic,
try to decompress from there, and keep the first result that is an ELF file.
The ELF image boots under qemu through its PVH entry point, which skips the
decompressor: under TCG that is most of the boot time.

usage: extract-vmlinux.py VMLINUZ OUTPUT
"""

import gzip
import lzma
import sys
import zlib

ELF_MAGIC = b"\x7fELF"
XZ_MAGIC = b"\xfd7zXZ\x00"
GZIP_MAGIC = b"\x1f\x8b\x08"


def offsets(data, magic):
    start = data.find(magic)
    while start >= 0:
        yield start
        start = data.find(magic, start + 1)


def try_xz(payload):
    # The payload is followed by the rest of the image: a decompressor object
    # stops at the end of the stream and leaves the trailing bytes unused.
    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)


def try_gzip(payload):
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)


def extract(data):
    for magic, unpack in ((XZ_MAGIC, try_xz), (GZIP_MAGIC, try_gzip)):
        for start in offsets(data, magic):
            try:
                image = unpack(data[start:])
            except (lzma.LZMAError, zlib.error, gzip.BadGzipFile, EOFError):
                continue
            if image.startswith(ELF_MAGIC):
                return image
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    image = extract(data)
    if image is None:
        sys.exit(f"extract-vmlinux: no xz or gzip ELF payload in {sys.argv[1]}")
    with open(sys.argv[2], "wb") as f:
        f.write(image)


if __name__ == "__main__":
    main()
