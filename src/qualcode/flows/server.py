"""The project's own Prefect API: a server on 127.0.0.1 with its database under the project folder, started by
qualcode so that qualcode's network guard and owner-only files hold inside it too.

- `project_api(DIR)`: the API every flow run of this process talks to (in place of Prefect's ephemeral
  server, which Prefect starts itself, out of qualcode's reach): Prefect's API app alone, no UI, on a free port,
  started once per process and stopped when the process ends (or, should it be killed, when the server sees
  its parent gone).
- `start_local_server(DIR, port)`: `prefect server start` with its UI, for `qualcode schedule`.

Both run `python -m qualcode.flows.server`, which imports qualcode (the guard comes with the environment) and
pins Prefect's settings before Prefect is imported. Their log goes to DIR/.prefect/server.log.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from qualcode.errors import ServerNotStarted
from qualcode.flows.environment import prefect_environment, settings_from_environment_only
from qualcode.lifetime import exit_with_parent
from qualcode.offline import block_network

EPHEMERAL, FULL = "api", "server"
_running: dict[str, tuple[subprocess.Popen[bytes], str]] = {}  # Prefect home -> (process, API URL)


def project_api(project_root: Path, timeout: float = 120.0) -> str:
    """The URL of this project's local Prefect API, started on a free loopback port if not yet running."""
    home = prefect_environment(project_root)["PREFECT_HOME"]
    if home in _running and _running[home][0].poll() is None:
        return _running[home][1]
    for _ in range(3):  # another process may take the free port between choosing and binding it
        port = _free_port()
        process = _launch(project_root, EPHEMERAL, port)
        try:
            _wait_until_healthy(process, port, timeout, Path(home))
        except _ExitedEarly:
            continue
        _running[home] = (process, f"http://127.0.0.1:{port}/api")
        atexit.register(stop_local_server, process)
        return _running[home][1]
    raise ServerNotStarted("The project's Prefect API stopped on start.", path=Path(home) / "server.log")


def start_local_server(project_root: Path, port: int, timeout: float = 120.0) -> subprocess.Popen[bytes]:
    """Start `prefect server start` (API and UI) on 127.0.0.1:`port` and wait until its API answers."""
    with socket.socket() as probe:  # another server on this port would answer our health check for us
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise ServerNotStarted(f"Port {port} on 127.0.0.1 is in use (another Prefect server?); choose --port.")
    home = Path(prefect_environment(project_root)["PREFECT_HOME"])
    server = _launch(project_root, FULL, port)
    try:
        _wait_until_healthy(server, port, timeout, home)
    except _ExitedEarly:
        raise ServerNotStarted("The Prefect server stopped on start.", path=home / "server.log") from None
    return server


def stop_local_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class _ExitedEarly(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _launch(project_root: Path, mode: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **prefect_environment(project_root)}
    env.pop("PREFECT_API_URL", None)
    home = Path(env["PREFECT_HOME"])
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    log = os.open(home / "server.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        # its own session: a Ctrl-C meant for qualcode does not take the API away while a run finishes
        return subprocess.Popen([sys.executable, "-m", "qualcode.flows.server", mode, str(port), str(os.getpid())],
                                env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    finally:
        os.close(log)


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, timeout: float, home: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise _ExitedEarly
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    stop_local_server(process)
    raise ServerNotStarted(f"The Prefect server did not answer within {timeout:.0f} s.", path=home / "server.log")


def _serve(mode: str, port: int, parent: int) -> None:
    """In the server's process: guard on, Prefect's settings from the environment only, then serve."""
    block_network()
    settings_from_environment_only()
    exit_with_parent(parent)
    if mode == EPHEMERAL:  # what Prefect's own ephemeral server runs: the API app, no UI
        os.environ.update({"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"})
        import uvicorn

        uvicorn.run("prefect.server.api.server:create_app", factory=True, host="127.0.0.1", port=port,
                    log_level="error", lifespan="on")
    else:
        from prefect.cli import app

        sys.argv = [sys.argv[0], "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        app()  # `prefect server start`, in this process: one worker serves in the foreground


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
