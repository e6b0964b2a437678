"""The monthly billing information of remotely read customers (vyúčtovací informace,
vyhláška 207/2021 Sb. §18a): for every supply point with smart-meter interval data in a month,
the month's consumption, the amount estimated from the supply point's price list with VAT and
the advances paid in the month, as a PDF stored among the customer's documents, and a notice
to the customer's portal users who see documents, in their language.

Made once per supply point and month (BillingInformation's unique key): a second run adds
nothing, and one stopped half-way goes on where it stopped, since each supply point is
committed on its own."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import force_locale, format_date, gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models.base import ZERO
from models.billing import Advance, AdvanceSchedule, Payment, PaymentAllocation
from models.documents import Document, DocumentCategory, DocumentVisibility
from models.files import StoredFile
from models.interval_data import BillingInformation, IntervalDay
from models.metering import SupplyPoint
from models.price_lists import PriceList
from models.users import Module
from services import audit
from services.billing.advances import FIXED_UNIT, VARIABLE_UNIT
from services.billing.price_lists import current_price_list
from services.links import portal_url
from services.messaging import notices
from services.metering.interval_data import month_days, next_month
from services.outbox import queue_email

CATEGORY = "Vyúčtovací informace"
CENT = Decimal("0.01")
# Price items by their unit: what the quantity of a period is.
PER_KWH = "Kč/kWh"
PER_DAY = "Kč/den"


class NotAMonth(ValueError):
    """The month is not YYYY-MM, or it has not ended yet."""


def month_of(text: str, today: date) -> date:
    """The first day of a month given as 2026-11; only a month that is over."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise NotAMonth(_("Give the month as YYYY-MM, e.g. 2026-11."))
    month = date(int(match[1]), int(match[2]), 1)
    if next_month(month) > today:
        raise NotAMonth(_("The month %(month)s is not over yet.", month=f"{month:%Y-%m}"))
    return month


@dataclass
class Line:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    amount_without_vat: Decimal
    vat: Decimal


@dataclass
class Estimate:
    point: SupplyPoint
    month: date
    daily_wh: list[tuple[date, int | None]]
    lines: list[Line] = field(default_factory=list)
    # Days of the month without a price list, and price items whose unit says nothing of a month.
    days_unpriced: int = 0
    items_unpriced: list[str] = field(default_factory=list)
    advances_paid: Decimal = ZERO

    @property
    def last_day(self) -> date:
        return next_month(self.month) - timedelta(days=1)

    @property
    def consumption_wh(self) -> int:
        return sum(wh for _, wh in self.daily_wh if wh)

    @property
    def days_with_data(self) -> int:
        return sum(1 for _, wh in self.daily_wh if wh is not None)

    @property
    def total_without_vat(self) -> Decimal:
        return sum((line.amount_without_vat for line in self.lines), ZERO)

    @property
    def total_vat(self) -> Decimal:
        return sum((line.vat for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return self.total_without_vat + self.total_vat


def supply_points_to_inform(month: date) -> list[int]:
    """The supply points with interval data in the month and no billing information for it yet."""
    last = next_month(month) - timedelta(days=1)
    # One probe of the interval data's key per supply point, rather than a scan of the month's rows.
    measured = select(IntervalDay.day).where(IntervalDay.supply_point_id == SupplyPoint.id,
                                             IntervalDay.day.between(month, last)).exists()
    made = select(BillingInformation.id).where(BillingInformation.supply_point_id == SupplyPoint.id,
                                               BillingInformation.month == month).exists()
    return list(db.session.scalars(select(SupplyPoint.id).where(measured, ~made).order_by(SupplyPoint.id)))


def _price_periods(point: SupplyPoint, first: date, last: date) -> list[tuple[date, date, PriceList | None]]:
    """The month cut where the supply point's price list changes: (from, to, price list or None)."""
    periods, day = [], first
    while day <= last:
        price_list = current_price_list(point, day)
        # The next price list of the product to begin within the month ends this period.
        following = db.session.scalar(select(func.min(PriceList.valid_from)).where(
            PriceList.product_id == point.product_id, PriceList.valid_from > day, PriceList.valid_from <= last)) \
            if point.product_id else None
        end = min(d for d in (last, following - timedelta(days=1) if following else None,
                              price_list.valid_to if price_list else None) if d is not None)
        periods.append((day, end, price_list))
        day = end + timedelta(days=1)
    return periods


def _quantity(unit: str, wh: int, days: int, month_length: int) -> tuple[Decimal, str] | None:
    if unit == VARIABLE_UNIT:
        return (Decimal(wh) / 1_000_000).quantize(Decimal("0.000001")), "MWh"
    if unit == PER_KWH:
        return (Decimal(wh) / 1000).quantize(Decimal("0.001")), "kWh"
    if unit == FIXED_UNIT:
        return (Decimal(days) / month_length).quantize(Decimal("0.0001")), "měsíc"
    if unit == PER_DAY:
        return Decimal(days), "den"
    return None


def estimate(point: SupplyPoint, month: date) -> Estimate:
    """The month's consumption from the interval data, priced by the price list of each day."""
    days = month_days(month)
    known = dict(db.session.execute(select(IntervalDay.day, IntervalDay.total_wh).where(
        IntervalDay.supply_point_id == point.id, IntervalDay.day.between(days[0], days[-1]))).all())
    result = Estimate(point, month, [(d, known.get(d)) for d in days])
    for first, last, price_list in _price_periods(point, days[0], days[-1]):
        length = (last - first).days + 1
        if price_list is None:
            result.days_unpriced += length
            continue
        wh = sum(known.get(first + timedelta(days=i)) or 0 for i in range(length))
        for item in price_list.items:
            quantity = _quantity(item.unit, wh, length, len(days))
            if quantity is None:
                result.items_unpriced.append(item.component)
                continue
            price, rate = Decimal(str(item.price_without_vat)), Decimal(str(item.vat_rate))
            amount = (quantity[0] * price).quantize(CENT)
            result.lines.append(Line(item.component, quantity[0], quantity[1], price, rate, amount,
                                     (amount * rate / 100).quantize(CENT)))
    result.advances_paid = advances_paid(point, days[0], days[-1])
    return result


def advances_paid(point: SupplyPoint, first: date, last: date) -> Decimal:
    """What payments received in the period paid of the supply point's advances."""
    paid = db.session.scalar(
        select(func.sum(PaymentAllocation.amount))
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .join(Advance, Advance.id == PaymentAllocation.advance_id)
        .join(AdvanceSchedule, AdvanceSchedule.id == Advance.schedule_id)
        .where(AdvanceSchedule.supply_point_id == point.id, Payment.received_on.between(first, last)))
    return Decimal(str(paid or 0)).quantize(CENT)


def _category() -> DocumentCategory:
    category = db.session.scalars(select(DocumentCategory).where(DocumentCategory.name == CATEGORY)).first()
    if category is None:
        category = DocumentCategory(name=CATEGORY, position=50)
        db.session.add(category)
        db.session.flush()
    return category


def _notify(email: str, locale: str | None, point: SupplyPoint, month: date) -> None:
    with force_locale(locale or "cs"):
        name = format_date(month, "LLLL y")
        queue_email(email, _("Your billing information for %(month)s", month=name), "notice",
                    text=_("The billing information of your supply point %(identifier)s for %(month)s is ready in "
                           "the customer portal, under Documents. It shows the month's consumption measured by your "
                           "smart meter and an estimate of its price; it is free of charge and is not an invoice.",
                           identifier=point.identifier, month=name),
                    link=portal_url("documents.index"))


def make_one(point: SupplyPoint, month: date, today: date) -> BillingInformation:
    """The billing information of one supply point and month, its document and notices, in the
    caller's transaction."""
    from services.billing.billing_information_pdf import render

    result = estimate(point, month)
    content = render(result)
    file = StoredFile.from_bytes(f"vyuctovaci-informace-{point.identifier}-{month:%Y-%m}.pdf", "application/pdf",
                                 content)
    document = Document(category=_category(), title=f"Vyúčtovací informace {month.month}/{month.year} – "
                                                    f"{point.identifier}",
                        visibility=DocumentVisibility.CUSTOMER, customer_id=point.customer_id,
                        supply_point_id=point.id, valid_from=today, file=file)
    information = BillingInformation(customer_id=point.customer_id, supply_point_id=point.id, month=month,
                                     days_with_data=result.days_with_data, consumption_wh=result.consumption_wh,
                                     estimated_amount=result.total, advances_paid=result.advances_paid,
                                     document=document)
    db.session.add(information)
    db.session.flush()
    # Told are those who see it in the portal and want notices, the rule of every new document
    # (services.messaging.notices; its `_recipients` is the one place of that rule).
    for _id, email, locale, _pdf in notices._recipients(BillingInformation, [information.id], Module.DOCUMENTS, today):
        _notify(email, locale, point, month)
    audit.record("billing_information_made", information, details={
        "supply_point": point.identifier, "month": f"{month:%Y-%m}", "consumption_wh": result.consumption_wh,
        "estimated_amount": str(result.total)})
    return information


@dataclass
class Run:
    made: int = 0
    already: int = 0  # made before, by an earlier run or one running beside this one


def already_made(month: date) -> int:
    return db.session.scalar(select(func.count(BillingInformation.id)).where(BillingInformation.month == month))


def make_month(month: date, *, today: date | None = None,
               progress: Callable[[int], None] | None = None) -> Run:
    """The billing information of every remotely read supply point for the month, each committed
    on its own; one made meanwhile by another run is skipped."""
    today = today or date.today()
    run = Run(already=already_made(month))
    for point_id in supply_points_to_inform(month):
        point = db.session.get(SupplyPoint, point_id)
        try:
            make_one(point, month, today)
            db.session.commit()
            run.made += 1
        except IntegrityError:
            db.session.rollback()
            run.already += 1
        if progress:
            progress(1)
    return run
