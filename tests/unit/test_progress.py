"""Progress engine: worked examples (arithmetic done by hand in comments) and properties."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.progress import (
    PERIOD_RE,
    STATUSES,
    Assessment,
    IndicatorSpec,
    Point,
    assess,
    assess_all,
    combine_headline,
    cut_as_of,
    period_le,
    period_time,
    projection_path,
    required_path,
    t_to_label,
)


def spec(code="X", kind="count", direction="increase", combine="sum", single_reporter=None,
         targets=None, **kw) -> IndicatorSpec:
    return IndicatorSpec(code, kind, direction, combine, single_reporter,
                         targets=targets if targets is not None else {}, **kw)


def pts(*pairs) -> list[Point]:
    return [Point(p, v) for p, v in pairs]


# --- time ------------------------------------------------------------------------------------

@pytest.mark.parametrize("period,t", [
    ("2025", 2025.0), ("2025-Q4", 2025.0), ("2025-Q2", 2024.5), ("2025-Q1", 2024.25),
    ("2025-Q3", 2024.75), ("2030", 2030.0),
])
def test_period_time_places_each_period_at_its_end(period, t):
    assert period_time(period) == t


@pytest.mark.parametrize("bad", ["2025Q1", "Q1/2025", "2025-Q5", "2025-Q0", "25", "2025\n",
                                 " 2025", "٢٠٢٥", "", "2025-q1"])
def test_period_time_rejects_non_canonical_periods(bad):
    assert PERIOD_RE.match(bad) is None
    with pytest.raises(ValueError):
        period_time(bad)


def test_period_le_compares_period_ends_so_an_unfinished_year_is_not_included():
    # as of 2026-Q2 (ends 2025.5): 2026-Q1 (2025.25), 2026-Q2 (2025.5), 2025 (2025.0) are in;
    # the annual 2026 ends 2026.0 > 2025.5, so it is out.
    assert period_le("2026-Q1", "2026-Q2")
    assert period_le("2026-Q2", "2026-Q2")
    assert period_le("2025", "2026-Q2")
    assert not period_le("2026", "2026-Q2")
    # 2025 and 2025-Q4 end together (both 2025.0)
    assert period_le("2025", "2025-Q4") and period_le("2025-Q4", "2025")


@pytest.mark.parametrize("t,label", [(2030.0, "2030"), (2024.5, "2025-Q2"), (2024.25, "2025-Q1"),
                                     (2024.75, "2025-Q3"), (2025.0, "2025")])
def test_t_to_label_inverts_period_time_on_quarter_ends(t, label):
    assert t_to_label(t) == label


def test_t_to_label_round_trips_every_annual_and_non_q4_quarter():
    for year in range(2020, 2046):
        assert t_to_label(period_time(str(year))) == str(year)
        for q in (1, 2, 3):
            p = f"{year}-Q{q}"
            assert t_to_label(period_time(p)) == p


# --- combining reporters ---------------------------------------------------------------------

ROWS = [
    ("MOFA", "2025-Q1", 10.0), ("HANOI", "2025-Q1", 5.0),
    ("MOFA", "2025-Q2", 12.0), ("HCMC", "2025-Q2", 3.0),  # HANOI sent nothing for Q2
    ("HCMC", "2025-Q3", 4.0),
]


def test_combine_sum_adds_only_the_reporters_that_reported_each_period():
    # Q1: 10 + 5 = 15; Q2: 12 + 3 = 15 (HANOI's missing Q2 is not imputed); Q3: 4 (HCMC only)
    got = combine_headline(ROWS, spec(combine="sum"))
    assert got == pts(("2025-Q1", 15.0), ("2025-Q2", 15.0), ("2025-Q3", 4.0))


def test_combine_single_takes_only_the_named_reporter():
    got = combine_headline(ROWS, spec(combine="single", single_reporter="MOFA"))
    assert got == pts(("2025-Q1", 10.0), ("2025-Q2", 12.0))


def test_combine_single_named_reporter_absent_gives_empty_series():
    assert combine_headline(ROWS, spec(combine="single", single_reporter="MOPS")) == []


def test_combine_single_without_reporter_picks_the_one_with_most_periods():
    # MOFA 2 periods, HCMC 2 periods, HANOI 1: tie MOFA/HCMC -> alphabetical -> HCMC
    got = combine_headline(ROWS, spec(combine="single"))
    assert got == pts(("2025-Q2", 3.0), ("2025-Q3", 4.0))
    # only one reporter present: it is used
    only = [("MOFA", "2025", 94.0)]
    assert combine_headline(only, spec(combine="single")) == pts(("2025", 94.0))


def test_combine_sorts_by_time_with_annual_before_its_q4_and_skips_bad_rows():
    rows = [("A", "2026-Q1", 3.0), ("A", "2025-Q4", 2.0), ("A", "2025", 1.0),
            ("A", "2025Q3", 9.0), ("A", "2025-Q2", float("nan")), ("A", "2025-Q1", 7.0),
            ("A", "2025-Q1", 8.0)]  # repeated key: the last row wins
    got = combine_headline(rows, spec(combine="sum"))
    assert got == pts(("2025-Q1", 8.0), ("2025", 1.0), ("2025-Q4", 2.0), ("2026-Q1", 3.0))


def test_combine_unknown_mode_is_a_catalog_error():
    with pytest.raises(ValueError):
        combine_headline(ROWS, spec(combine="mean"))


# --- compound method, increase ---------------------------------------------------------------

# Baseline 2025 = 100 (t0 = 2025.0). Target 2030 = 248.832 = 100 * 1.2^5
# (1.2^2 = 1.44, 1.2^3 = 1.728, 1.2^4 = 2.0736, 1.2^5 = 2.48832), so
# r_req = 2.48832^(1/5) - 1 = 0.2. Latest is 2027 (dt = 2): r_obs = (y/100)^(1/2) - 1.
GROW = spec("MISSIONS_ABROAD", targets={2030: 248.832}, target_sources={2030: "plan"})


@pytest.mark.parametrize("latest,r_obs,ratio,status", [
    (144.0, 0.20, 1.00, "on_track"),               # 1.44^(1/2) = 1.2   -> R = 0.2/0.2
    (141.61, 0.19, 0.95, "on_track"),              # 1.19^2 = 1.4161    -> R = 0.95 (inclusive)
    (132.25, 0.15, 0.75, "acceleration_needed"),   # 1.15^2 = 1.3225    -> R = 0.75
    (125.44, 0.12, 0.60, "acceleration_needed"),   # 1.12^2 = 1.2544    -> R = 0.6 (inclusive)
    (121.0, 0.10, 0.50, "limited_progress"),       # 1.1^2 = 1.21       -> R = 0.5
    (100.0, 0.00, 0.00, "limited_progress"),       # no change          -> R = 0 (inclusive)
    (81.0, -0.10, -0.50, "deterioration"),         # 0.9^2 = 0.81       -> R = -0.1/0.2
])
def test_compound_increase_status_follows_the_rate_ratio(latest, r_obs, ratio, status):
    a = assess(GROW, pts(("2025", 100.0), ("2026", 105.0), ("2027", latest)), 2030)
    assert a.status == status
    assert a.method == "compound"
    assert a.observed_rate == pytest.approx(r_obs, abs=1e-12)
    assert a.required_rate == pytest.approx(0.2)
    assert a.ratio == pytest.approx(ratio, abs=1e-12)
    assert (a.baseline_period, a.baseline_value) == ("2025", 100.0)
    assert (a.latest_period, a.latest_value) == ("2027", latest)
    assert (a.target, a.target_source) == (248.832, "plan")


def test_compound_needed_rate_and_projection_from_the_latest_value():
    a = assess(GROW, pts(("2025", 100.0), ("2027", 144.0)), 2030)
    # needed: (248.832 / 144)^(1/3) - 1 = 1.728^(1/3) - 1 = 1.2 - 1 = 0.2
    assert a.needed_rate == pytest.approx(0.2)
    # projected: 144 * 1.2^(2030 - 2027) = 144 * 1.728 = 248.832
    assert a.projected_value == pytest.approx(248.832)


def test_target_reached_is_achieved_and_needs_no_further_rate():
    # 250 >= 248.832 in the increasing direction
    a = assess(GROW, pts(("2025", 100.0), ("2027", 250.0)), 2030)
    assert a.status == "achieved"
    assert a.needed_rate is None and a.ratio is None
    # r_obs still shown: (250/100)^(1/2) - 1 = 1.5811 - 1 = 0.5811
    assert a.observed_rate == pytest.approx(math.sqrt(2.5) - 1)


def test_achieved_needs_only_one_observation_at_the_target():
    # REMUNERATION_VS_ASEAN_PCT: 100 of a target of 100, a single point
    s = spec("REMUNERATION_VS_ASEAN_PCT", kind="percent", targets={2030: 100.0})
    a = assess(s, pts(("2025", 100.0)), 2030)
    assert a.status == "achieved"
    assert a.observed_rate is None


def test_baseline_already_past_target_then_falling_back_is_deterioration():
    # VISUAL_IDENTITY_PCT: 2025 = 100 = target, 2026 = 90. linear: r_obs = (90-100)/1 = -10,
    # r_req = (100-100)/5 = 0 -> R undefined (ratio None); moved away from a met target.
    s = spec("VISUAL_IDENTITY_PCT", kind="percent", targets={2030: 100.0})
    a = assess(s, pts(("2025", 100.0), ("2026", 90.0)), 2030)
    assert a.status == "deterioration"
    assert a.observed_rate == pytest.approx(-10.0)
    assert a.required_rate == pytest.approx(0.0)
    assert a.ratio is None
    # needed from 90: (100 - 90) / (2030 - 2026) = 2.5 points a year
    assert a.needed_rate == pytest.approx(2.5)


# --- compound method, decrease (staff streamlining) -----------------------------------------

# STAFF_HEADCOUNT: baseline 2025 = 1000, target 2030 = 590.49 = 1000 * 0.9^5
# (0.9^2 = 0.81, ^3 = 0.729, ^4 = 0.6561, ^5 = 0.59049) so r_req = -0.1.
# Signs flipped for 'decrease': R = (-r_obs) / (-r_req) = -r_obs / 0.1.
SHRINK = spec("STAFF_HEADCOUNT", direction="decrease", targets={2030: 590.49},
              target_sources={2030: "illustrative"})


@pytest.mark.parametrize("latest,r_obs,ratio,status", [
    (810.0, -0.10, 1.0, "on_track"),           # 0.81^(1/2) - 1 = -0.1   -> R = 0.1/0.1
    (902.5, -0.05, 0.5, "limited_progress"),   # 0.9025^(1/2) - 1 = -0.05 -> R = 0.05/0.1
    (1210.0, 0.10, -1.0, "deterioration"),     # 1.21^(1/2) - 1 = +0.1   -> R = -0.1/0.1
])
def test_compound_decrease_rewards_falling_values(latest, r_obs, ratio, status):
    a = assess(SHRINK, pts(("2025", 1000.0), ("2027", latest)), 2030)
    assert a.status == status
    assert a.method == "compound"
    assert a.observed_rate == pytest.approx(r_obs, abs=1e-12)
    assert a.required_rate == pytest.approx(-0.1)
    assert a.ratio == pytest.approx(ratio, abs=1e-12)
    assert a.target_source == "illustrative"


def test_decrease_below_target_is_achieved():
    # 580 <= 590.49: in the desired (downward) direction the target is met
    a = assess(SHRINK, pts(("2025", 1000.0), ("2027", 580.0)), 2030)
    assert a.status == "achieved"


# --- linear method ---------------------------------------------------------------------------

# DIGITAL_FULL_ONLINE_PCT: 2025-Q1 = 60 (t0 = 2024.25), 2026-Q1 = 66 (t = 2025.25).
# r_obs = (66 - 60) / 1 = 6 points a year.
DIGITAL = spec("DIGITAL_FULL_ONLINE_PCT", kind="percent", combine="single",
               targets={2030: 90.0, 2045: 100.0},
               target_sources={2030: "national", 2045: "illustrative"})


def test_linear_percent_rates_need_and_projection_for_both_horizons():
    a30, a45 = assess_all(DIGITAL, pts(("2025-Q1", 60.0), ("2026-Q1", 66.0)))
    # 2030: r_req = (90 - 60) / (2030 - 2024.25) = 30 / 5.75 = 5.2174
    #       R = 6 / 5.2174 = 6 * 5.75 / 30 = 1.15 -> on_track
    #       needed = (90 - 66) / (2030 - 2025.25) = 24 / 4.75 = 5.0526
    #       projected = 66 + 6 * 4.75 = 94.5
    assert (a30.horizon, a30.status, a30.method) == (2030, "on_track", "linear")
    assert a30.observed_rate == pytest.approx(6.0)
    assert a30.required_rate == pytest.approx(30 / 5.75)
    assert a30.ratio == pytest.approx(1.15)
    assert a30.needed_rate == pytest.approx(24 / 4.75)
    assert a30.projected_value == pytest.approx(94.5)
    assert a30.target_source == "national"
    # 2045: r_req = (100 - 60) / 20.75 = 1.9277; R = 6 * 20.75 / 40 = 3.1125 -> on_track
    #       needed = (100 - 66) / 19.75 = 1.7215
    #       projected = 66 + 6 * 19.75 = 184.5 -> clamped to 100 (a percentage)
    assert (a45.horizon, a45.status) == (2045, "on_track")
    assert a45.ratio == pytest.approx(3.1125)
    assert a45.needed_rate == pytest.approx(34 / 19.75)
    assert a45.projected_value == 100.0
    assert a45.target_source == "illustrative"


def test_linear_decrease_percent():
    # 2025 = 50, 2026 = 46: r_obs = -4; target 2030 = 30: r_req = (30 - 50)/5 = -4; R = 4/4 = 1
    s = spec(kind="percent", direction="decrease", targets={2030: 30.0})
    a = assess(s, pts(("2025", 50.0), ("2026", 46.0)), 2030)
    assert (a.status, a.method) == ("on_track", "linear")
    assert a.ratio == pytest.approx(1.0)


def test_count_with_baseline_zero_uses_linear_method():
    # LAWS_ENACTED: 2025 = 0, 2027 = 2, target 2030 = 4. Compound is undefined from 0 -> linear.
    # r_obs = (2 - 0) / 2 = 1 law a year; r_req = (4 - 0) / 5 = 0.8; R = 1 / 0.8 = 1.25
    # needed = (4 - 2) / 3 = 0.6667; projected = 2 + 1 * 3 = 5
    s = spec("LAWS_ENACTED", combine="single", targets={2030: 4.0, 2045: 4.0})
    a = assess(s, pts(("2025", 0.0), ("2027", 2.0)), 2030)
    assert (a.status, a.method) == ("on_track", "linear")
    assert a.observed_rate == pytest.approx(1.0)
    assert a.required_rate == pytest.approx(0.8)
    assert a.ratio == pytest.approx(1.25)
    assert a.needed_rate == pytest.approx(2 / 3)
    assert a.projected_value == pytest.approx(5.0)


def test_compound_indicator_whose_latest_fell_to_zero_falls_back_to_linear():
    # 2025 = 100, 2026 = 0; growth from 0 to 115 is infinite in compound terms -> linear.
    # r_obs = (0 - 100)/1 = -100; r_req = (115 - 100)/5 = 3; R = -33.3 -> deterioration
    # needed = (115 - 0)/4 = 28.75; projected = 0 - 100 * 4 = -400 -> clamped at 0 (a count)
    s = spec(targets={2030: 115.0})
    a = assess(s, pts(("2025", 100.0), ("2026", 0.0)), 2030)
    assert (a.status, a.method) == ("deterioration", "linear")
    assert a.ratio == pytest.approx(-100 / 3)
    assert a.needed_rate == pytest.approx(28.75)
    assert a.projected_value == 0.0


# --- series shape ----------------------------------------------------------------------------

def test_quarterly_and_annual_points_mix_in_one_series():
    # '2024' = 30 (t 2024.0, before the plan: ignored for the baseline),
    # '2025-Q1' = 40 (t 2024.25, baseline: first point with year >= 2025),
    # '2025' = 45 (t 2025.0), '2026-Q1' = 50 (t 2025.25, latest). Given out of order.
    # r_obs = (50 - 40) / (2025.25 - 2024.25) = 10; r_req = (90 - 40) / 5.75 = 8.6957
    # R = 10 * 5.75 / 50 = 1.15 -> on_track
    s = spec(kind="percent", targets={2030: 90.0})
    a = assess(s, pts(("2026-Q1", 50.0), ("2025", 45.0), ("2024", 30.0), ("2025-Q1", 40.0)), 2030)
    assert (a.baseline_period, a.baseline_value) == ("2025-Q1", 40.0)
    assert (a.latest_period, a.latest_value) == ("2026-Q1", 50.0)
    assert a.ratio == pytest.approx(1.15)
    assert a.status == "on_track"


def test_compound_over_quarters_and_years():
    # '2025-Q2' = 100 (t0 2024.5), '2026' = 110 (t 2026.0), '2027-Q2' = 121 (t 2026.5)
    # r_obs = 1.21^(1/2) - 1 = 0.1; target 161.051: r_req = 1.61051^(1/5.5) - 1
    #   = 1.1^(5/5.5) - 1 = exp(0.909091 * 0.0953102) - 1 = exp(0.0866456) - 1
    #   = (1 + 0.0866456 + 0.0037537 + 0.0001084 + 0.0000023) - 1 = 0.0905100
    # R = 0.1 / 0.0905100 = 1.10485 -> on_track
    s = spec(targets={2030: 161.051})
    a = assess(s, pts(("2025-Q2", 100.0), ("2026", 110.0), ("2027-Q2", 121.0)), 2030)
    assert a.observed_rate == pytest.approx(0.1)
    assert a.required_rate == pytest.approx(0.0905100, rel=1e-5)
    assert a.ratio == pytest.approx(1.10485, rel=1e-5)
    assert a.status == "on_track"


def test_latest_among_periods_ending_together_is_the_later_listed():
    s = spec(targets={2030: 500.0})
    a = assess(s, pts(("2025-Q1", 100.0), ("2025", 103.0), ("2025-Q4", 104.0)), 2030)
    assert a.latest_period == "2025-Q4"
    b = assess(s, pts(("2025-Q1", 100.0), ("2025-Q4", 104.0), ("2025", 103.0)), 2030)
    assert b.latest_period == "2025"


def test_single_observation_is_insufficient_data_but_shows_what_is_known():
    # 2025-Q1 = 60, target 90: no second point, so no observed rate.
    # required = needed = (90 - 60) / (2030 - 2024.25) = 30 / 5.75
    a = assess(DIGITAL, pts(("2025-Q1", 60.0)), 2030)
    assert a.status == "insufficient_data"
    assert a.baseline_period == a.latest_period == "2025-Q1"
    assert a.observed_rate is None and a.ratio is None and a.projected_value is None
    assert a.required_rate == pytest.approx(30 / 5.75)
    assert a.needed_rate == pytest.approx(30 / 5.75)


def test_no_points_is_insufficient_data():
    a = assess(GROW, [], 2030)
    assert a.status == "insufficient_data"
    assert a.latest_period is None and a.baseline_period is None and a.method is None


def test_only_points_before_the_plan_have_no_baseline():
    a = assess(spec(targets={2030: 115.0}), pts(("2023", 94.0), ("2024", 95.0)), 2030)
    assert a.status == "insufficient_data"
    assert a.baseline_period is None and a.latest_period == "2024"


def test_catalog_baseline_lets_one_later_observation_be_assessed():
    # catalog baseline 2024 = 100; one point 2026 = 121: r_obs = 1.21^(1/2) - 1 = 0.1
    # target 2030 = 200: r_req = (200/100)^(1/(2030 - 2024)) - 1 = 2^(1/6) - 1 = 0.122462
    # R = 0.1 / 0.122462 = 0.8166 -> acceleration_needed
    s = spec(targets={2030: 200.0}, baseline_period="2024", baseline_value=100.0)
    a = assess(s, pts(("2026", 121.0)), 2030)
    assert (a.baseline_period, a.baseline_value) == ("2024", 100.0)
    assert a.ratio == pytest.approx(0.8166, rel=1e-4)
    assert a.status == "acceleration_needed"


def test_catalog_baseline_period_without_value_reads_the_observed_value():
    s = spec(kind="percent", targets={2030: 90.0}, baseline_period="2025-Q2")
    a = assess(s, pts(("2025-Q1", 50.0), ("2025-Q2", 60.0), ("2026-Q2", 66.0)), 2030)
    assert (a.baseline_period, a.baseline_value) == ("2025-Q2", 60.0)
    # r_obs = (66 - 60) / 1 = 6
    assert a.observed_rate == pytest.approx(6.0)


# --- as-of cut -------------------------------------------------------------------------------

SERIES = pts(("2025-Q4", 100.0), ("2026-Q1", 101.0), ("2026-Q2", 102.0), ("2026", 110.0),
             ("2026-Q3", 105.0))


def test_cut_as_of_keeps_periods_that_have_ended_by_the_as_of_period():
    assert [p.period for p in cut_as_of(SERIES, "2026-Q2")] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert cut_as_of(SERIES, "2026") == SERIES
    assert cut_as_of(SERIES, None) == SERIES
    with pytest.raises(ValueError):
        cut_as_of(SERIES, "Q2/2026")


def test_assess_as_of_ignores_later_periods():
    s = spec(targets={2030: 115.0})
    # as of 2026-Q2: baseline 2025-Q4 = 100 (t 2025.0), latest 2026-Q2 = 102 (t 2025.5)
    # r_obs = 1.02^(1/0.5) - 1 = 1.0404 - 1 = 0.0404
    # r_req = 1.15^(1/5) - 1 = exp(0.1397619 / 5) - 1 = exp(0.0279524) - 1 = 0.028347
    # R = 0.0404 / 0.028347 = 1.4252 -> on_track
    a = assess(s, SERIES, 2030, as_of="2026-Q2")
    assert (a.latest_period, a.latest_value) == ("2026-Q2", 102.0)
    assert a.observed_rate == pytest.approx(0.0404)
    assert a.ratio == pytest.approx(1.4252, rel=1e-4)
    # no cut: latest is the annual 2026 = 110 (t 2026.0): r_obs = 1.1^(1/1) - 1 = 0.1
    b = assess(s, SERIES, 2030)
    assert (b.latest_period, b.observed_rate) == ("2026", pytest.approx(0.1))
    # as of 2025: only 2025-Q4 has ended -> one point
    assert assess(s, SERIES, 2030, as_of="2025").status == "insufficient_data"


# --- no status -------------------------------------------------------------------------------

def test_direction_none_shows_the_trend_without_a_status():
    # BUDGET_OPERATING: 2025 = 1000, 2026 = 1100: r_obs = 0.1;
    # projected 2030 = 1100 * 1.1^4 = 1100 * 1.4641 = 1610.51
    s = spec("BUDGET_OPERATING", kind="amount", direction="none")
    a30, a45 = assess_all(s, pts(("2025", 1000.0), ("2026", 1100.0)))
    assert a30.status is None and a45.status is None
    assert (a30.baseline_period, a30.latest_period) == ("2025", "2026")
    assert a30.observed_rate == pytest.approx(0.1)
    assert a30.projected_value == pytest.approx(1610.51)
    assert a30.target is None and a30.required_rate is None and a30.needed_rate is None


def test_missing_horizon_target_gives_no_status_for_that_horizon_only():
    s = spec("LAWS_ENACTED", targets={2045: 4.0})
    a30, a45 = assess_all(s, pts(("2025", 1.0), ("2027", 2.0)))
    assert a30.status is None and a30.target is None
    assert a45.status is not None and a45.target == 4.0


# --- robustness ------------------------------------------------------------------------------

def test_malformed_points_are_dropped_and_decimal_values_accepted():
    s = spec(kind="percent", targets={2030: 90.0})
    a = assess(s, [Point("2025", 50.0), Point("2025Q3", 99.0), Point("2026", float("nan")),
                   Point("junk", 1.0), Point("2026", Decimal("56")), Point("2027", "60")], 2030)
    # kept: 2025 = 50, 2026 = 56 -> r_obs = 6
    assert (a.latest_period, a.latest_value) == ("2026", 56.0)
    assert a.observed_rate == pytest.approx(6.0)


def test_bad_as_of_or_unknown_direction_is_insufficient_data_not_an_error():
    p = pts(("2025", 50.0), ("2026", 56.0))
    assert assess(DIGITAL, p, 2030, as_of="Q2/2026").status == "insufficient_data"
    weird = spec(kind="percent", direction="up", targets={2030: 90.0})
    assert assess(weird, p, 2030).status == "insufficient_data"


def test_as_dict_has_exactly_the_published_keys():
    d = assess(GROW, pts(("2025", 100.0), ("2027", 144.0)), 2030).as_dict()
    assert list(d) == ["indicator", "horizon", "status", "method", "baseline_period",
                       "baseline_value", "latest_period", "latest_value", "target",
                       "target_source", "observed_rate", "required_rate", "ratio",
                       "needed_rate", "projected_value"]
    assert d["indicator"] == "MISSIONS_ABROAD" and d["status"] == "on_track"


# --- chart paths -----------------------------------------------------------------------------

def test_projection_path_runs_from_latest_to_horizon_at_the_observed_rate():
    a30, a45 = assess_all(DIGITAL, pts(("2025-Q1", 60.0), ("2026-Q1", 66.0)))
    # 66 + 6 per year from 2025.25; the last step is the 0.75 year to 2030 -> 90 + 4.5 = 94.5
    path = projection_path(a30)
    assert [t for t, _ in path] == [2025.25, 2026.25, 2027.25, 2028.25, 2029.25, 2030.0]
    assert [v for _, v in path] == pytest.approx([66, 72, 78, 84, 90, 94.5])
    # 2045: 66 + 6k passes 100 after 2030.25 (102) -> clamped at 100
    long = projection_path(a45)
    assert long[-1] == (2045.0, 100.0) and max(v for _, v in long) == 100.0


def test_required_path_runs_from_baseline_to_target_at_the_required_rate():
    a = assess(GROW, pts(("2025", 100.0), ("2027", 121.0)), 2030)
    # 100 * 1.2^k: 100, 120, 144, 172.8, 207.36, 248.832
    path = required_path(a)
    assert [t for t, _ in path] == [2025.0, 2026.0, 2027.0, 2028.0, 2029.0, 2030.0]
    assert [v for _, v in path] == pytest.approx([100, 120, 144, 172.8, 207.36, 248.832])


def test_paths_are_empty_when_rates_are_unknown():
    a = assess(GROW, pts(("2025", 100.0)), 2030)
    assert projection_path(a) == []
    assert required_path(assess(GROW, [], 2030)) == []
    assert required_path(Assessment("X", 2030, None)) == []


# --- properties ------------------------------------------------------------------------------

QUARTER_ENDS = [2024.25 + 0.25 * i for i in range(16)]  # 2025-Q1 .. 2028-Q4 (whole years annual)


@st.composite
def on_required_path(draw):
    method = draw(st.sampled_from(["compound", "linear"]))
    direction = draw(st.sampled_from(["increase", "decrease"]))
    horizon = draw(st.sampled_from([2030, 2045]))
    t0 = draw(st.sampled_from(QUARTER_ENDS))
    steps = int(round((horizon - t0) / 0.25))
    js = draw(st.lists(st.integers(1, steps - 1), min_size=1, max_size=8, unique=True))
    if method == "compound":
        kind = draw(st.sampled_from(["count", "amount"]))
        y0 = draw(st.floats(1, 1e6))
        g = draw(st.floats(1.05, 5) if direction == "increase" else st.floats(0.2, 0.95))
        target = y0 * g
        def value(t):
            return y0 * g ** ((t - t0) / (horizon - t0))
    else:
        kind = draw(st.sampled_from(["percent", "count"]))
        if kind == "count":  # a count with baseline <= 0 is assessed linearly
            y0 = draw(st.floats(-50, 0))
        else:
            y0 = draw(st.floats(0, 80) if direction == "increase" else st.floats(20, 100))
        d = draw(st.floats(1, 20))  # a count falling from <= 0 stays <= 0: still linear
        target = y0 + d if direction == "increase" else y0 - d
        def value(t):
            return y0 + (target - y0) * (t - t0) / (horizon - t0)
    points = [Point(t_to_label(t0), y0)]
    points += [Point(t_to_label(t0 + 0.25 * j), value(t0 + 0.25 * j)) for j in sorted(js)]
    s = spec(kind=kind, direction=direction, targets={horizon: target})
    return s, points, horizon, method


@given(on_required_path())
@settings(max_examples=300, deadline=None)
def test_property_series_growing_at_required_rate_is_on_track(case):
    s, points, horizon, method = case
    a = assess(s, points, horizon)
    assert a.method == method
    assert a.status == "on_track"
    assert a.ratio == pytest.approx(1.0, rel=1e-6)


PERIOD_POOL = [str(y) for y in range(2023, 2032)] + [
    f"{y}-Q{q}" for y in range(2023, 2032) for q in range(1, 5)]
nice = st.integers(-10_000, 10_000).map(float)


@given(
    kind=st.sampled_from(["count", "amount", "percent"]),
    direction=st.sampled_from(["increase", "decrease"]),
    series=st.dictionaries(st.sampled_from(PERIOD_POOL), nice, max_size=8),
    target=nice,
    baseline=st.one_of(st.none(), st.tuples(st.sampled_from(PERIOD_POOL), nice)),
    horizon=st.sampled_from([2030, 2045]),
    factor=st.integers(1, 400).map(lambda k: k / 20),
)
@settings(max_examples=400, deadline=None)
def test_property_scaling_everything_by_a_positive_factor_keeps_the_status(
        kind, direction, series, target, baseline, horizon, factor):
    bp, bv = baseline if baseline else (None, None)

    def build(c):
        s = spec(kind=kind, direction=direction, targets={horizon: target * c},
                 baseline_period=bp, baseline_value=None if bv is None else bv * c)
        return assess(s, [Point(p, v * c) for p, v in series.items()], horizon)

    one, scaled = build(1.0), build(factor)
    assert scaled.status == one.status
    assert scaled.method == one.method


any_period = st.one_of(
    st.sampled_from(PERIOD_POOL),
    st.integers(0, 9999).map(lambda y: f"{y:04d}"),
    st.tuples(st.integers(0, 9999), st.integers(1, 4)).map(lambda yq: f"{yq[0]:04d}-Q{yq[1]}"),
    st.text(max_size=8),
)
any_float = st.floats(allow_nan=False, allow_infinity=False)


@given(
    kind=st.one_of(st.sampled_from(["count", "amount", "percent"]), st.text(max_size=5)),
    direction=st.one_of(st.sampled_from(["increase", "decrease", "none"]), st.text(max_size=5)),
    points=st.lists(st.builds(Point, any_period, any_float), max_size=10),
    targets=st.dictionaries(st.sampled_from([2030, 2045]), any_float, max_size=2),
    baseline_period=st.one_of(st.none(), any_period),
    baseline_value=st.one_of(st.none(), any_float),
    horizon=st.one_of(st.sampled_from([2030, 2045]), st.integers(1, 3000)),
    as_of=st.one_of(st.none(), any_period),
)
@settings(max_examples=500, deadline=None)
def test_property_assess_never_raises_and_returns_a_known_status(
        kind, direction, points, targets, baseline_period, baseline_value, horizon, as_of):
    s = IndicatorSpec("X", kind, direction, "sum", None, baseline_period, baseline_value,
                      targets)
    a = assess(s, points, horizon, as_of)
    assert a.status in STATUSES or a.status is None
    for key, v in a.as_dict().items():
        if isinstance(v, float):
            assert math.isfinite(v), key
    for path in (projection_path(a), required_path(a)):
        assert all(math.isfinite(t) and math.isfinite(v) for t, v in path)
