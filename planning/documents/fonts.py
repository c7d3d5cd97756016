"""A CJK font for images and documents, found offline.

The machine a bureau runs InfraSite on may have no Chinese font at all, so
the project depends on ``mplfonts``, whose wheel carries Noto Sans CJK SC
(SIL Open Font Licence). Only the Noto / Source Han files are used (the
package also carries SimHei, whose licence is not free). Debian's
``fonts-noto-cjk`` is accepted as a fallback when found by path.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

__all__ = ["FontError", "cjk_font_path", "cjk_font_properties"]

_PACKAGED = ("NotoSansCJKsc-Regular.otf", "SourceHanSerifSC-Regular.otf")
_SYSTEM = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


class FontError(RuntimeError):
    """No font able to draw Chinese text was found."""


@functools.cache
def cjk_font_path() -> Path:
    """Return the path of a font file that draws simplified Chinese.

    The ``INFRASITE_CJK_FONT`` environment variable, when set, names the file
    to use; otherwise the Noto Sans CJK SC file of the ``mplfonts`` package,
    then Debian's ``fonts-noto-cjk``.

    Returns
    -------
    pathlib.Path
        An existing OpenType / TrueType font file.

    Raises
    ------
    FontError
        When none is found, with the package to install.
    """
    override = os.environ.get("INFRASITE_CJK_FONT")
    if override:
        path = Path(override)
        if not path.is_file():
            msg = f"INFRASITE_CJK_FONT names {override!r}, which is not a font file"
            raise FontError(msg)
        return path
    candidates: list[Path] = []
    try:
        import mplfonts

        base = Path(mplfonts.__file__).parent / "fonts"
        candidates += [base / name for name in _PACKAGED]
    except ImportError:
        pass
    candidates += [Path(p) for p in _SYSTEM]
    for path in candidates:
        if path.is_file():
            return path
    msg = (
        "no font that draws Chinese text was found: install the 'mplfonts' package "
        "(pip install mplfonts) or Debian's fonts-noto-cjk, or set INFRASITE_CJK_FONT"
    )
    raise FontError(msg)


def cjk_font_properties(size: float | None = None) -> Any:
    """Return matplotlib ``FontProperties`` for :func:`cjk_font_path`.

    Parameters
    ----------
    size
        Font size in points, or None for matplotlib's default.

    Returns
    -------
    matplotlib.font_manager.FontProperties
        Pass as ``fontproperties=`` to any matplotlib text call.
    """
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path), size=size)
