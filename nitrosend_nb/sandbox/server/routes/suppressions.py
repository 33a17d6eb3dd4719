"""Suppressions: the read-only list of addresses email is no longer sent to (active ones unless ``active=false``).

The sandbox creates them as the service does, from hard bounces and complaints on sends
(see :mod:`nitrosend_nb.sandbox.services.suppressions`).
"""

from __future__ import annotations

from fastapi import APIRouter

from ...services.suppressions import suppressions
from ..resource_routes import register

router = APIRouter()
LISTED = (suppressions,)  # its list route is the generic one, put first by the app
register(router, suppressions)
