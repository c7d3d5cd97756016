"""The building blocks of the layer model: :class:`Field`, :class:`LayerKind`, shared columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FieldType = Literal["str", "int", "float", "bool", "category"]
GeometryKind = Literal["Point", "Polygon"]


@dataclass(frozen=True)
class Field:
    """One column of a layer kind.

    Parameters
    ----------
    name
        Column name in the layer (English, snake case).
    type
        Value type: ``"str"``, ``"int"``, ``"float"``, ``"bool"`` or
        ``"category"`` (one of ``allowed``).
    required
        Whether a file must provide the column.
    description
        What the column means, for documentation and templates.
    unit
        Unit of a numeric column, if any.
    allowed
        Allowed values of a category column.
    minimum, maximum
        Inclusive bounds of a numeric column.
    default
        Value used when an optional column is missing.
    aliases
        Other column names (English and Chinese) that map to this field.
    label_zh
        Chinese header used in templates and exports.
    """

    name: str
    type: FieldType
    required: bool = False
    description: str = ""
    unit: str = ""
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: object = None
    aliases: tuple[str, ...] = ()
    label_zh: str = ""


@dataclass(frozen=True)
class LayerKind:
    """A layer kind: its geometry type and its fields."""

    name: str
    geometry: GeometryKind
    description: str
    fields: tuple[Field, ...] = field(default_factory=tuple)
    label_zh: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the required columns."""
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        msg = f"layer kind {self.name!r} has no field {name!r}"
        raise KeyError(msg)


_ID = Field(
    "id",
    "str",
    required=True,
    description="Unique identifier within the layer",
    aliases=("ID", "编号", "序号", "代码", "fid", "編號"),
    label_zh="编号",
)
_NAME = Field(
    "name", "str", description="Name", aliases=("名称", "名字", "企业名称"), label_zh="名称"
)
_COUNTY = Field(
    "county",
    "str",
    description="County-level unit (district, county or county-level city)",
    aliases=("区县", "县区", "所属区县", "县(市、区)", "district", "區縣"),
    label_zh="区县",
)
