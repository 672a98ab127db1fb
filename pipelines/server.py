"""A local Prefect server for scheduling, on loopback, with its database under the project folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipelines.environment import prefect_environment
from qualcode.errors import ServerNotStarted


def start_local_server(project_root: Path, port: int, timeout: float = 120.0) -> subprocess.Popen[bytes]:
    """Start `prefect server start` on 127.0.0.1:`port` and wait until its API answers; its log goes to
    .prefect/server.log in the project."""
    with socket.socket() as probe:  # another server on this port would answer our health check for us
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise ServerNotStarted(f"Port {port} on 127.0.0.1 is in use (another Prefect server?); choose --port.")
    env = {**os.environ, **prefect_environment(project_root)}
    env.pop("PREFECT_API_URL", None)
    home = Path(env["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("ab")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerNotStarted("The Prefect server stopped on start.", path=home / "server.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise ServerNotStarted(f"The Prefect server did not answer within {timeout:.0f} s.", path=home / "server.log")


def stop_local_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
