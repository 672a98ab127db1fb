"""Reports: the dated output folder's tables (CSV and Parquet), evidence.xlsx and briefing.html, rendered from an
analysis (`qualcode.workspace.reports` builds a project's)."""
