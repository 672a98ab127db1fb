"""Reports: the dated output folder (tables as CSV and Parquet, evidence.xlsx, briefing.html)."""

from qualcode.reports.build import (
    ABOUT,
    BRIEFING,
    WORKBOOK,
    Report,
    build_report,
    project_hypotheses,
    report_dates,
    report_inputs,
    report_is_current,
)

__all__ = ["ABOUT", "BRIEFING", "WORKBOOK", "Report", "build_report", "project_hypotheses", "report_dates",
           "report_inputs", "report_is_current"]
