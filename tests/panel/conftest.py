# Copyright 2026 The livepatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the panel suite: livepatch-panel on a virtual X display, read
and driven through the accessibility tree, against livepatchd on the engine
suite's private system bus (simulated kernel, local patch server, dbusmock
polkitd; tests/engine/conftest.py).

``desktop`` -> ``Desktop``: Xvfb (display chosen by the server, -displayfd)
and a private session bus whose service files start the AT-SPI bus
(at-spi-bus-launcher, at-spi2-registryd) when first asked.
``panel`` -> ``Panel``: livepatch-panel started on that display and system
bus; ``panel.wait_text(...)``, ``panel.click(...)``, ``panel.screenshot(...)``.

Nothing here sleeps a fixed time: every wait polls the accessibility tree (or
a file) until a condition holds, with DEADLINE only to turn a hang into a
readable failure on a loaded machine.
"""

import importlib.util
import os
import shutil
import subprocess
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "lp_engine_conftest", os.path.join(HERE, "..", "engine", "conftest.py"))
engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(engine)
it = engine.it

# Re-exported fixtures of the engine and integration suites.
tmp_root = engine.tmp_root
system_bus = engine.system_bus
polkitd = engine.polkitd
make_daemon = engine.make_daemon
kit = engine.kit
server = engine.server
lp_stopped = engine.lp_stopped
lp = engine.lp

PANEL = os.path.join(it.BUILD_DIR, "src", "panel", "livepatch-panel")
SHOTS_DIR = os.path.join(it.BUILD_DIR, "tests", "panel", "screenshots")
# Generous: the machine running the suite may be busy with other builds.
DEADLINE = 90.0
SCREEN = "640x860x24"


class Desktop:
    def __init__(self, root):
        self.root = root
        self.procs = []
        read_fd, write_fd = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN,
                                      "-nolisten", "tcp", "-noreset"],
                                     pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb exited with {self.xvfb.wait()}")
        self.display = f":{number}"
        self.session_bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork",
                                             "--nopidfile", "--nosyslog", "--print-address=1"],
                                            stdout=subprocess.PIPE, text=True,
                                            env=self.env())
        self.session_address = self.session_bus.stdout.readline().strip()
        self.session_bus.stdout.close()
        if not self.session_address:
            raise RuntimeError(f"session dbus-daemon exited with {self.session_bus.wait()}")

    def env(self, **extra):
        runtime = os.path.join(self.root, "runtime")
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        env = dict(os.environ,
                   DISPLAY=getattr(self, "display", ""),
                   XDG_RUNTIME_DIR=runtime,
                   HOME=self.root,
                   XDG_CONFIG_HOME=os.path.join(self.root, "config"),
                   XDG_CACHE_HOME=os.path.join(self.root, "cache"),
                   XDG_DATA_HOME=os.path.join(self.root, "data"),
                   GDK_BACKEND="x11",
                   # Software drawing: no GL on a virtual display.
                   GSK_RENDERER="cairo",
                   GSETTINGS_BACKEND="memory",
                   GTK_A11Y="atspi",
                   NO_AT_BRIDGE="0",
                   **extra)
        if getattr(self, "session_address", None):
            env["DBUS_SESSION_BUS_ADDRESS"] = self.session_address
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def screenshot(self, path):
        """The whole virtual screen (the panel's window is its only window)."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(["import", "-display", self.display, "-window", "root", path],
                       check=True, timeout=DEADLINE, env=self.env())

    def stop(self):
        for proc in (self.session_bus, self.xvfb):
            if proc.poll() is None:
                proc.terminate()
                proc.wait()


@pytest.fixture(scope="session")
def desktop():
    """One per test process: pyatspi binds to the first session bus it sees."""
    root = tempfile.mkdtemp(prefix="lp-desktop-")
    d = Desktop(root)
    # pyatspi finds the accessibility bus through the session bus or the
    # display: point this process at ours before it is first imported.
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = d.session_address
    os.environ["DISPLAY"] = d.display
    yield d
    d.stop()
    shutil.rmtree(root, ignore_errors=True)


class Panel:
    """livepatch-panel, read and driven through its accessibility tree.

    Only what is visible counts: GTK 4.8 marks only windows SHOWING, so a
    node is on screen when it and its ancestors are VISIBLE (the panel hides
    what it does not show)."""

    def __init__(self, desktop, system_bus, log_path):
        import pyatspi
        self.pyatspi = pyatspi
        self.desktop = desktop
        self.log_path = log_path
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen([PANEL], stdout=log, stderr=subprocess.STDOUT,
                                         env=desktop.env(DBUS_SYSTEM_BUS_ADDRESS=system_bus.address))
        self.app = None
        self.wait(self._find_app, "the panel on the accessibility bus")
        # The pointer starts mid-screen: park it in a corner, where it shows
        # no tooltip in the screenshots.
        self.pyatspi.Registry.generateMouseEvent(0, 0, "abs")

    def _find_app(self):
        root = self.pyatspi.Registry.getDesktop(0)
        for i in range(root.childCount):
            app = root.getChildAtIndex(i)
            try:
                if app is not None and app.get_process_id() == self.proc.pid and app.childCount:
                    self.app = app
                    return True
            except Exception:  # an application leaving the bus meanwhile
                continue
        return False

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait(self, predicate, what):
        """Polls predicate() until it holds; the deadline only ends a hang."""
        end = time.monotonic() + DEADLINE
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"the panel exited ({self.proc.returncode}) waiting for "
                                     f"{what}:\n{self.log()}")
            try:
                value = predicate()
            except Exception:  # a node went away while it was read
                value = None
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"never happened: {what}\n{self.dump()}")
            time.sleep(0.1)

    # --- reading the tree ---
    def _showing(self, node):
        return node.getState().contains(self.pyatspi.STATE_VISIBLE)

    def nodes(self, role=None, name=None, node=None, skip=None):
        """Showing nodes, depth first; not inside nodes of role @skip."""
        node = node if node is not None else self.app
        found = []
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is None or not self._showing(child):
                continue
            child_role = child.getRoleName()
            if (role is None or child_role == role) and (name is None or child.name == name):
                found.append(child)
            if skip is None or child_role != skip:
                found.extend(self.nodes(role, name, child, skip))
        return found

    def labels(self, node=None):
        return [n.name for n in self.nodes("label", node=node)]

    def has_label(self, text):
        return text in self.labels()

    def row(self, title):
        rows = self.nodes("list item", title)
        return rows[0] if rows else None

    def subtitle(self, title):
        """The subtitle of the showing row titled @title; None when there is
        no such row, "" when it has no subtitle."""
        row = self.row(title)
        if row is None:
            return None
        texts = [n.name for n in self.nodes("label", node=row, skip="push button")]
        assert texts and texts[0] == title, texts
        return texts[1] if len(texts) > 1 else ""

    def wait_subtitle(self, title, expected):
        self.wait(lambda: self.subtitle(title) == expected,
                  f"row {title!r} to read {expected!r} (reads {self.subtitle(title)!r})")

    def button(self, label):
        for node in self.nodes("push button"):
            if label in self.labels(node):
                return node
        return None

    @staticmethod
    def text_of(node):
        """The text of an editable field (GTK 4.8 wants the real end offset)."""
        text = node.queryText()
        return text.getText(0, text.characterCount)

    def field(self, name):
        fields = self.nodes("text", name)
        return fields[0] if fields else None

    def is_sensitive(self, node):
        return node.getState().contains(self.pyatspi.STATE_SENSITIVE)

    def progress(self):
        """The showing progress bar's value in percent, or None."""
        bars = self.nodes("progress bar")
        if not bars:
            return None
        value = bars[0].queryValue()
        return 100.0 * value.currentValue / value.maximumValue

    def dump(self, node=None, depth=0):
        node = node if node is not None else self.app
        if node is None:
            return "(no application)"
        lines = []
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is None or not self._showing(child):
                continue
            lines.append("  " * depth + f"[{child.getRoleName()}] {child.name!r}")
            lines.append(self.dump(child, depth + 1))
        return "\n".join(line for line in lines if line)

    # --- acting ---
    def click(self, label):
        button = self.wait(lambda: (b := self.button(label)) is not None and
                           self.is_sensitive(b) and b, f"a sensitive {label!r} button")
        button.queryAction().doAction(0)

    def type_into(self, name, text):
        """Replaces the text of the showing text field named @name."""
        field = self.wait(lambda: self.field(name), f"text field {name!r}")
        field.queryEditableText().setTextContents(text)
        self.wait(lambda: self.text_of(field) == text, f"{name!r} to hold {text!r}")
        return field

    def screenshot(self, name):
        path = os.path.join(SHOTS_DIR, name + ".png")
        self.desktop.screenshot(path)
        return path

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def panel(desktop, system_bus, lp, tmp_root):
    p = Panel(desktop, system_bus, os.path.join(tmp_root, "panel.log"))
    yield p
    p.stop()
