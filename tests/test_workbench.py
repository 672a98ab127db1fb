"""The review workbench (`qualcode serve`): a real server process over a real coded week, driven by Debian's
Chromium through Playwright, and its guard tried with real HTTP requests."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import ARTIFACTS, CHROMIUM_ARGS, copy_project, debian_chromium, offline_env
from qualcode.project import Project
from qualcode.store import Store
from qualcode.web.security import COOKIE, Guard
from qualcode.workspace.reports import Report

pytestmark = pytest.mark.slow  # a server process and a browser; test_web_security tests the guard's rules fast
SCREENS = ("review", "sources", "hypotheses", "matrix", "themes", "documents", "agreement", "codebook")


@dataclass(frozen=True)
class Served:
    url: str  # as printed, with the token
    base: str  # http://127.0.0.1:PORT
    token: str
    root: Path
    log: Path
    output: Path


@pytest.fixture(scope="module")
def served(review_week_reports: tuple[Project, list[Report]], review_week_vectors: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`qualcode serve` as a person starts it, over a copy of the coded review week, in a process that cannot
    reach beyond this machine."""
    source, _ = review_week_reports
    tmp = tmp_path_factory.mktemp("workbench")
    project = copy_project(source, tmp / "project", review_week_vectors)
    env, log = offline_env(tmp)
    output = tmp / "serve.out"
    with output.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "qualcode.cli", "serve", str(project.root), "--coder",
                                    "alice"], stdout=out, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        url = ""
        deadline = time.monotonic() + 120
        while not url and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            url = next((line.strip() for line in output.read_text().splitlines() if line.startswith("http://")), "")
        assert url, output.read_text()
        base, _, token = url.partition("/review?token=")
        yield Served(url=url, base=base, token=token, root=project.root, log=log, output=output)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _request(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
             body: dict[str, object] | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _decisions(root: Path) -> list[dict[str, object]]:
    with Store(root / "qualcode.db") as store:
        return list(store.decisions().to_dict("records"))


def test_the_guard_refuses_without_the_token_from_another_origin_and_through_another_host(served: Served) -> None:
    cookie = {"Cookie": f"{COOKIE}={served.token}"}
    assert _request(f"{served.base}/review")[0] == 403  # no token
    assert _request(f"{served.base}/review", headers={"Cookie": f"{COOKIE}=guess"})[0] == 403
    assert _request(f"{served.base}/static/app.js")[0] == 403  # assets too
    status, _ = _request(served.url)  # the printed URL trades the token for a cookie and drops it from the address
    assert status == 303
    assert _request(f"{served.base}/review", headers=cookie)[0] == 200
    # a page of another origin, or one reached through another name (DNS rebinding), or a non-loopback address
    port = served.base.rsplit(":", 1)[1]
    for host in (f"evil.example:{port}", f"10.1.2.3:{port}", f"192.168.0.7:{port}"):
        assert _request(f"{served.base}/review", headers={**cookie, "Host": host})[0] == 403, host
    statement = "rw-d1-01:0001"
    change = {"segment_id": statement, "code_id": "loe.frontline_practice", "decision": "accept"}
    csrf = Guard(token=served.token, host="127.0.0.1", port=int(port)).csrf
    for headers in ({**cookie, "Origin": "http://evil.example", "X-CSRF-Token": csrf},  # another origin
                    {**cookie, "Origin": served.base},  # no CSRF token
                    {**cookie, "Origin": served.base, "X-CSRF-Token": "0" * 64},  # a wrong one
                    {**cookie, "Sec-Fetch-Site": "cross-site", "X-CSRF-Token": csrf}):  # a cross-site form
        assert _request(f"{served.base}/api/decide", method="POST", headers=headers, body=change)[0] == 403
    assert not [d for d in _decisions(served.root) if d["segment_id"] == statement]
    # bad input is a clear refusal that repeats nothing from the request, never a traceback
    headers = {**cookie, "Origin": served.base, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    status, body = _request(f"{served.base}/api/decide", method="POST", headers=headers,
                            body={**change, "segment_id": "no-such-statement"})
    assert status == 400 and "unknown statement" in body and "no-such-statement" not in body
    assert "Traceback" not in served.output.read_text()


def test_a_review_session_in_chromium_from_the_keyboard(served: Served) -> None:
    from playwright.sync_api import expect

    before = len(_decisions(served.root))
    with browsing(served) as seen:
        page = seen.page
        assert "token" not in page.url and page.url.endswith("/review")
        items = page.locator("#queue .item")
        assert items.count() >= 12
        page.screenshot(path=str(ARTIFACTS / "workbench-review.png"), full_page=False)
        # ten statements reviewed from the keyboard: accept, reject, flip a stance, say which side
        keys = ["a", "a", "r", "f", "a", "s", "c", "a", "n", "a"]
        expected = []
        for n, key in enumerate(keys):
            item = items.nth(n)
            assert "focus" in (item.get_attribute("class") or "")
            expected.append((item.get_attribute("data-segment"), item.get_attribute("data-code"), key,
                             item.get_attribute("data-valence"), item.get_attribute("data-supports"),
                             item.get_attribute("data-contradicts")))
            page.keyboard.press(key)
            expect(page.locator("#queue .item.decided")).to_have_count(n + 1)
        # add a code by number to the next statement
        added = items.nth(len(keys))
        page.keyboard.type("2")
        page.keyboard.press("Enter")
        expect(added.locator(".outcome")).not_to_have_text("")
        added_segment = added.get_attribute("data-segment")
        page.screenshot(path=str(ARTIFACTS / "workbench-review-decided.png"), full_page=False)

        # code a span by hand in the transcript reader
        source = str(expected[0][0]).split(":")[0]
        page.goto(f"{served.base}/sources/{source}")
        statement = page.locator(".stmt").nth(2)
        span_segment = statement.get_attribute("data-segment")
        page.evaluate(SELECT_WORDS, span_segment)
        page.wait_for_selector("#spanbox:not([hidden])")
        page.keyboard.type("3")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#s-{span_segment.replace(':', chr(92) + '3a ')} .bar.human")
        page.reload()
        assert page.locator(f"#s-{span_segment.replace(':', chr(92) + '3a ')} .bar.human").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "workbench-reader.png"), full_page=False)
        # the same statement becomes an example of a code: a new version of the codebook
        page.evaluate(SELECT_WORDS, span_segment)
        page.wait_for_selector("#spanbox:not([hidden])")
        codes = page_codes(served.root)
        page.select_option("#spancode", codes[4])
        page.click("#asexample")
        expect(page.locator("#status")).to_contain_text("Added 1 example")
        example = page.locator(f"#s-{span_segment.replace(':', chr(92) + '3a ')} .run").inner_text()
        for screen in SCREENS[2:]:
            page.goto(f"{served.base}/{screen}")
            assert page.locator("h1").count() == 1
            page.screenshot(path=str(ARTIFACTS / f"workbench-{screen}.png"), full_page=False)
        page.goto(f"{served.base}/codebook")
        assert example.strip() in page.locator(f"[id='c-{codes[4]}'] .examples").inner_text()
        page.goto(f"{served.base}/sources")
        page.screenshot(path=str(ARTIFACTS / "workbench-sources.png"), full_page=False)
        page.goto(f"{served.base}/review")  # after a reload the decided statements have left the list
        remaining = {page.locator("#queue .item").nth(i).get_attribute("data-segment")
                     for i in range(page.locator("#queue .item").count())}

    assert seen.problems == [] and seen.elsewhere == []
    recorded = {(d["segment_id"], d["code_id"]): d for d in _decisions(served.root)}
    assert len(recorded) >= before + len(keys) + 2
    flip = {"strength": "area_for_improvement", "area_for_improvement": "strength"}
    for segment, code, key, valence, supports, contradicts in expected:
        decision = recorded[(segment, code)]
        assert decision["coder"] == "alice" and decision["decided_at"]
        assert decision["decision"] == ("reject" if key == "r" else "accept")
        given = decision["valence"] if isinstance(decision["valence"], str) else None
        assert given == {"a": valence, "r": None, "f": flip.get(str(valence)), "s": supports, "c": contradicts,
                         "n": "neutral"}[key], key
    config = (served.root / "qualcode.yaml").read_text()
    assert "codebook: codebooks/" in config  # the new version, beside the project; the bundled one untouched
    assert recorded[(added_segment, codes[1])]["decision"] == "add"
    assert recorded[(span_segment, codes[2])]["decision"] == "add"
    assert recorded[(span_segment, codes[2])]["coder"] == "alice"
    assert not remaining & {e[0] for e in expected}
    log = served.log.read_text() if served.log.exists() else ""
    assert log == ""  # nothing tried to reach beyond this machine
    served_output = served.output.read_text()
    assert "Traceback" not in served_output and "rw-d1" not in served_output  # no statement, no id in the log
    for screen in ("review", "review-decided", "reader", *SCREENS[2:], "sources"):
        assert (ARTIFACTS / f"workbench-{screen}.png").stat().st_size > 10_000


def test_documents_vs_voices_in_chromium_shows_the_self_evaluation_against_the_interviews(served: Served) -> None:
    """The contradiction planted in the sample (corpora/samples/review_week/README.md, pre-review): the
    self-evaluation calls supervision reflective and recording timely; the week's voices support H2 (supervision
    not reflective, recording lags)."""
    from playwright.sync_api import expect

    with browsing(served) as seen:
        page = seen.page
        page.goto(f"{served.base}/documents")
        found = page.locator("#documents-vs-voices .contradiction[data-hypothesis='H2']")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("self-evaluation leans against")
        expect(found).to_contain_text("the week's voices lean for")
        expect(found.locator(".document-claim")).to_contain_text(re.compile(r"reflective|recording"))
        expect(found.locator(".document-claim cite")).to_contain_text("\u00a7")
        voice = found.locator(".voice-quote a")
        expect(voice).to_have_attribute("href", re.compile(r"^/sources/rw-d\d-"))
        expect(page.locator("#indicators tr.flagged", has_text="Agency social workers")).to_have_count(1)
        expect(page.locator("#proposals .proposal", has_text="referr").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "workbench-documents-vs-voices.png"), full_page=True)
        voice.click()
        expect(page.locator("h1")).to_contain_text("rw-d")
    assert seen.problems == [] and seen.elsewhere == []


def test_a_theme_becomes_a_code_in_chromium_and_the_next_night_codes_its_quotes(served: Served,
                                                                                 tmp_path: Path) -> None:
    """The planted interpreter thread (corpora/samples/review_week/README.md), outside every line of enquiry, made a
    code from the Themes screen; the nightly flow then recodes the week and the theme's quotes carry the code."""
    import yaml
    from playwright.sync_api import expect

    with browsing(served) as seen:
        page = seen.page
        page.goto(f"{served.base}/themes")
        card = page.locator("section.theme.place-outside", has_text="interpret").first
        theme_id = card.get_attribute("data-theme")
        quoted = [str(a.get_attribute("href")).split("#s-", 1)[1] for a in card.locator("blockquote a").all()]
        assert len(quoted) >= 2
        card.locator("details.draft-hypothesis summary").click()
        drafted = card.locator("details.draft-hypothesis textarea").input_value()
        card.locator("details.make-code summary").click()
        card.locator("input[name=id]").fill("emerging.interpreters")
        card.locator("input[name=label]").fill("Interpreters for families who do not speak English")
        card.locator("button[type=submit]").click()
        expect(page.locator("#status")).to_contain_text("Added code emerging.interpreters")
        page.screenshot(path=str(ARTIFACTS / "workbench-themes.png"), full_page=False)
        page.goto(f"{served.base}/codebook")
        expect(page.locator("[id='c-emerging.interpreters'] .examples li").first).to_be_visible()
    assert seen.problems == [] and seen.elsewhere == []
    hypothesis = yaml.safe_load(drafted)[0]
    assert hypothesis["id"] == f"H-{theme_id}" and hypothesis["supported_by"] in ("strength", "area_for_improvement")
    assert hypothesis["codes"] and "interpret" in " ".join(hypothesis["keywords"])

    env, log = offline_env(tmp_path)
    night = subprocess.run([sys.executable, "-m", "qualcode.cli", "nightly", str(served.root), "--date", "2026-03-12"],
                           env=env, capture_output=True, text=True, timeout=900)
    assert night.returncode == 0, night.stdout[-3000:] + night.stderr[-3000:]
    from qualcode.workspace import Workspace

    workspace = Workspace.open(served.root)
    codings = workspace.codings()
    coded = set(codings.loc[(codings["code_id"] == "emerging.interpreters") & codings["assigned"].astype(bool),
                            "segment_id"])
    assert set(quoted) <= coded
    tonight = workspace.emerging_themes()
    assert tonight.day is not None and tonight.day.isoformat() == "2026-03-12"
    assert theme_id not in set(tonight.themes.loc[tonight.themes["place"] == "outside", "theme_id"])
    assert not (log.read_text() if log.exists() else "")  # nothing tried to reach beyond this machine


@dataclass
class Browsing:
    page: Any
    problems: list[str] = field(default_factory=list)  # console errors and warnings, page errors
    elsewhere: list[str] = field(default_factory=list)  # requests to anywhere but the workbench


@contextmanager
def browsing(served: Served) -> Iterator[Browsing]:
    """Debian's Chromium on the workbench, signed in with the printed URL, noting every problem and every request
    that leaves it."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=debian_chromium(), args=CHROMIUM_ARGS)
        try:
            seen = Browsing(page=browser.new_page(viewport={"width": 1280, "height": 900}))
            seen.page.on("console", lambda m: seen.problems.append(m.text) if m.type in ("error", "warning")
                         else None)
            seen.page.on("pageerror", lambda e: seen.problems.append(str(e)))
            seen.page.on("request", lambda r: None if r.url.startswith(served.base) else seen.elsewhere.append(r.url))
            seen.page.goto(served.url)
            yield seen
        finally:
            browser.close()


SELECT_WORDS = """(id) => {
    const run = document.querySelector(`#s-${CSS.escape(id)} .run`);
    const range = document.createRange();
    range.setStart(run.firstChild, 2);
    range.setEnd(run.firstChild, Math.min(30, run.firstChild.length));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
}"""


def page_codes(root: Path) -> list[str]:
    from qualcode.workspace import Workspace

    return [c.id for c in Workspace.open(root).codebook.leaves]
