"""QR Platba: the Czech Short Payment Descriptor (SPD*1.0) and its QR code."""
from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import segno


def _clean(text: str, limit: int) -> str:
    """ISO-8859-1 without diacritics, '*' escaped, at most `limit` characters."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.replace("*", "%2A")[:limit]


def spd(iban: str, amount: Decimal, *, variable_symbol: str | None = None, due: date | None = None,
        message: str | None = None, payee: str | None = None, monthly: bool = False) -> str:
    parts = ["SPD", "1.0", f"ACC:{iban.replace(' ', '')}", f"AM:{Decimal(amount).quantize(Decimal('0.01'))}", "CC:CZK"]
    if variable_symbol:
        parts.append(f"X-VS:{variable_symbol[:10]}")
    if due:
        parts.append(f"DT:{due:%Y%m%d}")
    if message:
        parts.append(f"MSG:{_clean(message, 60)}")
    if payee:
        parts.append(f"RN:{_clean(payee, 35)}")
    if monthly:
        parts.append("FRQ:1M")
    return "*".join(parts)


def qr(payload: str):
    return segno.make(payload, error="m")
