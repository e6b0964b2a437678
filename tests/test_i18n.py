"""Czech and English: complete catalogs, language choice, Czech money and dates."""
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from services.i18n import money

CATALOG = Path(__file__).resolve().parent.parent / "translations" / "cs" / "LC_MESSAGES" / "messages.po"
TEMPLATE = CATALOG.parent.parent.parent / "messages.pot"


def test_every_string_has_a_czech_translation():
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="cs")
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [], f"untranslated: {missing}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_the_catalog_knows_every_string_of_the_template():
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="cs")
    assert {m.id for m in template if m.id} <= {m.id for m in catalog if m.id}


def test_money_is_shown_czech_style(app):
    with app.test_request_context(), force_locale("cs"):
        assert money(Decimal("1234.5")).replace("\xa0", " ") == "1 234,50 Kč"
    with app.test_request_context(), force_locale("en"):
        assert money(Decimal("1234.5")).replace("\xa0", "") == "CZK1,234.50"


def test_dates_follow_the_locale(app):
    with app.test_request_context(), force_locale("cs"):
        rendered = app.jinja_env.from_string("{{ d|date }}").render(d=date(2026, 3, 1))
        assert rendered.replace("\xa0", " ") == "1. 3. 2026"


def test_the_browser_language_is_used_and_the_switch_wins(client):
    assert "Přihlášení do zákaznického portálu" in client.get("/sign-in",
                                                              headers={"Accept-Language": "cs"}).get_data(as_text=True)
    assert "Sign in to the customer portal" in client.get("/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post_form("/language/cs", {"next": "/sign-in"})
    assert "Přihlášení" in client.get("/sign-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
