"""The sandbox's SQLite store: JSON document tables (:mod:`.schema`, brought up to date by :mod:`.migrations`),
list membership, idempotency records, meta and the fixed clock (:mod:`.database`)."""

from .database import CLOCK_START, Store, iso, parse_iso
from .schema import BRAND_TABLES, DOC_TABLES

__all__ = ["BRAND_TABLES", "CLOCK_START", "DOC_TABLES", "Store", "iso", "parse_iso"]
