"""Reading transcripts, notes and spreadsheets into sources (`qualcode.workspace.ingest` takes an inbox into a
project's store).

Loaded on first use, so a module that needs only the metadata's names (the manifest's file name) imports no gate.
"""

from typing import TYPE_CHECKING

from qualcode.lazy import lazy_attributes

if TYPE_CHECKING:
    from qualcode.ingest.readers import READERS, parse_file, read_source

__getattr__ = lazy_attributes(__name__, dict.fromkeys(("READERS", "parse_file", "read_source"),
                                                      "qualcode.ingest.readers"))

__all__ = ["READERS", "parse_file", "read_source"]
