"""会员评家 one-time tokens: created at opening, issued in later batches for members who
joined since, voided when a slip is lost, listed for the union to print or export.

The rows hold no token (see app/evaluation/credentials.py): the lists recompute each one
with the server's token key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, insert, select, update

from app.auth.models import User
from app.errors import Conflict, Invalid
from app.evaluation import credentials, policy
from app.evaluation.lookup import get_evaluation, running_evaluation
from app.evaluation.models import BallotToken, MemberEvaluation, TokenStatus
from app.evaluation.results import turnout
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import utcnow

MAX_TOKENS = 20_000  # one evaluation; a city's largest unions have fewer members


@dataclass(frozen=True)
class IssuedToken:
    """A token as the union hands it out: serial, batch, status and the token itself."""

    serial: int
    batch: int
    status: TokenStatus
    token: str


def token_key() -> bytes:
    """This server's token key (TOKEN_KEY, or derived from SECRET_KEY)."""
    return credentials.token_key(current_app.config)


def new_tokens(evaluation: MemberEvaluation, count: int, batch: int) -> None:
    """`count` new tokens in `batch`, numbered on from the evaluation's last serial."""
    start = (
        db.session.scalar(
            select(func.max(BallotToken.serial)).where(BallotToken.evaluation_id == evaluation.id)
        )
        or 0
    ) + 1
    now = utcnow()
    key = token_key()
    rows = [credentials.issue(key) for _i in range(count)]
    db.session.execute(
        insert(BallotToken),
        [
            {
                "evaluation_id": evaluation.id,
                "token_hash": digest,
                "nonce": nonce,
                "serial": start + i,
                "batch": batch,
                "status": TokenStatus.UNUSED.value,
                "issued_at": now,
            }
            for i, (nonce, digest) in enumerate(rows)
        ],
    )


def issue_tokens(user: User, nomination_id: int, count: int) -> int:
    """More tokens (members who joined since); returns the batch number."""
    evaluation = running_evaluation(user, nomination_id)
    issued = turnout(evaluation).issued
    if count < 1 or issued + count > MAX_TOKENS:
        raise Invalid(
            _("The number of links to issue is invalid."),
            errors={
                "count": [
                    _(
                        "Please enter a number of links between 1 and %(max)s.",
                        max=MAX_TOKENS - issued,
                    )
                ]
            },
        )
    batch = (
        db.session.scalar(
            select(func.max(BallotToken.batch)).where(BallotToken.evaluation_id == evaluation.id)
        )
        or 0
    ) + 1
    new_tokens(evaluation, count, batch)
    evaluation.member_count = max(evaluation.member_count, issued + count)
    db.session.commit()
    return batch


def void_tokens(user: User, nomination_id: int, serials: list[int]) -> int:
    """Void unused tokens (lost slips); a used token stays counted. Returns how many."""
    evaluation = running_evaluation(user, nomination_id)
    if not serials:
        message = _("Please enter the serial numbers to void.")
        raise Invalid(message, errors={"serials": [message]})
    # An UPDATE's result is a CursorResult, which Session.execute's types do not say.
    voided = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(BallotToken)
            .where(
                BallotToken.evaluation_id == evaluation.id,
                BallotToken.serial.in_(serials),
                BallotToken.status == TokenStatus.UNUSED,
            )
            .values(status=TokenStatus.VOID)
        ),
    ).rowcount
    db.session.commit()
    return int(voided or 0)


def revealed_tokens(
    evaluation: MemberEvaluation, *, batch: int | None = None, unused_only: bool = True
) -> list[IssuedToken]:
    """An evaluation's tokens in serial order, each recomputed with the token key.

    Refused (Conflict) when the key is not the one they were issued under: the slips would
    carry links that do not work. The links themselves keep voting (they are found by digest).
    """
    stmt = select(
        BallotToken.serial,
        BallotToken.batch,
        BallotToken.status,
        BallotToken.nonce,
        BallotToken.sealed,
        BallotToken.token_hash,
    ).where(BallotToken.evaluation_id == evaluation.id)
    if batch is not None:
        stmt = stmt.where(BallotToken.batch == batch)
    if unused_only:
        stmt = stmt.where(BallotToken.status == TokenStatus.UNUSED)
    key = token_key()
    issued: list[IssuedToken] = []
    lost: list[int] = []
    for serial, batch_no, status, nonce, sealed, digest in db.session.execute(
        stmt.order_by(BallotToken.serial)
    ):
        token = credentials.reveal(key, nonce, sealed, digest)
        if token is None:
            lost.append(serial)
        else:
            issued.append(IssuedToken(serial, batch_no, TokenStatus(status), token))
    if lost:
        raise Conflict(
            _(
                "%(n)s of these voting links cannot be printed again: the server's token key "
                "is not the one they were issued under. They still work for voting. An "
                "administrator can restore the setting TOKEN_KEY (or SECRET_KEY) in force "
                "when they were issued, or you can void the lost slips and issue new links.",
                n=len(lost),
            )
        )
    return issued


def tokens_for_print(
    user: User, nomination_id: int, *, batch: int | None = None, unused_only: bool = True
) -> tuple[Nomination, list[IssuedToken]]:
    """The union's tokens to print or export (to anyone else they do not exist)."""
    nomination, evaluation = get_evaluation(user, nomination_id)
    policy.require_see_links(user, nomination)
    return nomination, revealed_tokens(evaluation, batch=batch, unused_only=unused_only)


def batches(evaluation: MemberEvaluation) -> list[dict[str, int]]:
    """Per batch: how many tokens, how many unused, the first and last serial."""
    rows = db.session.execute(
        select(
            BallotToken.batch,
            func.count(),
            func.count().filter(BallotToken.status == TokenStatus.UNUSED),
            func.min(BallotToken.serial),
            func.max(BallotToken.serial),
        )
        .where(BallotToken.evaluation_id == evaluation.id)
        .group_by(BallotToken.batch)
        .order_by(BallotToken.batch)
    ).all()
    return [
        {"batch": b, "count": n, "unused": unused, "first": first, "last": last}
        for b, n, unused, first, last in rows
    ]
