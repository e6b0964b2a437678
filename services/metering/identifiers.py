"""Check digits of the identifiers the portal deals with (rules in DESIGN.md, "Formats")."""
from __future__ import annotations

import re

from models.metering import DISTRIBUTORS, Commodity

EIC_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"


def ean_check_digit(first17: str) -> int:
    """GS1 mod 10: weights 3, 1, 3, … from the rightmost data digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(first17)))
    return (10 - total % 10) % 10


def is_valid_ean(value: str) -> bool:
    return bool(re.fullmatch(r"\d{18}", value or "")) and ean_check_digit(value[:17]) == int(value[17])


def distributor_for_ean(value: str) -> str | None:
    return DISTRIBUTORS.get(value[9]) if is_valid_ean(value) else None


def eic_check_char(first15: str) -> str:
    total = sum(EIC_CHARS.index(ch) * (16 - i) for i, ch in enumerate(first15))
    return EIC_CHARS[36 - ((total - 1) % 37)]


def is_valid_eic(value: str) -> bool:
    value = (value or "").upper()
    return bool(re.fullmatch(r"[0-9A-Z-]{16}", value)) and eic_check_char(value[:15]) == value[15]


def commodity_of(identifier: str) -> Commodity | None:
    """What a supply point with this identifier takes: electricity for a valid EAN, gas for a
    valid EIC (the portal names electricity supply points by EAN), else None."""
    if is_valid_ean(identifier):
        return Commodity.ELECTRICITY
    if is_valid_eic(identifier):
        return Commodity.GAS
    return None


def _mod11(digits: str) -> bool:
    weights = (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)
    padded = digits.rjust(10, "0")
    return sum(int(d) * w for d, w in zip(padded, weights, strict=True)) % 11 == 0


def is_valid_czech_account(value: str) -> bool:
    """[prefix-]number/bank code with the mod-11 checks of prefix and number."""
    match = re.fullmatch(r"(?:(\d{1,6})-)?(\d{2,10})/(\d{4})", (value or "").replace(" ", ""))
    if not match:
        return False
    prefix, number, _bank = match.groups()
    return (prefix is None or _mod11(prefix)) and _mod11(number) and int(number) > 0


def is_valid_ico(value: str) -> bool:
    if not re.fullmatch(r"\d{8}", value or ""):
        return False
    total = sum(int(d) * w for d, w in zip(value[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 10
    return check == int(value[7])


def is_valid_dic(value: str) -> bool:
    """A Czech DIČ: CZ and the IČO (8 digits) or the birth number (9 or 10) of a person."""
    return bool(re.fullmatch(r"CZ\d{8,10}", value or ""))
