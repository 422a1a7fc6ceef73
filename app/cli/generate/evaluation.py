"""Member evaluation: the decisions, one-time tokens, anonymous ballots and their answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import func, select

from app.cli.generate.plan import City, Evaluation, Generation, Story
from app.cli.generate.scales import BALLOT_COMMENTS, CHOICES
from app.cli.generate.writer import Row
from app.evaluation.credentials import derive_token, token_digest
from app.evaluation.tokens import token_key
from app.extensions import db
from app.timeutil import BEIJING

MIN_TURNOUT = Fraction("0.6")


def decide_evaluations(gen: Generation, city: City, stories: list[Story]) -> list[Evaluation]:
    """Ballot counts scaled so the whole set holds the target number of ballots, then each
    closed evaluation decided as closing would decide it."""
    from app.assessment.rates import satisfaction_threshold

    evaluations = [s.evaluation for s in stories if s.evaluation]
    expected = sum(e.turnout * e.nomination.union.members for e in evaluations)
    factor = gen.scale.ballots / expected if expected else 1.0
    for union in city.unions:  # one register, so evaluations and figures agree
        union.members = max(3, round(union.members * factor))
        union.staff = max(union.members, round(union.staff * factor))
    ids = gen.ids("member_evaluations")
    thresholds = gen.standard.content["thresholds"]
    for e in evaluations:
        e.id = next(ids)
        union = e.nomination.union
        e.ballots = max(1, min(union.members, round(union.members * e.turnout)))
        bad = min(e.ballots, round(e.ballots * e.dissatisfied_share))
        basic = round((e.ballots - bad) * gen.rng.uniform(0.05, 0.25))
        e.counts = (e.ballots - bad - basic, basic, bad)
        if e.closed:
            threshold = satisfaction_threshold(
                union.category, union.state_owned, thresholds[union.category]
            )
            rate = Fraction(e.ballots - bad, e.ballots)
            e.threshold = threshold
            e.passed = rate >= threshold and Fraction(e.ballots, union.members) >= MIN_TURNOUT
            e.nomination.act(
                "pass_evaluation" if e.passed else "fail_evaluation",
                None,
                f"会员评家结束：有效票 {e.ballots} 张，满意率 {float(rate) * 100:.1f}%，"
                f"参评率 {e.ballots / union.members * 100:.1f}%。",
                e.closes_at,
            )
    return evaluations


def write_evaluations(gen: Generation, evaluations: list[Evaluation]) -> None:
    """The evaluations, a token per member (used by those who voted), ballots and answers."""
    w = gen.writer
    dims = _dimensions(gen)
    w.write(
        "member_evaluations",
        (
            "id",
            "nomination_id",
            "status",
            "opens_at",
            "closes_at",
            "member_count",
            "dimensions",
            "opened_by_id",
            "opened_at",
            "closed_at",
            "valid_ballots",
            "satisfied",
            "basic",
            "dissatisfied",
            "turnout",
            "satisfaction_rate",
            "threshold",
            "min_turnout",
            "rule",
            "passed",
        ),
        [_evaluation_row(e, dims) for e in evaluations],
    )
    token_ids = gen.ids("ballot_tokens")
    key = token_key()

    def tokens() -> Iterator[Row]:
        """As the app issues them: a nonce and the digest of the token derived from it."""
        for e in evaluations:
            members = e.nomination.union.members
            for serial in range(1, members + 1):
                nonce = gen.hex(128)
                yield (
                    next(token_ids),
                    e.id,
                    token_digest(derive_token(key, nonce)),
                    nonce,
                    serial,
                    1,
                    "used" if serial <= e.ballots else "unused",
                    e.opens_at,
                )

    w.write(
        "ballot_tokens",
        ("id", "evaluation_id", "token_hash", "nonce", "serial", "batch", "status", "issued_at"),
        tokens(),
    )

    def cast(e: Evaluation) -> Iterator[tuple[str, date, str, str | None, list[str]]]:
        """An evaluation's ballots from its own seeded stream, so the answers can be
        written in a second pass without holding a million ballots in memory."""
        r = gen.stream(e.id)
        first = e.opens_at.astimezone(BEIJING).date()
        last = min(e.closes_at, gen.now).astimezone(BEIJING).date()
        span = max(0, (last - first).days)
        n_dims = len(dims[e.nomination.union.category])
        s, b, d = e.counts
        for overall in ("satisfied",) * s + ("basic",) * b + ("dissatisfied",) * d:
            yield (
                f"{r.getrandbits(128):032x}",
                first + timedelta(days=r.randint(0, span)),
                overall,
                r.choice(BALLOT_COMMENTS) if r.random() < 0.08 else None,
                [overall if r.random() < 0.8 else r.choice(CHOICES) for _ in range(n_dims)],
            )

    w.write(
        "ballots",
        ("id", "evaluation_id", "voted_on", "overall", "comment"),
        (
            (bid, e.id, day, overall, comment)
            for e in evaluations
            for bid, day, overall, comment, _a in cast(e)
        ),
    )
    w.write(
        "ballot_answers",
        ("ballot_id", "dimension", "choice"),
        (
            (bid, d["code"], choice)
            for e in evaluations
            for bid, _d, _o, _c, chosen in cast(e)
            for d, choice in zip(dims[e.nomination.union.category], chosen, strict=True)
        ),
    )


def _evaluation_row(e: Evaluation, dims: dict[str, list[dict[str, str]]]) -> Row:
    """An evaluation as stored: the results only once it is closed."""
    union = e.nomination.union
    closed = e.closed
    s, b, d = e.counts
    return (
        e.id,
        e.nomination.id,
        "closed" if closed else "open",
        e.opens_at,
        e.closes_at,
        union.members,
        dims[union.category],
        union.users[0],
        e.opens_at,
        e.closes_at if closed else None,
        e.ballots if closed else None,
        s if closed else None,
        b if closed else None,
        d if closed else None,
        round(e.ballots / union.members, 6) if closed else None,
        round((s + b) / e.ballots, 6) if closed else None,
        float(e.threshold) if closed and e.threshold is not None else None,
        0.6 if closed else None,
        "satisfied_or_basic" if closed else None,
        e.passed if closed else None,
    )


def _dimensions(gen: Generation) -> dict[str, list[dict[str, str]]]:
    """Per category, the dimensions a ballot answers (all but the overall satisfaction)."""
    from app.evaluation.opening import SATISFACTION_DIMENSION
    from app.standards.models import StandardItem

    dims: dict[str, list[dict[str, str]]] = defaultdict(list)
    for category, code, label, _pos in db.session.execute(
        select(
            StandardItem.category,
            StandardItem.dimension,
            StandardItem.dimension_label,
            func.min(StandardItem.position),
        )
        .where(StandardItem.version_id == gen.standard.id)
        .group_by(StandardItem.category, StandardItem.dimension, StandardItem.dimension_label)
        .order_by(func.min(StandardItem.position))
    ):
        if code != SATISFACTION_DIMENSION:
            dims[str(category)].append({"code": code, "label": label})
    return dims
