"""Prefect flows over the qualcode library: they orchestrate, the library analyses.

Import `qualcode.flows.environment` and call `use_project_prefect` before anything imports Prefect, so that
Prefect's home and database live under the project folder.
"""
