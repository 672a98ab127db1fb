"""Where a project's coding runs: the flow's own process, a local Dask cluster, or an existing one."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.errors import BadConfig
from qualcode.project import Project


@dataclass(frozen=True)
class Cluster:
    """`address` of an existing Dask cluster (and the option or setting that named it), else `workers` local
    processes (1: the flow's own process)."""

    workers: int
    address: str | None = None
    named_by: str | None = None


def coding_cluster(project: Project, workers: int | None = None, dask_address: str | None = None) -> Cluster:
    """The command's options over the project's `orchestration` settings: --workers asks for a local cluster
    (even where the settings name an existing one), --dask-address for an existing one; not both."""
    settings = project.config.orchestration
    if workers and workers > 1 and dask_address:
        raise BadConfig("Give --workers (a local cluster) or --dask-address (an existing one), not both.")
    if dask_address:
        return Cluster(workers=1, address=dask_address, named_by="--dask-address")
    if workers and workers > 1:
        return Cluster(workers=workers)
    if settings.dask_address:
        return Cluster(workers=1, address=settings.dask_address, named_by="orchestration.dask_address")
    return Cluster(workers=workers or settings.workers)
