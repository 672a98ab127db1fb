"""REFI-QDA exchange: codebooks (.qdc) and projects (.qdpx) to and from NVivo, ATLAS.ti, MAXQDA and QualCoder;
codebooks as CSV for Taguette."""

from qualcode.errors import BadExchangeFile
from qualcode.exchange.codebook import (
    codebook_csv,
    codebook_yaml,
    export_codebook,
    export_codebook_csv,
    import_codebook,
    write_codebook_yaml,
)
from qualcode.exchange.importing import covered_segments, decisions_from
from qualcode.exchange.project import ExportSummary, qdpx_entries
from qualcode.exchange.reading import QdpxCode, QdpxCoding, QdpxProject, QdpxSource, QdpxUser, read_qdpx

__all__ = ["BadExchangeFile", "ExportSummary", "QdpxCode", "QdpxCoding", "QdpxProject", "QdpxSource", "QdpxUser",
           "codebook_csv", "codebook_yaml", "covered_segments", "decisions_from", "export_codebook",
           "export_codebook_csv", "import_codebook", "qdpx_entries", "read_qdpx", "write_codebook_yaml"]
