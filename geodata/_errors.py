"""Domain exceptions and the problem records they carry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Parameters
    ----------
    row
        1-based data row number as a spreadsheet user sees it (the header is
        row 0), or None when the problem concerns the whole file.
    column
        Column the problem is in, or None.
    message
        What is wrong, in plain words.
    value
        The offending value, as text, if any.
    """

    row: int | None
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.value is not None:
            text += f" (got {self.value!r})"
        return text


class DataError(ValueError):
    """Input data that cannot be used, with every problem found in it.

    Parameters
    ----------
    problems
        Every problem found, in file order.
    source
        Name of the file or layer the problems are in, for the message.
    """

    def __init__(self, problems: Iterable[Problem], *, source: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: " if source else ""
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} found:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a table with columns row, column, message, value."""
        return pd.DataFrame(
            [asdict(p) for p in self.problems], columns=["row", "column", "message", "value"]
        )


class OfflineError(ConnectionError):
    """An online feature was used where the network cannot be reached."""
