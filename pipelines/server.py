"""A local Prefect server for scheduling, on loopback, with its database under the project folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipelines.environment import prefect_environment


def start_local_server(project_root: Path, port: int, timeout: float = 120.0) -> subprocess.Popen[bytes]:
    """Start `prefect server start` on 127.0.0.1:`port` and wait until its API answers; its log goes to
    .prefect/server.log in the project."""
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
            raise RuntimeError(f"The Prefect server stopped on start; see {home / 'server.log'}.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"The Prefect server did not answer within {timeout:.0f} s; see {home / 'server.log'}.")


def stop_local_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
