"""What the administration plugs in: its entries in the menu, for administrators."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.admin.policy import may_administer
from app.admin.services import audit_accounts
from app.auth import activation
from app.web import menu
from app.web.menu import MenuEntry

ENTRIES = (
    MenuEntry("admin-users", _l("Users"), "admin.users", may_administer, 30),
    MenuEntry("admin-queue", _l("Operations"), "admin.queue", may_administer, 31),
    MenuEntry("admin-orgs", _l("Organisations"), "admin.orgs", may_administer, 32),
    MenuEntry("admin-audit", _l("Audit trail"), "admin.audit", may_administer, 33),
    MenuEntry("admin-imports", _l("Import"), "admin.imports", may_administer, 34),
)


def register(app: Flask) -> None:
    activation.register_audit(audit_accounts)
    for entry in ENTRIES:
        menu.register(entry)
