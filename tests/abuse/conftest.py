# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the abuse suite: the engine suite's fixtures (livepatchd on a
simulated kernel, mock polkitd, the local patch server, signed patches;
tests/engine/conftest.py, loaded under another module name), a raw D-Bus
client that can send what GDBus refuses to, and a hostile HTTP server.

``RawBusClient(address)`` speaks the D-Bus wire protocol itself (SASL
EXTERNAL, little-endian messages) so a test can send a string that is not
valid UTF-8.

``hostile`` -> ``HostileServer``: a TCP server on 127.0.0.1 that misbehaves
in one of the ``MODES`` for every connection: ``reset`` (headers with the
full Content-Length, part of the body, then a TCP reset), ``endless`` (a
body without length that never ends), ``slowloris`` (the status line, then
one header byte every half second, forever).  ``.url``, ``.bytes_sent``,
``.connections``.
"""

import importlib.util
import os
import socket
import struct
import threading
import time

import pytest

_spec = importlib.util.spec_from_file_location(
    "lp_engine_fixtures", os.path.join(os.path.dirname(__file__), "..", "engine", "conftest.py"))
engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(engine)
globals().update({k: v for k, v in vars(engine).items() if not k.startswith("__")})


# --- raw D-Bus ---

def _pad(buf, n):
    buf += b"\0" * (-len(buf) % n)


def _string(buf, value):
    _pad(buf, 4)
    buf += struct.pack("<I", len(value)) + value + b"\0"


def _signature(buf, value):
    buf += bytes([len(value)]) + value + b"\0"


def dbus_method_call(serial, dest, path, iface, member, signature=b"", body=b""):
    """A METHOD_CALL message; @body is already marshalled for @signature."""
    fields = bytearray()
    # The field array starts at offset 16, a multiple of 8, so padding
    # relative to its own start is padding relative to the message.
    for code, kind, value in ((1, b"o", path), (2, b"s", iface), (3, b"s", member),
                              (6, b"s", dest)) + (((8, b"g", signature),) if signature else ()):
        _pad(fields, 8)
        fields += bytes([code])
        _signature(fields, kind)
        if kind == b"g":
            _signature(fields, value)
        else:
            _string(fields, value)
    head = bytearray(struct.pack("<cBBBIII", b"l", 1, 0, 1, len(body), serial, len(fields)))
    head += fields
    _pad(head, 8)
    return bytes(head) + body


def dbus_string_body(value):
    return struct.pack("<I", len(value)) + value + b"\0"


class RawBusClient:
    def __init__(self, address):
        path = address.split("unix:path=", 1)[1].split(",")[0]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(engine.DEADLINE)
        self.sock.connect(path)
        uid = str(os.getuid()).encode().hex().encode()
        self.sock.sendall(b"\0AUTH EXTERNAL " + uid + b"\r\n")
        reply = self.sock.recv(4096)
        assert reply.startswith(b"OK "), reply
        self.sock.sendall(b"BEGIN\r\n")
        self.serial = 0
        self.send(b"org.freedesktop.DBus", b"/org/freedesktop/DBus", b"org.freedesktop.DBus",
                  b"Hello")

    def send(self, dest, path, iface, member, signature=b"", body=b""):
        self.serial += 1
        self.sock.sendall(dbus_method_call(self.serial, dest, path, iface, member, signature,
                                           body))

    def read_until_closed(self):
        """Reads until the bus closes the connection; returns the bytes."""
        data = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return data
            data += chunk

    def close(self):
        self.sock.close()


# --- hostile HTTP ---

class HostileServer:
    MODES = ("reset", "endless", "slowloris")

    def __init__(self):
        self.mode = None
        self.body_size = 4096
        self.bytes_sent = 0
        self.connections = 0
        self.stop_event = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop_event.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _send(self, conn, data):
        conn.sendall(data)
        self.bytes_sent += len(data)

    def _handle(self, conn):
        try:
            conn.settimeout(engine.DEADLINE)
            conn.recv(65536)  # the request; its content does not matter
            getattr(self, "_" + self.mode)(conn)
        except OSError:
            pass  # the client gave up: that is what these modes are for
        finally:
            conn.close()

    def _reset(self, conn):
        self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                   b"Content-Length: %d\r\n\r\n" % self.body_size)
        self._send(conn, b"\0" * (self.body_size // 2))
        # SO_LINGER 0: close() sends a RST, not a FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _endless(self, conn):
        self._send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                   b"Connection: close\r\n\r\n")
        chunk = b"\0" * 65536
        while not self.stop_event.is_set():
            self._send(conn, chunk)

    def _slowloris(self, conn):
        self._send(conn, b"HTTP/1.1 200 OK\r\n")
        while not self.stop_event.is_set():
            self._send(conn, b"X")
            time.sleep(0.5)

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        self.listener.close()


@pytest.fixture
def hostile():
    server = HostileServer()
    yield server
    server.stop()
