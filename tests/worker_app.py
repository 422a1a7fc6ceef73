"""The app as `flask worker` runs it, for the tests that kill a worker mid-job
(`flask --app tests.worker_app:create worker`, tests/test_job_retries.py).

While the file named by PAUSE_BEFORE_COMMIT exists, a commit first sends the job's writes
to the database, writes the process's pid to `<file>.reached`, and waits for the file to
go: the test kills the worker there, its transaction written and not committed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app


def create() -> Flask:
    app = create_app()
    pause = os.environ.get("PAUSE_BEFORE_COMMIT")
    if pause:

        @event.listens_for(Session, "before_commit")
        def _hold(session: Any) -> None:
            if not os.path.exists(pause):
                return
            session.flush()
            Path(f"{pause}.reached").write_text(str(os.getpid()))
            while os.path.exists(pause):
                time.sleep(0.05)

    return app
