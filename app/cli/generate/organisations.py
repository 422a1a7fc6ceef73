"""The city federation, its districts and grassroots unions, their users and roles."""

from __future__ import annotations

from math import log

from app.cli.generate.plan import City, Generation, Union, weighted
from app.cli.generate.scales import (
    AGENCIES,
    CITY_CODE,
    DISTRICT_NAMES,
    FORMS,
    GENERATED_PASSWORD,
    PLACES,
    REGIONALS,
    TRADES,
)
from app.cli.generate.writer import Row


def plan_city(gen: Generation) -> City:
    """The organisations, then the users: the city's, each district's, then the unions'."""
    s = gen.scale
    org_ids = gen.ids("organizations")
    city_id = next(org_ids)
    districts: list[tuple[int, str, str]] = []
    for d in range(s.districts):
        name = DISTRICT_NAMES[d % len(DISTRICT_NAMES)] + ("" if d < 12 else str(d // 12))
        districts.append((next(org_ids), f"GD{d + 1:02d}", f"{name}总工会"))
    unions = [_union(gen, u, districts, next(org_ids)) for u in range(s.unions)]
    return _people(gen, city_id, districts, unions)


def _union(gen: Generation, u: int, districts: list[tuple[int, str, str]], org_id: int) -> Union:
    rng = gen.rng
    d = u % gen.scale.districts
    district_name = districts[d][2].removesuffix("总工会")
    category = weighted(rng, {"enterprise": 60, "public_institution": 25, "regional": 15})
    members = max(8, min(6_000, int(rng.lognormvariate(log(45), 0.9))))
    if category == "enterprise":
        name = f"{rng.choice(PLACES)}{rng.choice(TRADES)}{rng.choice(FORMS)}工会"
        staff = members
    elif category == "public_institution":
        name = f"{district_name}{rng.choice(AGENCIES)}工会"
        staff = members
    else:
        name = f"{district_name}{rng.choice(PLACES)}{rng.choice(REGIONALS)}"
        staff = int(members / rng.uniform(0.9, 0.98)) + 1
    return Union(
        org_id,
        f"GD{d + 1:02d}-U{u + 1:05d}",
        name,
        d,
        category,
        category == "enterprise" and rng.random() < 0.2,
        staff,
        members,
    )


def _people(
    gen: Generation, city_id: int, districts: list[tuple[int, str, str]], unions: list[Union]
) -> City:
    from app.auth.services import hash_password

    rng, s = gen.rng, gen.scale
    password = hash_password(GENERATED_PASSWORD)
    user_ids = gen.ids("users")
    users: list[Row] = []
    roles: list[tuple[int, str, int]] = []

    def user(username: str, name: str, role: str, org: int, email: bool) -> int:
        uid = next(user_ids)
        email_address = f"{username}@example.org" if email else None
        users.append((uid, username, name, email_address, password, True, gen.now))
        roles.append((uid, role, org))
        return uid

    admin = user("g-admin", "系统管理员", "admin", city_id, True)
    city_users = [
        user(f"g-city-{i}", f"市总工会基层工作部{i}", "city", city_id, True) for i in range(1, 4)
    ]
    inspectors: list[tuple[int, int | None]] = [
        (user(f"g-insp-c{i:02d}", f"市总抽查员{gen.person()}", "inspector", city_id, True), None)
        for i in range(1, 11)
    ]
    reviewers: list[list[int]] = []
    for d, (did, code, name) in enumerate(districts):
        reviewers.append(
            [
                user(f"g-rev-{code.lower()}-{i}", f"{name}审核人{i}", "reviewer", did, True)
                for i in range(1, 4)
            ]
        )
        inspectors += [
            (
                user(
                    f"g-insp-{code.lower()}-{i}",
                    f"{name}抽查员{i}",
                    "inspector",
                    did,
                    rng.random() < 0.5,
                ),
                d,
            )
            for i in range(1, 5)
        ]
    left = max(s.unions, s.users - len(users))
    for u, union in enumerate(unions):
        n = left // s.unions + (1 if u < left % s.unions else 0)
        for k in range(1, n + 1):
            uid = user(
                f"g-{union.code.lower()}-{k}",
                f"{union.name}{gen.person()}",
                "union",
                union.id,
                rng.random() < 0.6,
            )
            union.users.append(uid)
    return City(city_id, districts, unions, users, roles, admin, city_users, inspectors, reviewers)


def write_city(gen: Generation, city: City) -> None:
    """Organisations with their closure table, users and their roles."""
    w = gen.writer
    w.write(
        "organizations",
        (
            "id",
            "code",
            "name",
            "level",
            "parent_id",
            "category",
            "is_state_owned",
            "staff_count",
            "member_count",
        ),
        [(city.id, CITY_CODE, "示范市总工会（生成数据）", "city", None, None, False, None, None)]
        + [
            (did, code, name, "district", city.id, None, False, None, None)
            for did, code, name in city.districts
        ]
        + [
            (
                u.id,
                u.code,
                u.name,
                "grassroots",
                city.districts[u.district][0],
                u.category,
                u.state_owned,
                u.staff,
                u.members,
            )
            for u in city.unions
        ],
    )
    closure = [(city.id, city.id, 0)]
    for did, _c, _n in city.districts:
        closure += [(did, did, 0), (city.id, did, 1)]
    for u in city.unions:
        closure += [(u.id, u.id, 0), (city.districts[u.district][0], u.id, 1), (city.id, u.id, 2)]
    w.write("org_closure", ("ancestor_id", "descendant_id", "depth"), closure)
    w.write(
        "users",
        ("id", "username", "display_name", "email", "password_hash", "is_active", "created_at"),
        city.users,
    )
    role_ids = gen.ids("role_assignments")
    w.write(
        "role_assignments",
        ("id", "user_id", "role", "org_id"),
        ((next(role_ids), *r) for r in city.roles),
    )
