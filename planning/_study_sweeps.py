"""Scenario tables of a study file to :class:`planning.ScenarioSpec` objects, sweeps expanded.

The accepted keys and value types come from the fields of the dataclass
(``dataclasses.fields`` and their type hints), so a field added to
:class:`~planning.ScenarioSpec` is accepted by study files as it appears.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._study_problems import _Checker, _key_name
from .scenarios import ScenarioSpec

COPY_KEYS = ("per_county",)
"""Scenario keys that make copies of a scenario per county (not fields of the spec)."""


@dataclass(frozen=True)
class ScenarioTemplate:
    """A scenario before counties are known: copies per county are made once data is loaded."""

    spec: ScenarioSpec
    counties: tuple[str, ...] | None = None
    all_counties: bool = False
    key: str = ""
    line: int | None = None


def _hints() -> dict[str, Any]:
    return typing.get_type_hints(ScenarioSpec)


def _accepts(hint: Any) -> set[type]:
    """Return the plain TOML value types a field of this type accepts."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return {type(a) for a in typing.get_args(hint)}
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_accepts(a) for a in typing.get_args(hint)))
    if hint is type(None):
        return {type(None)}
    if origin in (tuple, list) or hint in (tuple, list):
        return {list}
    if origin is not None and issubclass(origin, Mapping):
        return {dict}
    if hint is float:
        return {float, int}
    return {hint} if isinstance(hint, type) else {object}


def _expand(
    checker: _Checker, where: tuple[Any, ...], table: dict[str, Any], own: set[str]
) -> list[ScenarioTemplate]:
    hints = _hints()
    fields = [f.name for f in dataclasses.fields(ScenarioSpec)]
    allowed = fields + list(COPY_KEYS)
    values: dict[str, list[Any]] = {}
    ok = True
    for key, value in table.items():
        at = (*where, key) if key in own else ("defaults", key)
        if key not in allowed:
            checker.add(at, f"unknown key; allowed are {allowed}")
            ok = False
            continue
        if key in COPY_KEYS:
            continue
        accepts = _accepts(hints[key])
        sweep = isinstance(value, list) and (
            list not in accepts or (bool(value) and all(isinstance(v, list) for v in value))
        )
        options = value if sweep else [value]
        if sweep and not options:
            checker.add(at, "an empty list sweeps over nothing")
            ok = False
        checked = []
        for option in options:
            option = None if option == "none" and type(None) in accepts else option
            if not _fits(option, accepts):
                names = sorted(t.__name__.replace("NoneType", '"none"') for t in accepts)
                checker.add(at, f"must be {' or '.join(names)}, got {option!r}")
                ok = False
            else:
                checked.append(option)
        if checked:
            values[key] = checked
    counties, all_counties = _copies(checker, where, table, own)
    swept = [k for k, v in values.items() if len(v) > 1]
    out = []
    base_name = values.get("name", ["scenario"])[0]
    errors: dict[tuple[tuple[Any, ...], str], list[str]] = {}
    combos = list(itertools.product(*values.values()))
    for combo in combos:
        params = dict(zip(values, combo, strict=True))
        params["name"] = _name(str(base_name), params, swept)
        spec, failures = _build(params, fields)
        for key, message in failures:
            at = where if key is None else ((*where, key) if key in own else ("defaults", key))
            errors.setdefault((at, message), []).append(params["name"])
        if spec is not None:
            line = checker.line(where)
            out.append(ScenarioTemplate(spec, counties, all_counties, _key_name(where), line))
    for (at, message), names in errors.items():
        label = f"in {', '.join(map(repr, names))}: " if len(names) < len(combos) else ""
        checker.add(at, f"{label}{message}")
    return out if ok else []


def _build(params: dict[str, Any], fields: list[str]) -> tuple[Any, list[tuple[Any, str]]]:
    """Return the spec, or None and every field that is wrong (each checked without the others)."""
    failures: list[tuple[Any, str]] = []
    trial = dict(params)
    while True:
        try:
            spec = ScenarioSpec(**trial)
        except (ValueError, TypeError) as exc:
            first = str(exc).split(" ", 1)[0]
            key = first if first in fields else None
            failures.append((key, str(exc)))
            if key is None or key not in trial or key == "name":
                return None, failures
            del trial[key]  # look for more problems with this one at its default
            continue
        return (None if failures else spec), failures


def _fits(value: Any, accepts: set[type]) -> bool:
    if object in accepts:
        return True
    if isinstance(value, bool):
        return bool in accepts
    if isinstance(value, list) and list in accepts:
        return all(isinstance(v, str) for v in value)
    return any(isinstance(value, t) for t in accepts)


def _name(template: str, params: Mapping[str, Any], swept: list[str]) -> str:
    """Fill ``{field}`` placeholders; append ``-field=value`` for swept fields not named."""
    named = set(re.findall(r"{(\w+)", template))
    text = template
    if named:
        try:
            text = template.format(**{k: _short(v) for k, v in params.items()})
        except (KeyError, IndexError, ValueError):
            text = template
    return text + "".join(f"-{k}={_short(params[k])}" for k in swept if k not in named)


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "+".join(map(str, value))
    if isinstance(value, dict):
        return "+".join(f"{k}{v:g}" for k, v in value.items())
    return f"{value:g}" if isinstance(value, float) else str(value)


def _copies(
    checker: _Checker, where: tuple[Any, ...], table: Mapping[str, Any], own: set[str]
) -> tuple[tuple[str, ...] | None, bool]:
    """Read ``per_county``: true (every county of the data) or a list of county names."""
    per_county = table.get("per_county", False)
    at = (*where, "per_county") if "per_county" in own else ("defaults", "per_county")
    if per_county is not False and table.get("counties") is not None:
        message = (
            "give per_county (one copy of the scenario per county) or counties "
            "(one scenario on these counties together), not both"
        )
        checker.add(at, message)
        return None, False
    if isinstance(per_county, bool):
        return None, per_county
    if isinstance(per_county, list) and per_county and all(isinstance(c, str) for c in per_county):
        return tuple(per_county), False
    checker.add(at, f"must be true, false or a list of county names, got {per_county!r}")
    return None, False
