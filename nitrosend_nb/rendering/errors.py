"""What rendering raises: :class:`RenderError`, the base of a Liquid error (:class:`~.merge.MergeError`) and of a
rendering limit reached (:class:`~.limits.RenderLimitError`). The sandbox answers any of them with a 422 naming the
field; the widgets show them beside the preview."""

from __future__ import annotations

__all__ = ["RenderError"]


class RenderError(ValueError):
    """Content that cannot be rendered: ``field`` names the field at fault (``subject``, ``html``,
    ``design.sections.2.props.text``...) and ``str()`` says why in one sentence."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)
