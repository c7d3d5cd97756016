"""Run the notebooks against this checkout, installed or not.

nbmake executes each notebook in a fresh Jupyter kernel whose working
directory is ``notebooks/``; putting the repository root on the kernel's
``PYTHONPATH`` lets ``import geodata`` and ``import planning`` find the code
under test even when InfraSite is not pip-installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parent.parent)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """Put the repository root first on ``PYTHONPATH`` while a notebook runs."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, old) if p)
    try:
        return (yield)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
