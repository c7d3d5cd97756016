"""Several scenario results side by side."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .run import ScenarioResult


def compare_scenarios(results: Iterable[ScenarioResult]) -> dict[str, pd.DataFrame]:
    """Put several scenario results side by side.

    Parameters
    ----------
    results
        Two or more results with distinct names.

    Returns
    -------
    dict of pandas.DataFrame
        ``"summary"``: one row per scenario (sites, cost, shares before and
        after, gap, status, sites in common with all others and only in this
        one); ``"indicators"``: share after per county/zone (one column per
        scenario, plus ``share_before`` of the first, and ``"<name> (before)"``
        for a scenario whose starting point differs, e.g. other
        infrastructure or demand); ``"sites"``: one row per
        proposed site id with one boolean column per scenario and ``in``
        (how many scenarios propose it).
    """
    results = list(results)
    if not results:
        msg = "results must hold at least one ScenarioResult"
        raise ValueError(msg)
    names = [r.name for r in results]
    if len(set(names)) != len(names):
        msg = f"results must have distinct names to be compared, got {names}"
        raise ValueError(msg)
    sets = {r.name: set(r.proposed_sites["id"].astype(str)) for r in results}
    common = set.intersection(*sets.values())
    rows = []
    for r in results:
        s = r.summary
        others = set().union(*(v for k, v in sets.items() if k != r.name))
        rows.append(
            {
                "scenario": r.name,
                "infrastructure": r.spec.infrastructure,
                "objective": r.spec.objective,
                "sites": s["sites"],
                "cost_cny": s["cost_cny"],
                "share_before": s["share_before"],
                "share_after": s["share_after"],
                "firms_newly_served": s["firms_newly_served"],
                "gap": s["gap"],
                "status": s["status"],
                "sites_in_common": len(common),
                "sites_only_here": len(sets[r.name] - others),
            }
        )
    summary = pd.DataFrame(rows).set_index("scenario")
    first = results[0].indicators["share_before"]
    indicators = first.to_frame()
    for r in results:
        before = r.indicators["share_before"].reindex(first.index)
        if not np.allclose(before.fillna(-1), first.fillna(-1)):
            indicators[f"{r.name} (before)"] = before
        indicators[r.name] = r.indicators["share_after"]
    all_ids = sorted(set().union(*sets.values()))
    sites = pd.DataFrame({name: [i in ids for i in all_ids] for name, ids in sets.items()})
    sites.index = pd.Index(all_ids, name="id")
    sites["in"] = sites.sum(axis=1)
    return {"summary": summary, "indicators": indicators, "sites": sites}
