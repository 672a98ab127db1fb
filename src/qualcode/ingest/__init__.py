"""Reading transcripts, notes and spreadsheets into sources, and ingesting an inbox into the store."""

from qualcode.ingest.inbox import FileOutcome, IngestReport, inbox_files, ingest_inbox, read_folder
from qualcode.ingest.readers import READERS, parse_file, read_source

__all__ = ["READERS", "FileOutcome", "IngestReport", "inbox_files", "ingest_inbox", "parse_file", "read_folder",
           "read_source"]
