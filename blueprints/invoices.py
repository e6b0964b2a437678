"""Invoices: the list with filters in the database, the detail, the PDF and a CSV export."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from icalendar import Calendar, Event
from sqlalchemy import extract, select

from extensions import db
from forms.billing import AdvanceAmountForm, InvoiceFilterForm
from models.billing import AdvanceSchedule, Invoice, PaymentAllocation
from models.changes import ChangeKind, ChangeRequest, ChangeState
from models.metering import SupplyPoint
from services import changes, labels
from services.access import acting_user, visible, visible_or_404
from services.billing import (
    advance_calendar_pdf,
    advances as advance_service,
    billing_overview,
    qr_platba,
    statement as statement_service,
)
from services.billing.invoice_pdf import stored_pdf, vat_recap
from services.csv_cells import csv_cell
from services.i18n import money
from web.bad_input import page_number
from web.downloads import send_bytes, send_stored_file
from web.limits import action_limit
from web.paging import other_args, paginate
from web.portal_blueprint import PortalBlueprint

bp = PortalBlueprint("invoices", __name__, url_prefix="/invoices", module="invoices")
PAGE_SIZE = 20
ORDER = {"newest": (Invoice.issued_on.desc(), Invoice.id.desc()), "oldest": (Invoice.issued_on, Invoice.id),
         "amount": (Invoice.total.desc(), Invoice.id.desc())}


def _filtered():
    form = InvoiceFilterForm(request.args)
    points = db.session.scalars(visible(SupplyPoint).order_by(SupplyPoint.identifier)).all()
    form.supply_point.choices = [("", "—")] + [(str(p.id), p.identifier) for p in points]
    query = visible(Invoice)
    if form.validate():
        if form.year.data:
            query = query.where(extract("year", Invoice.issued_on) == form.year.data)
        if form.kind.data:
            query = query.where(Invoice.kind == form.kind.data)
        if form.state.data:
            query = query.where(Invoice.state == form.state.data)
        if form.supply_point.data:
            query = query.where(Invoice.supply_point_id == int(form.supply_point.data))
    return form, query.order_by(*ORDER.get(form.sort.data or "newest", ORDER["newest"]))


@bp.route("/")
def index():
    form, query = _filtered()
    listing = paginate(query, page_number(), PAGE_SIZE)
    return render_template("invoices/index.html", form=form, invoices=listing.items, page=listing.page,
                           pages=listing.pages, summary=billing_overview.overview(),
                           total=listing.total, args=other_args(), today=date.today(), kind_labels=labels.INVOICE_KINDS,
                           state_labels=labels.INVOICE_STATES)


@bp.route("/export.csv")
def export():
    form, query = _filtered()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["cislo", "druh", "vystaveno", "splatnost", "celkem", "uhrazeno", "stav", "variabilni_symbol"])
    for invoice in db.session.scalars(query.limit(10000)):
        writer.writerow([csv_cell(v) for v in (invoice.number, invoice.kind, invoice.issued_on, invoice.due_on,
                                               invoice.total, invoice.amount_paid, invoice.state,
                                               invoice.variable_symbol)])
    return send_bytes("\ufeff" + out.getvalue(), "text/csv", "faktury.csv")


@bp.route("/<int:invoice_id>")
def detail(invoice_id):
    invoice = visible_or_404(Invoice, invoice_id)
    payments = db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.invoice_id == invoice.id)).all()
    return render_template("invoices/detail.html", invoice=invoice, recap=vat_recap(invoice), payments=payments,
                           today=date.today(), kind_labels=labels.INVOICE_KINDS, state_labels=labels.INVOICE_STATES)


@bp.route("/<int:invoice_id>/pdf")
def pdf(invoice_id):
    invoice = visible_or_404(Invoice, invoice_id)
    return send_stored_file(stored_pdf(invoice))


@bp.route("/advances")
def advances():
    schedules = db.session.scalars(visible(AdvanceSchedule).order_by(AdvanceSchedule.valid_from.desc()).limit(20)).all()
    iban = current_app.config["SUPPLIER_IBAN"]
    standing_orders = {
        s.id: qr_platba.qr(qr_platba.spd(iban, s.amount, variable_symbol=s.variable_symbol, monthly=True,
                                         message=f"Zaloha {s.variable_symbol}",
                                         payee=current_app.config["SUPPLIER_NAME"])).svg_data_uri(scale=4)
        for s in schedules
    }
    pending = {r.advance_schedule_id: r for r in db.session.scalars(visible(
        ChangeRequest, ChangeRequest.kind == ChangeKind.ADVANCE_AMOUNT,
        ChangeRequest.state.in_(ChangeState.open_states()),
        ChangeRequest.advance_schedule_id.in_([s.id for s in schedules])))}
    return render_template("invoices/advances.html", schedules=schedules, standing_orders=standing_orders,
                           pending=pending, today=date.today())


@bp.route("/advances/<int:schedule_id>/calendar.pdf")
def advance_calendar_pdf_download(schedule_id):
    schedule = visible_or_404(AdvanceSchedule, schedule_id)
    content = advance_calendar_pdf.render(schedule, acting_user().customer)
    return send_bytes(content, "application/pdf", f"zalohovy-kalendar-{schedule.variable_symbol}.pdf")


@bp.route("/advances/<int:schedule_id>/change", methods=["GET", "POST"])
@action_limit("change")
def change_advance(schedule_id):
    """Ask for another advance amount: we show what the consumption and prices suggest,
    refuse less than the fixed charges, and the back office decides."""
    schedule = visible_or_404(AdvanceSchedule, schedule_id)
    pending = advance_service.open_request(schedule)
    recommendation = advance_service.recommend(schedule)
    form = AdvanceAmountForm()
    form.minimum = recommendation.minimum
    can_ask = pending is None and recommendation.effective_from is not None
    if can_ask and form.validate_on_submit():
        amount = form.amount.data.quantize(Decimal("0.01"))
        if amount == schedule.amount:
            form.amount.errors.append(_("This is the amount you pay now."))
        else:
            changes.submit(acting_user().customer, acting_user(), ChangeKind.ADVANCE_AMOUNT, {"amount": amount},
                           form.reason.data, advance_schedule=schedule,
                           effective_from=recommendation.effective_from)
            db.session.commit()
            flash(_("Your request has been sent. If we approve it, the new amount applies from the advance due "
                    "%(date)s.", date=format_date(recommendation.effective_from, "medium")), "success")
            return redirect(url_for("invoices.advances"))
    elif request.method == "GET":
        form.amount.data = recommendation.recommended
    return render_template("invoices/change_advance.html", schedule=schedule, form=form, pending=pending,
                           recommendation=recommendation)


@bp.route("/advances/<int:schedule_id>/calendar.ics")
def advance_calendar(schedule_id):
    """The due dates of the unpaid advances, to add to a calendar app."""
    schedule = visible_or_404(AdvanceSchedule, schedule_id)
    calendar = Calendar()
    calendar.add("prodid", "-//Zakaznicky portal//zalohy//CS")
    calendar.add("version", "2.0")
    for advance in schedule.advances:
        if advance.is_paid or advance.due_on < date.today():
            continue
        event = Event()
        event.add("uid", f"advance-{advance.id}@{request.host}")
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", advance.due_on)
        event.add("summary", _("Advance %(amount)s, variable symbol %(vs)s",
                               amount=money(advance.amount), vs=advance.variable_symbol))
        calendar.add_component(event)
    return send_bytes(calendar.to_ical(), "text/calendar", f"zalohy-{schedule.variable_symbol}.ics")


def _period():
    today = date.today()
    try:
        start = date.fromisoformat(request.args.get("start", "")) if request.args.get("start") else date(today.year, 1, 1)
        end = date.fromisoformat(request.args.get("end", "")) if request.args.get("end") else today
    except ValueError:
        start, end = date(today.year, 1, 1), today
    return (start, end) if start <= end else (end, start)


def _statement_labels():
    return {"invoice": _("Invoice"), "advance": _("Advance"), "payment": _("Payment"),
            "refund": _("Refund to your account")}


@bp.route("/statement")
def statement():
    start, end = _period()
    opening, rows = statement_service.entries(start, end)
    return render_template("invoices/statement.html", start=start, end=end, opening=opening, rows=rows,
                           labels=_statement_labels())


@bp.route("/statement.pdf")
def statement_pdf():
    start, end = _period()
    opening, rows = statement_service.entries(start, end)
    customer = acting_user().customer
    # Documents for the post and the records are Czech.
    labels = {"invoice": "Faktura", "advance": "Záloha", "payment": "Platba", "refund": "Vrácení na účet"}
    content = statement_service.render_pdf(customer, start, end, opening, rows, labels)
    return send_bytes(content, "application/pdf", f"vypis-{customer.number}-{start}-{end}.pdf")
