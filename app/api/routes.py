from flask_smorest import Blueprint

BLUEPRINTS: list[Blueprint] = []
