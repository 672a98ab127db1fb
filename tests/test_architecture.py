"""The shape of the package: stage packages know nothing of projects, the command line or the service layer; no
import circle; Prefect stays in `qualcode.flows`; `import qualcode` and `qualcode --help` stay light; and the wheel
installs the flows as `qualcode.flows` (no top-level `pipelines`)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO

SRC = REPO / "src"
PACKAGE = SRC / "qualcode"
FLOWS = PACKAGE / "flows"
PREFECT = ("prefect", "prefect_dask")  # Prefect and its Dask task runner


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[tuple[str, int, bool]]:
    """(module imported, line, whether it runs on import of this module) for every import in the file: import
    statements at any depth, and importlib.import_module / __import__ with a literal (or f-string) name."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]

    def walk(node: ast.AST, on_import: bool) -> Iterator[tuple[str, int, bool]]:
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno, on_import) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module, node.lineno, on_import
            if not node.module:  # `from . import x`: x may be a module
                yield from ((f"{module}.{alias.name}", node.lineno, on_import) for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            name = node.args[0]
            if isinstance(name, ast.JoinedStr) and name.values:  # f"qualcode.flows.{name}": its literal start
                name = name.values[0]
            if called in ("import_module", "__import__") and isinstance(name, ast.Constant) \
                    and isinstance(name.value, str):
                yield name.value, node.lineno, on_import
        inside = on_import and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) \
            and not _type_checking(node)
        for child in ast.iter_child_nodes(node):
            yield from walk(child, inside)

    yield from walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), True)


def _type_checking(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:`: imports for the type checker only, never run."""
    return isinstance(node, ast.If) and (getattr(node.test, "id", None) == "TYPE_CHECKING"
                                         or getattr(node.test, "attr", None) == "TYPE_CHECKING")


def _is(module: str, *roots: str) -> bool:
    return any(module == root or module.startswith(f"{root}.") for root in roots)


def _library() -> list[Path]:
    """Every module of the package outside qualcode.flows."""
    modules = [p for p in sorted(PACKAGE.rglob("*.py")) if FLOWS not in p.parents]
    assert len(modules) > 50 and PACKAGE / "cli.py" in modules
    return modules


def test_only_qualcode_flows_imports_prefect() -> None:
    found = [f"{p.relative_to(REPO)}:{line} imports {module}" for p in _library()
             for module, line, _ in _imports(p) if _is(module, *PREFECT)]
    assert not found, "Prefect is imported outside qualcode.flows:\n" + "\n".join(found)


def test_the_library_imports_the_flows_only_inside_functions() -> None:
    """So that importing any library module (the command line included) never runs Prefect's import."""
    found = [f"{p.relative_to(REPO)}:{line} imports {module} on import" for p in _library()
             for module, line, on_import in _imports(p) if on_import and _is(module, "qualcode.flows", "pipelines")]
    assert not found, "\n".join(found)


def test_the_import_walk_sees_what_it_must() -> None:
    """The two tests above are only as good as `_imports`: it finds Prefect in the flows, at any depth, and the
    command line's deferred imports of the flows (statement and import_module alike) as deferred."""
    flows = {m for p in FLOWS.glob("*.py") for m, _, _ in _imports(p)}
    assert {"prefect", "prefect.futures", "prefect_dask.task_runners", "qualcode.flows.tasks"} <= flows
    cli = {(m, on_import) for m, _, on_import in _imports(PACKAGE / "cli.py") if _is(m, "qualcode.flows")}
    assert {("qualcode.flows.environment", False), ("qualcode.flows.", False)} <= cli, cli
    assert not any(on_import for _, on_import in cli)
    assert not any(_is(m, "pipelines") for p in [*_library(), *FLOWS.glob("*.py")] for m, _, _ in _imports(p))


def test_importing_qualcode_loads_neither_prefect_nor_the_flows(tmp_path: Path) -> None:
    probe = ("import json, sys, qualcode; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
             f"{(*PREFECT, 'pipelines')!r} or m.startswith('qualcode.flows'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


# --- the wheel -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout by its build backend (hatchling, a dev dependency), as pip would."""
    pytest.importorskip("hatchling", reason="hatchling (in the dev extra) builds the wheel")
    out = tmp_path_factory.mktemp("wheel")
    build = "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))"
    result = subprocess.run([sys.executable, "-c", build, str(out)], capture_output=True, text=True, cwd=REPO,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return out / result.stdout.strip().splitlines()[-1]


def test_the_wheel_installs_the_flows_as_qualcode_flows_and_no_top_level_pipelines(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert "qualcode" in tops and all(t == "qualcode" or t.endswith(".dist-info") for t in tops), tops
    assert not any(n.startswith("pipelines/") for n in names)
    flows = {f"qualcode/flows/{p.name}" for p in FLOWS.glob("*.py")}
    assert "qualcode/flows/nightly_review.py" in flows and flows <= set(names)


@pytest.mark.slow
def test_the_flows_import_from_the_installed_wheel_alone(wheel: Path, tmp_path: Path) -> None:
    """The wheel's files alone (unpacked as pip installs a pure wheel), outside the checkout: the flows import
    from there, and nothing named `pipelines` is needed."""
    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    probe = ("import json, sys, qualcode.flows.nightly_review as n, qualcode.flows.server as s; "
             "print(json.dumps([n.__file__, s.__file__, 'pipelines' in sys.modules]))")
    env = {**os.environ, "PYTHONPATH": str(installed)}  # ahead of any editable install of this checkout
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    nightly, server, pipelines = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(nightly) == installed / "qualcode" / "flows" / "nightly_review.py"
    assert Path(server).parent == Path(nightly).parent and not pipelines


# The packages that do one stage's work on data they are given. Reading a project (its settings, folders and
# store) and deciding what to do with it is the service layer's job (`qualcode.workspace`), so none of these may
# import the project module, the service layer, the notebook API, the command line or the flows.
STAGES = ("anonymise", "ingest", "segment", "codebook", "coders", "evaluation", "evidence", "reports", "review",
          "themes", "exchange", "store", "models", "text", "nlp", "outputs", "fingerprint")
ABOVE = ("qualcode.project", "qualcode.workspace", "qualcode.api", "qualcode.cli", "qualcode.flows")


def _stage_modules() -> list[Path]:
    modules = [p for p in _library() if p.relative_to(PACKAGE).parts[0].removesuffix(".py") in STAGES]
    assert {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in modules} == set(STAGES)
    return modules


def test_stage_packages_import_neither_projects_nor_the_service_layer_nor_the_cli() -> None:
    found = [f"{p.relative_to(REPO)}:{line} imports {module}" for p in _stage_modules()
             for module, line, _ in _imports(p) if _is(module, *ABOVE)]
    assert not found, "\n".join(found)


def _graph() -> dict[str, set[str]]:
    """Module -> the qualcode modules it imports when it is imported (not in functions, not for the type
    checker); `from package import name` counts as importing the submodule when `name` is one."""
    modules = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
                 for a in n.names}
        targets = {m for m, _, on_import in _imports(path) if on_import and _is(m, "qualcode")}
        targets |= {m for m in names if m in modules}
        graph[name] = {m for m in targets if m in modules and m != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    graph = _graph()
    assert "qualcode.workspace" in graph["qualcode.cli"]  # the graph sees real imports
    assert "qualcode.workspace.service" in graph["qualcode.workspace"]
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert not _circles(graph), _circles(graph)


def test_qualcode_help_loads_no_model_library() -> None:
    """`qualcode --help` answers at once: torch, spaCy, presidio and scikit-learn load only in the commands
    that use them."""
    probe = ("import sys\nfrom typer.testing import CliRunner\nfrom qualcode.cli import app\n"
             "result = CliRunner().invoke(app, ['--help'])\nassert result.exit_code == 0, result.output\n"
             "heavy = ('torch', 'spacy', 'presidio_analyzer', 'sklearn', 'sentence_transformers', 'prefect')\n"
             "print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
