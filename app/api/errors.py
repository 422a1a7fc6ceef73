"""Field errors named by their place in the request body, whoever found them.

A schema names a nested field by its path in the body (`findings.1.notes`: webargs, then
`app.web.errors.flat_errors`). A service names the same field the way the pages do, by the
row's id (`notes_<item_id>`, `items.<item_id>.rating`), because the pages and the API share
it. An API view that passes a list to a service wraps the call in `errors_by_position`, so
that both name the field alike and one `errors` shape holds for the whole operation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from app.errors import DomainError


@contextmanager
def errors_by_position(
    name: str, ids: Sequence[object], fields: Mapping[str, str]
) -> Iterator[None]:
    """Re-key a refusal's errors from a row's id to the row's place in the body's `name`.

    `ids` are the rows' ids in the order sent; `fields` maps a pattern of the service's key,
    whose one group is the id, to the body's field: `{r"notes_(\\d+)": "notes"}` turns
    `notes_42` into `findings.1.notes` when item 42 was sent second. Other keys stay.
    """
    try:
        yield
    except DomainError as exc:
        position = {str(row_id): index for index, row_id in enumerate(ids)}
        patterns = [(re.compile(pattern), field) for pattern, field in fields.items()]

        def rekey(key: str) -> str:
            for pattern, field in patterns:
                match = pattern.fullmatch(key)
                if match and match.group(1) in position:
                    return f"{name}.{position[match.group(1)]}.{field}"
            return key

        exc.errors = {rekey(key): messages for key, messages in exc.errors.items()}
        raise
