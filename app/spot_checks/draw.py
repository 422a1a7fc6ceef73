"""The random draw: deterministic from its published inputs, so anyone can re-run it.

Inputs, all in the draw's public record:
- the seed, fixed before the draw: its SHA-256 (the *commitment*) is published when the draw
  is announced, the seed itself when the draw is made;
- the population: the nominations awaiting the draw, each with its stratum (district code),
  as a list ordered by (stratum, nomination id), and the SHA-256 of its canonical JSON;
- the rule: a ratio or a count per stratum, and at least one per stratum that has any.

Within each stratum every nomination gets the key HMAC-SHA256(seed, "<nomination id>"); the
sample is the k smallest keys. Nothing else (no clock, no database order, no Python `random`)
enters, so the same record always gives the same sample, and changing the seed changes it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

METHODS = ("ratio", "count")


def commitment(seed: str) -> str:
    """What is published before the draw: the seed's SHA-256, hex."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def canonical_population(entries: list[dict]) -> list[dict]:
    """[{"nomination_id": int, "stratum": str}], ordered by stratum then id."""
    rows = [
        {"nomination_id": int(e["nomination_id"]), "stratum": str(e["stratum"])} for e in entries
    ]
    return sorted(rows, key=lambda e: (e["stratum"], e["nomination_id"]))


def population_digest(entries: list[dict]) -> str:
    text = json.dumps(
        canonical_population(entries), ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample_size(population: int, method: str, value: str) -> int:
    """How many to draw from a stratum of `population`: at least one when it has any."""
    if population == 0:
        return 0
    if method == "ratio":
        k = math.ceil(Fraction(value) * population)
    elif method == "count":
        k = int(value)
    else:
        raise ValueError(f"unknown method {method!r}")
    return max(1, min(population, k))


def draw_key(seed: str, nomination_id: int) -> str:
    return hmac.new(
        seed.encode("utf-8"), str(nomination_id).encode("ascii"), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class DrawResult:
    sample: list[int]  # drawn nomination ids, ascending
    strata: dict[str, dict[str, int]]  # stratum -> {"population": n, "drawn": k}


def run_draw(seed: str, entries: list[dict], method: str, value: str) -> DrawResult:
    """The sample for this seed, population and rule."""
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for entry in canonical_population(entries):
        by_stratum[entry["stratum"]].append(entry["nomination_id"])
    sample: list[int] = []
    strata: dict[str, dict[str, int]] = {}
    for stratum in sorted(by_stratum):
        ids = by_stratum[stratum]
        k = sample_size(len(ids), method, value)
        ranked = sorted(ids, key=lambda nid: (draw_key(seed, nid), nid))
        sample.extend(ranked[:k])
        strata[stratum] = {"population": len(ids), "drawn": k}
    return DrawResult(sorted(sample), strata)
