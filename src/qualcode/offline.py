"""Keep every qualcode process on this machine and its files owner-only: data here concerns children.

Three layers:

- `enforce_offline()` (on `import qualcode`) sets the switches that stop Hugging Face, Prefect and friends from
  calling home.
- `block_network()` refuses, for the rest of the process, every connection beyond this machine: an audit hook
  (PEP 578, `sys.addaudithook`) sees each `socket.connect`/`connect_ex`, `sendto`, `sendmsg`, `getaddrinfo`,
  `gethostbyname(_ex)`, `gethostbyaddr` and `getnameinfo` whoever calls it (`socket.create_connection`, httpx,
  asyncio, urllib, Dask), and raises `NetworkBlocked` (an `OSError`) before anything is sent, unless the
  address is loopback, a Unix socket or a server the user named with an option (`allow`). An audit hook cannot
  be removed, and references to `socket` functions taken before it was installed are covered too. It sets
  `QUALCODE_OFFLINE_GUARD=1` in the environment, so every qualcode process started from this one (Prefect's
  local API server, Dask workers, flow runs) installs it again on `import qualcode`.
- `owner_only_files()` sets the process umask to 077: every folder qualcode creates is 0700 and every file
  0600 (the store and its journals, cache/, the set-aside folders, private/, .prefect/, outputs/).

`lock_down()` does the last two; the command line, the Prefect flows and the notebook API call it.
What a socket guard in Python cannot see: C libraries that open their own sockets (none of qualcode's
dependencies does so at run time) and programs that are not Python.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

# Forced, not defaulted: no setting in a user's shell may switch these back on.
FORCED = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # our own progress bars say what is happening
}

GUARD_VARIABLE = "QUALCODE_OFFLINE_GUARD"  # "1": `import qualcode` installs the network guard
ALLOW_VARIABLE = "QUALCODE_OFFLINE_ALLOW"  # "host:port host:port": servers the user named with an option
DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443, "tcp": 8786, "tls": 8786}
_LOCAL_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class NetworkBlocked(OSError):
    """A connection beyond this machine was refused: qualcode never sends anything off the machine."""


class LookupBlocked(socket.gaierror, NetworkBlocked):
    """A name lookup on the network was refused; a `socket.gaierror` too, so a library that falls back when a
    name cannot be resolved (to 127.0.0.1, say) still does."""


def enforce_offline() -> None:
    """Set the switches that stop Hugging Face, Prefect and friends from calling home; in a process started
    by a guarded qualcode process, install the network guard too (with the servers the user named)."""
    os.environ.update(FORCED)
    if os.environ.get(GUARD_VARIABLE) == "1":
        block_network(os.environ.get(ALLOW_VARIABLE, "").split())


# --- the guard ---------------------------------------------------------------------------------------------

_allowed_names: set[str] = set()  # host names and addresses the user named (getaddrinfo may resolve these)
_allowed_endpoints: set[tuple[str, int]] = set()  # (address, port) pairs they resolve to (connect may reach)
_shown: list[str] = []  # "host:port" as the user named them, for the environment and for messages
_installed = False


def is_local(host: object) -> bool:
    """Loopback, unspecified (0.0.0.0, ::: this machine) or the name localhost; names are never resolved."""
    if host is None:
        return True
    if isinstance(host, bytes | bytearray):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _name(host: object) -> str:
    if isinstance(host, bytes | bytearray):
        return bytes(host).decode("ascii", "replace").lower()
    return str(host).lower()


def _port(port: object) -> int | None:
    if isinstance(port, int):
        return port
    if isinstance(port, str | bytes) and port.isdigit():
        return int(port)
    return None


def _refuse(what: str, error: type[NetworkBlocked] = NetworkBlocked) -> None:
    raise error(f"qualcode works offline: {what} was refused; only this machine (loopback) is used. "
                "To use a server elsewhere, name it with an option (--prefect-api-url, --dask-address).")


def _shown_endpoint(host: str, port: object) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_endpoint(host: object, port: object) -> None:
    if is_local(host) or (_name(host), _port(port)) in _allowed_endpoints:
        return
    _refuse(f"a connection to {_shown_endpoint(_name(host), _port(port))}")


def _check_lookup(host: object, port: object = None) -> None:
    if is_local(host) or _name(host) in _allowed_names:
        return
    try:
        ipaddress.ip_address(_name(host).split("%", 1)[0])
    except ValueError:
        _refuse(f"looking up the name {_name(host)!r} (a DNS query)", LookupBlocked)
    _refuse(f"a connection to {_shown_endpoint(_name(host), _port(port))}")


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """The audit hook: called for every audited event in the process, so it returns at once for the rest."""
    if not event.startswith("socket."):
        return
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if address is not None and getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            _check_endpoint(address[0], address[1])
    elif event == "socket.getaddrinfo":
        _check_lookup(args[0], args[1])
    elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
        _check_lookup(args[0])
    elif event == "socket.getnameinfo":
        _check_lookup(args[0][0])
    elif event == "socket.__new__" and args[1] == getattr(socket, "AF_PACKET", None):
        _refuse("a raw network socket")


def block_network(servers: Iterable[str] = ()) -> None:
    """Refuse every connection beyond this machine for the rest of this process, and in the qualcode processes
    it starts; `servers` are those the user named explicitly (see `allow`)."""
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True
    os.environ[GUARD_VARIABLE] = "1"
    for address in servers:
        allow(address)


def allow(address: str) -> str:
    """Let this process (and the qualcode processes it starts) reach one server the user named with an option:
    a URL (http://host:4200/api) or a Dask address (tcp://host:8786, host:port). Returns "host:port" for
    saying so. Only that port on that host: everything else beyond this machine stays refused."""
    parts = urlsplit(address if "://" in address else f"//{address}")
    host = (parts.hostname or "").lower()
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    if not host or port is None:
        raise ValueError("a server address needs a host and a port (http://host:port/..., tcp://host:port)")
    shown = _shown_endpoint(host, port)
    if is_local(host):
        return shown
    _allowed_names.add(host)
    _allowed_endpoints.add((host, port))
    try:
        for *_, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
            _allowed_names.add(str(sockaddr[0]).lower())
            _allowed_endpoints.add((str(sockaddr[0]).lower(), port))
    except OSError:
        pass  # not resolvable now: connecting will fail on its own, with its own message
    if shown not in _shown:
        _shown.append(shown)
    os.environ[ALLOW_VARIABLE] = " ".join(_shown)
    return shown


def allowed() -> list[str]:
    """The servers beyond this machine this process may reach, as "host:port" (empty: none)."""
    return list(_shown)


def forget_allowed() -> None:
    """No server beyond this machine is allowed any more (a new command starts from none)."""
    _allowed_names.clear()
    _allowed_endpoints.clear()
    _shown.clear()
    os.environ.pop(ALLOW_VARIABLE, None)


# --- files -------------------------------------------------------------------------------------------------

OWNER_ONLY_UMASK = 0o077


def owner_only_files() -> None:
    """Every folder this process (and what it starts) creates is 0700, every file 0600."""
    os.umask(OWNER_ONLY_UMASK)


def lock_down(servers: Iterable[str] = ()) -> None:
    """What every qualcode entry point does first: no network beyond this machine, owner-only files."""
    block_network(servers)
    owner_only_files()
