"""Reading transcripts, notes and spreadsheets into sources (`qualcode.workspace.ingest` takes an inbox into a
project's store)."""

from qualcode.ingest.readers import READERS, parse_file, read_source

__all__ = ["READERS", "parse_file", "read_source"]
