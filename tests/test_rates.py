"""Threshold arithmetic per category: exact fractions, edge cases, clear errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.assessment.rates import compute_rates, figure_errors, satisfaction_threshold

THRESHOLDS = {
    "enterprise": {
        "membership_rate": 1.0,
        "satisfaction_rate": 0.9,
        "satisfaction_rate_state_owned": 0.95,
    },
    "public_institution": {"membership_rate": 1.0, "satisfaction_rate": 0.95},
    "regional": {
        "union_coverage_rate": 0.9,
        "membership_rate": 0.9,
        "migrant_membership_rate": 0.8,
        "collective_contract_rate": 0.9,
        "satisfaction_rate": 0.9,
        "spot_check_satisfaction_rate": 0.85,
    },
}


def rates(category, **figures):  # type: ignore[no-untyped-def]
    return {r.key: r for r in compute_rates(category, figures, THRESHOLDS[category])}


@pytest.mark.parametrize(("members", "meets"), [(100, True), (99, False), (0, False)])
def test_enterprise_needs_every_worker_in_the_union(members, meets):
    rate = rates("enterprise", staff_count=100, member_count=members)["membership_rate"]
    assert rate.meets is meets
    assert rate.value == Fraction(members, 100)


def test_enterprise_percent_display():
    rate = rates("enterprise", staff_count=100, member_count=95)["membership_rate"]
    assert (rate.percent, rate.threshold_percent, rate.meets) == ("95.0%", "100%", False)


@pytest.mark.parametrize(
    ("category", "state_owned", "expected"),
    [
        ("enterprise", False, Fraction(9, 10)),
        ("enterprise", True, Fraction(95, 100)),
        ("public_institution", False, Fraction(95, 100)),
        ("regional", False, Fraction(9, 10)),
    ],
)
def test_satisfaction_threshold_by_category(category, state_owned, expected):
    assert satisfaction_threshold(category, state_owned, THRESHOLDS[category]) == expected


def test_public_institution_counts_contract_staff():
    # 50 on the establishment all members, 5 contract staff of whom 4 joined: 54/55 < 100%.
    rate = rates(
        "public_institution",
        staff_count=50,
        member_count=50,
        contract_staff_count=5,
        contract_member_count=4,
    )["membership_rate"]
    assert rate.value == Fraction(54, 55) and rate.meets is False
    rate = rates(
        "public_institution",
        staff_count=50,
        member_count=50,
        contract_staff_count=5,
        contract_member_count=5,
    )["membership_rate"]
    assert rate.meets is True


@pytest.mark.parametrize(
    ("key", "figures", "meets"),
    [
        ("union_coverage_rate", {"subunit_count": 10, "unionised_subunit_count": 9}, True),
        ("union_coverage_rate", {"subunit_count": 100, "unionised_subunit_count": 89}, False),
        ("membership_rate", {"staff_count": 1000, "member_count": 900}, True),
        ("membership_rate", {"staff_count": 1000, "member_count": 899}, False),
        ("migrant_membership_rate", {"migrant_worker_count": 10, "migrant_member_count": 8}, True),
        (
            "migrant_membership_rate",
            {"migrant_worker_count": 100, "migrant_member_count": 79},
            False,
        ),
        (
            "collective_contract_rate",
            {"unionised_subunit_count": 10, "collective_contract_count": 9},
            True,
        ),
        (
            "collective_contract_rate",
            {"unionised_subunit_count": 10, "collective_contract_count": 8},
            False,
        ),
    ],
)
def test_regional_rates_90_90_80_90(key, figures, meets):
    base = {
        "staff_count": 1000,
        "member_count": 950,
        "migrant_worker_count": 100,
        "migrant_member_count": 90,
        "subunit_count": 20,
        "unionised_subunit_count": 19,
        "collective_contract_count": 18,
    }
    result = rates("regional", **{**base, **figures})
    assert result[key].meets is meets
    assert set(result) == {
        "union_coverage_rate",
        "membership_rate",
        "migrant_membership_rate",
        "collective_contract_rate",
    }


def test_zero_staff_cannot_be_computed():
    rate = rates("enterprise", staff_count=0, member_count=0)["membership_rate"]
    assert rate.value is None and rate.meets is None
    assert "职工数为 0" in rate.problem


def test_no_migrant_workers_means_the_rule_does_not_apply():
    rate = rates(
        "regional",
        staff_count=10,
        member_count=10,
        migrant_worker_count=0,
        migrant_member_count=0,
        subunit_count=1,
        unionised_subunit_count=1,
        collective_contract_count=1,
    )["migrant_membership_rate"]
    assert rate.applicable is False and rate.meets is True


def test_missing_figures_are_named():
    rate = rates("enterprise", staff_count=100, member_count=None)["membership_rate"]
    assert rate.value is None and "会员数" in rate.problem


def test_more_members_than_staff_is_a_clear_error():
    errors = figure_errors({"staff_count": 100, "member_count": 120})
    assert errors == {"member_count": ["会员数（120）不能大于职工数（100）。"]}
    rate = rates("enterprise", staff_count=100, member_count=120)["membership_rate"]
    assert rate.value is None and "超过 100%" in rate.problem


def test_negative_and_nested_contradictions():
    errors = figure_errors(
        {"subunit_count": 5, "unionised_subunit_count": 6, "collective_contract_count": -1}
    )
    assert "已建会单位数（6）不能大于下属单位数（5）。" in errors["unionised_subunit_count"]
    assert errors["collective_contract_count"] == ["已建立集体合同制度的单位数不能为负数。"]
