"""The notebooks are stored without outputs, so that git holds code and prose only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = (
    "01_quick_start.ipynb",
    "02_scenario_study.ipynb",
    "03_bring_your_own_data.ipynb",
    "04_realistic_scenarios.ipynb",
    "05_programme.ipynb",
)


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_expected_notebooks_exist():
    names = {p.name for p in _notebooks()}
    assert set(EXPECTED) <= names


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_has_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    dirty = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            assert "outputs" not in cell and "execution_count" not in cell, i
            continue
        if cell.get("outputs"):
            dirty.append(f"cell {i}: {len(cell['outputs'])} outputs")
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {i}: execution_count {cell['execution_count']}")
    assert not dirty, f"{path.name} has outputs; clear them before committing: {dirty}"
    assert "widgets" not in nb.get("metadata", {}), "widget state is an output too"


@pytest.mark.parametrize("path", _notebooks(), ids=lambda p: p.name)
def test_notebook_runs_on_the_python3_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
