"""Domain exceptions and the problem records they carry.

A :class:`Problem` has a ``code`` and ``params`` besides its English
``message``, so that an interface can show it in the user's language:
``problem.message("zh")`` (or ``problem.text("zh")``) renders it in Chinese,
``problem.message`` itself still compares and prints as the English text.
Warnings about a loaded layer are Problems too, with ``severity="warning"``;
:func:`geodata.read_layer` returns them in ``layer.attrs["warnings"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

_COLUMNS = ["row", "column", "message", "value"]


class _Message(str):
    """The English text of a problem that can also render itself in another language.

    It is a ``str`` (the English message) and callable:
    ``problem.message("zh")`` returns the Chinese text.
    """

    code: str | None
    params: Mapping[str, Any]

    def __new__(
        cls, text: str, code: str | None = None, params: Mapping[str, Any] | None = None
    ) -> _Message:
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = dict(params or {})
        return obj

    def __call__(self, language: str | None = None) -> str:
        if language in (None, "en") or self.code is None:
            return str.__str__(self)
        from ._messages import render

        return render(self.code, self.params, language)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, or one warning about it.

    Parameters
    ----------
    row
        1-based data row (the first row under the header is 1), or None when
        the problem concerns the whole file.
    column
        Column the problem is in, or None.
    message
        What is wrong, in plain English. It is also callable:
        ``problem.message("zh")`` gives the Chinese text.
    value
        The offending value, as text, if any.
    code
        Stable identifier of the kind of problem (see
        :data:`geodata._messages.MESSAGES`), or None for a free-text problem.
    params
        Values the message is built from (field names, numbers, ...).
    severity
        ``"error"`` (the file cannot be used as is) or ``"warning"`` (the
        layer loaded, but something looks wrong or was done for the user).
    line
        The line a spreadsheet shows the row on: the header is line 1, so
        data row ``n`` is line ``n + 1`` plus any title lines above the header.
        Filled from ``row`` when not given.
    """

    row: int | None
    column: str | None
    message: str
    value: str | None = None
    code: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    severity: str = "error"
    line: int | None = None

    def __post_init__(self) -> None:
        if self.line is None and self.row is not None:
            object.__setattr__(self, "line", int(self.row) + 1)
        object.__setattr__(self, "message", _Message(str(self.message), self.code, self.params))

    @classmethod
    def make(
        cls,
        code: str,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        *,
        severity: str = "error",
        **params: Any,
    ) -> Problem:
        """Return the problem ``code`` with its English message built from ``params``."""
        from ._messages import render

        text = None if value is None else str(value)
        return cls(row, column, render(code, params, "en"), text, code, params, severity=severity)

    def text(self, language: str | None = None) -> str:
        """Return the message in ``language`` (``"zh"`` or ``"en"``; default English)."""
        return self.message(language)  # type: ignore[operator]

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else str(self.message)
        if self.value is not None:
            text += f" (got {self.value!r})"
        return text


def problems_frame(
    problems: Iterable[Problem], *, language: str | None = None, lines: bool = False
) -> pd.DataFrame:
    """Return problems as a table: row, column, message, value (``line`` first if asked).

    With ``language`` the messages are rendered in that language.
    """
    records = []
    for p in problems:
        record = {
            "row": p.row,
            "column": p.column,
            "message": p.text(language) if language else str(p.message),
            "value": p.value,
        }
        if lines:
            record = {"line": p.line, **record}
        records.append(record)
    return pd.DataFrame(records, columns=(["line"] if lines else []) + _COLUMNS)


def shift_lines(problems: Iterable[Problem], header_line: int) -> list[Problem]:
    """Return the problems with ``line`` set for a header on line ``header_line``."""
    return [p if p.row is None else replace(p, line=p.row + header_line) for p in problems]


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

    def to_frame(self, *, language: str | None = None, lines: bool = False) -> pd.DataFrame:
        """Return the problems as a table with columns row, column, message, value.

        Parameters
        ----------
        language
            Render the messages in this language (``"zh"`` or ``"en"``).
        lines
            Add a first column ``line``: the line a spreadsheet shows the row
            on (header = line 1).
        """
        return problems_frame(self.problems, language=language, lines=lines)


class OfflineError(ConnectionError):
    """An online feature was used where the network cannot be reached."""
