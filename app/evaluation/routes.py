from app.evaluation import models, services  # noqa: F401
