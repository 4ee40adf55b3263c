"""Fixtures of the Python guest helper's unit tests, which run natively against the bindings
componentize-py generates for the `activity` world (which holds every import the helper uses:
`host`, `activity-host`, `config`, `wasi:http`), named as scripts/build-plugins names them.

The generated import functions and resources are stubs outside a component, so the tests replace
them with recorders and fakes; every type (records, enums, variants, `Err`) is the generated
one, as inside a component.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
COMPONENTIZE_PY = Path(sys.executable).parent / "componentize-py"


def interface_names():
    """The --import-interface-name options scripts/build-plugins passes too."""
    lines = (REPO / "guest-sdk/python/interface-names").read_text().splitlines()
    return [arg for line in lines if line.strip() and not line.startswith("#") for arg in ("--import-interface-name", line)]


@pytest.fixture(scope="session")
def guest(tmp_path_factory):
    bindings = tmp_path_factory.mktemp("bindings")
    subprocess.run(
        [str(COMPONENTIZE_PY), "-d", str(REPO / "guest-sdk/wit"), "-w", "activity", *interface_names(), "bindings", str(bindings)],
        check=True,
        capture_output=True,
    )
    sys.path[:0] = [str(bindings), str(REPO / "guest-sdk/python")]
    try:
        yield importlib.import_module("swfwasm_guest")
    finally:
        del sys.path[:2]
        for name in [m for m in sys.modules if m.split(".")[0] in ("swfwasm_guest", "wit_world", "componentize_py_types")]:
            del sys.modules[name]


@pytest.fixture
def plugin(guest, monkeypatch):
    """Imports a plugin module (``plugin("plugins/python-hello/hello_activity.py")``), as the
    component would, against the same bindings."""

    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no __pycache__ in the plugin's directory

    def load(path):
        source = REPO / path
        monkeypatch.syspath_prepend(str(source.parent))
        monkeypatch.delitem(sys.modules, source.stem, raising=False)
        return importlib.import_module(source.stem)

    return load


@pytest.fixture
def logged(guest, monkeypatch):
    lines = []
    monkeypatch.setattr(guest.host, "log", lambda level, message: lines.append((level.name, message)))
    return lines


@pytest.fixture
def heartbeats(guest, monkeypatch):
    """Details of every heartbeat; answers with `heartbeats.status` (OK until changed)."""

    class Recorder(list):
        status = guest.plugin_types.HeartbeatStatus.OK

    seen = Recorder()

    def heartbeat(details):
        seen.append(details)
        return seen.status

    monkeypatch.setattr(guest.activity_host, "heartbeat", heartbeat)
    return seen
