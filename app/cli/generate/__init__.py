"""Synthetic data at city scale, for benchmarks and query-budget tests (`flask generate`).

One city federation, its districts, grassroots unions with their officers, three campaigns
(last year's, closed; a provincial round at its publicity stage; this year's, under way), and
nominations spread over every state of the workflow with the history that led there: the
audit trail, self-assessment rounds with answers and evidence metadata, reviewers' comments,
member evaluations with their tokens and anonymous ballots, verifiable spot-check draws with
checks and findings, publicity lists, objections, commendations and certificates.

Everything is built in memory as plain tuples and written with one bulk statement per table:
`COPY … FROM STDIN` on PostgreSQL, chunked `executemany` of Core inserts elsewhere
(`writer`). Ids are assigned here (after any rows already in the tables), and the sequences
are moved past them at the end. A fixed seed gives the same data set every time (`plan`).

Every path is checked against the workflow definition as it is built, so the data set holds
only histories the engine could have produced. One module per stage plans its part and writes
its tables; `command` runs them in order.
"""

from app.cli.generate.command import GenerateError, generate, peak_memory_mb
from app.cli.generate.scales import CITY_CODE, GENERATED_PASSWORD, SCALES, Scale

__all__ = [
    "CITY_CODE",
    "GENERATED_PASSWORD",
    "SCALES",
    "GenerateError",
    "Scale",
    "generate",
    "peak_memory_mb",
]
