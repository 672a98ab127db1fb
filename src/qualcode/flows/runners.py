"""Choosing where the coding tasks run: in the flow's process, on a local Dask cluster, or on an existing one."""

from __future__ import annotations

from typing import Any

from prefect import Flow


def with_task_runner(flow: Flow[Any, Any], workers: int = 1, dask_address: str | None = None) -> Flow[Any, Any]:
    """The flow as given (one process), or with prefect-dask's runner: `dask_address` for an existing
    cluster (tcp://HOST:PORT), else `workers` > 1 for a local cluster of that many single-thread processes."""
    if not dask_address and workers <= 1:
        return flow
    from prefect_dask.task_runners import DaskTaskRunner

    if dask_address:
        runner = DaskTaskRunner(address=dask_address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                                "host": "127.0.0.1", "dashboard_address": None})
    return flow.with_options(task_runner=runner)  # type: ignore[arg-type]  # (runner types are invariant)
