"""Credential letters: A4 laid out for a DL/C5 window envelope (the address sits in
the window at 20 mm from the left and 45 mm from the top), one letter per page."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import BinaryIO

from flask import current_app
from flask_babel import force_locale, format_date, gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from services.accounts.credentials import IssuedCredentials, activation_url
from services.pdf import BOLD, REGULAR, register_fonts

WIDTH, HEIGHT = A4
WINDOW_LEFT, WINDOW_TOP = 20 * mm, 45 * mm


def write_letters(issued: Iterable[IssuedCredentials], out: BinaryIO) -> int:
    """Write one page per letter to `out` (a file or buffer); returns the page count.
    Pages are drawn one by one from the iterable, so callers can stream a selection."""
    register_fonts()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Access to the customer portal"))
    count = 0
    with force_locale("cs"):  # letters for the post are Czech
        for item in issued:
            _draw_letter(canvas, item)
            canvas.showPage()
            count += 1
    canvas.save()
    return count


def _draw_letter(c: Canvas, item: IssuedCredentials) -> None:
    config = current_app.config
    customer = item.user.customer
    top = HEIGHT - 15 * mm
    c.setFont(BOLD, 11)
    c.drawString(WINDOW_LEFT, top, config["SUPPLIER_NAME"])
    c.setFont(REGULAR, 8)
    c.drawString(WINDOW_LEFT, top - 4 * mm, ", ".join(config["SUPPLIER_ADDRESS"]))
    # The envelope window: the person's name above the customer's mailing address.
    y = HEIGHT - WINDOW_TOP - 8 * mm
    c.setFont(REGULAR, 11)
    lines = customer.mailing_address
    if item.user.name and item.user.name != lines[0]:
        lines = [lines[0], item.user.name, *lines[1:]]
    for line in lines:
        c.drawString(WINDOW_LEFT + 2 * mm, y, line)
        y -= 5.5 * mm
    y = HEIGHT - 105 * mm
    c.setFont(REGULAR, 10)
    c.drawRightString(WIDTH - 20 * mm, y + 10 * mm, _("Prague, %(date)s", date=format_date(date.today(), "long")))
    c.setFont(BOLD, 13)
    c.drawString(WINDOW_LEFT, y, _("Your access to the customer portal – part 1"))
    y -= 10 * mm
    c.setFont(REGULAR, 10)
    body = [
        _("Dear customer,"),
        _("here is the first part of the code that activates your access to our customer portal."),
        _("The second part has been sent to your e-mail address %(email)s.", email=item.user.email),
    ]
    for line in body:
        c.drawString(WINDOW_LEFT, y, line)
        y -= 6 * mm
    y -= 4 * mm
    c.setFont(REGULAR, 11)
    c.drawString(WINDOW_LEFT, y, _("Customer number:"))
    c.setFont(BOLD, 11)
    c.drawString(WINDOW_LEFT + 60 * mm, y, customer.number)
    y -= 8 * mm
    c.setFont(REGULAR, 11)
    c.drawString(WINDOW_LEFT, y, _("Part 1 of the code:"))
    c.setFont(BOLD, 16)
    c.drawString(WINDOW_LEFT + 60 * mm, y, item.part1)
    y -= 14 * mm
    c.setFont(REGULAR, 10)
    steps = [
        _("1. Open %(link)s", link=activation_url()),
        _("2. Enter your customer number, part 1 from this letter and part 2 from the e-mail."),
        _("3. Choose your password. Then you are signed in."),
        _("The code is valid for %(days)s days and works only once.", days=config["CREDENTIALS_VALID_DAYS"]),
    ]
    for line in steps:
        c.drawString(WINDOW_LEFT, y, line)
        y -= 6 * mm
    c.setFont(REGULAR, 8)
    c.drawString(WINDOW_LEFT, 15 * mm, _("Never tell anyone the code. Our staff will never ask you for it."))
