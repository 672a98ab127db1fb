"""The workbench guard's rules, request by request (fast; `test_workbench` tries them on a real server)."""

from __future__ import annotations

import pytest

from qualcode.web.security import COOKIE, CSRF_HEADER, Guard
from qualcode.web.server import is_loopback

GUARD = Guard(token="t" * 43, host="127.0.0.1", port=8123)
COOKIES = {"cookie": f"other=1; {COOKIE}={'t' * 43}"}


def _headers(**more: str) -> dict[str, str]:
    return {"host": "127.0.0.1:8123", **COOKIES, **more}


def test_a_page_with_the_cookie_or_the_printed_token_is_served() -> None:
    assert GUARD.refusal("GET", _headers(), {}) is None
    assert GUARD.refusal("GET", {"host": "localhost:8123"}, {"token": "t" * 43}) is None
    assert GUARD.url("/review").startswith("http://127.0.0.1:8123/review?token=")


@pytest.mark.parametrize(("method", "headers", "query"), [
    ("GET", {"host": "127.0.0.1:8123"}, {}),  # no token
    ("GET", {"host": "127.0.0.1:8123", "cookie": f"{COOKIE}=nope"}, {}),  # a wrong one
    ("GET", {"host": "127.0.0.1:8123"}, {"token": "t" * 42}),
    ("GET", _headers(host="attacker.example:8123"), {}),  # DNS rebinding
    ("GET", _headers(host="10.0.0.4:8123"), {}),  # a non-loopback address not named with --host
    ("GET", _headers(host="127.0.0.1:9999"), {}),  # another port
    ("POST", _headers(origin="http://127.0.0.1:8123"), {}),  # a change without the CSRF token
    ("POST", _headers(origin="http://evil.example", **{CSRF_HEADER: GUARD.csrf}), {}),  # from another origin
    ("POST", _headers(**{"sec-fetch-site": "cross-site", CSRF_HEADER: GUARD.csrf}), {}),
    ("POST", _headers(origin="http://127.0.0.1:8123", **{CSRF_HEADER: "x" * 64}), {}),
])
def test_the_guard_refuses(method: str, headers: dict[str, str], query: dict[str, str]) -> None:
    assert GUARD.refusal(method, headers, query) is not None


def test_a_change_from_the_page_itself_is_let_through() -> None:
    assert GUARD.refusal("POST", _headers(origin="http://127.0.0.1:8123", **{CSRF_HEADER: GUARD.csrf}), {}) is None


def test_an_address_named_with_host_is_answered_and_loopback_names_only_on_loopback() -> None:
    named = Guard(token="t" * 43, host="10.0.0.4", port=8123)
    assert named.refusal("GET", {**COOKIES, "host": "10.0.0.4:8123"}, {}) is None
    assert named.refusal("GET", {**COOKIES, "host": "127.0.0.1:8123"}, {}) is not None
    assert is_loopback("127.0.0.1") and is_loopback("::1") and not is_loopback("0.0.0.0")
    assert not is_loopback("10.0.0.4")


def test_on_every_address_any_host_is_answered_but_only_with_the_token() -> None:
    everywhere = Guard(token="t" * 43, host="0.0.0.0", port=8123)
    assert everywhere.refusal("GET", {**COOKIES, "host": "reviewer-laptop.local:8123"}, {}) is None
    assert everywhere.refusal("GET", {"host": "reviewer-laptop.local:8123"}, {}) is not None
