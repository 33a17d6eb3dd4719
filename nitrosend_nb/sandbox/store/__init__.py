"""The sandbox's SQLite store: JSON document tables, list membership, idempotency records, meta and the fixed
clock (:mod:`.database`)."""

from .database import BRAND_TABLES, CLOCK_START, DOC_TABLES, Store, iso, parse_iso

__all__ = ["BRAND_TABLES", "CLOCK_START", "DOC_TABLES", "Store", "iso", "parse_iso"]
