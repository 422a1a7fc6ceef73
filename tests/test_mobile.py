"""Mainland mobile numbers: what people type is normalised to 11 digits, anything else is
refused, and the number is masked for everyone but the user and admins."""

from __future__ import annotations

import pytest

from app.auth.mobile import is_mobile, mask_mobile, normalise_mobile


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "0086-13800138000",
        "8613800138000",
        "１３８００１３８０００",  # full-width digits from a Chinese input method
        " (138)0013-8000 ",
    ],
)
def test_what_people_type_becomes_eleven_digits(typed):
    assert normalise_mobile(typed) == "13800138000"


@pytest.mark.parametrize(
    "typed",
    ["1380013800", "138001380001", "12800138000", "23800138000", "1380013800a", "010-62345678"],
)
def test_what_is_not_a_mainland_mobile_is_refused(typed):
    with pytest.raises(ValueError):
        normalise_mobile(typed)
    assert not is_mobile(typed)


def test_empty_is_none_and_masking_hides_the_middle():
    assert normalise_mobile("  ") is None and normalise_mobile(None) is None
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile(None) == ""
