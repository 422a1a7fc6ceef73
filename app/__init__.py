"""职工之家评选: the application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from app import settings


class DatabaseId(IntegerConverter):
    """`<int:…>` with the database's integer range: an oversized id in a URL is a plain
    404, never an overflow raised by the database as a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


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

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import i18n
    from app.auth import session as auth_session
    from app.database import configure_sqlite
    from app.extensions import api, babel, bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(settings.BASE_DIR / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    i18n.init_app(app, babel)
    auth_session.init_app(app, login_manager)
    api.init_app(app)
    from flask_smorest.spec.plugins import integerconverter2paramschema

    api.register_converter(DatabaseId, integerconverter2paramschema)  # documented as integer


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import register_api
    from app.assessment import bp as assessment_bp
    from app.auth import bp as auth_bp
    from app.campaigns import bp as campaigns_bp
    from app.commendation import bp as commendation_bp
    from app.dashboard import bp as dashboard_bp
    from app.evaluation import bp as evaluation_bp
    from app.evidence import bp as evidence_bp
    from app.main import bp as main_bp
    from app.nominations import bp as nominations_bp
    from app.notifications import bp as notifications_bp
    from app.spot_checks import bp as spot_checks_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(nominations_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(spot_checks_bp)
    app.register_blueprint(commendation_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(dashboard_bp)
    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    from app.web_errors import init_app

    init_app(app)


def register_template_helpers(app: Flask) -> None:
    from app.templating import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    from app import jobs
    from app.cli import init_app

    init_app(app)
    jobs.init_app(app)
