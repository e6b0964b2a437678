"""The delivery note: what one message was, and when it was delivered to and read by one
recipient, with the hash chain of those records checked — a PDF for disputes."""
from __future__ import annotations

import io

from flask import current_app
from flask_babel import force_locale, format_datetime
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from services.messaging.messages import verify
from services.pdf import document_styles, grid_table, text

VIA = {"email": "e-mailem", "portal": "v portálu"}


def render(recipient) -> bytes:
    message, customer = recipient.message, recipient.customer
    check = verify(recipient)
    normal, bold, title = document_styles()
    out = io.BytesIO()
    with force_locale("cs"):
        when = lambda moment: format_datetime(moment, "medium") if moment else "—"  # noqa: E731
        facts = [
            ["Zpráva", message.subject], ["Odesláno", when(message.sent_at)],
            ["Příloha", f"{message.attachment.filename} (SHA-256 {message.attachment.sha256})" if message.attachment else "—"],
            ["Otisk obsahu zprávy (SHA-256)", message.content_hash],
            ["Příjemce", f"{customer.name}, zákaznické číslo {customer.number}, {customer.email}"],
            ["Doručeno", f"{when(recipient.delivered_at)} ({VIA.get(recipient.delivered_via, '—')})"],
            ["Přečteno", when(recipient.read_at)],
            ["Řetězec záznamů", "neporušený" if check.intact else "PORUŠENÝ – záznamy byly změněny"],
        ]
        records = [[text("Záznam", bold), text("Čas", bold), text("Cesta", bold), text("Otisk záznamu", bold)]]
        records += [[text("doručeno" if e.kind == "delivered" else "přečteno", normal), text(when(e.at), normal),
                     text(e.via or "—", normal), text(e.record_hash, normal)] for e in check.events]
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                                title=f"Doručenka – {message.subject}", author=current_app.config["SUPPLIER_NAME"])
        doc.build([
            text(f"Potvrzení o doručení zprávy – {current_app.config['SUPPLIER_NAME']}", title), Spacer(1, 8),
            grid_table([[text(a, bold), text(b, normal)] for a, b in facts], [55 * mm, 119 * mm]), Spacer(1, 8),
            text("Text zprávy", bold), text(message.body, normal), Spacer(1, 8),
            grid_table(records, [25 * mm, 40 * mm, 20 * mm, 89 * mm], header=True),
        ])
    return out.getvalue()
