"""Prefect pinned to the project: its home, database and API are the project's, whatever else says otherwise.

Prefect 3 reads its settings, highest first, from: the environment, a `.env` file in the working directory,
`prefect.toml` there, `[tool.prefect]` in `pyproject.toml` there, and the active profile of `profiles.toml`
(~/.prefect/profiles.toml, or wherever PREFECT_PROFILES_PATH, PREFECT_HOME, `.env` or the toml files point;
PREFECT_PROFILE picks the profile). Any of them can name a server elsewhere (PREFECT_API_URL, PREFECT_API_KEY,
Prefect Cloud) or a database, a result store or a logging config. So before Prefect is imported:

- every PREFECT_* variable the environment holds is dropped (PREFECT_LOGGING_LEVEL is kept; with an explicit
  `--prefect-api-url`, PREFECT_API_KEY and PREFECT_API_AUTH_STRING are kept for that server), and the
  project's own are set: home and database in DIR/.prefect, the profiles file there, plugins and analytics off;
- Prefect's settings sources are cut to the environment alone: the `.env`, toml and profile sources are taken
  out of `settings_customise_sources` (pydantic-settings' documented hook) on Prefect's settings base class,
  as soon as that class exists, so those files are never even read;
- PREFECT_API_URL is the project's own API: a local server on 127.0.0.1 that qualcode starts (with its guard
  on, database in DIR/.prefect), in place of Prefect's ephemeral one, which qualcode could not guard; or the
  server the user named with `--prefect-api-url`.

Processes started from here inherit the environment; those that import this module with QUALCODE_PREFECT_PINNED
set (Dask workers preload it) cut the sources too.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from qualcode.offline import allow, lock_down

PREFECT_DIR = ".prefect"
PINNED_VARIABLE = "QUALCODE_PREFECT_PINNED"
KEPT = frozenset({"PREFECT_LOGGING_LEVEL"})  # the only Prefect setting a user's environment still sets
CREDENTIALS = frozenset({"PREFECT_API_KEY", "PREFECT_API_AUTH_STRING"})  # kept only for an explicit server
_SETTINGS_BASE = "prefect.settings.base"


def prefect_environment(project_root: Path) -> dict[str, str]:
    home = (Path(project_root) / PREFECT_DIR).resolve()
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_PROFILES_PATH": str(home / "profiles.toml"),  # never ~/.prefect's
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_PLUGINS_ENABLED": "false",  # no installed plugin may set a server on import
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_EXTRA_LOGGERS": "qualcode",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        # SQLite waits this long for a lock before the API answers 503: a busy laptop beats Prefect's 10 s
        "PREFECT_SERVER_DATABASE_TIMEOUT": "60",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",  # task results hold statements: never written to disk
        "PREFECT_UI_SHOW_PROMOTIONAL_CONTENT": "false",
        PINNED_VARIABLE: "1",
        # Dask workers of a local cluster load this module first, so they read Prefect settings the same way
        "DASK_DISTRIBUTED__WORKER__PRELOAD": '["qualcode.flows.environment"]',
    }


def pin_prefect(project_root: Path, *, explicit_server: bool = False) -> None:
    """Prefect's home, database and settings are the project's (the API URL is `use_project_prefect`'s).
    Prefect reads its settings once, on import, so this must come first."""
    lock_down()
    wanted = prefect_environment(project_root)
    if "prefect" in sys.modules and os.environ.get("PREFECT_HOME") != wanted["PREFECT_HOME"]:
        raise RuntimeError("Prefect was imported before its home was set; call use_project_prefect first.")
    Path(wanted["PREFECT_HOME"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    keep = KEPT | (CREDENTIALS if explicit_server else frozenset())
    for name in [n for n in os.environ if n.startswith("PREFECT_") and n not in keep]:
        del os.environ[name]
    os.environ.update(wanted)
    settings_from_environment_only()


def use_project_prefect(project_root: Path, api_url: str | None = None) -> str:
    """Pin Prefect to the project and give it an API: the server the user named (`api_url`, allowed through
    the network guard), else the project's own local API server (started once per process). Returns the URL."""
    pin_prefect(project_root, explicit_server=api_url is not None)
    if api_url is not None:
        allow(api_url)
    else:
        from qualcode.flows.server import project_api

        api_url = project_api(Path(project_root))
        os.environ["PREFECT_UI_URL"] = ""  # the project's API serves no UI: no "View at" links to nowhere
    os.environ["PREFECT_API_URL"] = api_url
    if "prefect.context" in sys.modules:  # imported earlier in this process (same home): read settings again
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()
    return api_url


# --- Prefect's settings from the environment only ------------------------------------------------------------

def _environment_only(base: Any) -> None:
    """Keep only the init and environment sources of Prefect's settings (drop .env, toml files, profiles)."""
    if getattr(base.settings_customise_sources, "_qualcode_pinned", False):
        return
    from pydantic_settings import DotEnvSettingsSource, EnvSettingsSource, InitSettingsSource

    chosen = base.settings_customise_sources.__func__

    def settings_customise_sources(cls: Any, settings_cls: Any, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        every = chosen(cls, settings_cls, *args, **kwargs)
        kept = tuple(s for s in every if isinstance(s, InitSettingsSource | EnvSettingsSource)
                     and not isinstance(s, DotEnvSettingsSource))
        if not any(isinstance(s, EnvSettingsSource) for s in kept):  # Prefect changed: refuse to guess
            raise RuntimeError("qualcode could not find Prefect's environment settings source.")
        return kept

    settings_customise_sources._qualcode_pinned = True  # type: ignore[attr-defined]
    base.settings_customise_sources = classmethod(settings_customise_sources)
    # pydantic-settings then notes that the toml keys of Prefect's config have no source: that is the point
    warnings.filterwarnings("ignore", message=r"Config key `(toml_file|pyproject_toml_\w+)` is set in model_config",
                            category=UserWarning)


class _AfterImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs `then(module)` right after one module is executed: here, Prefect's settings base class, before
    `import prefect` goes on to build its settings from it."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]) -> None:
        self.name, self.then = name, then
        self.loader: Any = None

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
                  ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return None
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = module.__spec__.loader = self.loader  # type: ignore[union-attr]
        self.loader.exec_module(module)
        self.then(module)


def settings_from_environment_only() -> None:
    """Prefect settings come from the environment alone in this process, from the first time they are read."""
    module = sys.modules.get(_SETTINGS_BASE)
    if module is not None:
        _environment_only(module.PrefectBaseSettings)
    elif not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(_SETTINGS_BASE, lambda m: _environment_only(m.PrefectBaseSettings)))


if os.environ.get(PINNED_VARIABLE) == "1":  # a process started by a pinned one (a Dask worker, a server)
    settings_from_environment_only()
