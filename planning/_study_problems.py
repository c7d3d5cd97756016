"""Problems in a study file, each with its key and line.

:class:`StudyProblem` and :class:`StudyError` are re-exported by
:mod:`planning.study`; :class:`_Checker` collects problems while a file is
checked and finds the line of a key from a small index of the TOML text
(:mod:`tomllib` keeps no positions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StudyProblem:
    """One thing wrong with a study file.

    Parameters
    ----------
    key
        Where: a dotted key such as ``scenario[2].n_sites`` (tables of an
        array counted from 1), or ``""`` for the whole file.
    line
        1-based line of the key in the file, or None when unknown.
    message
        What is wrong and what is needed.
    """

    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line is not None else []
        if self.key:
            where.append(self.key)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class StudyError(ValueError):
    """A study file that cannot be run, with every problem found in it."""

    def __init__(self, problems: list[StudyProblem], *, source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        n = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{head}{n} problem{'s' if n != 1 else ''} in the study file\n{lines}")


class _Checker:
    """Collects problems, finding the line of each key."""

    def __init__(self, lines: dict[tuple[Any, ...], int]) -> None:
        self.lines = lines
        self.problems: list[StudyProblem] = []

    def line(self, where: tuple[Any, ...]) -> int | None:
        for n in range(len(where), 0, -1):
            if where[:n] in self.lines:
                return self.lines[where[:n]]
        return None

    def add(self, where: tuple[Any, ...], message: str) -> None:
        problem = StudyProblem(_key_name(where), self.line(where), message)
        if problem not in self.problems:
            self.problems.append(problem)


def _key_name(where: tuple[Any, ...]) -> str:
    out = ""
    for part in where:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Return the 1-based line of every table header and ``key =`` line, by key path."""
    out: dict[tuple[Any, ...], int] = {}
    counts: dict[tuple[str, ...], int] = {}
    table: tuple[Any, ...] = ()
    depth = 0  # open brackets of a multi-line value
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw and "'" not in raw else raw
        if depth == 0:
            head = _HEADER.match(raw)
            if head:
                parts = tuple(p.strip().strip("\"'") for p in head.group(2).split("."))
                if head.group(1) == "[[":
                    index = counts.get(parts, 0)
                    counts[parts] = index + 1
                    table = (*parts[:-1], parts[-1], index)
                else:
                    table = parts
                out.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                parts = tuple(p.strip().strip("\"'") for p in key.group(1).split("."))
                out.setdefault((*table, *parts), number)
        depth = max(0, depth + line.count("[") - line.count("]"))
    return out
