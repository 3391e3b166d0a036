"""The votes benchmark at a tiny size: its generated votes count, publish and re-add cleanly
(figures printed, never asserted)."""

import os

import pytest

from bench import votes as bench_votes

pytestmark = pytest.mark.django_db


def test_votes_benchmark_runs_small(monkeypatch):
    for name, value in {"BENCH_VOTE_UNITS": "60", "BENCH_VOTE_BALLOTS": "45", "BENCH_VOTE_ESTATES": "3",
                        "BENCH_VOTE_ESTATE_UNITS": "40", "BENCH_VOTE_ESTATE_BALLOTS": "30"}.items():
        monkeypatch.setitem(os.environ, name, value)
    results = bench_votes.run(log=print)
    one = results["count_one_estate"]
    assert one["problems"] == 0 and one["events"] == 45 + 1  # every cast, and the count
    assert results["publish_district"]["estates"] == 3
    assert results["publish_district"]["events"] == 3 * (30 + 2)
