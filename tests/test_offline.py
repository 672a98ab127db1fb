"""Offline and private at run time: every qualcode process refuses connections beyond this machine, Prefect runs
against the project's own API whatever `.env`, `prefect.toml`, `pyproject.toml`, profiles or the environment
say, what qualcode writes is owner-only, and a store in use never gets a new pseudonym secret.

These tests run qualcode with sockets open (no test guard): the refusals seen are qualcode's own. Where Debian's
`strace` is installed (`.ci/run` installs it) the processes are traced and every address they tried is checked.
Addresses "beyond this machine" are from 203.0.113.0/24 (TEST-NET-3, never routed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, REVIEW_WEEK
from qualcode.anonymise.detector import Detector
from qualcode.errors import MissingSecret
from qualcode.project import init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.ingest import ingest_inbox

QUALCODE = [sys.executable, "-m", "qualcode.cli"]
ELSEWHERE = "203.0.113.5"
STRACE = shutil.which("strace")
STRACE_REQUIRED = os.environ.get("QUALCODE_REQUIRE_STRACE") == "1"  # .ci/run: a missing strace fails, not skips
needs_strace = pytest.mark.skipif(STRACE is None and not STRACE_REQUIRED,
                                  reason="strace is not installed (apt-get install strace)")


def open_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a user's shell: no test guard, no qualcode switches already set, its own HOME."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PREFECT_", "QUALCODE_", "DASK_")) and name not in ("PYTHONPATH", "HF_HUB_OFFLINE")}
    return {**env, "HOME": str(home), "COLUMNS": "200"}


def hostile_prefect(folder: Path, home: Path) -> dict[str, str]:
    """Every place Prefect reads settings from names a server elsewhere (and other settings qualcode must not
    take): `.env`, `prefect.toml` and `pyproject.toml` in the working folder, ~/.prefect/profiles.toml, and
    the environment (returned)."""
    url = f"http://{ELSEWHERE}:4200/api"
    (folder / ".env").write_text(f"PREFECT_API_URL={url}\nPREFECT_API_KEY=pnu_from_dotenv\n"
                                 "PREFECT_LOGGING_LEVEL=DEBUG\nPREFECT_RESULTS_PERSIST_BY_DEFAULT=true\n")
    (folder / "prefect.toml").write_text(f'[api]\nurl = "{url}"\n[results]\npersist_by_default = true\n'
                                         f'[server.database]\nconnection_url = "postgresql+asyncpg://u:p@{ELSEWHERE}/p"\n')
    (folder / "pyproject.toml").write_text(f'[tool.prefect.api]\nurl = "{url}"\n')
    (home / ".prefect").mkdir(parents=True, exist_ok=True)
    (home / ".prefect" / "profiles.toml").write_text(
        f'active = "remote"\n[profiles.remote]\nPREFECT_API_URL = "{url}"\nPREFECT_API_KEY = "pnu_from_profile"\n')
    return {"PREFECT_API_URL": url, "PREFECT_PROFILE": "remote", "PREFECT_API_KEY": "pnu_from_environment",
            "PREFECT_CLOUD_API_URL": f"https://{ELSEWHERE}/api"}


def traced(command: list[str], log: Path) -> list[str]:
    """`command` under strace, following every process and thread it starts, recording each connect/sendto/
    sendmsg (with a seccomp filter, so the other calls run at full speed); without strace, the command as it is."""
    if STRACE is None:
        return command
    return [STRACE, "-f", "--seccomp-bpf", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(log), *command]


def inet_addresses(log: Path) -> list[str]:
    """Every IPv4 and IPv6 address a traced process tried to reach (connect, or send to an address)."""
    text = log.read_text()
    found = re.findall(r'inet_addr\("([^"]+)"\)', text) + re.findall(r'inet_pton\(AF_INET6, "([^"]+)"', text)
    assert len(found) == len(re.findall(r"sa_family=AF_INET6?\b", text))  # no address the parser missed
    return found


def is_this_machine(address: str) -> bool:
    return (address.startswith("127.") or address in ("0.0.0.0", "::", "::1")
            or address.startswith("::ffff:127."))


# --- the guard in a qualcode process ---------------------------------------------------------------------

PROBE = r"""
import json, socket, subprocess, sys, urllib.request
from qualcode.offline import NetworkBlocked
entry, folder = sys.argv[1], sys.argv[2]
if entry == "cli":
    from qualcode.cli import app
    app(["init", folder], standalone_mode=False)  # the command line's entry: its callback locks the process down
else:
    import qualcode
    qualcode.open_project(folder)  # the notebook API
said = {}
def attempt(name, call):
    try:
        call()
        said[name] = "allowed"
    except OSError as exc:
        said[name] = f"{'NetworkBlocked' if isinstance(exc, NetworkBlocked) else type(exc).__name__}: {exc}"
        said[name + " gaierror"] = isinstance(exc, socket.gaierror)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
port = server.getsockname()[1]
attempt("loopback", lambda: socket.create_connection(("127.0.0.1", port), timeout=5).close())
attempt("localhost", lambda: socket.create_connection(("localhost", port), timeout=5).close())
unix = socket.socket(socket.AF_UNIX)
unix.bind(folder + "/probe.sock")
unix.listen()
attempt("unix", lambda: socket.socket(socket.AF_UNIX).connect(folder + "/probe.sock"))
attempt("create_connection", lambda: socket.create_connection(("ELSEWHERE", 80), timeout=5))
attempt("connect_ex", lambda: socket.socket().connect_ex(("ELSEWHERE", 443)))
attempt("sendto", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"?", ("ELSEWHERE", 53)))
attempt("getaddrinfo", lambda: socket.getaddrinfo("example.org", 443))
attempt("urlopen", lambda: urllib.request.urlopen("http://ELSEWHERE/", timeout=5))
child = subprocess.run([sys.executable, "-c", "import qualcode, socket; "
                        "socket.create_connection(('ELSEWHERE', 80), timeout=5)"], capture_output=True, text=True)
said["child"] = child.stderr.strip().splitlines()[-1] if child.returncode else "allowed"
from qualcode.offline import allow
allow("http://203.0.113.9:4200/api")  # what --prefect-api-url does: that server, and nothing else
attempt("named", lambda: socket.getaddrinfo("203.0.113.9", 4200))
attempt("not named", lambda: socket.getaddrinfo("203.0.113.10", 4200))
print(json.dumps(said))
""".replace("ELSEWHERE", ELSEWHERE)


@pytest.mark.slow
@pytest.mark.parametrize("entry", ["cli", "notebook"])
def test_a_qualcode_process_refuses_every_connection_beyond_this_machine_and_allows_loopback(
        entry: str, tmp_path: Path) -> None:
    assert STRACE is not None or not STRACE_REQUIRED, "strace is required here (QUALCODE_REQUIRE_STRACE=1)"
    folder = tmp_path / "project"
    if entry == "notebook":
        init_project(folder)
    log = tmp_path / "strace.log"
    result = subprocess.run(traced([sys.executable, "-c", PROBE, entry, str(folder)], log), capture_output=True,
                            text=True, env=open_env(tmp_path), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    said = json.loads(result.stdout.strip().splitlines()[-1])
    assert said["loopback"] == said["localhost"] == said["unix"] == said["named"] == "allowed"
    for attempt in ("create_connection", "connect_ex", "sendto", "getaddrinfo", "not named", "child"):
        assert "NetworkBlocked: qualcode works offline" in said[attempt], (attempt, said[attempt])
    assert said["urlopen"].startswith("URLError") and "qualcode works offline" in said["urlopen"]
    assert "example.org" in said["getaddrinfo"] and "DNS" in said["getaddrinfo"]
    assert said["getaddrinfo gaierror"] and not said["create_connection gaierror"]  # a lookup fails as lookups do
    if STRACE is not None:  # refused before any packet: the kernel never saw a connection beyond loopback
        addresses = inet_addresses(log)
        assert "127.0.0.1" in addresses and all(map(is_this_machine, addresses)), addresses


def test_dask_workers_of_a_local_cluster_carry_the_guard(tmp_path: Path) -> None:
    script = (
        "import json, sys\nfrom pathlib import Path\nfrom qualcode.flows.environment import pin_prefect\n"
        "pin_prefect(Path(sys.argv[1]))  # what every flow command does before Prefect and Dask start\n"
        "from distributed import Client, LocalCluster\n"
        "def probe():\n"
        "    import socket, sys\n"
        "    try:\n"
        f"        socket.create_connection(('{ELSEWHERE}', 80), timeout=5)\n"
        "        return 'allowed'\n"
        "    except OSError as exc:\n"
        "        return type(exc).__name__\n"
        "with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host='127.0.0.1',\n"
        "                  dashboard_address=None) as cluster, Client(cluster) as client:\n"
        "    print(json.dumps(list(client.run(probe).values())))\n")
    # run with -c: the worker does not re-import a main script, so only qualcode's own mechanism can guard it
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "project")], capture_output=True,
                            text=True, env=open_env(tmp_path), cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["NetworkBlocked"]


# --- Prefect pinned to the project ---------------------------------------------------------------------------

PREFECT_PROBE = r"""
import json, sys
from pathlib import Path
from qualcode.flows.environment import use_project_prefect
returned = use_project_prefect(Path(sys.argv[1]))
from prefect import flow
from prefect.context import get_settings_context
from prefect.settings import get_current_settings

@flow(name="probe")
def probe():
    return get_current_settings().api.url

ran_on = probe()
settings = get_current_settings()
print(json.dumps({"returned": returned, "ran_on": ran_on, "api": settings.api.url,
                  "key": settings.api.key.get_secret_value() if settings.api.key else None,
                  "home": str(settings.home), "profile": get_settings_context().profile.name,
                  "persist": settings.results.persist_by_default, "level": settings.logging.level,
                  "database": settings.server.database.connection_url.get_secret_value(),
                  "everything": settings.to_environment_variables(include_secrets=True)}))
"""


@pytest.mark.slow
def test_prefect_runs_against_the_projects_own_api_whatever_env_dotenv_toml_and_profiles_say(
        tmp_path: Path) -> None:
    env = open_env(tmp_path)
    env.update(hostile_prefect(tmp_path, Path(env["HOME"])))
    root = tmp_path / "project"
    result = subprocess.run([sys.executable, "-c", PREFECT_PROBE, str(root)], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", seen["api"]) and seen["api"] == seen["returned"]
    assert seen["ran_on"] == seen["api"] and seen["key"] is None and seen["profile"] == "ephemeral"
    assert seen["home"] == str((root / ".prefect").resolve()) and str(root.resolve()) in seen["database"]
    assert seen["persist"] is False and seen["level"] != "DEBUG"
    assert ELSEWHERE not in json.dumps(seen) and "pnu_" not in json.dumps(seen)
    with sqlite3.connect(root / ".prefect" / "prefect.db") as db:  # recorded by the project's own API
        runs = db.execute("SELECT s.type FROM flow_run r JOIN flow f ON f.id = r.flow_id "
                          "JOIN flow_run_state s ON s.id = r.state_id WHERE f.name = 'probe'").fetchall()
    assert runs == [("COMPLETED",)]


class _NotAPrefectServer:
    """A loopback listener standing in for a Prefect server the user names: it counts requests, answers 404."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = int(self.socket.getsockname()[1])
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.socket.accept()
            except OSError:
                return
            with client:
                self.requests.append(client.recv(65536))
                client.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture
def named_server() -> Iterator[_NotAPrefectServer]:
    server = _NotAPrefectServer()
    yield server
    server.socket.close()


@pytest.mark.slow
def test_a_prefect_server_named_with_an_option_is_the_one_used_and_the_command_says_so(
        tmp_path: Path, named_server: _NotAPrefectServer) -> None:
    env = open_env(tmp_path)
    env.update(hostile_prefect(tmp_path, Path(env["HOME"])))
    root = init_project(tmp_path / "project").root
    url = f"http://127.0.0.1:{named_server.port}/api"
    result = subprocess.run([*QUALCODE, "nightly", str(root), "--prefect-api-url", url], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=180)
    said = " ".join(result.stderr.split())
    assert f"flow runs are recorded on the Prefect server at {url} (--prefect-api-url)" in said
    assert named_server.requests and all(b"/api/" in request for request in named_server.requests)
    assert result.returncode != 0  # a server that answers 404 is not one a flow can run on
    assert not (root / ".prefect" / "prefect.db").exists()


# --- a whole nightly run with sockets open ------------------------------------------------------------------

@pytest.fixture(scope="module")
def nightly_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`qualcode nightly` on day 1 of the sample review week, run from a folder whose `.env`, `prefect.toml` and
    `pyproject.toml`, the user's profile and environment all name a Prefect server elsewhere; sockets open
    (no test guard), the whole process tree under strace."""
    work = tmp_path_factory.mktemp("nightly-offline")
    env = open_env(work)
    env.update(hostile_prefect(work, Path(env["HOME"])))
    root = work / "review"
    init = subprocess.run([*QUALCODE, "init", str(root)], capture_output=True, text=True, env=env, cwd=work,
                          timeout=120)
    assert init.returncode == 0, init.stderr
    shutil.copytree(REVIEW_WEEK / "day1", root / "inbox" / "day1")
    shutil.copyfile(REVIEW_WEEK / "hypotheses.yaml", root / "hypotheses.yaml")
    (root / "inbox" / "day1" / "notes-empty.txt").write_text("")  # set aside: inbox/_rejected/ is created
    log = work / "strace.log"
    result = subprocess.run(traced([*QUALCODE, "nightly", str(root), "--date", "2026-03-09"], log),
                            capture_output=True, text=True, env=env, cwd=work, timeout=600)
    return {"root": root, "result": result, "log": log}


@pytest.mark.slow
@needs_strace
def test_a_nightly_run_sends_nothing_beyond_this_machine_whatever_prefect_settings_say(
        nightly_run: dict[str, Any]) -> None:
    assert STRACE is not None, "strace is required here (QUALCODE_REQUIRE_STRACE=1)"
    addresses = inet_addresses(nightly_run["log"])
    assert addresses.count("127.0.0.1") >= 10  # the flow's calls to the project's API were seen
    assert all(map(is_this_machine, addresses)), sorted(set(addresses))
    assert ELSEWHERE not in nightly_run["log"].read_text()


@pytest.mark.slow
def test_the_nightly_run_completed_on_the_projects_own_prefect_api_and_wrote_its_briefing(
        nightly_run: dict[str, Any]) -> None:
    root, result = nightly_run["root"], nightly_run["result"]
    assert result.returncode == 3, result.stdout + result.stderr  # ran; one file set aside
    assert (root / "outputs" / "2026-03-09" / "briefing.html").is_file()
    assert result.stdout.strip().splitlines()[-1].endswith("briefing.html")
    assert "note" not in result.stderr and ELSEWHERE not in result.stdout + result.stderr
    with sqlite3.connect(root / ".prefect" / "prefect.db") as db:
        runs = db.execute("SELECT f.name, s.type FROM flow_run r JOIN flow f ON f.id = r.flow_id "
                          "JOIN flow_run_state s ON s.id = r.state_id").fetchall()
    assert runs == [("nightly-review", "COMPLETED")]


@pytest.mark.slow
def test_what_a_nightly_run_writes_for_a_project_is_owner_only(nightly_run: dict[str, Any]) -> None:
    root: Path = nightly_run["root"]
    placed = {root / "hypotheses.yaml", root / "inbox" / "day1",
              *(root / "inbox" / "day1").iterdir()}  # copied in by this test, as a person would
    written = [root, *(p for p in root.rglob("*") if p not in placed and p.parent not in placed)]
    names = {p.relative_to(root).as_posix() for p in written}
    assert {"qualcode.db", "qualcode.yaml", "cache", "cache/embeddings.sqlite", "private/pseudonym-secret",
            "private/pseudonym-key.csv", ".prefect", ".prefect/prefect.db", "inbox/_rejected",
            "outputs/2026-03-09/briefing.html"} <= names
    open_to_others = {p.relative_to(root).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in written
                      if stat.S_IMODE(p.stat().st_mode) & 0o077
                      and not p.name.endswith("-empty.txt")}  # the set-aside file keeps the mode it came with
    assert open_to_others == {}


# --- files and the secret, in the library ---------------------------------------------------------------

def test_a_new_project_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # a shell's usual umask: without qualcode's own modes, others could read
    try:
        project = init_project(tmp_path / "new")
    finally:
        os.umask(previous)
    for folder in (project.root, project.inbox, project.outputs, project.cache, project.key_path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for path in (project.root / "qualcode.yaml", project.store_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    with Store(project.store_path):  # the empty file is a store; SQLite gives its journals the store's mode
        journals = [p for p in project.root.iterdir() if p.name.startswith("qualcode.db-")]
        assert journals and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in journals)


def test_a_store_in_use_never_gets_a_new_pseudonym_secret(tmp_path: Path, segmenter: Segmenter,
                                                          detector: Detector) -> None:
    project = init_project(tmp_path / "review")
    (project.inbox / "one.txt").write_text("Head of Service: Kayleigh Hargreaves told us the audits changed.\n")
    ingest_inbox(project, segmenter=segmenter, detector=detector)  # a new project makes its secret
    secret = project.secret_path.read_bytes()
    assert stat.S_IMODE(project.secret_path.stat().st_mode) == 0o600 and len(secret) == 65
    with Store(project.store_path) as store:
        before = store.counts()
    (project.inbox / "two.txt").write_text("Designated Nurse: Kayleigh Hargreaves was never at the meeting.\n")

    project.secret_path.unlink()  # lost with private/
    with pytest.raises(MissingSecret) as missing:
        ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not (project.key_path.parent / "pseudonym-secret").exists()
    assert "E210" in str(missing.value) and "Restore" in str(missing.value) and "backup" in str(missing.value)

    for damaged in (b"", b"\n", b"not a secret\n"):
        (project.key_path.parent / "pseudonym-secret").write_bytes(damaged)
        with pytest.raises(MissingSecret, match="empty or damaged"):
            ingest_inbox(project, segmenter=segmenter, detector=detector)
    with Store(project.store_path) as store:
        assert store.counts() == before  # nothing was ingested under a wrong secret

    (project.key_path.parent / "pseudonym-secret").write_bytes(secret)  # restored from backup
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    with Store(project.store_path) as store:
        texts = " ".join(store.segments()["text"])
    assert texts.count("[PERSON_1]") == 2  # the same person, the same placeholder, on both days
