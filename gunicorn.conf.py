"""gunicorn's settings for this app: `gunicorn -c gunicorn.conf.py … wsgi:app`.

Its loggers never write a member's voting token: the access log (when enabled, e.g.
`--access-logfile -`) and the error log pass every line through the app's redacting filter
(`app.evaluation.privacy`), which replaces `/e/<token>`, `/api/v1/ballots/<token>` and
`/activate/<secret>` — in
the request line, the query string, the Referer, any header — with `[redacted]`. The app
factory puts the same filter on these loggers in each worker; this puts it there from the
start (the master's own lines, `--log-config` set-ups, configuration reloads).

Everything else (workers, bind, log files) stays on the command line.
"""

from gunicorn.glogging import Logger

from app.evaluation.privacy import REDACT


class TokenSafeLogger(Logger):
    """gunicorn's logger with the token-redacting filter on its access and error logs."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(REDACT)


logger_class = TokenSafeLogger
