"""Guards of the self-assessment (`workflows.guards`), registered by `app.assessment.plugin`."""

from __future__ import annotations

from app.assessment.completeness import submission_problems
from app.nominations.models import Nomination
from workflows.guards import guard


@guard("self_assessment_complete")
def self_assessment_complete(nomination: Nomination) -> list[str]:
    """Every item rated and explained, evidence where met, key figures at the thresholds."""
    return submission_problems(nomination)
