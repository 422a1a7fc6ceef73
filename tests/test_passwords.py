"""The password policy (app/auth/passwords.py) wherever a password is set: the admin's new
user and password reset, `flask create-user`; its rules shown next to the field, in
Chinese; the common-password list bundled in the repository (no network needed)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.passwords import DATA, LISTS, common_passwords, password_problems
from app.extensions import db
from tests.conftest import field_error, post_form

COMMON = "该密码属于最常见的密码，很容易被猜中，请换一个。"
USERNAME = "密码不能与用户名相同，也不能包含用户名。"
REPEATED = "密码不能全是同一个字符。"
RUN = "密码不能是 abcdefgh、12345678 这样的连续字符。"
SHORT = "密码至少 8 位。"
PATTERN = "密码不能是 abcabcabc 这样重复的短字符组合。"
DATE = "密码不能是生日之类的日期（如 19900101）。"

REFUSED = [
    ("12345678", COMMON),
    ("password", COMMON),
    ("aaaaaaaa", COMMON),  # on the list; not listed, it is one character repeated:
    ("qqqqqqqqq", REPEATED),
    ("PASSWORD", COMMON),  # case does not help
    ("password-123", COMMON),  # nor digits or punctuation added
    ("password2026!", COMMON),
    ("qwertyuiop", COMMON),  # a keyboard walk
    ("1qaz2wsx", COMMON),
    ("woaini1314", COMMON),  # pinyin favourites
    ("woaini1314520", COMMON),
    ("5201314520", COMMON),
    ("zhigongzhijia", COMMON),  # this product's own name
    ("gonghui2026", COMMON),
    ("someone", SHORT),
    ("someone-2026", USERNAME),  # contains the username
    ("SomeOne", SHORT),
    ("my-someone-pw", USERNAME),
    ("zzzzzzzzzzzz", REPEATED),
    ("98765432", COMMON),
    ("ghijklmn", RUN),
    ("stuvwxyz", RUN),
    ("xyzxyzxyz", PATTERN),  # a short pattern repeated
    ("k9k9k9k9", PATTERN),
    ("73917391", PATTERN),
    ("19900101", DATE),  # a birthday, as year-month-day ...
    ("12311987", DATE),  # ... month-day-year ...
    ("31121987", DATE),  # ... or day-month-year
]


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_weak_passwords_are_refused_with_the_reason(ctx, password, message):
    assert password_problems(password, "someone") == [message]


@pytest.mark.parametrize(
    "password",
    [
        "s3cret-pass",
        "long-enough-1",
        "秋天的职工之家2026",
        "Tr0ub4dor&3",
        "li-ming-26",
        # A single letter or short word is on the list, but one followed by many digits is
        # not "a common password with digits added".
        "m4729183650",
        "s3cretpws3cretpw",  # a long unit repeated is not a short pattern
        "19901301",  # no such date
    ],
)
def test_good_passwords_pass(ctx, password):
    assert password_problems(password, "someone") == []


def test_a_two_letter_username_is_not_looked_for_inside_a_password(ctx):
    assert password_problems("Bright-Lion-77", "li") == []
    assert password_problems("Bright-Lion-77", "lio") == [USERNAME]


def test_the_list_is_bundled_and_large(ctx):
    for name in LISTS:
        assert (DATA / name).is_file(), name
    words = common_passwords()
    assert len(words) > 19_000
    assert {"123456", "password", "iloveyou", "woaini1314", "5201314", "qq123456"} <= words
    assert all(w == w.lower() and w.strip() == w and w for w in words)


# -- where passwords are set ----------------------------------------------------------------


def _new_user_form(world, password: str) -> dict:  # type: ignore[no-untyped-def]
    return {
        "username": "someone",
        "display_name": "某人",
        "password": password,
        "role": "union",
        "org_id": world.union_a.id,
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("12345678", COMMON),
        ("password", COMMON),
        ("aaaaaaaa", COMMON),
        ("qqqqqqqqq", REPEATED),
        ("ghijklmn", RUN),
        ("someone-2026", USERNAME),
        ("woaini1314", COMMON),
    ],
)
def test_the_admin_page_refuses_a_weak_password_next_to_the_field(
    world, client, auth, password, message
):
    auth.login("admin")
    before = db.session.scalar(select(func.count()).select_from(User))
    response = post_form(client, "/admin/users/new", _new_user_form(world, password))
    assert response.status_code == 422
    assert field_error(response.text, "password") == message
    assert 'id="username-err"' not in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_policy_is_shown_next_to_the_fields_in_chinese(world, client, auth):
    auth.login("admin")
    page = client.get("/admin/users/new").text
    field = page.index('name="password"')
    help_text = re.search(r'<div class="form-text">([^<]+)</div>', page[field:])
    assert help_text and "不能是常见密码" in help_text.group(1)
    assert "不能包含用户名" in help_text.group(1) and "至少 8 个字符" in help_text.group(1)
    user_page = client.get(f"/admin/users/{world.user('union_a').id}").text
    field = user_page.index('name="new_password"')
    help_text = re.search(r'<div class="form-text">([^<]+)</div>', user_page[field:])
    assert help_text and "不能是常见密码" in help_text.group(1)
    assert "当前的登录将全部失效" in help_text.group(1)


def test_the_reset_refuses_a_password_with_the_username(world, client, auth):
    auth.login("admin")
    user = world.user("union_a")
    url = f"/admin/users/{user.id}"
    before = user.password_hash
    response = post_form(client, url, {"new_password": "union_a-2026"}, action=f"{url}/password")
    assert response.status_code == 422
    assert field_error(response.text, "new_password") == USERNAME
    response = post_form(client, url, {"new_password": "12345678"}, action=f"{url}/password")
    assert field_error(response.text, "new_password") == COMMON
    db.session.refresh(user)
    assert user.password_hash == before


def test_the_cli_refuses_a_common_password(app, world):
    runner = app.test_cli_runner()
    with app.app_context():
        args = "create-user --username zhao --password password1 --role reviewer --org A"
        result = runner.invoke(args=args.split())
        assert result.exit_code != 0 and COMMON in result.output
        assert db.session.scalar(select(User).where(User.username == "zhao")) is None
