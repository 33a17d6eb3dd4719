"""Suppressions: the read-only list of addresses email is no longer sent to (active ones unless ``active=false``).

The sandbox creates them as the service does, from hard bounces and complaints on sends
(see :mod:`nitrosend_nb.sandbox.suppressions`).
"""

from __future__ import annotations

from fastapi import APIRouter

from ...services.resource import register
from ...services.suppressions import suppressions

router = APIRouter()
register(router, suppressions)
