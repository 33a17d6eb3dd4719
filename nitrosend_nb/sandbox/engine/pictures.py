"""The sandbox's own pictures: the seeded brands' logos and product photos, PNG files in ``images/`` (drawn at
twice their display size), which the demo's emails show from the host the sandbox stands for and the sandbox
serves at :data:`PICTURE_PATH` (a hosted PNG is what every mail client shows; an inline ``data:`` or SVG picture
is one many drop)."""

from __future__ import annotations

from importlib.resources import files

from ...rendering.context import SANDBOX_HOST

__all__ = ["PICTURES", "PICTURE_PATH", "picture", "picture_url"]

PICTURES = ("acme-coffee-logo", "acme-cafe-logo", "acme-grinder", "fresh-beans")
PICTURE_PATH = "/_sandbox/images"


def picture_url(name: str) -> str:
    """The address of picture ``name`` (one of :data:`PICTURES`) at the host the sandbox stands for (the email
    checks fetch it from the sandbox)."""
    if name not in PICTURES:
        raise ValueError(f"no seeded picture {name!r}; the seeded ones are {', '.join(PICTURES)}")
    return f"https://{SANDBOX_HOST}{PICTURE_PATH}/{name}.png"


def picture(name: str) -> bytes | None:
    """The PNG bytes of seeded picture ``name`` (None: no such picture)."""
    return files(__package__).joinpath("images", f"{name}.png").read_bytes() if name in PICTURES else None
