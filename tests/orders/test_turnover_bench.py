"""The turnover benchmark runs at a tiny scale in the suite, so it never rots."""

from bench.turnover import run_benchmark


def test_the_turnover_benchmark_runs_at_a_tiny_scale(db):
    result = run_benchmark(scale=0.0001, days=6, repeat=1, vacuum=False, log=lambda msg: None)
    assert result["merchants"] == 4
    assert result["orders"] == 40 * 6
    assert result["reconcile"]["differences"] == 0
    assert result["checks"]["rollups_equal_orders"]
    assert result["checks"]["baseline_is_the_same_aggregate"]
    assert result["one_day"]["rollup_cold_s"] > 0 and result["one_day"]["same_aggregate_s"] > 0
    assert set(result["dashboard_ms"]) >= {"at_1_percent", "at_100_percent", "ratio_30_days"}
    assert set(result["merchant_pages_ms"]["ratios"]) == {
        "dashboard_30_days",
        "dashboard_365_days",
        "api_daily_turnover",
    }
