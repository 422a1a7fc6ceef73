"""Self-assessment: rounds, the answers to every item, evidence files and reviewers' comments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app.cli.generate.plan import Generation, Story
from app.cli.generate.scales import EVIDENCE_FILES, STATEMENTS
from app.cli.generate.writer import Row
from app.extensions import db


@dataclass
class _Rounds:
    """The rows of the stage; the answers are drawn when written, from each round's stream."""

    rounds: list[Row] = field(default_factory=list)
    evidence: list[Row] = field(default_factory=list)
    # (round id, story, answered share, evidence ids)
    answered: list[tuple[int, Story, float, list[int]]] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)


def write_assessments(gen: Generation, stories: list[Story]) -> None:
    """Rounds (one per submission, the last still open while drafting), answers for every
    item of the union's category, evidence files and the links citing them."""
    from app.standards.models import StandardItem

    items: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for item_id, category, na in db.session.execute(
        select(StandardItem.id, StandardItem.category, StandardItem.na_allowed)
        .where(StandardItem.version_id == gen.standard.id)
        .order_by(StandardItem.position)
    ):
        items[str(category)].append((item_id, na))
    round_ids, evidence_ids = gen.ids("assessment_rounds"), gen.ids("evidence")
    planned = _Rounds()
    for s in stories:
        files = _evidence(gen, s, evidence_ids, planned)
        _rounds(gen, s, round_ids, files, items, planned)
    w = gen.writer
    w.write(
        "assessment_rounds",
        (
            "id",
            "nomination_id",
            "number",
            "status",
            "standard_version_id",
            "created_at",
            "updated_at",
            "submitted_at",
            "staff_count",
            "member_count",
            "contract_staff_count",
            "contract_member_count",
            "migrant_worker_count",
            "migrant_member_count",
            "subunit_count",
            "unionised_subunit_count",
            "collective_contract_count",
        ),
        planned.rounds,
    )
    w.write(
        "evidence",
        (
            "id",
            "nomination_id",
            "storage_key",
            "original_name",
            "content_type",
            "kind",
            "size",
            "sha256",
            "uploaded_by_id",
            "uploaded_at",
        ),
        planned.evidence,
    )
    response_ids, link_ids = gen.ids("item_responses"), gen.ids("evidence_links")

    def answers(rid: int, s: Story, share: float) -> Iterator[tuple[int, int, str]]:
        """(position, item, rating) from the round's own seeded stream: the same in both
        passes (answers, then the evidence they cite)."""
        r = gen.stream(rid)
        category_items = items[s.union.category]
        for k, (item_id, na) in enumerate(category_items[: round(len(category_items) * share)]):
            yield k, item_id, "na" if na and r.random() < 0.3 else "met"

    w.write(
        "item_responses",
        ("id", "round_id", "item_id", "rating", "statement"),
        (
            (next(response_ids), rid, item_id, rating, STATEMENTS[(s.id + k) % len(STATEMENTS)])
            for rid, s, share, _files in planned.answered
            for k, item_id, rating in answers(rid, s, share)
        ),
    )

    def links() -> Iterator[Row]:
        for rid, s, share, files in planned.answered:
            yield next(link_ids), rid, files[0], None  # the key figures' evidence
            for k, item_id, rating in answers(rid, s, share):
                if rating == "met":
                    yield next(link_ids), rid, files[k % len(files)], item_id

    w.write("evidence_links", ("id", "round_id", "evidence_id", "item_id"), links())
    comment_ids = gen.ids("review_comments")
    w.write(
        "review_comments",
        ("id", "round_id", "item_id", "author_id", "body", "created_at"),
        ((next(comment_ids), *c) for c in planned.comments),
    )


def _evidence(
    gen: Generation, s: Story, evidence_ids: Iterator[int], planned: _Rounds
) -> list[int]:
    """The nomination's evidence files (a few while drafting, more once submitted)."""
    rng = gen.rng
    submitted = any(a == "submit" for a, _u, _c, _t in s.steps)
    files = []
    for k in range(rng.randint(1, 3) if not submitted else rng.randint(3, 6)):
        name, kind, ctype = EVIDENCE_FILES[(s.id + k) % len(EVIDENCE_FILES)]
        eid = next(evidence_ids)
        files.append(eid)
        planned.evidence.append(
            (
                eid,
                s.id,
                f"gen/{gen.hex()}",
                name,
                ctype,
                kind,
                rng.randint(40_000, 8_000_000),
                gen.hex(256),
                s.union.users[0],
                s.created_at + timedelta(hours=k + 1),
            )
        )
    return files


def _rounds(
    gen: Generation,
    s: Story,
    round_ids: Iterator[int],
    files: list[int],
    items: dict[str, list[tuple[int, bool]]],
    planned: _Rounds,
) -> None:
    """One round per submission; returns and a rejection leave comments on theirs."""
    rng = gen.rng
    submits = [t for a, _u, _c, t in s.steps if a == "submit"]
    returns = [(u, c, t) for a, u, c, t in s.steps if a == "return"]
    n_rounds = max(
        1,
        len(returns)
        + (1 if s.state in ("draft", "returned") or len(submits) > len(returns) else 0),
    )
    if s.state == "draft" or (s.state == "withdrawn" and not submits):
        n_rounds = 1
    union = s.union
    extra = _category_figures(s)
    for number in range(1, n_rounds + 1):
        rid = next(round_ids)
        last = number == n_rounds
        if number <= len(returns):
            status = "returned"
        elif s.state in ("draft", "returned"):
            status = "editing"
        elif s.state == "submitted":
            status = "submitted"
        else:
            status = "closed"
        submitted = submits[number - 1] if number <= len(submits) else None
        created = s.created_at if number == 1 else returns[number - 2][2]
        planned.rounds.append(
            (
                rid,
                s.id,
                number,
                status,
                gen.standard.id,
                created,
                submitted or created,
                submitted,
                union.staff,
                union.members,
                extra.get("contract_staff_count"),
                extra.get("contract_member_count"),
                extra.get("migrant_worker_count"),
                extra.get("migrant_member_count"),
                extra.get("subunit_count"),
                extra.get("unionised_subunit_count"),
                extra.get("collective_contract_count"),
            )
        )
        share = rng.uniform(0.2, 0.9) if (last and s.state == "draft") else 1.0
        planned.answered.append((rid, s, share, files))
        if number <= len(returns):
            reviewer, body, at = returns[number - 1]
            planned.comments.append((rid, None, reviewer, body, at))
            item_id, _na = rng.choice(items[union.category])
            planned.comments.append((rid, item_id, reviewer, "此项佐证材料不完整，请补充。", at))
    if s.state == "rejected":
        reviewer, body, at = next((u, c, t) for a, u, c, t in s.steps if a == "reject")
        planned.comments.append((rid, None, reviewer, body, at))


def _category_figures(s: Story) -> dict[str, int]:
    """The key figures only some categories report (contract staff, migrant workers …)."""
    union = s.union
    if union.category == "public_institution":
        return {
            "contract_staff_count": union.staff // 20,
            "contract_member_count": union.staff // 20,
        }
    if union.category == "regional":
        return {
            "migrant_worker_count": union.staff // 3,
            "migrant_member_count": union.members // 3,
            "subunit_count": 40,
            "unionised_subunit_count": 38,
            "collective_contract_count": 37,
        }
    return {}
