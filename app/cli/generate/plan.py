"""The data set in memory: one run's seeded stream and clock, and the plan's dataclasses.

Every stage draws from the one `random.Random` of the run, in a fixed order (plan every stage,
then write table by table), so that a seed gives the same rows every time: a stage that draws
earlier or later than before changes everything after it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING

from app.cli.generate.scales import GIVEN, SURNAMES, Scale
from app.cli.generate.writer import Row, Writer
from app.timeutil import beijing_today, utcnow
from workflows.nomination import ACTIONS

if TYPE_CHECKING:
    from app.standards.models import StandardVersion


class Generation:
    """One run: its scale, seeded stream, clock, writer and the standard the data cites."""

    def __init__(
        self,
        scale: Scale,
        seed: int,
        progress: Callable[[str], None],
        standard: StandardVersion,
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = utcnow().replace(microsecond=0)
        self.today = beijing_today()
        self.writer = Writer(progress)
        self.standard = standard

    def ids(self, table: str) -> Iterator[int]:
        """Fresh ids for `table`, read now (never while a COPY holds the connection)."""
        return itertools.count(self.writer.next_id(table))

    def stream(self, key: int) -> random.Random:
        """A stream of its own for one row (a round, an evaluation), so that two passes over
        it (two tables) draw the same values without holding them in memory."""
        return random.Random(self.seed * 1_000_003 + key)

    def hex(self, bits: int = 128) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def person(self) -> str:
        """A Chinese personal name."""
        given = self.rng.choices(GIVEN, k=self.rng.randint(1, 2))
        return self.rng.choice(SURNAMES) + "".join(given)

    def between(self, start: datetime, days_min: float, days_max: float) -> datetime:
        """A moment that many days after `start`, but always in the past."""
        moment = start + timedelta(days=self.rng.uniform(days_min, days_max))
        return min(moment, self.now - timedelta(minutes=self.rng.randint(30, 600)))


def weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One of the keys, with the odds of its weight."""
    return rng.choices(list(weights), list(weights.values()))[0]


@dataclass
class Union:
    id: int
    code: str
    name: str
    district: int  # index into the districts
    category: str
    state_owned: bool
    staff: int
    members: int
    users: list[int] = field(default_factory=list)


@dataclass
class City:
    """The organisations and the people who act in the stories."""

    id: int
    districts: list[tuple[int, str, str]]  # (id, code, name)
    unions: list[Union]
    users: list[Row]
    roles: list[tuple[int, str, int]]  # (user, role, organisation)
    admin: int
    city_users: list[int]
    inspectors: list[tuple[int, int | None]]  # (user, district index; None: the city's)
    reviewers: list[list[int]]  # per district


@dataclass
class CampaignPlan:
    index: int
    id: int
    name: str
    year: int
    level: str
    status: str
    starts: datetime
    deadlines: dict[str, date]
    draw_level: str
    draw_at: datetime | None  # when the city's draw was applied (None: per district)
    publish_at: datetime | None
    commend_at: datetime | None


@dataclass
class Evaluation:
    id: int
    nomination: Story
    opens_at: datetime
    closes_at: datetime
    turnout: float  # the share of members who vote
    dissatisfied_share: float
    closed: bool
    passed: bool | None = None
    threshold: Fraction | None = None
    ballots: int = 0
    counts: tuple[int, int, int] = (0, 0, 0)


@dataclass
class CheckPlan:
    """A drawn nomination's spot check, as far as it has come."""

    draw: int
    team: list[int]
    visited: datetime | None
    assigned: datetime
    conclusion: str | None = None
    deadline: date | None = None
    decision: str | None = None
    concluded: datetime | None = None
    submitted: datetime | None = None
    decided: datetime | None = None


@dataclass
class Story:
    """One nomination and the path that brought it to its state."""

    id: int
    campaign: int  # index
    union: Union
    award: str
    nominee: str | None
    created_at: datetime
    steps: list[tuple[str, int | None, str | None, datetime]] = field(default_factory=list)
    evaluation: Evaluation | None = None
    check: CheckPlan | None = None
    state: str = "draft"

    def act(self, action: str, actor: int | None, comment: str | None, at: datetime) -> None:
        """Take `action`, which the workflow must allow from the current state."""
        definition = ACTIONS[action]
        if self.state not in definition.source:
            raise AssertionError(f"{action} from {self.state}")
        self.steps.append((action, actor, comment, at))
        self.state = definition.dest

    @property
    def last_at(self) -> datetime:
        return self.steps[-1][3] if self.steps else self.created_at
