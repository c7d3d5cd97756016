"""TR 38.901 path loss, margins and link-budget radii against hand calculation."""

import math

import numpy as np
import pytest

from planning import radio

C = radio.SPEED_OF_LIGHT


def _lg(x):
    return math.log10(x)


@pytest.mark.parametrize(
    ("fc", "d", "h_bs"), [(3.5, 200.0, 25.0), (0.7, 1500.0, 30.0), (28.0, 60.0, 25.0)]
)
def test_uma_by_hand(fc, d, h_bs):
    h_ut = 1.5
    d3 = math.sqrt(d**2 + (h_bs - h_ut) ** 2)
    d_bp = 4 * (h_bs - 1) * (h_ut - 1) * fc * 1e9 / C
    if d <= d_bp:
        los = 28.0 + 22 * _lg(d3) + 20 * _lg(fc)
    else:
        los = 28.0 + 40 * _lg(d3) + 20 * _lg(fc) - 9 * _lg(d_bp**2 + (h_bs - h_ut) ** 2)
    nlos = max(los, 13.54 + 39.08 * _lg(d3) + 20 * _lg(fc))
    assert radio.path_loss("uma", fc, d, h_bs=h_bs, los=True) == pytest.approx(los, abs=1e-9)
    assert radio.path_loss("uma", fc, d, h_bs=h_bs) == pytest.approx(nlos, abs=1e-9)


def test_uma_literal_value():
    # 3.5 GHz, 200 m, 25 m mast: d3D = 201.376 m; 13.54 + 39.08*2.30401 + 20*0.544068
    assert radio.path_loss("uma", 3.5, 200.0, h_bs=25.0) == pytest.approx(114.462, abs=2e-3)
    # LOS before the breakpoint (560 m): 28 + 22*2.30401 + 10.8814
    assert radio.path_loss("uma", 3.5, 200.0, h_bs=25.0, los=True) == pytest.approx(89.57, abs=2e-2)


@pytest.mark.parametrize(
    ("fc", "d", "h_bs"), [(3.5, 100.0, 10.0), (2.6, 900.0, 10.0), (4.9, 40.0, 12.0)]
)
def test_umi_by_hand(fc, d, h_bs):
    h_ut = 1.5
    d3 = math.sqrt(d**2 + (h_bs - h_ut) ** 2)
    d_bp = 4 * (h_bs - 1) * (h_ut - 1) * fc * 1e9 / C
    if d <= d_bp:
        los = 32.4 + 21 * _lg(d3) + 20 * _lg(fc)
    else:
        los = 32.4 + 40 * _lg(d3) + 20 * _lg(fc) - 9.5 * _lg(d_bp**2 + (h_bs - h_ut) ** 2)
    nlos = max(los, 35.3 * _lg(d3) + 22.4 + 21.3 * _lg(fc))
    assert radio.path_loss("umi", fc, d, h_bs=h_bs, los=True) == pytest.approx(los, abs=1e-9)
    assert radio.path_loss("umi", fc, d, h_bs=h_bs) == pytest.approx(nlos, abs=1e-9)


@pytest.mark.parametrize(
    ("fc", "d", "h_bs"), [(3.5, 800.0, 35.0), (0.7, 4000.0, 45.0), (2.6, 30.0, 20.0)]
)
def test_rma_by_hand(fc, d, h_bs):
    h_ut, h, w = 1.5, 5.0, 20.0
    d3 = math.sqrt(d**2 + (h_bs - h_ut) ** 2)
    d_bp = 2 * math.pi * h_bs * h_ut * fc * 1e9 / C

    def pl1(x):
        return (
            20 * _lg(40 * math.pi * x * fc / 3)
            + min(0.03 * h**1.72, 10) * _lg(x)
            - min(0.044 * h**1.72, 14.77)
            + 0.002 * _lg(h) * x
        )

    los = pl1(d3) if d <= d_bp else pl1(d_bp) + 40 * _lg(d3 / d_bp)
    nlos_p = (
        161.04
        - 7.1 * _lg(w)
        + 7.5 * _lg(h)
        - (24.37 - 3.7 * (h / h_bs) ** 2) * _lg(h_bs)
        + (43.42 - 3.1 * _lg(h_bs)) * (_lg(d3) - 3)
        + 20 * _lg(fc)
        - (3.2 * _lg(11.75 * h_ut) ** 2 - 4.97)
    )
    assert radio.path_loss("rma", fc, d, h_bs=h_bs, los=True) == pytest.approx(los, abs=1e-9)
    assert radio.path_loss("rma", fc, d, h_bs=h_bs) == pytest.approx(max(los, nlos_p), abs=1e-9)


@pytest.mark.parametrize(
    ("model", "h_bs", "fc"), [("uma", 25.0, 3.5), ("umi", 10.0, 3.5), ("rma", 35.0, 0.7)]
)
def test_breakpoint_continuity(model, h_bs, fc):
    d_bp = radio.breakpoint_distance(model, fc, h_bs, 1.5)
    assert radio.MIN_DISTANCE_M < d_bp < radio.MAX_DISTANCE_M[(model, True)]
    below = radio.path_loss(model, fc, d_bp * (1 - 1e-9), h_bs=h_bs, los=True)
    above = radio.path_loss(model, fc, d_bp * (1 + 1e-9), h_bs=h_bs, los=True)
    assert abs(above - below) < 0.01


@pytest.mark.parametrize("model", radio.MODELS)
@pytest.mark.parametrize("los", [True, False, "expected"])
def test_monotone_in_distance_and_frequency(model, los):
    h_bs = {"uma": 25.0, "umi": 10.0, "rma": 35.0}[model]
    top = radio.MAX_DISTANCE_M[(model, los is True)]
    d = np.geomspace(10.0, top, 400)
    pl = radio.path_loss(model, 3.5, d, h_bs=h_bs, los=los)
    assert pl.shape == d.shape
    assert np.all(np.diff(pl) > 0)
    assert np.all(radio.path_loss(model, 4.9, d, h_bs=h_bs, los=los) > pl)
    if los is False:
        assert np.all(pl >= radio.path_loss(model, 3.5, d, h_bs=h_bs, los=True) - 1e-9)


def test_validity_ranges():
    with pytest.raises(ValueError, match="distance_m must be within"):
        radio.path_loss("uma", 3.5, 5.0, h_bs=25)
    with pytest.raises(ValueError, match="distance_m must be within"):
        radio.path_loss("uma", 3.5, [100.0, 6000.0], h_bs=25)
    radio.path_loss("rma", 3.5, 8000.0, h_bs=35, los=True)
    with pytest.raises(ValueError, match="frequency_ghz"):
        radio.path_loss("rma", 40.0, 100.0, h_bs=35)
    with pytest.raises(ValueError, match="h_bs"):
        radio.path_loss("uma", 3.5, 100.0, h_bs=300)
    with pytest.raises(ValueError, match="h_ut"):
        radio.path_loss("rma", 3.5, 100.0, h_bs=35, h_ut=15)
    with pytest.raises(ValueError, match="model must be one of"):
        radio.path_loss("indoor", 3.5, 100.0, h_bs=35)
    with pytest.raises(ValueError, match="los must be"):
        radio.path_loss("uma", 3.5, 100.0, h_bs=25, los="maybe")


def test_los_probability_by_hand():
    d = 200.0
    assert radio.los_probability("umi", d) == pytest.approx(
        18 / d + math.exp(-d / 36) * (1 - 18 / d)
    )
    assert radio.los_probability("uma", d) == pytest.approx(
        18 / d + math.exp(-d / 63) * (1 - 18 / d)
    )
    c = ((20 - 13) / 10) ** 1.5
    base = 18 / d + math.exp(-d / 63) * (1 - 18 / d)
    high = base * (1 + c * 1.25 * (d / 100) ** 3 * math.exp(-d / 150))
    assert radio.los_probability("uma", d, h_ut=20) == pytest.approx(high)
    assert radio.los_probability("rma", 1010.0) == pytest.approx(math.exp(-1.0))
    assert radio.los_probability("uma", 10.0) == 1.0
    p = radio.los_probability("uma", np.geomspace(18, 5000, 50))
    assert np.all(np.diff(p) <= 0) and np.all((p >= 0) & (p <= 1))


def test_o2i_by_hand():
    f = 3.5
    tw = 5 - 10 * _lg(0.3 * 10 ** (-(2 + 0.2 * f) / 10) + 0.7 * 10 ** (-(5 + 4 * f) / 10))
    mean, sigma = radio.o2i_loss(f, kind="low", indoor_distance_m=10)
    assert mean == pytest.approx(tw + 5.0) and sigma == 4.4
    tw_h = 5 - 10 * _lg(0.7 * 10 ** (-(23 + 0.3 * f) / 10) + 0.3 * 10 ** (-(5 + 4 * f) / 10))
    mean_h, sigma_h = radio.o2i_loss(f, kind="high", indoor_distance_m=0)
    assert mean_h == pytest.approx(tw_h) and sigma_h == 6.5
    assert mean_h > mean - 5.0


def test_fading_margin():
    assert radio.fading_margin(8.0, 0.5) == pytest.approx(0.0, abs=1e-12)
    assert radio.fading_margin(8.0, 0.95) == pytest.approx(8 * 1.6448536, rel=1e-6)
    with pytest.raises(ValueError, match="coverage_probability"):
        radio.fading_margin(8.0, 1.0)


def test_link_budget_arithmetic():
    b = radio.LinkBudget()
    assert b.resource_elements() == 3276  # 273 PRB x 12 at 100 MHz / 30 kHz
    assert b.eirp_per_re_dbm() == pytest.approx(53 - 10 * _lg(3276) + 24)
    assert b.sensitivity_dbm() == pytest.approx(-174 + 10 * _lg(30e3) + 7 - 3)
    assert b.max_path_loss_db() == pytest.approx(b.eirp_per_re_dbm() - 3 + 90)
    deaf = radio.LinkBudget(required_rsrp_dbm=-140.0)
    assert deaf.required_dbm() == pytest.approx(deaf.sensitivity_dbm())
    with pytest.raises(ValueError, match="overrides"):
        radio.link_budget("3.5GHz", "urban", power=3)


def _radius_at(model, band, mapl, h_bs):
    budget = radio.LinkBudget(
        tx_power_dbm=0.0,
        antenna_gain_dbi=0.0,
        bandwidth_mhz=0.03,
        subcarrier_khz=30.0,
        other_losses_db=0.0,
        required_rsrp_dbm=-mapl,
        min_sinr_db=-60.0,
    )
    assert budget.max_path_loss_db() == pytest.approx(mapl)
    env = "urban" if model == "uma" else "rural"
    return radio.cell_radius(band, env, h_bs, budget=budget, cell_edge_probability=0.5)


# ../DOMAIN.md: median UMa NLOS radii at 120 and 130 dB, RMa at 130 dB (est.)
DOMAIN = [
    ("uma", 120, {"700MHz": 640, "2.6GHz": 320, "3.5GHz": 280, "4.9GHz": 230}),
    ("uma", 130, {"700MHz": 1150, "2.6GHz": 585, "3.5GHz": 500, "4.9GHz": 420}),
    ("rma", 130, {"700MHz": 2200, "2.6GHz": 1100, "3.5GHz": 975, "4.9GHz": 820}),
]


@pytest.mark.parametrize(("model", "mapl", "table"), DOMAIN)
def test_radius_table_of_the_domain_notes(model, mapl, table):
    h_bs = 25.0 if model == "uma" else 35.0
    for band, expected in table.items():
        got = _radius_at(model, band, mapl, h_bs)
        assert got == pytest.approx(expected, rel=0.10), band


def test_cell_radius_meets_budget_exactly():
    r = radio.cell_radius("3.5GHz", "rural", 35.0)
    budget = radio.link_budget("3.5GHz", "rural")
    margin = radio.fading_margin(8.0, 0.75)
    assert radio.path_loss("rma", 3.5, r, h_bs=35.0) == pytest.approx(
        budget.max_path_loss_db() - margin, abs=1e-6
    )
    # higher mast, lower band, outdoor and LOS all reach further
    assert radio.cell_radius("3.5GHz", "rural", 45.0) > r
    assert radio.cell_radius("700MHz", "rural", 35.0) > r
    assert radio.cell_radius("3.5GHz", "rural", 35.0, indoor="low") < r
    assert radio.cell_radius("3.5GHz", "rural", 35.0, indoor="high") < radio.cell_radius(
        "3.5GHz", "rural", 35.0, indoor="low"
    )
    assert radio.cell_radius("3.5GHz", "urban", 25.0) < radio.cell_radius(
        "3.5GHz", "county_seat", 25.0
    )
    tiny = radio.LinkBudget(required_rsrp_dbm=0.0)
    assert radio.cell_radius("3.5GHz", "urban", 25.0, budget=tiny) == 0.0
    huge = radio.LinkBudget(required_rsrp_dbm=-200.0, min_sinr_db=-80.0)
    assert radio.cell_radius("3.5GHz", "urban", 25.0, budget=huge) == 5000.0
    with pytest.raises(ValueError, match="environment must be one of"):
        radio.cell_radius("3.5GHz", "desert", 25.0)
    with pytest.raises(ValueError, match="band must be one of"):
        radio.cell_radius("28GHz", "urban", 25.0)


def test_radius_table_shape():
    table = radio.radius_table()
    assert list(table.columns) == list(radio.ENVIRONMENTS)
    assert list(table.index) == list(radio.BAND_FREQUENCY_GHZ)
    assert (table.diff().iloc[1:] < 0).all().all()  # higher band, smaller cell
    assert (table["rural"] > table["urban"]).all()


def test_classify_environment():
    rng = np.random.default_rng(1)
    dense = rng.normal(0, 300, (200, 2))
    town = rng.normal(0, 300, (30, 2)) + np.array([20_000.0, 0.0])
    firms = np.vstack([dense, town])
    sites = np.array([[0.0, 0.0], [20_000.0, 0.0], [50_000.0, 0.0]])
    assert list(radio.classify_environment(sites, firms)) == ["urban", "county_seat", "rural"]
    assert list(radio.classify_environment(sites, np.empty((0, 2)))) == ["rural"] * 3
    with pytest.raises(ValueError, match="county_seat_min_firms"):
        radio.classify_environment(sites, firms, urban_min_firms=5, county_seat_min_firms=10)
