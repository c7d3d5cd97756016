"""Documents that go upward: fonts, static map images and Word helpers.

Shared by the scenario report (:mod:`planning.documents` users in
:mod:`planning.export`) and the programme bulletin. Everything renders
offline: maps are drawn with matplotlib from the layers themselves (no
tiles), Chinese text uses a CJK font that an installed package brings.
"""

from .fonts import FontError, cjk_font_path, cjk_font_properties
from .static_map import render_map_png

__all__ = ["FontError", "cjk_font_path", "cjk_font_properties", "render_map_png"]
