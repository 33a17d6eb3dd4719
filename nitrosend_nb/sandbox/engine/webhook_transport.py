"""The HTTP adapter webhook deliveries go through: its connections are made by :func:`.webhook_targets.connect`,
so they reach only an address the delivery policy has just allowed (TLS is then set up with the URL's host name,
as usual). Imported when the first delivery is due, like requests itself."""

from __future__ import annotations

import socket
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .webhook_targets import connect

__all__ = ["CheckedAdapter"]


class _CheckedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:  # urllib3's one place a connection's socket is made
        return connect(self.host, self.port, self.timeout, self.socket_options)


class _CheckedTLSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return connect(self.host, self.port, self.timeout, self.socket_options)


class _CheckedPool(HTTPConnectionPool):
    ConnectionCls = _CheckedConnection


class _CheckedTLSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedTLSConnection


class CheckedAdapter(HTTPAdapter):
    """A requests adapter whose connections go only where the delivery policy allows (mount it for http and
    https)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedPool, "https": _CheckedTLSPool}
