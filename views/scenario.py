"""Siting scenario: ask where new sites should go, run it, show what changes."""

import dataclasses
import json
from collections.abc import Collection

import pandas as pd
import streamlit as st

from geodata.infrastructure import H2_FLEET_SHARE, INFRASTRUCTURE, infrastructure_kind
from geodata.schema import BANDS, CANDIDATE_SOURCES
from planning import maps, radio, scenarios
from planning.workspace import free_name
from views.charts import line_chart
from views.common import (
    category_labeller,
    current_data,
    current_project,
    data_caption,
    data_key,
    guard,
    safe,
    shared,
    show_map,
    table,
    user_name,
)
from views.i18n import STRINGS, language, progress_text, translator
from views.model_results import (
    NEEDS_N_SITES,
    curve_chart,
    model_inputs,
    objectives_for,
    show_model_result,
)
from views.saved import scenarios as saved_scenarios
from views.saved import shared_once

t = translator()

st.header(t("page_scenario"))


def _show_result(result: scenarios.ScenarioResult, data) -> None:
    from planning.export import parameter_table

    s = result.summary
    st.subheader(f"{t('results')}: {result.name}")
    cols = st.columns(6)
    cols[0].metric(t("sites"), f"{s['sites']}")
    cols[1].metric(t("cost"), f"{s['cost_cny']:,.0f}")
    cols[2].metric(t("share_before"), f"{s['share_before']:.1%}")
    points = 100 * (s["share_after"] - s["share_before"])
    cols[3].metric(
        t("share_after"),
        f"{s['share_after']:.1%}",
        t("points_delta", value=f"{points:+.1f}"),
        help=t("help_points"),
    )
    cols[4].metric(t("gap"), f"{s['gap']:.2%}", help=t("help_gap"))
    cols[5].metric(
        t("status"), t(f"status_{s['status']}"), f"{s['seconds']:.1f} s", delta_color="off"
    )
    if s["status"] == "time_limit":
        st.warning(t("time_limit_hit", gap=f"{s['gap']:.2%}"))
    if s.get("target_reached") is False:
        st.warning(
            t(
                "target_missed",
                target=f"{result.spec.coverage_target:.0%}",
                share=f"{s['share_after']:.1%}",
                n=s.get("unreachable_firms", 0),
            )
        )
        out = result.unreachable
        with st.expander(t("unreachable_list", n=len(out))):
            cols = [c for c in ("id", "name", "county", "park", "sector") if c in out]
            table(pd.DataFrame(out[cols]), hide_index=True)
    elif s.get("note") and result.spec.objective not in scenarios.MODEL_OBJECTIVES:
        st.warning(s["note"])
    if s.get("floors_not_met"):
        st.warning(s["floors_not_met"])
    show_model_result(result, t)
    if s.get("h2_fleet_assumed"):
        st.info(t("h2_assumed", share=f"{H2_FLEET_SHARE:.0%}"))
    if "sessions_served" in s and "capacity_unit" in s:  # broadband ports, hydrogen kg/day
        cap = st.columns(3)
        unit = t(f"unit_{s['capacity_unit']}")
        cap[0].metric(t("capacity_served", unit=unit), f"{s['sessions_served']:,.0f}")
        cap[1].metric(t("capacity_sites"), f"{s['sites']}")
        cap[2].metric(t("utilisation"), f"{s['utilisation_new']:.0%}")
    elif "sessions_served" in s:
        cap = st.columns(3)
        cap[0].metric(t("sessions_served"), f"{s['sessions_served']:,.0f}")
        cap[1].metric(t("piles"), f"{s['piles']}")
        cap[2].metric(t("utilisation"), f"{s['utilisation_new']:.0%}")
    lang = language()
    # the map names the layers "this scenario": the same answer draws the same
    # map whatever it was saved as, and planners who asked alike share it
    shown_as = result.renamed(t("map_this_scenario"))
    site_ids = tuple(int(i) for i in result.solution.selected)
    show_map(
        lambda: maps.build_map(data, scenario=shown_as, language=lang),
        cache_key=(
            "scenario",
            *data_key(),
            _question(result.spec),
            site_ids,
            result.summary.get("objective"),
            lang,
        ),
        key="scenario_map",
        height=520,
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('proposed_sites')}**")
        st.caption(t("help_marginal"))
        sites = result.proposed_sites
        first = ["order", "name", "id", "marginal", "gain", "firms_new", "cost_cny"]
        listing = pd.DataFrame(sites.drop(columns=sites.geometry.name))
        if "capacity" in listing and not (listing["capacity"].fillna(0) > 0).any():
            listing = listing.drop(columns="capacity")  # 5G sites have no capacity
        listing = listing[
            [c for c in first if c in listing] + [c for c in listing if c not in first]
        ]
        table(listing, hide_index=True)
    with right:
        curve_chart(result, t)
    if result.equity is not None:
        st.markdown(f"**{t('equity_table')}**")
        table(result.equity, hide_index=True)
    if result.stages is not None:
        st.markdown(f"**{t('stages_table')}**")
        table(result.stages, hide_index=True)
        over_time = pd.DataFrame(
            {"stage": result.stages["stage"], "share": 100 * result.stages["share"]}
        )
        line_chart(
            over_time, x="stage", y="share", x_label=t("stage_axis"), y_label=t("share_after_pct")
        )
    st.markdown(f"**{t('indicators')}**")
    table(result.indicators)
    if s.get("radius_model") == "link_budget":
        with st.expander(t("link_budget_assumptions")):
            table(shared(("radius_table",), lambda: radio.radius_table().round(0)))
            band = result.spec.band or scenarios.DEFAULT_5G_BAND
            st.json(dataclasses.asdict(radio.link_budget(band, "urban")))
    with st.expander(t("scenario_spec"), icon=":material/tune:"):
        table(parameter_table(result, language=lang), hide_index=True)


def _question(spec: scenarios.ScenarioSpec) -> str:
    """Return what ``spec`` asks, apart from its name, as text (a cache key)."""
    asked = dataclasses.asdict(dataclasses.replace(spec, name=""))
    return json.dumps(asked, sort_keys=True, default=repr)


def _run(spec: scenarios.ScenarioSpec, data, progress) -> scenarios.ScenarioResult:
    """Return the answer to ``spec``, under its own name.

    Planners asking the same question of the same data (a room's first run
    is often the default one) share one run: whoever asks while it runs
    waits for it. A proven optimal answer is kept for later askers; any other
    (a time limit reached) only for those asking at about the same time, so
    that asking again later solves again. Each saves the answer under their
    own scenario name.
    """
    key = ("scenario_run", *data_key(), _question(spec))
    shared = shared_once(
        key,
        lambda: scenarios.run_scenario(data, spec, progress=progress),
        keep=lambda result: result.summary.get("status") == "optimal",
    )
    return shared.renamed(spec.name)


def _rename_scenario(old: str) -> None:
    state = st.session_state
    new = str(state.get("sm_new_name", "")).strip()
    project = current_project()
    if not new or new in project.scenarios():
        state["sm_notice"] = ("warning", t("scenario_name_bad"))
        return
    project.rename_scenario(old, new, user=user_name())
    state["sc_show"] = new
    state["sm_new_name"] = ""
    state["sm_notice"] = ("success", t("scenario_renamed", name=new))


def _delete_scenario(name: str) -> None:
    state = st.session_state
    current_project().delete_scenario(name, user=user_name())
    state.pop("sc_show", None)
    state["sm_delete_ok"] = False
    state["sm_notice"] = ("success", t("scenario_deleted", name=name))


def _manage(pick: str) -> None:
    """Rename or delete the scenario shown (a deletion asks for a confirmation first)."""
    notice = st.session_state.pop("sm_notice", None)
    if notice is not None:
        getattr(st, notice[0])(notice[1])
    with st.expander(t("scenario_manage"), icon=":material/edit:"):
        c1, c2 = st.columns(2)
        c1.text_input(t("scenario_rename_to"), key="sm_new_name")
        c1.button(
            t("scenario_rename"), key="sm_do_rename", on_click=safe(_rename_scenario), args=(pick,)
        )
        ok = c2.checkbox(t("scenario_delete_confirm", name=pick), key="sm_delete_ok")
        c2.button(
            t("scenario_delete"),
            key="sm_do_delete",
            on_click=safe(_delete_scenario),
            args=(pick,),
            disabled=not ok,
        )


def _name_submitted() -> None:
    """Fix the run's unique name and put the next free default in the name box."""
    state = st.session_state
    saved = current_project().scenarios()  # names only: nothing is loaded
    typed = str(state.get("sc_name", "")).strip() or _next_default(saved)
    unique = typed if state.get("sc_replace") else free_name(typed, saved)
    state["sc_submitted_name"] = unique
    state["sc_typed_name"] = typed
    state["sc_name"] = _next_default([*saved, unique])


def _next_default(saved: Collection[str]) -> str:
    i = len(saved) + 1
    while f"S{i}" in saved:
        i += 1
    return f"S{i}"


def _for_kind(t, key: str, infra: str) -> str:
    """Return the kind's own wording of ``key`` where it has one (e.g. ports, not piles)."""
    own = f"{key}_{infra}"
    return t(own) if own in STRINGS[language()] else t(key)


def _demand(choice: str, weights: dict[str, float]) -> str | dict[str, float]:
    if choice != "mix":
        return choice
    return {k: v for k, v in weights.items() if v > 0}


with guard():
    data = current_data()
    data_caption(data)
    saved = saved_scenarios()

    c1, c2, c3, c4 = st.columns(4)
    infra = c1.radio(
        t("infrastructure"),
        list(INFRASTRUCTURE),
        format_func=lambda v: t(f"infra_{v}"),
        horizontal=True,
        key="sc_infra",
    )
    kind = infrastructure_kind(infra)
    offered = objectives_for(infra)
    if st.session_state.get("sc_objective") not in offered:
        st.session_state["sc_objective"] = offered[0]
    objective = c2.selectbox(
        t("objective"),
        offered,
        format_func=lambda v: _for_kind(t, f"obj_{v}", infra),
        key="sc_objective",
    )
    demand_choice = c3.selectbox(
        t("demand"),
        [*scenarios.DEMANDS, "mix"],
        format_func=lambda v: t(f"demand_{v}"),
        key="sc_demand",
    )
    band = None
    if infra == "5g":
        band = c4.selectbox(
            t("band"), list(BANDS), index=list(BANDS).index("3.5GHz"), key="sc_band"
        )
    st.caption(_for_kind(t, f"help_obj_{objective}", infra))
    with st.form("scenario_form"):
        c1, c2, c3, c4 = st.columns(4)
        st.session_state.setdefault("sc_name", _next_default(saved))
        name = c1.text_input(t("scenario_name"), key="sc_name", help=t("help_name"))
        n_sites, budget, target = 5, None, 1.0
        if objective in NEEDS_N_SITES:
            low = 2 if objective == "dispersion" else 1
            n_sites = c2.number_input(t("n_sites"), low, 500, 5, key="sc_n")
        elif objective == "budget":
            budget = c2.number_input(
                t("budget"), 1_000.0, 1e10, 2_000_000.0, step=100_000.0, key="sc_budget"
            )
        else:
            target = c2.slider(t("coverage_target"), 0.05, 1.0, 0.8, 0.05, key="sc_target")
        default = scenarios.default_radius(infra, band)
        radius = c3.number_input(
            t("radius"), 10.0, 50_000.0, float(default), step=50.0, key=f"sc_radius_{infra}_{band}"
        )
        time_limit = c4.number_input(t("time_limit"), 1, 3600, 30, key="sc_time")
        link_budget = False
        if infra == "5g":
            link_budget = c3.checkbox(
                t("link_budget_radius"), value=True, help=t("link_budget_help"), key="sc_lb"
            )
        c1, c2, c3, c4 = st.columns(4)
        counties = c1.multiselect(
            t("scope_counties"),
            sorted(data.enterprises["county"].dropna().astype(str).unique()),
            key="sc_counties",
            placeholder=t("choose"),
        )
        floor = c2.number_input(t("equity_floor"), 0.0, 1.0, 0.0, 0.05, key="sc_floor")
        max_per = c3.number_input(t("equity_max_sites"), 0, 500, 0, key="sc_max_per")
        stages_text = c4.text_input(t("stage_budgets"), "", key="sc_stages")
        extra = model_inputs(objective, t)
        weights = {}
        if demand_choice == "mix":
            wcols = st.columns(len(scenarios.DEMANDS))
            for col, what in zip(wcols, scenarios.DEMANDS, strict=True):
                weights[what] = col.number_input(
                    t("weight_of", what=t(f"demand_{what}")), 0.0, 100.0, 1.0, key=f"sc_w_{what}"
                )
        sources = st.multiselect(
            t("candidate_sources"),
            list(CANDIDATE_SOURCES),
            default=list(CANDIDATE_SOURCES),
            format_func=category_labeller("source"),
            key="sc_sources",
        )
        if objective in ("capacitated", "single_source") and kind.site_capacity:
            unit = t(f"unit_{kind.capacity_unit}")
            capacity = st.number_input(
                t("site_capacity", unit=unit),
                0.0,
                1e6,
                float(kind.site_capacity),
                help=t("site_capacity_help", default=f"{kind.site_capacity:g} {unit}"),
                key=f"sc_capacity_{infra}",
            )
            extra["site_capacity"] = float(capacity) or None
        c1, c2 = st.columns(2)
        count_existing = c1.checkbox(t("count_existing"), value=True, key="sc_existing")
        modes = ["straight"]
        if data.roads is not None:
            modes += [m for m in kind.distances if m not in ("straight", "cable")]
            if kind.detour_factor != 1.0:  # a cable follows streets: along roads first
                modes = ["road", *[m for m in modes if m != "road"]]
        distance = c2.selectbox(
            t("distance"), modes, format_func=lambda v: t(f"dist_{v}"), key="sc_distance"
        )
        if data.roads is None:
            c2.caption(t("no_roads"))
        if kind.detour_factor != 1.0 and distance == "straight":
            extra["detour_factor"] = float(
                c2.number_input(
                    t("detour_factor"),
                    1.0,
                    3.0,
                    float(kind.detour_factor),
                    0.05,
                    help=t("detour_help"),
                    key=f"sc_detour_{infra}",
                )
            )
            c2.caption(t("detour_note", factor=f"{extra['detour_factor']:g}"))
        c1.checkbox(t("scenario_replace"), key="sc_replace", help=t("scenario_replace_help"))
        submitted = st.form_submit_button(
            t("run"), type="primary", icon=":material/play_arrow:", on_click=safe(_name_submitted)
        )

    if submitted:
        try:
            stages = tuple(float(v) for v in stages_text.replace("，", ",").split(",") if v.strip())
        except ValueError:
            stages = (-1.0,)
        if any(v <= 0 for v in stages):
            st.error(t("stage_budgets_bad"))
            submitted = False
    if submitted:
        st.session_state.pop("sc_saved_notice", None)
        spec = scenarios.ScenarioSpec(
            name=st.session_state.get("sc_submitted_name") or _next_default(saved),
            infrastructure=infra,
            objective=objective,
            n_sites=int(n_sites),
            budget_cny=None if budget is None else float(budget),
            coverage_target=float(target),
            radius_m=None if link_budget else float(radius),
            band=band,
            demand=_demand(demand_choice, weights),
            candidate_sources=tuple(sources) if sources else None,
            count_existing=count_existing,
            distance=distance,
            time_limit=float(time_limit),
            counties=tuple(counties) or None,
            min_share_per_county=float(floor) or None,
            max_sites_per_county=int(max_per) or None,
            stage_budgets_cny=stages or None,
            **extra,
        )
        bar = st.progress(0.0, text=t("running"))

        def _progress(fraction: float, message: str) -> None:
            step = progress_text(message)
            bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{t('running')} {step}")

        with st.status(t("running"), expanded=False) as box:
            result = _run(spec, data, _progress)
            box.update(label=t("done"), state="complete")
        project = current_project()
        name = project.save_scenario(
            result, replace=bool(st.session_state.get("sc_replace")), user=user_name()
        )
        typed = st.session_state.get("sc_typed_name", result.name)
        saved = saved_scenarios()
        st.session_state["sc_show"] = name
        # kept until the next run: the result map's first rerun would clear it
        st.session_state["sc_saved_notice"] = (name, project.name, typed)

    notice = st.session_state.get("sc_saved_notice")
    if notice is not None and notice[0] == st.session_state.get("sc_show"):
        shown, project_name, typed = notice
        if shown != typed:
            st.info(t("name_taken", old=typed, new=shown))
        st.success(
            t("scenario_saved_project", name=shown, project=project_name),
            icon=":material/check_circle:",
        )

    if saved:
        names = list(saved)
        if st.session_state.get("sc_show") not in names:
            st.session_state["sc_show"] = names[-1]
        pick = st.selectbox(t("show_scenario"), names, key="sc_show")
        _manage(pick)
        _show_result(saved[pick], data)
