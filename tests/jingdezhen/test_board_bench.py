"""The live board's benchmark runs at a tiny scale in the suite, so it never rots."""

from bench.board import LIVE_STREAMS, run_benchmark


def test_the_board_benchmark_runs_at_a_tiny_scale(db):
    result = run_benchmark(
        scale=0.0001, days=3, since=10, repeat=1, vacuum=False, log=lambda msg: None
    )
    assert result["merchants"] == LIVE_STREAMS
    small, full = result["board_ms"]["at_1_percent"], result["board_ms"]["at_100_percent"]
    assert full["orders"] > small["orders"] > 0
    assert small["poll_queries"] == full["poll_queries"] <= 11
    assert result["checks"]["poll_queries_constant"]
    assert small["poll"] > 0 and full["page"] > 0
