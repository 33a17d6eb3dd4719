"""Where the sandbox may deliver webhooks, decided by the addresses a URL's host resolves to: when the webhook is
registered, again before every delivery, and once more by the connection itself (:func:`connect`, which
:mod:`.webhook_transport` uses), which connects only to an address it has just checked: no second lookup between
the check and the connection, so a name re-pointed at a private address after its check still gets nothing.

The real service delivers only to public HTTPS URLs. The sandbox also delivers to its own machine when a URL names
it as the documentation writes it, ``http(s)://127.0.0.1``, ``localhost`` or ``[::1]`` (so a notebook can receive
events), and then only to loopback addresses. Any other URL must be HTTPS and every address its host resolves to
must be public: not loopback (``127.1``, ``0177.0.0.1`` and ``localhost.`` are this machine too), private
(``10.1`` is 10.0.0.1), link-local (169.254.169.254, a cloud's metadata service), shared, reserved, multicast or
unspecified. A name that does not resolve is accepted at registration (there is no address to refuse); its
deliveries fail until it resolves, and are checked then. :func:`resolve` is the one place names are looked up.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

__all__ = ["LOOPBACK_HOSTS", "TargetRefused", "connect", "refusal", "resolve", "url_problem"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")  # as written in a URL: the sandbox's exception for notebooks
PRIVATE_SUFFIXES = (".local", ".internal", ".localhost")  # names that never leave a network


class TargetRefused(OSError):
    """A connection the address policy forbids (an OSError, so HTTP clients report it as a failed connection)."""


def resolve(host: str, port: int) -> list[tuple[int, tuple]]:
    """``(family, socket address)`` of every address ``host`` resolves to (``socket.gaierror`` when none)."""
    return [(family, address) for family, _, _, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _address_problem(address: str, local: bool) -> str | None:
    """Why the sandbox may not connect to ``address`` for a URL naming this machine (``local``) or not."""
    ip = ipaddress.ip_address(address.split("%")[0])  # an IPv6 link-local address may carry a zone (%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if local:
        return None if ip.is_loopback else "is not this machine"
    return None if ip.is_global and not ip.is_multicast else "is not a public address"


def _name_problem(host: str) -> str | None:
    """Why ``host`` (not one of :data:`LOOPBACK_HOSTS`) can never be public by its name alone, or None."""
    try:
        ipaddress.ip_address(host)
        return None  # an address literal: what it is decides
    except ValueError:
        pass
    name = host.rstrip(".")
    if "." not in name or name == "localhost" or name.endswith(PRIVATE_SUFFIXES):
        return f"must be a public address ({host} is not a public name)"
    return None


def url_problem(url: str) -> str | None:
    """Why webhooks to ``url`` cannot be delivered, or None (see the module docstring)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number, or out of range
        port = None
    if parts.scheme not in ("http", "https") or not host or port is None:
        return "must be an absolute https:// URL"
    local = host in LOOPBACK_HOSTS
    if not local and parts.scheme != "https":
        return "must use HTTPS (the sandbox also accepts http://127.0.0.1 and http://localhost)"
    if not local and (found := _name_problem(host)):
        return found
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return None  # no address yet: each delivery checks again
    for _, address in addresses:
        if why := _address_problem(address[0], local):
            return f"must be a public address ({host} resolves to {address[0]}, which {why})"
    return None


def connect(host: str, port: int, timeout: Any, options: Any) -> socket.socket:
    """A socket connected to the first address of ``host`` the policy allows (:class:`TargetRefused` if none is),
    with the socket ``options`` and ``timeout`` (seconds) given."""
    local = host in LOOPBACK_HOSTS
    last: OSError = TargetRefused(f"{host} resolves to no address")
    for family, address in resolve(host, port):
        if why := _address_problem(address[0], local):
            last = TargetRefused(f"not delivered: {host} resolves to {address[0]}, which {why}")
            continue
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            for option in options or ():
                sock.setsockopt(*option)
            if isinstance(timeout, (int, float)):
                sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    raise last


def refusal(error: BaseException) -> str | None:
    """The message of the :class:`TargetRefused` an HTTP client's error was raised over, or None."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        found = pending.pop()
        if isinstance(found, TargetRefused):
            return str(found)
        if isinstance(found, BaseException) and id(found) not in seen:
            seen.add(id(found))
            pending += [found.__cause__, found.__context__, *found.args]
    return None
