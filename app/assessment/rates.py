"""Key figures and the rates computed from them, held against the standard's thresholds.

Rates are exact fractions, so 9 of 10 is exactly 90% and meets a 90% threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.standards.validation import FIGURES

FIGURE_LABELS = FIGURES  # the standard file's key figures, by name (lazy: in the UI language)

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
    label: str  # a lazy message: read in the UI language
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    # When the denominator is zero the rate has no meaning: either the unit has none of what
    # is counted (农民工) and the rule does not apply, or the figures are wrong (职工数 0).
    zero_means_not_applicable: bool = False


RATE_RULES: dict[str, list[RateRule]] = {
    "enterprise": [
        RateRule("membership_rate", _l("Membership rate"), ("member_count",), ("staff_count",)),
    ],
    "public_institution": [
        RateRule(
            "membership_rate",
            _l("Membership rate (contract staff included)"),
            ("member_count", "contract_member_count"),
            ("staff_count", "contract_staff_count"),
        ),
    ],
    "regional": [
        RateRule(
            "union_coverage_rate",
            _l("Union coverage rate"),
            ("unionised_subunit_count",),
            ("subunit_count",),
        ),
        RateRule("membership_rate", _l("Membership rate"), ("member_count",), ("staff_count",)),
        RateRule(
            "migrant_membership_rate",
            _l("Migrant workers' membership rate"),
            ("migrant_member_count",),
            ("migrant_worker_count",),
            zero_means_not_applicable=True,
        ),
        RateRule(
            "collective_contract_rate",
            _l("Collective contract rate"),
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


def join_names(names: Iterable[str]) -> str:
    """Labels listed in a sentence ("职工数、会员数")."""
    return _(", ").join(str(name) for name in names)


def figure_errors(figures: dict[str, int | None]) -> dict[str, list[str]]:
    """Figures that contradict each other or are impossible, by field."""
    errors: dict[str, list[str]] = {}
    for name, value in figures.items():
        if value is not None and value < 0:
            errors.setdefault(name, []).append(
                _("%(figure)s cannot be negative.", figure=FIGURE_LABELS[name])
            )
    for part, whole in PART_OF:
        p, w = figures.get(part), figures.get(whole)
        if p is not None and w is not None and p > w:
            errors.setdefault(part, []).append(
                _(
                    "%(part)s (%(p)s) cannot be greater than %(whole)s (%(w)s).",
                    part=FIGURE_LABELS[part],
                    p=p,
                    whole=FIGURE_LABELS[whole],
                    w=w,
                )
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
            missing = join_names(
                FIGURE_LABELS[f]
                for f, v in zip(rule.numerator + rule.denominator, parts + wholes, strict=True)
                if v is None
            )
            problem = _("Please fill in %(figures)s", figures=missing)
            results.append(RateResult(rule.key, rule.label, None, threshold, problem=problem))
            continue
        numerator = sum(v for v in parts if v is not None)
        denominator = sum(v for v in wholes if v is not None)
        if denominator == 0:
            if rule.zero_means_not_applicable:
                results.append(
                    RateResult(
                        rule.key,
                        rule.label,
                        None,
                        threshold,
                        applicable=False,
                        problem=_("Not applicable (the count is 0)"),
                    )
                )
            else:
                names = join_names(FIGURE_LABELS[f] for f in rule.denominator)
                results.append(
                    RateResult(
                        rule.key,
                        rule.label,
                        None,
                        threshold,
                        problem=_(
                            "%(rate)s cannot be computed: %(figures)s is 0",
                            figures=names,
                            rate=rule.label,
                        ),
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
                    problem=_("%(rate)s over 100%%: please check the counts", rate=rule.label),
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
