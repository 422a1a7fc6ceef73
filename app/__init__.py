"""职工之家评选: the application factory."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map, ValidationError

from app import settings
from app.dbtypes import INT4_MAX


class DatabaseId(IntegerConverter):
    """`<int:…>` with the database's integer range: an oversized id in a URL is a plain
    404, never an overflow raised by the database as a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT4_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        # Not Werkzeug's ValidationError: with a GET and a POST rule on one path, that
        # ends as 405 (the other rule's method matched) rather than 404.
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` overrides settings read from the environment."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    # Every `<int:…>` in a route: before any route is added.
    app.url_map.converters["int"] = DatabaseId
    app.config.from_mapping(settings.load())
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to wrap the WSGI app; mypy sees a method replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    register_extensions(app)
    register_stages(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import i18n
    from app.auth import session as auth_session
    from app.auth import sso
    from app.database import configure_sqlite
    from app.extensions import api, babel, bootstrap, csrf, db, login_manager, migrate
    from app.web import headers, inputs

    inputs.init_app(app)  # first of the request hooks: before the CSRF check and the session
    db.init_app(app)
    with app.app_context():
        configure_sqlite(app, db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(settings.BASE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    headers.init_app(app)
    bootstrap.init_app(app)
    i18n.init_app(app, babel)
    auth_session.init_app(app, login_manager)
    sso.init_sso(app)
    from app.api.schemas import ApiErrorSchema

    # flask-smorest's own error responses describe the one error body the API sends.
    api.ERROR_SCHEMA = ApiErrorSchema
    api.init_app(app)
    from flask_smorest.spec.plugins import integerconverter2paramschema

    api.register_converter(DatabaseId, integerconverter2paramschema)  # documented as integer


def register_stages(app: Flask) -> None:
    """Plug the stages into the nomination core and the engine, explicitly and in one place:
    each package's `plugin.register` adds its guards, workflow hooks, nomination-page card,
    due dates, assignments and handovers, campaign-page link. Then make sure the definition
    names no guard that nobody registered."""
    from flask_babel import gettext

    from app.admin import plugin as admin
    from app.assessment import plugin as assessment
    from app.commendation import plugin as commendation
    from app.dashboard import plugin as dashboard
    from app.evaluation import plugin as evaluation
    from app.nominations import plugin as nominations
    from app.notifications import plugin as notifications
    from app.spot_checks import plugin as spot_checks
    from app.web.templating import label
    from workflows import i18n
    from workflows.guards import GUARDS
    from workflows.nomination import ACTIONS

    i18n.install(gettext=gettext, label=label)
    plugins = (
        nominations,
        assessment,
        evaluation,
        spot_checks,
        commendation,
        dashboard,
        notifications,
        admin,
    )
    for plugin in plugins:
        plugin.register(app)
    GUARDS.verify(name for action in ACTIONS.values() for name in action.guards)


# Each package's blueprint (`bp`, in its `__init__`) and the view modules that attach their
# routes to it when imported, in the order the blueprints are registered.
BLUEPRINTS: dict[str, tuple[str, ...]] = {
    "auth": ("routes",),
    "main": ("routes",),
    "nominations": ("routes",),
    "campaigns": ("routes",),
    "admin": ("routes", "operations", "import_pages", "robot_pages"),
    "assessment": ("routes",),
    "evidence": ("routes",),
    "evaluation": ("routes", "downloads", "public"),
    "spot_checks": ("routes", "manage", "teams", "inspect", "rectify", "mine"),
    "commendation": ("decide", "manage_honours", "public"),
    "calendar": ("routes",),
    "notifications": ("routes",),
    "dashboard": ("routes",),
}


# The modules that hold an API blueprint (`blp`), in the OpenAPI document's order.
API_BLUEPRINTS = (
    "auth.api",
    "campaigns.api",
    "nominations.api",
    "assessment.api",
    "assessment.evidence_api",
    "evaluation.api",
    "spot_checks.api",
    "commendation.api",
    "dashboard.api",
    "admin.api",
    "admin.import_api",
)


def register_blueprints(app: Flask) -> None:
    from app.api import register_api

    for package, views in BLUEPRINTS.items():
        for view in views:
            import_module(f"app.{package}.{view}")
        app.register_blueprint(import_module(f"app.{package}").bp)
    register_api(app, [import_module(f"app.{name}").blp for name in API_BLUEPRINTS])


def register_errorhandlers(app: Flask) -> None:
    from app.web.errors import init_app

    init_app(app)


def register_template_helpers(app: Flask) -> None:
    from app.web.templating import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from app import jobs
    from app.cli import init_app

    init_app(app)
    jobs.init_app(app)
