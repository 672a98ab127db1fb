"""The project's own Prefect API: a server on 127.0.0.1 with its database under the project folder, started by
qualcode so that qualcode's network guard and owner-only files hold inside it too.

- `project_api(DIR)`: the API every flow run of this process talks to (in place of Prefect's ephemeral
  server, which Prefect starts itself, out of qualcode's reach): Prefect's API app alone, no UI, on a free port,
  started once per process and stopped when the process ends (or, should it be killed, when the server sees
  its parent gone). Where the project's `qualcode schedule` server is running, that one is used instead: a
  nightly run started by hand beside it pays no server start and opens no second server on the same database.
- `start_local_server(DIR, port)`: `prefect server start` with its UI, for `qualcode schedule`; while it runs,
  DIR/.prefect/server.json names its port and process (`running_server` checks both before trusting it).

Both run `python -m qualcode.flows.server`, which imports qualcode (the guard comes with the environment) and
pins Prefect's settings before Prefect is imported. Their log goes to DIR/.prefect/server.log.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from qualcode.errors import ServerNotStarted
from qualcode.flows.environment import prefect_environment, settings_from_environment_only
from qualcode.lifetime import exit_with_parent
from qualcode.offline import block_network
from qualcode.usercache import user_cache_dir

log = logging.getLogger(__name__)

EPHEMERAL, FULL = "api", "server"
_running: dict[str, tuple[subprocess.Popen[bytes], str]] = {}  # Prefect home -> (process, API URL)
_noted: dict[int, Path] = {}  # a server `start_local_server` started -> the file that tells other processes of it
RUNNING_FILE = "server.json"  # in the project's Prefect home: the port and pid of the server `schedule` runs


def project_api(project_root: Path, timeout: float = 120.0) -> str:
    """The URL of this project's local Prefect API: the project's server already running (`qualcode schedule`),
    else one this process starts on a free loopback port (once)."""
    home = prefect_environment(project_root)["PREFECT_HOME"]
    if home in _running and _running[home][0].poll() is None:
        return _running[home][1]
    if (url := running_server(Path(home))) is not None:
        log.info("Using the project's Prefect server already running at %s (qualcode schedule): none started", url)
        return url
    fresh = not seed_database(Path(home))
    for _ in range(3):  # another process may take the free port between choosing and binding it
        port = _free_port()
        process = _launch(project_root, EPHEMERAL, port)
        try:
            _wait_until_healthy(process, port, timeout, Path(home))
        except _ExitedEarly:
            continue
        if fresh:  # Prefect created and migrated it: owner-only, as a seeded one is, and kept as the template
            for made in Path(home).glob("prefect.db*"):
                made.chmod(0o600)
            keep_template(Path(home))
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
    (home / RUNNING_FILE).write_text(json.dumps({"port": port, "pid": server.pid}), encoding="utf-8")
    _noted[server.pid] = home / RUNNING_FILE
    return server


def running_server(home: Path) -> str | None:
    """The API URL of the project's server that `start_local_server` left running (its process alive and its API
    answering on loopback), so that a nightly run beside `qualcode schedule` starts no second server on the same
    database; None when there is none."""
    try:
        noted = json.loads((home / RUNNING_FILE).read_text(encoding="utf-8"))
        port, pid = int(noted["port"]), int(noted["pid"])
        os.kill(pid, 0)  # alive (signal 0 only asks)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return f"http://127.0.0.1:{port}/api" if _healthy(port) else None


def stop_local_server(server: subprocess.Popen[bytes]) -> None:
    if (noted := _noted.pop(server.pid, None)) is not None:
        noted.unlink(missing_ok=True)
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


def template_path() -> Path:
    """Prefect's database as its migrations leave it, for this Prefect release (in the user's cache)."""
    from importlib.metadata import version

    return user_cache_dir() / "prefect" / f"prefect-{version('prefect')}.db"


def seed_database(home: Path) -> bool:
    """Give a project's first Prefect server a database already migrated, copied from the user's cache: migrating
    an empty one took 10 of the 15 s a first run spent starting Prefect. True when the project's database exists
    now (it was there, or was seeded); False when this server will migrate its own."""
    database = home / "prefect.db"
    if database.exists():
        return True
    template = template_path()
    if not template.is_file():
        return False
    staged = home / f".prefect.db.{os.getpid()}.tmp"
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(template, staged)
        os.chmod(staged, 0o600)
        os.replace(staged, database)
    except OSError:
        staged.unlink(missing_ok=True)
        return False
    log.debug("Prefect's database seeded from %s", template)
    return True


def keep_template(home: Path) -> None:
    """Keep the database a project's first server has just migrated, before any flow run wrote to it, as the
    template for the next project's (Prefect's own tables only: block types and schemas, never a run)."""
    template = template_path()
    if template.is_file():
        return
    staged = template.with_name(f".{template.name}.{os.getpid()}.tmp")
    try:
        template.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with sqlite3.connect(f"file:{home / 'prefect.db'}?mode=ro", uri=True) as source, \
                sqlite3.connect(staged) as copy:
            if source.execute("SELECT COUNT(*) FROM flow_run").fetchone()[0]:
                return  # not as migrations left it: never a template
            source.backup(copy)
        os.chmod(staged, 0o600)
        os.replace(staged, template)
    except (OSError, sqlite3.Error) as exc:
        log.debug("Prefect's database was not kept as a template (%s)", type(exc).__name__)
    finally:
        staged.unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _launch(project_root: Path, mode: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **prefect_environment(project_root)}
    env.pop("PREFECT_API_URL", None)
    home = Path(env["PREFECT_HOME"])
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    log_file = os.open(home / "server.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        # its own session: a Ctrl-C meant for qualcode does not take the API away while a run finishes
        return subprocess.Popen([sys.executable, "-m", "qualcode.flows.server", mode, str(port), str(os.getpid())],
                                env=env, cwd=home, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    finally:
        os.close(log_file)


def _healthy(port: int) -> bool:
    """Whether a Prefect API answers its health check on 127.0.0.1:`port`."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, timeout: float, home: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise _ExitedEarly
        if _healthy(port):
            return
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
