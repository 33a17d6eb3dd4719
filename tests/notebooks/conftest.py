"""Fixtures for the notebook checks."""

from pathlib import Path

import pytest
from notebook_files import notebook_paths


@pytest.fixture(params=notebook_paths(), ids=lambda p: p.name)
def notebook_path(request) -> Path:
    """Each committed notebook in turn."""
    return request.param
