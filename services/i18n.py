"""Language choice and Czech-style formatting of money and dates."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app, has_request_context, request, session
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command (an import, the sender thread): the operator's default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # the supplier's systems: English unless they ask (no session there)
        return request.accept_languages.best_match(languages) or "en"
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def money(value: Decimal | None) -> str:
    """1 234,50 Kč in Czech, CZK 1,234.50 in English."""
    if value is None:
        return ""
    return format_currency(Decimal(value), "CZK")


def kwh(wh: int | None) -> str:
    """Watt-hours as kilowatt-hours with three decimals: 1 234,567 in Czech, 1,234.567 in English."""
    if wh is None:
        return ""
    return format_decimal(Decimal(wh) / 1000, format="#,##0.000")


def init_app(app, babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = lambda d, fmt="medium": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = (
        lambda d, fmt="medium": format_datetime(d, fmt) if d else ""
    )
    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else ""
    app.jinja_env.filters["kwh"] = kwh

    @app.context_processor
    def language_context():
        return {"current_locale": str(get_locale()), "languages": app.config["LANGUAGES"]}
