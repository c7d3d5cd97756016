"""Programme (推进情况): progress against the time schedule, ranking, returns, documents."""

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from planning import programme as pp
from planning.programme.quarterly import progress_map_png
from planning.programme.returns import import_return
from views.charts import line_chart
from views.common import current_project, guard, table
from views.i18n import language, translator
from views.saved import tables_version

t = translator()
lang = language()

LIGHT_COLOURS = {"green": "#c6efce", "amber": "#ffeb9c", "red": "#f8cbad"}


@st.cache_resource(show_spinner=False, max_entries=16)
def _project_records(version: tuple[Any, ...], _project: Any) -> Any:
    """Read a project's programme records once per version of its tables, for every session."""
    return pp.records_of(_project)


def _records() -> tuple[Any, tuple[Any, ...]]:
    """Return the open project's programme records and a key of their version."""
    version = tables_version()
    return _project_records(version, current_project()), version


@st.cache_data(show_spinner=False, max_entries=16)
def _latest_month(_records: Any, version: Any, year: int) -> int:
    return int(pp.latest_month(_records, year))


@st.cache_data(show_spinner=False, max_entries=32)
def _trend(_records: Any, version: Any, indicator: str, year: int, through: int) -> pd.DataFrame:
    return pp.trend(_records, indicator, year, through=through)


@st.cache_data(show_spinner=False, max_entries=16)
def _ranking(
    _records: Any, version: Any, year: int, weights: tuple[tuple[str, float], ...], month: int
) -> pd.DataFrame:
    return pp.ranking(_records, year, dict(weights), month=month)


@st.cache_data(show_spinner=False, max_entries=8)
def _progress(_records: Any, version: int, month: str, language: str) -> pd.DataFrame:
    return pp.progress(_records, month=month, language=language)


@st.cache_data(show_spinner=False, max_entries=8)
def _map(_records: Any, version: int, indicator: str, month: str, language: str) -> bytes:
    return progress_map_png(_records, indicator, month, language=language)


@st.cache_data(show_spinner=False, max_entries=4)
def _bulletin(_records: Any, version: int, quarter: str, language: str) -> bytes:
    return pp.bulletin(_records, quarter=quarter, language=language)


def _light_style(column: pd.Series) -> list[str]:
    codes = column.map(lambda v: next((k for k in LIGHT_COLOURS if t(f"light_{k}") == v), ""))
    return [f"background-color: {LIGHT_COLOURS[c]}" if c else "" for c in codes]


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: pp.column_label(c, lang) for c in frame.columns})


st.header(t("page_programme"))
st.caption(t("prog_caption"))

with guard():
    records, version = _records()
    project = current_project()
    if records.synthetic:
        st.info(t("prog_synthetic"))
    st.caption(t("prog_source_project"))
    if records.empty:
        st.warning(t("prog_empty", note=records.note))
    else:
        year = 2026
        last = _latest_month(records, version, year)
        months = [f"{year}-{m:02d}" for m in range(1, 13)]
        c1, c2 = st.columns(2)
        month = c1.selectbox(t("prog_month"), months, index=last - 1, key="prog_month")
        table_all = _progress(records, version, month, lang)
        ids = list(dict.fromkeys(table_all["indicator"]))
        names = dict(zip(table_all["indicator"], table_all["name"], strict=False))
        indicator = c2.selectbox(
            t("prog_indicator"), ids, format_func=names.__getitem__, key="prog_indicator"
        )

        st.subheader(t("prog_cards", month=month))
        city = table_all[table_all["county"] == pp.CITY]
        cols = st.columns(4)
        for i, row in enumerate(city.head(8).itertuples()):
            cols[i % 4].metric(
                row.name,
                t("prog_card_value", done=f"{row.done:,.0f}", target=f"{row.target:,.0f}",
                  unit=row.unit),
                t("prog_card_delta", gap=100 * row.gap),
            )  # fmt: skip

        st.subheader(t("prog_counties"))
        rows = table_all[table_all["indicator"] == indicator]
        shown = rows[["county", "target", "done", "share", "schedule_share", "gap", "change"]]
        shown = shown.assign(light=[t(f"light_{x}") if x else "" for x in rows["light"]])
        shown = shown.set_index("county").rename_axis(pp.column_label("county", lang))
        styled = _labelled(shown).style.apply(_light_style, subset=[pp.column_label("light", lang)])
        formats = {
            pp.column_label(c, lang): st.column_config.NumberColumn(format="percent")
            for c in ("share", "schedule_share", "gap")
        }
        for c in ("target", "done", "change"):
            whole = bool((shown[c].dropna() % 1 == 0).all())
            formats[pp.column_label(c, lang)] = st.column_config.NumberColumn(
                format="%.0f" if whole else "%.1f"
            )
        st.dataframe(styled, column_config=formats, key="prog_table")
        infra = [c for c in pp.INFRASTRUCTURE_COLUMNS if c in rows.columns]
        if infra:
            with st.expander(t("prog_infra")):
                extra = rows.set_index("county")[infra]
                table(_labelled(extra), percent=[pp.column_label(c, lang) for c in infra[:4]])

        left, right = st.columns(2)
        with left:
            st.subheader(t("prog_trend"))
            trend = _trend(records, version, indicator, year, int(month[5:]))
            line_chart(trend.rename(columns={"schedule": pp.column_label("schedule_share", lang)}))
        with right:
            st.subheader(t("prog_map"))
            st.image(_map(records, version, indicator, month, lang))

        st.subheader(t("prog_ranking"))
        saved = pp.ranking_weights(records)
        ind = records["indicators"]
        weights_frame = pd.DataFrame(
            {"id": ind["id"], pp.column_label("name", lang): ind[f"name_{lang}"],
             pp.column_label("weight", lang): [saved[k] for k in ind["id"]]}
        ).set_index("id")  # fmt: skip
        with st.form("prog_weights_form"):
            st.caption(t("prog_weights"))
            edited = st.data_editor(
                weights_frame, disabled=[pp.column_label("name", lang)], key="prog_weights"
            )
            save = st.form_submit_button(t("prog_weights_save"))
        weights = dict(edited[pp.column_label("weight", lang)].astype(float))
        if save:
            records = pp.save_weights(project, weights)
            st.success(t("prog_weights_saved"))
        rank = _ranking(records, version, year, tuple(sorted(weights.items())), int(month[5:]))
        rank_shown = rank.drop(columns="tied_with").rename(
            columns=lambda c: (
                f"{names.get(c.split('_', 1)[1], c)} {pp.column_label('points', lang)}"
                if c.startswith("points_")
                else c
            )
        )
        rank_shown = rank_shown[[c for c in rank_shown.columns if not c.startswith("share_")]]
        rank_shown = _labelled(rank_shown)
        points = [c for c in rank_shown.columns if c.endswith(pp.column_label("points", lang))]
        table(rank_shown, decimals=dict.fromkeys([pp.column_label("score", lang), *points], 2))
        for county, row in rank[rank["tied_with"] != ""].iterrows():
            st.caption(f"{county}: " + t("prog_tie", names=row["tied_with"], rank=row["rank"]))

        st.subheader(t("prog_downloads"))
        d1, d2, d3 = st.columns(3)
        d1.download_button(
            t("prog_dl_supervision"),
            partial(pp.supervision_sheet, records, month, language=lang),  # built on click
            file_name=f"supervision_{month}.xlsx",
            key="dl_supervision",
        )
        quarter = d2.selectbox(
            t("prog_quarter"), [f"{year}Q{q}" for q in range(1, 5)], index=2, key="prog_quarter"
        )
        d2.download_button(
            t("prog_dl_bulletin"),
            partial(_bulletin, records, version, quarter, lang),
            file_name=f"bulletin_{quarter}.docx",
            key="dl_bulletin",
        )
        d3.download_button(
            t("prog_dl_ranking"),
            partial(pp.ranking_sheet, records, year, weights, language=lang),
            file_name=f"ranking_{year}.xlsx",
            key="dl_ranking",
        )

    st.subheader(t("prog_upload"))
    counties = records.county_names()
    u1, u2 = st.columns(2)
    county = u1.selectbox(t("prog_upload_county"), counties, key="prog_up_county")
    up_month = u2.selectbox(
        t("prog_upload_month"),
        [f"2026-{m:02d}" for m in range(1, 13)],
        index=11,
        key="prog_up_month",
    )
    st.download_button(
        t("prog_template"),
        partial(pp.return_template, records, county=county, month=up_month, language=lang),
        file_name=f"monthly_return_{up_month}.xlsx",
        key="dl_template",
    )
    upload = st.file_uploader(t("prog_upload_file"), type=["xlsx"], key="prog_upload")
    if upload is not None and st.button(t("prog_upload_go"), key="prog_upload_go"):
        result = import_return(
            project,
            upload.getvalue(),
            file_name=upload.name,
            county=county,
            month=up_month,
            language=lang,
        )
        records = result.records
        st.success(t("prog_imported", file=upload.name, change=result.entry["change"]))
    log = records["imports"]
    if len(log):
        st.caption(t("prog_imports"))
        st.dataframe(_labelled(log), hide_index=True)
