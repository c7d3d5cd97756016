import itertools
import time

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from planning import (
    SpecificationError,
    flow_paths,
    refuelling_combinations,
    solve_flow_refuelling,
    solve_flow_refuelling_graph,
)


def simulate(nodes, cum, stations, rng):
    """Drive the repeated round trip O..D..O; True if the tank never runs dry.

    Independent of the model: start at the first station on the loop with a
    full tank, refill to full at every station, and check one whole loop.
    """
    stops = list(zip(nodes, cum, strict=True))
    total = cum[-1]
    loop = stops + [(v, 2 * total - c) for v, c in reversed(stops[1:-1])]
    first = next((k for k, (v, _) in enumerate(loop) if v in stations), None)
    if first is None:
        return False
    fuel = rng
    for step in range(len(loop)):
        a = loop[(first + step) % len(loop)]
        b = loop[(first + step + 1) % len(loop)]
        fuel -= (b[1] - a[1]) % (2 * total)
        if fuel < -1e-9:
            return False
        if b[0] in stations:
            fuel = rng
    return True


def brute(
    paths,
    flows,
    cands,
    rng,
    p=None,
    budget=None,
    costs=None,
    existing=(),
    required=(),
    forbidden=(),
):
    m = len(cands)
    costs = np.ones(m) if costs is None else costs
    free = [j for j in range(m) if j not in existing and j not in required and j not in forbidden]
    best = -1.0
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            chosen = list(required) + list(combo)
            if p is not None and len(chosen) > p:
                continue
            if budget is not None and costs[chosen].sum() > budget + 1e-9:
                continue
            st = {cands[j] for j in chosen} | {cands[j] for j in existing}
            value = sum(
                f
                for (nodes, cum), f in zip(paths, flows, strict=True)
                if simulate(nodes, cum, st, rng)
            )
            best = max(best, value)
    return best


def test_straight_corridor_by_hand():
    # origin 0, nodes every 100 km to 300 km, range 200 km
    nodes, cum = ["a", "b", "c", "d"], [0.0, 100e3, 200e3, 300e3]
    combos = refuelling_combinations(nodes, cum, nodes, vehicle_range_m=200e3)
    assert sorted(combos) == [(0, 2), (1, 2), (1, 3)]
    for combo in itertools.chain.from_iterable(
        itertools.combinations(range(4), k) for k in range(1, 5)
    ):
        st = {nodes[j] for j in combo}
        expect = any(set(c) <= set(combo) for c in combos)
        assert simulate(nodes, cum, st, 200e3) == expect
    sol = solve_flow_refuelling([(nodes, cum)], [10.0], nodes, vehicle_range_m=200e3, p=2)
    assert sol.objective == 10.0 and sol.optimal
    assert tuple(sol.selected) in combos
    sol = solve_flow_refuelling([(nodes, cum)], [10.0], nodes, vehicle_range_m=200e3, p=1)
    assert sol.objective == 0.0 and sol.optimal
    # a trip within half the range needs just one station anywhere on it
    short = (["a", "b"], [0.0, 90e3])
    assert refuelling_combinations(*short, ["a", "b"], vehicle_range_m=200e3) == [(0,), (1,)]
    # an arc longer than the range can never be driven
    far = (["a", "z"], [0.0, 250e3])
    sol = solve_flow_refuelling([far], [5.0], ["a", "z"], vehicle_range_m=200e3, p=2)
    np.testing.assert_array_equal(sol.details["unrefuellable"], [0])
    assert sol.objective == 0.0 and sol.bound == 0.0


def random_network(seed, n_nodes=14):
    rng = np.random.default_rng(seed)
    g = nx.connected_watts_strogatz_graph(n_nodes, 4, 0.3, seed=int(seed))
    for u, v in g.edges:
        g.edges[u, v]["length"] = float(rng.integers(30, 120)) * 1e3
    pairs = [tuple(rng.choice(n_nodes, size=2, replace=False).tolist()) for _ in range(8)]
    flows = rng.integers(1, 20, size=len(pairs)).astype(float)
    return g, pairs, flows


@pytest.mark.parametrize("seed", range(8))
def test_matches_brute_force_on_random_networks(seed):
    g, pairs, flows = random_network(seed)
    paths = flow_paths(g, pairs)
    cands = list(range(0, 14, 2 if seed % 2 else 1))[:10]
    p = 2 + seed % 3
    rng = 200e3
    best = brute(paths, flows, cands, rng, p=p)
    for formulation in ("arc-cover", "combinations"):
        sol = solve_flow_refuelling(
            paths, flows, cands, vehicle_range_m=rng, p=p, formulation=formulation
        )
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(best)
        st = {cands[j] for j in sol.selected}
        done = [simulate(nodes, cum, st, rng) for nodes, cum in paths]
        np.testing.assert_array_equal(sol.covered, done)
        assert sol.objective == pytest.approx(flows[done].sum())
    heur = solve_flow_refuelling(paths, flows, cands, vehicle_range_m=rng, p=p, method="heuristic")
    assert heur.objective <= best + 1e-9 <= heur.bound + 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_roles_and_budget(seed):
    g, pairs, flows = random_network(50 + seed)
    paths = flow_paths(g, pairs)
    cands = list(range(10))
    costs = np.random.default_rng(seed).integers(1, 4, size=10).astype(float)
    kw = {"existing": [0], "required": [1], "forbidden": [2]}
    best = brute(paths, flows, cands, 180e3, budget=5.0, costs=costs, **kw)
    for formulation in ("arc-cover", "combinations"):
        sol = solve_flow_refuelling(
            paths,
            flows,
            cands,
            vehicle_range_m=180e3,
            budget=5.0,
            costs=costs,
            formulation=formulation,
            **kw,
        )
        assert sol.objective == pytest.approx(best)
        assert 1 in sol.selected and 0 not in sol.selected and 2 not in sol.selected
        assert costs[sol.selected].sum() <= 5.0
    # marginal: the flow lost when that station alone is removed
    st_all = {cands[j] for j in sol.selected} | {0}
    for j, lost in zip(sol.selected, sol.marginal, strict=True):
        rest = st_all - {cands[j]}
        kept = sum(
            f for (nd, cm), f in zip(paths, flows, strict=True) if simulate(nd, cm, rest, 180e3)
        )
        assert lost == pytest.approx(sol.objective - kept)


def test_graph_adapter_and_od_table():
    g, pairs, flows = random_network(3)
    od = pd.DataFrame(
        {"origin": [a for a, _ in pairs], "destination": [b for _, b in pairs], "flow": flows}
    )
    sol = solve_flow_refuelling_graph(g, od, vehicle_range_m=200e3, p=3)
    paths = sol.details["paths"]
    cands = sol.details["candidates"]
    assert sol.objective == pytest.approx(brute(paths, flows, cands, 200e3, p=3))
    with pytest.raises(ValueError, match="no road"):
        h = g.copy()
        h.add_node(99)
        flow_paths(h, [(0, 99)])
    with pytest.raises(KeyError, match="od lacks columns"):
        solve_flow_refuelling_graph(g, od.drop(columns="flow"), vehicle_range_m=1e5, p=1)


def test_checks_name_the_argument():
    path = (["a", "b"], [0.0, 10.0])
    with pytest.raises(SpecificationError, match="give p"):
        solve_flow_refuelling([path], [1.0], ["a"], vehicle_range_m=100.0)
    with pytest.raises(ValueError, match="vehicle_range_m must be"):
        solve_flow_refuelling([path], [1.0], ["a"], vehicle_range_m=0, p=1)
    with pytest.raises(ValueError, match="path 0: distances must start at 0"):
        solve_flow_refuelling([(["a", "b"], [5.0, 2.0])], [1.0], ["a"], vehicle_range_m=9, p=1)
    with pytest.raises(ValueError, match="path 1 has zero length"):
        solve_flow_refuelling(
            [path, (["a", "a"], [0, 0])], [1.0, 1.0], ["a"], vehicle_range_m=9, p=1
        )
    with pytest.raises(ValueError, match="flows must hold one"):
        solve_flow_refuelling([path], [1.0, 2.0], ["a"], vehicle_range_m=100.0, p=1)
    with pytest.raises(ValueError, match="twice"):
        solve_flow_refuelling([path], [1.0], ["a", "a"], vehicle_range_m=100.0, p=1)
    with pytest.raises(SpecificationError, match="p=0 is smaller than the 1 required"):
        solve_flow_refuelling([path], [1.0], ["a"], vehicle_range_m=100.0, p=0, required=[0])


def test_time_limit_kept():
    rng = np.random.default_rng(9)
    g = nx.connected_watts_strogatz_graph(300, 4, 0.1, seed=9)
    for u, v in g.edges:
        g.edges[u, v]["length"] = float(rng.integers(10, 60)) * 1e3
    pairs = [tuple(rng.choice(300, size=2, replace=False).tolist()) for _ in range(300)]
    paths = flow_paths(g, pairs)
    flows = rng.integers(1, 50, size=len(paths)).astype(float)
    limit = 2.0
    t0 = time.perf_counter()
    sol = solve_flow_refuelling(
        paths, flows, list(range(300)), vehicle_range_m=150e3, p=15, time_limit=limit
    )
    assert time.perf_counter() - t0 <= limit * 1.1 + 1.0
    assert np.isfinite(sol.bound) and sol.bound >= sol.objective


def _naive_arc_sets(sites, pos, length, rng):
    """Per arc of the cycle, every candidate stop within ``rng`` before the arc's end."""
    n = len(pos)
    out = []
    for t in range(n):
        end = pos[(t + 1) % n] + (length if t + 1 == n else 0.0)
        if end - pos[t] > rng * (1 + 1e-12):
            return None
        if end - pos[t] <= 0:
            continue
        reach = set()
        for back in range(n):
            s = (t - back) % n
            q = pos[s] - (length if s > t else 0.0)
            if end - q > rng * (1 + 1e-12):
                break
            if sites[s] >= 0:
                reach.add(int(sites[s]))
        out.append(frozenset(reach))
    return out


def _minimal(family):
    sets = set(family)
    return {s for s in sets if not any(o < s for o in sets)}


@pytest.mark.parametrize("seed", range(4))
def test_arc_sets_keep_exactly_the_minimal_sets(seed):
    from planning.models._frlm_paths import _arc_sets, _Cycle

    rng = np.random.default_rng(seed)
    for _ in range(300):
        n = int(rng.integers(2, 20))
        length = float(rng.uniform(1, 100))
        pos = np.sort(rng.uniform(0, length, n))
        pos[0] = 0.0
        if rng.random() < 0.3:
            pos = np.floor(pos)  # stops at the same place (still inside the cycle)
        sites = rng.integers(-1, 8, n).astype(np.int64)
        gap = float(np.max(np.diff(np.append(pos, length))))
        reach = float(rng.choice([rng.uniform(1, length), 2 * length, gap]))
        want = _naive_arc_sets(sites, pos, length, reach)
        got = _arc_sets(_Cycle(sites, pos, length), reach)
        assert (want is None) == (got is None)
        if want is not None:
            got_sets = [frozenset(int(k) for k in s) for s in got]
            assert len(got_sets) == len(set(got_sets))  # no set twice
            assert _minimal(got_sets) == _minimal(want)
