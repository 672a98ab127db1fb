"""What stands between the workbench and anyone but the person who started it.

The workbench shows confidential statements, so every request must prove it comes from the browser the person
opened with the printed URL, on this machine:

- **Token.** `qualcode serve` prints a URL with a random token (as Jupyter does). The first visit trades it for an
  HttpOnly, SameSite=Strict cookie and is redirected to the same page without it, so the token leaves the address
  bar and no later request carries it where a log or a Referer could catch it. A request with neither is refused.
- **Host.** The Host header must name the address the server listens on (loopback unless `--host` named another),
  which defeats DNS rebinding: a page from elsewhere cannot reach the server through a name that resolves here.
- **Changes.** Every request that changes something (POST) must come from our own origin (Origin header, or
  `Sec-Fetch-Site: same-origin` where a browser sends no Origin) and carry the CSRF token of the page it came from
  in `X-CSRF-Token`, which a page of another origin cannot read.
- **Headers.** A Content-Security-Policy that lets the page load only its own scripts and styles and connect only to
  itself, no framing, no referrer, no caching of pages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "qualcode_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_PARAMETER = "token"
SAFE_METHODS = frozenset({"GET", "HEAD"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = (
    (b"content-security-policy", POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Guard:
    """The token, the addresses the server answers to, and the CSRF token derived from the token."""

    token: str
    host: str
    port: int
    hosts: frozenset[str] = field(default_factory=frozenset)

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"qualcode csrf", hashlib.sha256).hexdigest()

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """Host headers accepted: the address listened on (and loopback names when that is loopback), with the
        port."""
        names = {self.host} | (LOOPBACK if self.host in LOOPBACK else set()) | set(self.hosts)
        return frozenset(f"{name}:{self.port}" for name in names)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.allowed_hosts)

    def url(self, path: str = "/") -> str:
        shown = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"http://{shown}:{self.port}{path}?{urlencode({TOKEN_PARAMETER: self.token})}"

    @property
    def every_address(self) -> bool:
        """Listening on every address (`--host 0.0.0.0`): the machine's names are not known here, so any Host is
        answered, and the token alone keeps others out."""
        return self.host in ("0.0.0.0", "::", "[::]")

    def refusal(self, method: str, headers: dict[str, str], query: dict[str, str]) -> str | None:
        """Why a request is refused, or None (the request may go on)."""
        if not self.every_address and headers.get("host", "") not in self.allowed_hosts:
            return "this server answers only to the address it was started on"
        presented = query.get(TOKEN_PARAMETER) or _cookie(headers.get("cookie", ""), COOKIE)
        if not presented or not hmac.compare_digest(presented, self.token):
            return "open the workbench with the URL `qualcode serve` printed (it carries the access token)"
        if method not in SAFE_METHODS:
            origin = headers.get("origin")
            if origin is not None and origin not in self.origins:
                return "a change from another origin"
            if origin is None and headers.get("sec-fetch-site", "same-origin") != "same-origin":
                return "a change from another site"
            if not hmac.compare_digest(headers.get(CSRF_HEADER, ""), self.csrf):
                return "a change without this page's CSRF token (reload the page)"
        return None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class GuardMiddleware:
    """ASGI middleware applying a `Guard` to every HTTP request, and the security headers to every response."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        refusal = self.guard.refusal(scope["method"], headers, query)
        if refusal is not None:
            await _respond(send, 403, f"Refused: {refusal}.\n".encode())
            return
        if TOKEN_PARAMETER in query:  # trade the token for a cookie, and take it out of the address bar
            rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
                              if k != TOKEN_PARAMETER])
            location = scope["path"] + (f"?{rest}" if rest else "")
            cookie = f"{COOKIE}={self.guard.token}; HttpOnly; SameSite=Strict; Path=/"
            await _respond(send, 303, b"", [(b"location", location.encode()), (b"set-cookie", cookie.encode())])
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, secured)


async def _respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *(headers or []), *HEADERS]})
    await send({"type": "http.response.body", "body": body})
