"""The review workbench: a local web app over one project, for reading, checking and coding in the browser.

Every screen reads the project through the service layer (`Workspace`) and every change is one of its operations
(`decide`, `code_span`, `relearn`), so what the workbench records is what `review import` would record: in one
transaction, attributed to the person and the time, never overwritten by a rerun or an older import.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast, get_args

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from qualcode.errors import QualcodeError
from qualcode.evidence.analysis import Analysis
from qualcode.evidence.settings import Case
from qualcode.web import pages
from qualcode.web.security import Guard, GuardMiddleware
from qualcode.workspace import Workspace

STATIC = Path(__file__).resolve().parent / "static"
SCREENS = (("review", "Tonight's review"), ("sources", "Transcripts"), ("hypotheses", "Hypotheses"),
           ("matrix", "Matrix"), ("themes", "Themes"), ("documents", "Documents"),
           ("agreement", "Agreement"), ("codebook", "Codebook"))
CASES: tuple[str, ...] = get_args(Case)


@dataclass
class Workbench:
    """A project open in the workbench, for one person. The analysis is kept until the store changes (a decision
    here, or a nightly run beside it), so moving between screens costs nothing."""

    workspace: Workspace
    coder: str
    blind: bool = False
    _cached: tuple[tuple[int, ...], Analysis] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _stamp(self) -> tuple[int, ...]:
        store = self.workspace.project.store_path
        files = (store, store.with_name(store.name + "-wal"))
        return tuple(n for f in files for n in ((f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else (0, 0)))

    def analysis(self) -> Analysis:
        with self._lock:
            stamp = self._stamp()
            if self._cached is None or self._cached[0] != stamp:
                self._cached = (stamp, self.workspace.analysis(coder=self.coder if self.blind else None))
            return self._cached[1]

    def decisions(self) -> pd.DataFrame:
        decisions = self.workspace.decisions()
        return decisions[decisions["coder"] == self.coder] if self.blind else decisions


def create_app(bench: Workbench, guard: Guard) -> GuardMiddleware:
    """The workbench as an ASGI app, behind its guard (`qualcode.web.security`)."""
    templates = Environment(loader=PackageLoader("qualcode.web", "templates"),
                            autoescape=select_autoescape(default=True, default_for_string=True))

    def render(request: Request, name: str, **context: Any) -> HTMLResponse:
        workspace = bench.workspace
        body = templates.get_template(f"{name}.html").render(
            screens=SCREENS, current=name, project=workspace.project.config.name or workspace.root.name,
            coder=bench.coder, blind=bench.blind, csrf=guard.csrf, codebook=workspace.codebook,
            learnt=workspace.learnt(), **context)
        return HTMLResponse(body)

    def review(request: Request) -> Response:
        from qualcode.workspace.wiring import project_hypotheses

        workspace = bench.workspace
        analysis = bench.analysis()
        items = pages.review_items(analysis, analysis.segments, project_hypotheses(workspace.project,
                                                                                   workspace.codebook),
                                   workspace.codebook)
        return render(request, "review", items=items, codes=pages.codes(workspace.codebook),
                      summary=analysis.summary.to_dict("records"))

    def sources(request: Request) -> Response:
        workspace = bench.workspace
        return render(request, "sources", sources=pages.source_list(workspace.sources(), bench.decisions(),
                                                                    workspace.segments()))

    def source(request: Request) -> Response:
        workspace = bench.workspace
        source_id = request.path_params["source_id"]
        listed = workspace.sources()
        if source_id not in set(listed["source_id"]):
            return render(request, "missing", what="source")
        segments = workspace.segments(source_id)
        runs = pages.reader(workspace.source_text(source_id), segments,
                            workspace.codings(coder=bench.coder if bench.blind else None), workspace.codebook)
        about = listed[listed["source_id"] == source_id].iloc[0].to_dict()
        return render(request, "reader", source=about, runs=runs, codes=pages.codes(workspace.codebook))

    def hypotheses(request: Request) -> Response:
        return render(request, "hypotheses", cards=pages.hypothesis_cards(bench.analysis()))

    def matrix(request: Request) -> Response:
        workspace = bench.workspace
        case = request.query_params.get("case", "agency")
        case = case if case in CASES else "agency"
        analysis = bench.analysis()
        if case not in analysis.matrices:
            analysis = workspace.analysis(coder=bench.coder if bench.blind else None)
        value, code = request.query_params.get("value"), request.query_params.get("code")
        quotes = pages.cell_quotes(analysis, cast(Case, case), value, code) if value and code else []
        return render(request, "matrix", case=case, cases=[c for c in CASES if c in analysis.matrices] or [case],
                      heat=pages.heat_map(analysis, cast(Case, case), workspace.codebook), value=value, code=code,
                      quotes=quotes)

    def themes(request: Request) -> Response:
        workspace = bench.workspace
        found = workspace.emerging_themes()
        cards = pages.theme_cards(found, lambda theme_id: (workspace.theme_code_draft(theme_id),
                                                           workspace.theme_hypothesis_draft(theme_id)))
        empty = ("No themes yet: the nightly run looks for them once enough is said that no code holds."
                 if found.day is None else "No theme outside the framework or near it in the latest report.")
        return render(request, "themes", cards=cards, day=found.day, empty=empty,
                      labels={c.id: c.label for c in workspace.codebook.leaves})

    def documents(request: Request) -> Response:
        workspace = bench.workspace
        found = workspace.prereview(bench.analysis())
        return render(request, "documents", found=pages.prereview_view(found), yaml=found.proposals_yaml(),
                      labels={c.id: c.label for c in workspace.codebook.leaves})

    async def theme_code(request: Request) -> Response:
        """Make a theme a code: the drafted code with the person's id, label and definition, in a new version."""
        workspace = bench.workspace
        body = await _json(request)
        draft = workspace.theme_code_draft(str(body.get("theme_id", "")))
        code = {**draft, **{k: str(body[k]).strip() for k in ("id", "label", "definition") if body.get(k)}}
        saved = workspace.add_code(code)
        bench.workspace = Workspace.open(workspace.root)  # the new version from now on
        return JSONResponse({"code_id": code["id"], "examples": len(draft["examples"]),  # type: ignore[arg-type]
                             "codebook": saved.name, "version": bench.workspace.codebook.version})

    def agreement(request: Request) -> Response:
        workspace = bench.workspace
        shown = pages.agreement(workspace.machine_codings(), workspace.decisions(), workspace.segments(),
                                workspace.codebook, request.query_params.get("first"),
                                request.query_params.get("second"))
        return render(request, "agreement", **shown)

    def codebook(request: Request) -> Response:
        workspace = bench.workspace
        return render(request, "codebook", codes=pages.codes(workspace.codebook))

    def colours(request: Request) -> Response:
        """One CSS rule per code colour: the policy allows no inline style, so colours come as classes."""
        workspace = bench.workspace
        rules = [f".code-{c['number']}{{--code:{c['colour']}}}" for c in pages.codes(workspace.codebook)]
        rules += [f".heat-{n}{{--heat:{n / 10:.1f}}}" for n in range(11)]
        return Response("\n".join(rules) + "\n", media_type="text/css")

    async def decide(request: Request) -> Response:
        workspace = bench.workspace
        body = await _json(request)
        row = {k: body.get(k) for k in ("segment_id", "code_id", "decision", "valence")}
        recorded = workspace.decide(pd.DataFrame([row]), bench.coder)
        return JSONResponse({"recorded": len(recorded.decisions) - recorded.older, "older": recorded.older})

    async def span(request: Request) -> Response:
        source_id, start, end, code_id = _span(await _json(request))
        covered = bench.workspace.code_span(source_id, start, end, code_id, bench.coder)
        return JSONResponse({"statements": covered.to_dict("records")})

    async def example(request: Request) -> Response:
        """Add the statements a selection stands for as examples of a code: a new codebook version."""
        workspace = bench.workspace
        source_id, start, end, code_id = _span(await _json(request))
        covered = workspace.statements_in_span(source_id, start, end)
        saved = workspace.add_examples(code_id, list(covered["segment_id"]))
        bench.workspace = Workspace.open(workspace.root)  # the new version from now on
        return JSONResponse({"examples": len(covered), "codebook": saved.name,
                             "version": bench.workspace.codebook.version})

    def relearn(request: Request) -> Response:
        return JSONResponse({"recoded": bench.workspace.relearn()})

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, QualcodeError)
        return JSONResponse({"error": exc.message, "hint": exc.hint}, status_code=400)

    routes = [
        Route("/", lambda request: RedirectResponse("/review", status_code=303)),
        Route("/review", review), Route("/sources", sources), Route("/sources/{source_id}", source),
        Route("/hypotheses", hypotheses), Route("/matrix", matrix), Route("/themes", themes),
        Route("/documents", documents),
        Route("/agreement", agreement),
        Route("/codebook", codebook), Route("/codes.css", colours),
        Route("/api/decide", decide, methods=["POST"]), Route("/api/span", span, methods=["POST"]),
        Route("/api/example", example, methods=["POST"]), Route("/api/theme-code", theme_code, methods=["POST"]),
        Route("/api/relearn", relearn, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={QualcodeError: refused})
    return GuardMiddleware(app, guard)


def _span(body: dict[str, Any]) -> tuple[str, int, int, str]:
    """(source_id, start, end, code_id) of a selection sent by the reader."""
    from qualcode.errors import BadDecisions

    try:
        return str(body["source_id"]), int(body["start"]), int(body["end"]), str(body["code_id"])
    except (KeyError, TypeError, ValueError):
        raise BadDecisions("A selection needs source_id, code_id, and start and end as whole numbers.") from None


async def _json(request: Request) -> dict[str, Any]:
    from qualcode.errors import BadDecisions

    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadDecisions("The request is not a JSON object.")
    return body
