"""The embedded project store."""

from qualcode.store.schema import SCHEMA_VERSION
from qualcode.store.store import SEGMENT_COLUMNS, Store

__all__ = ["SCHEMA_VERSION", "SEGMENT_COLUMNS", "Store"]
