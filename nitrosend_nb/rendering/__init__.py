"""Email rendering shared by the sandbox and the widgets: Liquid merge tags (:mod:`.merge`), the one merge
context (:mod:`.context`), designs through MJML (:mod:`.design`), plain text (:mod:`.text`), whole emails
(:mod:`.content`), and the limits every render meets (:mod:`.limits`)."""

from .content import RenderedEmail, render_email, render_message
from .context import merge_context
from .errors import RenderError
from .limits import RenderLimitError
from .merge import MergeError

__all__ = [
    "RenderedEmail",
    "render_email",
    "render_message",
    "merge_context",
    "MergeError",
    "RenderError",
    "RenderLimitError",
]
