"""A round as the self-assessment page and the API show it: the standard's items by
dimension, each with its answer, evidence and comments, the key figures, rates and problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.assessment.completeness import round_problems
from app.assessment.models import AssessmentRound, EvidenceLink, ItemResponse, ReviewComment
from app.assessment.rates import RateResult, compute_rates
from app.assessment.rounds import category_of, round_answers, thresholds_for
from app.extensions import db
from app.nominations.models import Nomination
from app.standards.models import StandardItem, StandardVersion


@dataclass
class ItemView:
    """One item of a round as a page shows it: the item, the answer, evidence, comments."""

    item: StandardItem
    response: ItemResponse | None
    evidence: list[EvidenceLink] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)  # on this round
    previous_comments: list[ReviewComment] = field(default_factory=list)  # last return's


@dataclass
class RoundView:
    round: AssessmentRound
    version: StandardVersion
    category: str
    dimensions: list[tuple[str, list[ItemView]]]  # (dimension label, items) in order
    figures_required: list[str]
    figure_evidence: list[EvidenceLink]
    general_comments: list[ReviewComment]
    previous_general_comments: list[ReviewComment]
    rates: list[RateResult]
    problems: list[str]

    @property
    def item_count(self) -> int:
        return sum(len(items) for _, items in self.dimensions)

    @property
    def answered_count(self) -> int:
        return sum(
            1
            for _, items in self.dimensions
            for v in items
            if v.response is not None and v.response.rating
        )


def round_view(nomination: Nomination, rnd: AssessmentRound) -> RoundView:
    """Everything a self-assessment page needs, in a fixed number of queries."""
    category = category_of(nomination)
    version, items, responses = round_answers(rnd, category)
    links = list(
        db.session.scalars(
            select(EvidenceLink)
            .where(EvidenceLink.round_id == rnd.id)
            .options(joinedload(EvidenceLink.evidence))
            .order_by(EvidenceLink.id)
        )
    )
    comments = list(
        db.session.scalars(
            select(ReviewComment)
            .where(ReviewComment.round_id == rnd.id)
            .options(joinedload(ReviewComment.author))
            .order_by(ReviewComment.id)
        )
    )
    previous: list[ReviewComment] = []
    if rnd.number > 1:
        previous = list(
            db.session.scalars(
                select(ReviewComment)
                .join(AssessmentRound)
                .where(
                    AssessmentRound.nomination_id == nomination.id,
                    AssessmentRound.number == rnd.number - 1,
                )
                .options(joinedload(ReviewComment.author))
                .order_by(ReviewComment.id)
            )
        )

    dimensions: list[tuple[str, list[ItemView]]] = []
    for item in items:
        view = ItemView(
            item,
            responses.get(item.id),
            [lk for lk in links if lk.item_id == item.id],
            [c for c in comments if c.item_id == item.id],
            [c for c in previous if c.item_id == item.id],
        )
        if not dimensions or dimensions[-1][0] != item.dimension_label:
            dimensions.append((item.dimension_label, []))
        dimensions[-1][1].append(view)
    figures = rnd.figures()
    return RoundView(
        round=rnd,
        version=version,
        category=category,
        dimensions=dimensions,
        figures_required=list(version.content["figures"][category]),
        figure_evidence=[lk for lk in links if lk.item_id is None],
        general_comments=[c for c in comments if c.item_id is None],
        previous_general_comments=[c for c in previous if c.item_id is None],
        rates=compute_rates(category, figures, thresholds_for(nomination, version)),
        problems=round_problems(rnd, version, category, items, responses, links),
    )
