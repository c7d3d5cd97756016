import io

import pytest

import geodata
from planning.documents import cjk_font_path, render_map_png
from planning.documents.fonts import FontError
from planning.documents.static_map import PointLayer


def test_cjk_font_is_found_offline():
    path = cjk_font_path()
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert "SimHei" not in path.name


def test_cjk_font_override_must_exist(monkeypatch):
    cjk_font_path.cache_clear()
    monkeypatch.setenv("INFRASITE_CJK_FONT", "/nonexistent/font.otf")
    try:
        with pytest.raises(FontError, match="INFRASITE_CJK_FONT"):
            cjk_font_path()
    finally:
        monkeypatch.delenv("INFRASITE_CJK_FONT")
        cjk_font_path.cache_clear()


def test_static_map_is_a_png_with_coloured_counties():
    from PIL import Image

    data = geodata.load_demo()
    areas = data.admin_areas.assign(value=range(len(data.admin_areas)))
    png = render_map_png(
        areas,
        value_column="value",
        points=[PointLayer(data.enterprises.head(50), "企业")],
        title="朝阳市",
    )
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 500
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50


def test_static_map_refuses_empty_areas():
    data = geodata.load_demo()
    with pytest.raises(ValueError, match="at least one polygon"):
        render_map_png(data.admin_areas.iloc[:0])
