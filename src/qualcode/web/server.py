"""Serving the workbench: a socket on the chosen address, a fresh token, uvicorn without an access log."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path

from qualcode.errors import CannotServe
from qualcode.web.security import LOOPBACK, Guard, new_token

DEFAULT_HOST = "127.0.0.1"


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: a free one), so the URL printed is the one that answers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise CannotServe(f"Cannot listen on {host}:{port} ({exc.strerror or type(exc).__name__}).") from None
    sock.listen(128)
    return sock


def serve(root: Path, coder: str, *, host: str = DEFAULT_HOST, port: int = 0, blind: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Serve the workbench over the project at `root` until interrupted; `announce` gets the URL to open."""
    import uvicorn

    from qualcode.web.app import Workbench, create_app
    from qualcode.workspace import Workspace

    workspace = Workspace.open(root)
    sock = bind(host, port)
    guard = Guard(token=new_token(), host=host, port=sock.getsockname()[1])
    app = create_app(Workbench(workspace, coder, blind=blind), guard)
    announce(guard.url("/review"))
    # No access log: paths carry statement ids, and nothing a request carries belongs in a log.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False,
                            date_header=False)
    uvicorn.Server(config).run(sockets=[sock])
