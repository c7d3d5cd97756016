"""A layer read from a large CSV (pyarrow text, categoricals) works downstream like a small one.

The file is synthetic (seeded): about 50,000 firms around Chaoyang, over the
size from which CSVs are read in blocks. The same file read the small-file
way (Python strings) must give the same indicators, scenario and saved
project.
"""

import io

import numpy as np
import pandas as pd
import pytest

import geodata
from geodata import reading, schema
from planning import ScenarioSpec, run_scenario
from planning.indicators import coverage_stats, coverage_status, uncovered_firms

HEADER = (
    "编号,企业名称,区县,所在园区,行业,从业人数,年产值(万元),数字化转型状态,绿色工厂等级,经度,纬度\n"
)


def synthetic_csv(rows: int, counties, parks, seed: int = 5) -> bytes:
    """Return ``rows`` synthetic firms as UTF-8 CSV (labelled synthetic in their names)."""
    rng = np.random.default_rng(seed)
    sectors = [schema.SECTOR_LABELS_ZH[s] for s in schema.SECTORS]
    status = list(schema.DIGITAL_STATUS)
    lines = [HEADER]
    for i in range(rows):
        lines.append(
            ",".join(
                [
                    f"QY{i:07d}",
                    f"合成企业{i}号",
                    counties[rng.integers(len(counties))],
                    parks[rng.integers(len(parks))],
                    sectors[rng.integers(len(sectors))],
                    str(rng.integers(1, 3000)),
                    f"{rng.uniform(10, 90000):.1f}",
                    status[rng.integers(len(status))],
                    ["", "国家级", "省级"][rng.integers(3)],
                    f"{120.45 + rng.normal(0, 0.25):.6f}",
                    f"{41.57 + rng.normal(0, 0.18):.6f}",
                ]
            )
            + "\n"
        )
    return "".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def layers():
    demo = geodata.load_demo()
    counties = [str(c) for c in demo.enterprises["county"].unique()]
    parks = [str(p) for p in demo.enterprises["park"].unique()]
    content = synthetic_csv(50_000, counties, parks)
    assert len(content) > reading.FAST_CSV_BYTES
    big = geodata.read_layer(io.BytesIO(content), "enterprises")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reading, "FAST_CSV_BYTES", 1 << 40)
        small = geodata.read_layer(io.BytesIO(content), "enterprises")
    return demo, big, small


def test_big_layer_is_compact_and_holds_the_same_values(layers):
    _, big, small = layers
    assert len(big) == len(small) == 50_000
    assert str(big["id"].dtype) == "str" and str(big["name"].dtype) == "str"
    for col in ("county", "park", "sector", "digital_status", "green_level"):
        assert isinstance(big[col].dtype, pd.CategoricalDtype), col
    assert small["county"].dtype == object
    for col in ("employees", "ev_fleet", "h2_fleet"):
        assert big[col].dtype == small[col].dtype == np.int64, col  # no overflow in products
    cols = [c for c in small.columns if c != "geometry"]
    pd.testing.assert_frame_equal(
        big[cols].astype(object), small[cols].astype(object), check_dtype=False
    )
    assert big.geometry.geom_equals(small.geometry).all()
    assert big.memory_usage(deep=True).sum() < 0.5 * small.memory_usage(deep=True).sum()


def test_indicators_and_a_scenario_agree(layers):
    demo, big, small = layers
    results = []
    for firms in (big, small):
        data = demo.replace(enterprises=firms)
        status = coverage_status(data)
        by_county = coverage_stats(data, status, by="county")
        by_park = coverage_stats(data, status, by="park", total=False)
        missing = uncovered_firms(data, status, what="5g")
        res = run_scenario(data, ScenarioSpec(n_sites=3, count_existing=False))
        results.append((status, by_county, by_park, missing, res))
    (s1, c1, p1, m1, r1), (s2, c2, p2, m2, r2) = results
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(c1, c2, check_dtype=False, check_index_type=False)
    pd.testing.assert_frame_equal(p1, p2, check_dtype=False, check_index_type=False)
    assert sorted(m1["id"].astype(str)) == sorted(m2["id"].astype(str))
    assert sorted(r1.proposed_sites["id"]) == sorted(r2.proposed_sites["id"])
    assert r1.summary["covered_after"] == r2.summary["covered_after"] > 0


def test_saved_and_reopened_project(layers, tmp_path):
    demo, big, _ = layers
    data = demo.replace(enterprises=big)
    path = tmp_path / "big.gpkg"
    data.to_gpkg(path)
    again = geodata.PlanningData.from_gpkg(path)
    back = again.enterprises.sort_values("id").reset_index(drop=True)
    want = big.sort_values("id").reset_index(drop=True)
    cols = [c for c in want.columns if c != "geometry"]
    pd.testing.assert_frame_equal(
        back[cols].astype(object), want[cols].astype(object), check_dtype=False
    )


def test_map_filters_and_exports_agree(layers):
    from planning.export import export_scenario
    from planning.maps import build_map, filter_data

    demo, big, small = layers
    county = str(demo.enterprises["county"].iloc[0])
    filters = {"counties": [county], "sectors": ["steel_metallurgy", "logistics"]}
    out = []
    for firms in (big, small):
        data = demo.replace(enterprises=firms)
        part = filter_data(data, **filters)
        res = run_scenario(part, ScenarioSpec(n_sites=2, count_existing=False))
        html = build_map(part, color_by="digital_status", scenario=res).get_root().render()
        csv = export_scenario(res, "csv", layer="served_firms")
        export_scenario(res, "xlsx", layer="served_firms")
        out.append((len(part.enterprises), len(html) > 0, csv))
    assert out[0][0] == out[1][0] > 0
    assert out[0] == out[1]


def test_compactor_switches_to_text_where_values_are_many():
    from geodata._compact import Compactor

    shrink = Compactor({"id", "name", "county"}, {"sector": ["b", "a", "other"]})
    parts = []
    for k in range(12):
        ids = np.array([f"X{k}-{i}" for i in range(20)], dtype=object)
        # names: few per part at first, then many; counties: 10 per part, 120 in all
        names = [f"n{i % 3}" for i in range(20)] if k < 4 else [f"n{k}-{i}" for i in range(20)]
        values = {
            "id": ids,
            "name": np.array(names, dtype=object),
            "county": np.array([f"c{k}-{i % 10}" for i in range(20)], dtype=object),
            "sector": np.array(["a", "b", None, "a"] * 5, dtype=object),
        }
        want = {name: list(v) for name, v in values.items()}
        shrink.part(values)
        parts.append((values, want))
    assert not shrink.maybe_duplicate()
    n = 12 * 20
    for name in ("id", "name", "county", "sector"):
        joined = shrink.join(name, [v[name] for v, _ in parts], n)
        expect = [x for _, w in parts for x in w[name]]
        got = [None if pd.isna(x) else x for x in np.asarray(joined, dtype=object)]
        assert got == expect, name
        if name == "sector":
            assert list(joined.categories) == ["b", "a"]  # as given, the unused one dropped
        else:
            assert str(pd.Series(joined).dtype) == "str", name  # too many values for categories
    again = Compactor({"id"}, {})
    again.part({"id": np.array(["a", "b", ""], dtype=object)})
    again.part({"id": np.array(["", "c", "a"], dtype=object)})
    assert again.maybe_duplicate()


def test_categorical_joins_match_pandas():
    from pandas.api.types import union_categoricals

    from geodata._compact import Compactor

    rng = np.random.default_rng(3)
    for many in (5, 300):  # codes of int8, then int16
        labels = np.array([f"v{i:03d}" for i in range(many)], dtype=object)
        allowed = [*labels[::-1], "never"]
        shrink = Compactor({"id", "county"}, {"sector": allowed})
        few, cats = [], []
        for k in range(6):
            values = labels[rng.integers(0, max(1, many // (k + 1)), 2000)]
            values[rng.random(2000) < 0.1] = None
            few.append(pd.Categorical(values))  # categories differ from part to part
            cats.append(pd.Categorical(values, categories=allowed))
        joined = shrink.join("county", few, 12_000 * 100)
        want = union_categoricals(few, sort_categories=True)
        assert joined.dtype == want.dtype and joined.codes.dtype == want.codes.dtype
        assert (joined.codes == want.codes).all()
        joined = shrink.join("sector", cats, 12_000)
        want = pd.Categorical.from_codes(
            np.concatenate([c.codes for c in cats]), dtype=cats[0].dtype
        ).remove_unused_categories()
        assert joined.dtype == want.dtype and (joined.codes == want.codes).all()
