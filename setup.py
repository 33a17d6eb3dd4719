"""Build step beyond pyproject.toml: the tutorial notebooks go into the package.

The notebooks have one copy in the repository, ``notebooks/*.ipynb`` (where nbval runs them). Building the package
copies them into ``nitrosend_nb/tutorials/`` of the build, so a wheel carries them as package data and
``nitrosend-nb lab`` finds them after a ``pip install``. An editable install reads ``notebooks/`` in place.
Everything else about the build is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
PACKAGED = ("nitrosend_nb", "tutorials")  # where the notebooks land inside the package


class BuildPyWithTutorials(build_py):
    """setuptools' build_py, then the notebooks copied into the built package."""

    def _tutorial_targets(self) -> list[tuple[Path, Path]]:
        """(notebook, its place in the build) for every tutorial."""
        target = Path(self.build_lib, *PACKAGED)
        return [(notebook, target / notebook.name) for notebook in sorted(NOTEBOOKS.glob("*.ipynb"))]

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install finds the notebooks in the checkout
            return
        for notebook, target in self._tutorial_targets():
            self.mkpath(str(target.parent))
            self.copy_file(str(notebook), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return [*outputs, *(str(target) for _, target in self._tutorial_targets())]


setup(cmdclass={"build_py": BuildPyWithTutorials})
