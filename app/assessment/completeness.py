"""What stops a round from being submitted: missing, contradictory or below the standard.

The same list is the self-assessment page's to-do list, the API's `problems` and the `submit`
guard's refusal (`app.assessment.guards`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.assessment.models import (
    AssessmentRound,
    EvidenceLink,
    ItemResponse,
    Rating,
    RoundStatus,
)
from app.assessment.rates import FIGURE_LABELS, compute_rates, figure_errors, join_names
from app.assessment.rounds import category_of, latest_round, round_answers
from app.extensions import db
from app.nominations.models import Nomination
from app.standards.models import StandardItem, StandardVersion


def round_problems(
    rnd: AssessmentRound,
    version: StandardVersion,
    category: str,
    items: list[StandardItem],
    responses: dict[int, ItemResponse],
    links: list[EvidenceLink],
) -> list[str]:
    """Every reason the round cannot be submitted yet, figures first, then item by item."""
    problems: list[str] = []
    figures = rnd.figures()
    required = version.content["figures"][category]
    missing = [FIGURE_LABELS[f] for f in required if figures.get(f) is None]
    if missing:
        problems.append(
            _("Please fill in the key figures: %(figures)s.", figures=join_names(missing))
        )
    for messages in figure_errors(figures).values():
        problems.extend(messages)
    for rate in compute_rates(category, figures, version.thresholds(category)):
        if rate.value is None and rate.applicable and not missing:
            problems.append(_("%(rate)s: %(problem)s.", rate=rate.label, problem=rate.problem))
        elif rate.meets is False:
            problems.append(
                _(
                    "%(rate)s is %(percent)s, below the standard's %(threshold)s.",
                    rate=rate.label,
                    percent=rate.percent,
                    threshold=rate.threshold_percent,
                )
            )
    evidenced = {lk.item_id for lk in links}
    for item in items:
        where = _("%(dimension)s, item %(n)s", dimension=item.dimension_label, n=item.number)
        response = responses.get(item.id)
        if response is None or not response.rating:
            problems.append(_("%(item)s: not rated yet.", item=where))
            continue
        if response.rating == Rating.NOT_MET:
            problems.append(
                _("%(item)s: rated not met; it may be nominated once it is met.", item=where)
            )
        if not (response.statement or "").strip():
            problems.append(_("%(item)s: please write the statement.", item=where))
        if response.rating == Rating.MET and item.id not in evidenced:
            problems.append(_("%(item)s: please upload the evidence.", item=where))
    return problems


def submission_problems(nomination: Nomination) -> list[str]:
    """The `submit` guard: the latest round must be editable and complete."""
    rnd = latest_round(nomination.id)
    if rnd is None:
        return [_("The self-assessment has not been started.")]
    if rnd.status != RoundStatus.EDITING:
        return [_("The self-assessment has already been submitted; it cannot be submitted again.")]
    category = category_of(nomination)
    version, items, responses = round_answers(rnd, category)
    links = list(db.session.scalars(select(EvidenceLink).where(EvidenceLink.round_id == rnd.id)))
    return round_problems(rnd, version, category, items, responses, links)
