"""The draw algorithm alone: reproducible, seed-dependent, stratified, within its ratio."""

from __future__ import annotations

import pytest

from app.spot_checks.draw import (
    commitment,
    population_digest,
    run_draw,
    sample_size,
)

POPULATION = [{"nomination_id": i, "stratum": f"D{i % 3 + 1}"} for i in range(1, 61)] + [
    {"nomination_id": 100, "stratum": "D9"}
]


def test_same_record_same_sample():
    first = run_draw("seed-2026", POPULATION, "ratio", "0.2")
    again = run_draw("seed-2026", list(reversed(POPULATION)), "ratio", "0.2")
    assert first == again


def test_the_seed_changes_the_sample():
    samples = {tuple(run_draw(f"seed-{i}", POPULATION, "ratio", "0.2").sample) for i in range(5)}
    assert len(samples) == 5


def test_strata_and_ratio_are_honoured():
    result = run_draw("s", POPULATION, "ratio", "0.2")
    # 20 per district → ceil(20 × 0.2) = 4; the district with one nomination still gives one.
    assert result.strata == {
        "D1": {"population": 20, "drawn": 4},
        "D2": {"population": 20, "drawn": 4},
        "D3": {"population": 20, "drawn": 4},
        "D9": {"population": 1, "drawn": 1},
    }
    assert len(result.sample) == 13 and 100 in result.sample
    by_stratum = {e["nomination_id"]: e["stratum"] for e in POPULATION}
    for stratum in ("D1", "D2", "D3"):
        assert sum(1 for n in result.sample if by_stratum[n] == stratum) == 4


@pytest.mark.parametrize(
    ("n", "method", "value", "k"),
    [
        (0, "ratio", "0.5", 0),
        (1, "ratio", "0.01", 1),
        (10, "ratio", "0.25", 3),
        (10, "count", "3", 3),
        (2, "count", "5", 2),
        (7, "ratio", "1", 7),
    ],
)
def test_sample_size(n, method, value, k):
    assert sample_size(n, method, value) == k


def test_digests_are_stable_and_order_free():
    assert population_digest(POPULATION) == population_digest(list(reversed(POPULATION)))
    assert population_digest(POPULATION) != population_digest(POPULATION[:-1])
    assert commitment("abc") == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
