"""Custom Leaflet elements: canvas point layers with JS tooltips, and the legend control."""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from ._assets import (
    CLUSTER_CSS,
    CLUSTER_DEFAULT_CSS,
    CLUSTER_JS,
    LEAFLET_CSS,
    LEAFLET_JS,
)
from ._labels import _text

# --------------------------------------------------------------------------- elements


class _Text(Element):
    """Text already rendered, added to the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _Prerendered(MacroElement):
    """An element whose rendered header, HTML and script are not compiled again.

    branca's :class:`~branca.element.MacroElement` wraps each rendered part
    in a new ``Element``, which compiles that text as a Jinja template: slow
    for a layer carrying thousands of points (a tenth of a second per map),
    and wrong for user text that looks like template syntax (a firm named
    ``{% if %}`` broke the map; ``{{ 7*7 }}`` became ``49``). As the last base
    class, this takes the place of ``MacroElement.render`` in the chain.
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure), "an element is rendered inside a Figure"
        macros = self._template.module.__dict__
        for part, target in (
            ("header", figure.header),
            ("html", figure.html),
            ("script", figure.script),
        ):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
        return ""  # the parts went into the figure


class _GeoJson(folium.GeoJson, _Prerendered):
    """:class:`folium.GeoJson` with its data put in the page as it is."""


class _GeoJsonTooltip(folium.GeoJsonTooltip, _Prerendered):
    """:class:`folium.GeoJsonTooltip` with its labels put in the page as they are."""


class _FeatureGroup(folium.FeatureGroup, _Prerendered):
    """:class:`folium.FeatureGroup` with its name put in the page as it is."""


class _LayerControl(folium.LayerControl, _Prerendered):
    """:class:`folium.LayerControl` with the layer names put in the page as they are."""


class _PointLayer(JSCSSMixin, Layer, _Prerendered):
    """Many points drawn as canvas circles, with tooltip and popup built in JS.

    Each row is ``[lat, lon, style index, radius, field values...]``; a field
    is ``(label, lookup)`` where ``lookup`` maps an integer value to its text.
    Labels and text values must already be HTML-escaped. With ``rows_url``
    set (see :func:`~planning.maps.serve_point_rows`) the rows are fetched
    from that URL instead of being written into the script.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var styles = {{ this.styles|tojson }};
    var fields = {{ this.fields|tojson }};
    var group = {% if this.cluster %}L.markerClusterGroup({
        chunkedLoading: true, disableClusteringAtZoom: 15, showCoverageOnHover: false
    }){% else %}L.featureGroup(){% endif %};
    function text(row, all) {
        var out = [];
        for (var i = 0; i < fields.length; i++) {
            var v = row[4 + i];
            if (v === null || v === "") continue;
            if (fields[i][1] !== null) v = fields[i][1][v];
            out.push(i === 0 ? "<b>" + v + "</b>" : fields[i][0] + ": " + v);
            if (!all) break;
        }
        return out.join("<br>");
    }
    function fill(rows) {
        var layers = new Array(rows.length);
        for (var k = 0; k < rows.length; k++) {
            var r = rows[k];
            var opts = Object.assign({row: r}, styles[r[2]]);
            opts.radius = r[3];
            var make = {% if this.metres %}L.circle{% else %}L.circleMarker{% endif %};
            layers[k] = make([r[0], r[1]], opts);
        }
        {% if this.cluster %}group.addLayers(layers);{% else %}
        for (var j = 0; j < layers.length; j++) group.addLayer(layers[j]);{% endif %}
    }
    {% if this.rows_url %}fetch({{ this.rows_url|tojson }})
        .then(function (response) { return response.json(); })
        .then(fill);{% else %}fill({{ this.rows_js }});{% endif %}
    return group;
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        rows: list[list[Any]],
        styles: list[dict[str, Any]],
        fields: list[tuple[str, list[str] | None]],
        *,
        name: str,
        metres: bool = False,
        cluster: bool = False,
        show: bool = True,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "PointLayer"
        self.rows_js = _js_literal(rows)
        self.rows_url: str | None = None
        self.n_rows = len(rows)
        self.styles = styles
        self.fields = [list(f) for f in fields]
        self.metres = metres
        self.cluster = cluster
        self.default_js = [("leaflet", LEAFLET_JS)]
        self.default_css = [("leaflet_css", LEAFLET_CSS)]
        if cluster:
            self.default_js.append(("markerclusterjs", CLUSTER_JS))
            self.default_css += [
                ("markerclustercss", CLUSTER_CSS),
                ("markerclusterdefaultcss", CLUSTER_DEFAULT_CSS),
            ]


class _Legend(_Prerendered):
    """A legend drawn as a Leaflet control from pre-escaped HTML."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
    var legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
        var div = L.DomUtil.create("div", "infrasite-legend");
        div.innerHTML = {{ this.content|tojson }};
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content


_CSS = """<style>
.leaflet-container { background: #f4f3ef; }
.infrasite-legend { background: rgba(255,255,255,.92); padding: 6px 9px; font: 12px/1.45 sans-serif;
  border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,.3); max-height: 40vh; max-width: 46vw;
  overflow-y: auto; }
.infrasite-legend .sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  margin-right: 5px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.35); }
.infrasite-legend h4 { margin: 4px 0 2px; font-size: 12px; }
</style>"""


def _js_literal(value: Any) -> str:
    """Return compact JSON that is safe inside a ``<script>`` element.

    Non-ASCII text stays as UTF-8 (a third of the size of JSON escapes); ``<``,
    ``>``, ``&`` and the JS line separators are escaped so no string can
    close the script element.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _legend_html(
    title: str, sections: list[tuple[str, list[tuple[str, str]]]], note: str = ""
) -> str:
    parts = [f"<details open><summary><b>{_text(title)}</b></summary>"]
    for heading, items in sections:
        if not items:
            continue
        parts.append(f"<h4>{_text(heading)}</h4>")
        for color, label in items:
            parts.append(
                f'<div><span class="sw" style="background:{_text(color)}"></span>'
                f"{_text(label)}</div>"
            )
    if note:
        parts.append(f"<div><i>{_text(note)}</i></div>")
    parts.append("</details>")
    return "".join(parts)
