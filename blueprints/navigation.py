"""The portal's modules as they appear in the navigation, in order."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from models.users import Module


@dataclass(frozen=True)
class NavItem:
    module: str
    url_prefix: str
    label: object
    description: object

    @property
    def endpoint(self) -> str:
        return f"{self.module}.index"


NAVIGATION = (
    NavItem(Module.ACCOUNT, "/account", _l("Account"), _l("Your details that documents are sent by.")),
    NavItem(Module.INVOICES, "/invoices", _l("Invoices and advances"), _l("Invoices, advance payments and payments.")),
    NavItem(Module.SUPPLY_POINTS, "/supply-points", _l("Supply points"), _l("Your supply points and contracts.")),
    NavItem(Module.READINGS, "/readings", _l("Meter readings"), _l("Enter a meter self-reading and see your consumption.")),
    NavItem(Module.REQUESTS, "/requests", _l("Requests"), _l("Send us a request and follow how it is handled.")),
    NavItem(Module.SERVICE, "/service", _l("Service"), _l("Report a fault or ask for a technician.")),
    NavItem(Module.MESSAGES, "/messages", _l("Messages"), _l("Messages from your supplier.")),
    NavItem(Module.CHANGES, "/changes", _l("Change requests"), _l("Ask for a change of your details.")),
    NavItem(Module.DOCUMENTS, "/documents", _l("Documents"), _l("Forms and templates to download.")),
    NavItem(Module.PRICE_LISTS, "/price-lists", _l("Price lists"), _l("Your current price lists.")),
)


def items_for(modules) -> list[NavItem]:
    return [item for item in NAVIGATION if item.module in modules]
