"""Key figures and the rates computed from them, held against the standard's thresholds.

Rates are exact fractions, so 9 of 10 is exactly 90% and meets a 90% threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.standards.validation import FIGURES

FIGURE_LABELS = FIGURES  # the standard file's key figures, by name

# (part, whole): the part can never exceed the whole.
PART_OF = [
    ("member_count", "staff_count"),
    ("contract_member_count", "contract_staff_count"),
    ("migrant_member_count", "migrant_worker_count"),
    ("unionised_subunit_count", "subunit_count"),
    ("collective_contract_count", "unionised_subunit_count"),
]


@dataclass(frozen=True)
class RateRule:
    key: str  # the threshold's name in the standard file
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    # When the denominator is zero the rate has no meaning: either the unit has none of what
    # is counted (农民工) and the rule does not apply, or the figures are wrong (职工数 0).
    zero_means_not_applicable: bool = False


RATE_RULES: dict[str, list[RateRule]] = {
    "enterprise": [
        RateRule("membership_rate", "入会率", ("member_count",), ("staff_count",)),
    ],
    "public_institution": [
        RateRule(
            "membership_rate",
            "入会率（含编外聘用人员）",
            ("member_count", "contract_member_count"),
            ("staff_count", "contract_staff_count"),
        ),
    ],
    "regional": [
        RateRule("union_coverage_rate", "建会率", ("unionised_subunit_count",), ("subunit_count",)),
        RateRule("membership_rate", "入会率", ("member_count",), ("staff_count",)),
        RateRule(
            "migrant_membership_rate",
            "农民工入会率",
            ("migrant_member_count",),
            ("migrant_worker_count",),
            zero_means_not_applicable=True,
        ),
        RateRule(
            "collective_contract_rate",
            "集体合同建制率",
            ("collective_contract_count",),
            ("unionised_subunit_count",),
        ),
    ],
}


@dataclass(frozen=True)
class RateResult:
    key: str
    label: str
    value: Fraction | None  # None: cannot be computed yet, or does not apply
    threshold: Fraction
    applicable: bool = True
    problem: str | None = None  # why it can't be computed

    @property
    def meets(self) -> bool | None:
        if not self.applicable:
            return True
        if self.value is None:
            return None
        return self.value >= self.threshold

    @property
    def percent(self) -> str:
        return "—" if self.value is None else f"{float(self.value) * 100:.1f}%"

    @property
    def threshold_percent(self) -> str:
        return f"{float(self.threshold) * 100:g}%"


def figure_errors(figures: dict[str, int | None]) -> dict[str, list[str]]:
    """Figures that contradict each other or are impossible, by field."""
    errors: dict[str, list[str]] = {}
    for name, value in figures.items():
        if value is not None and value < 0:
            errors.setdefault(name, []).append(f"{FIGURE_LABELS[name]}不能为负数。")
    for part, whole in PART_OF:
        p, w = figures.get(part), figures.get(whole)
        if p is not None and w is not None and p > w:
            errors.setdefault(part, []).append(
                f"{FIGURE_LABELS[part]}（{p}）不能大于{FIGURE_LABELS[whole]}（{w}）。"
            )
    return errors


def compute_rates(
    category: str, figures: dict[str, int | None], thresholds: dict[str, float]
) -> list[RateResult]:
    results = []
    for rule in RATE_RULES[category]:
        threshold = Fraction(str(thresholds[rule.key]))
        parts = [figures.get(f) for f in rule.numerator]
        wholes = [figures.get(f) for f in rule.denominator]
        if any(v is None for v in parts + wholes):
            missing = "、".join(
                FIGURE_LABELS[f]
                for f, v in zip(rule.numerator + rule.denominator, parts + wholes, strict=True)
                if v is None
            )
            results.append(
                RateResult(rule.key, rule.label, None, threshold, problem=f"请填写{missing}")
            )
            continue
        numerator, denominator = sum(parts), sum(wholes)  # type: ignore[arg-type]
        if denominator == 0:
            if rule.zero_means_not_applicable:
                results.append(
                    RateResult(
                        rule.key,
                        rule.label,
                        None,
                        threshold,
                        applicable=False,
                        problem="不适用（人数为 0）",
                    )
                )
            else:
                names = "、".join(FIGURE_LABELS[f] for f in rule.denominator)
                results.append(
                    RateResult(
                        rule.key,
                        rule.label,
                        None,
                        threshold,
                        problem=f"{names}为 0，无法计算{rule.label}",
                    )
                )
            continue
        if numerator > denominator:
            results.append(
                RateResult(
                    rule.key,
                    rule.label,
                    None,
                    threshold,
                    problem=f"{rule.label}超过 100%，请核对人数",
                )
            )
            continue
        results.append(
            RateResult(rule.key, rule.label, Fraction(numerator, denominator), threshold)
        )
    return results


def satisfaction_threshold(
    category: str, is_state_owned: bool, thresholds: dict[str, float]
) -> Fraction:
    """The 会员评家 satisfaction rate a nomination must reach (企业 90%, 国有企业 95% …)."""
    if category == "enterprise" and is_state_owned:
        return Fraction(str(thresholds["satisfaction_rate_state_owned"]))
    return Fraction(str(thresholds["satisfaction_rate"]))
