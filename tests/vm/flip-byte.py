#!/usr/bin/python3
# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Flip one byte in the middle of a signed module's code, before its signature.

The appended signature (PKCS#7 + 12-byte info + magic) is left intact, so the
file still looks signed and only the digest check inside the signature can
tell it was changed.

usage: flip-byte.py MODULE.ko
"""

import struct
import sys

MAGIC = b"~Module signature appended~\n"


def main():
    path = sys.argv[1]
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if not data.endswith(MAGIC):
        sys.exit(f"flip-byte: {path} is not signed")
    sig_len = struct.unpack(">I", data[-len(MAGIC) - 4:-len(MAGIC)])[0]
    body_len = len(data) - len(MAGIC) - 12 - sig_len
    data[body_len // 2] ^= 0xFF
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
