"""`govstats dashboard` as a process: where it listens, and that it never connects out.

Every Python socket of the command and of the server it starts is watched by an audit hook (a
sitecustomize module put first on PYTHONPATH): any connection, datagram or name lookup for a host
other than this machine is written to a file, which must stay empty.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.test_browser import dashboard_server
from tests.test_dashboard_table import write_tables

SOCKET_WATCH = '''
import os, socket, sys

_LOG = os.environ["GOVSTATS_SOCKET_LOG"]
_LOCAL = ("127.", "::1", "0.0.0.0", "::ffff:127.", "localhost")


def _outside(host):
    if host is None or isinstance(host, bytes):
        return False
    host = str(host)
    return host not in ("", "::") and not host.startswith(_LOCAL) and host != socket.gethostname()


def _watch(event, args):
    if event == "socket.connect" or event == "socket.sendto":
        sock, address = args[0], args[1]
        if sock.family in (socket.AF_INET, socket.AF_INET6) and _outside(address[0]):
            _write(event, address)
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        if _outside(args[0]):
            _write(event, args[0])


def _write(event, address):
    with open(_LOG, "a") as log:
        log.write(f"{os.getpid()} {event} {address}\\n")
    raise OSError(f"outbound {event} to {address} refused by the test")  # nothing leaves, even then


sys.addaudithook(_watch)
'''


def watched_environment(folder: Path) -> tuple[dict[str, str], Path]:
    """Environment variables that make every Python process started with them log its outbound
    sockets to the returned file (and fail them)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(SOCKET_WATCH)
    log = folder / "outbound.log"
    log.touch()
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "GOVSTATS_SOCKET_LOG": str(log)}, log


@contextlib.contextmanager
def govstats_dashboard(data: Path, output: Path, *options: str, environment: dict | None = None):
    """`govstats dashboard --data DATA --headless --port PORT OPTIONS`, until it answers; yields the port."""
    command = [sys.executable, "-m", "etl", "dashboard", "--data", str(data), "--headless", "--port", "{port}", *options]
    with dashboard_server(data, output, command, environment) as base:
        yield int(base.rsplit(":", 1)[1])


def listening_addresses(port: int) -> set[str]:
    return {c.laddr.ip for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port}


def test_listens_on_this_machine_only_by_default(tmp_path):
    data = write_tables(tmp_path / "data")
    with govstats_dashboard(data, tmp_path / "output.log") as port:
        assert listening_addresses(port) == {"127.0.0.1"}
    assert "no login" not in (tmp_path / "output.log").read_text()
    assert listening_addresses(port) == set()  # stopping govstats dashboard stops its server


def test_shared_on_the_network_with_a_warning_and_no_outbound_connection(tmp_path):
    """With --host 0.0.0.0 Streamlit would look up the machine's public address (checkip.amazonaws.com)
    when it starts and when a page from another origin connects; neither may leave the machine."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    data = write_tables(tmp_path / "data")
    environment, outbound = watched_environment(tmp_path / "watch")
    output = tmp_path / "output.log"
    with govstats_dashboard(data, output, "--host", "0.0.0.0", environment=environment) as port:
        assert listening_addresses(port) == {"0.0.0.0"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert b"<html" in page.read().lower()
        with pytest.raises(InvalidStatus):  # a page of another origin is refused, without asking anyone
            connect(f"ws://127.0.0.1:{port}/_stcore/stream", origin="http://elsewhere.example", open_timeout=10).close()
    assert "has no login" in output.read_text() and "reverse proxy with authentication" in output.read_text()
    assert outbound.read_text() == ""


def test_the_socket_watch_sees_an_outbound_lookup(tmp_path):
    """The watch itself: a process that does look a name up is caught (no packet needs to leave)."""
    environment, outbound = watched_environment(tmp_path / "watch")
    probe = "import socket\ntry:\n    socket.getaddrinfo('checkip.amazonaws.com', 80)\nexcept OSError:\n    pass"
    subprocess.run([sys.executable, "-c", probe], env=dict(os.environ, **environment), check=True, timeout=60)
    assert "checkip.amazonaws.com" in outbound.read_text()
