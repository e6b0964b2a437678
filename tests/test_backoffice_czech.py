"""The back office speaks Czech in words, not codes: every string of it has a Czech translation,
every column and field label comes from the catalog (never Flask-Admin's prettified English
column name), cells show labels, Prague times, Czech dates and money, never "__None",
True/False or a stored code; the ticket desk and the message report read right."""
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_staff
from models.messaging import MessageRecipient
from models.tickets import Ticket, TicketState
from services import labels
from services.demo_data import load_demo_data

ROOT = Path(__file__).resolve().parent.parent
BACK_OFFICE_SOURCES = ("admin_views/", "templates/admin/", "services/labels.py")
CS = {"Accept-Language": "cs"}


def test_every_back_office_string_has_a_czech_translation():
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        template = read_po(f)
    with (ROOT / "translations" / "cs" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        czech = {m.id: m.string for m in read_po(f, locale="cs") if m.id}
    ours = [m.id for m in template if m.id and any(path.startswith(BACK_OFFICE_SOURCES) for path, _ in m.locations)]
    assert len(ours) > 300
    missing = [msgid for msgid in ours
               if not czech.get(msgid) or (isinstance(czech[msgid], tuple) and not all(czech[msgid]))]
    assert missing == [], f"back-office strings without Czech: {missing}"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ").replace("&#42;", "").strip()


def _model_views(app):
    return [v for v in app.extensions["admin"][0]._views if hasattr(v, "_list_columns")]


def _english_unless_same_in_czech(view, name: str) -> str | None:
    """Flask-Admin's prettified English name of a column, when Czech would say something else."""
    english = view._prettify_name(name)
    label = view.column_labels.get(name)
    return None if label is not None and str(label) == english else english


@pytest.fixture
def admin_in_czech(app, client):
    load_demo_data()
    client.staff_sign_in("admin@example.com", "Demo-Back-Office-2026")
    return client


def test_every_model_view_shows_czech_labels_and_words_not_codes(app, admin_in_czech):
    client, problems, checked = admin_in_czech, [], 0
    for view in _model_views(app):
        base = f"{view.url.rstrip('/')}/"
        with app.test_request_context(headers=CS), force_locale("cs"):
            first = db.session.scalar(select(view.model).limit(1))
            pk = view.get_pk_value(first) if first is not None else None
            codes = {column.key: {str(getattr(code, "value", code)) for code, label in code_labels.items()
                                  if getattr(code, "value", code) != str(label)}
                     for column in view.model.__table__.columns if (code_labels := labels.column_labels(column))}
        for name, _label in view._list_columns + getattr(view, "_details_columns", []):
            if name not in view.column_labels:
                problems.append(f"{view.endpoint}: column {name!r} has no label of its own")
        own_columns = set(view.model.__table__.columns.keys())  # a related record shows its own name
        listing = client.get(base, headers=CS)
        assert listing.status_code == 200, base
        html = listing.get_data(as_text=True)
        headers = {_text(h) for h in re.findall(r'<th class="column-header[^"]*">(.*?)</th>', html, flags=re.S)}
        for name, _label in view._list_columns:
            english = _english_unless_same_in_czech(view, name)
            if english in headers:
                problems.append(f"{base}: header {english!r} is Flask-Admin's English")
        for name, cell in re.findall(r'<td class="col-([\w.]+)">(.*?)</td>', html, flags=re.S):
            shown, checked = _text(cell), checked + 1
            if shown in ("__None", "None", "True", "False") or "__None" in cell:
                problems.append(f"{base}: {name} shows {shown!r}")
            elif shown in codes.get(name, ()):
                problems.append(f"{base}: {name} shows the code {shown!r}")
            elif name in own_columns and re.search(r"\d{4}-\d\d-\d\d|\+00:00|\d\d:\d\d:\d\d\.\d", shown):
                problems.append(f"{base}: {name} shows a raw date or time {shown!r}")
        groups = re.search(r'id="filter-groups-data"[^>]*>(.*?)</div>', html, flags=re.S)
        for filter_name in json.loads(groups.group(1)) if groups else {}:
            if re.fullmatch(r"[A-Z][a-z]+( [A-Z][a-z]+)*( / [A-Z][a-z]+( [A-Z][a-z]+)*)*", filter_name) and \
                    any(filter_name == _english_unless_same_in_czech(view, f.column.key)
                        for f in view._filters if hasattr(f, "column")):
                problems.append(f"{base}: filter {filter_name!r} is Flask-Admin's English")
        if view.can_set_page_size and "20 items" in html:
            problems.append(f"{base}: page size in English")
        pages = [f"{base}new/"] if view.can_create else []
        if pk is not None:
            pages += [f"{base}details/?id={pk}"] + ([f"{base}edit/?id={pk}"] if view.can_edit else [])
        for url in pages:
            page = client.get(url, headers=CS)
            assert page.status_code == 200, url
            html = page.get_data(as_text=True)
            if "__None" in _text(html) or re.search(r"<td>\s*(True|False|None)\s*</td>", html):
                problems.append(f"{url}: shows __None, True, False or None")
            for field, label in re.findall(r'<label for="([\w-]+)"[^>]*>(.*?)</label>', html, flags=re.S):
                english = _english_unless_same_in_czech(view, field)
                if english is not None and _text(label) == english:
                    problems.append(f"{url}: field label {english!r} is Flask-Admin's English")
            if "/details/" in url:
                for name, _label in view._details_columns:
                    english = _english_unless_same_in_czech(view, name)
                    if english is not None and f"<b>{english}</b>" in html:
                        problems.append(f"{url}: {english!r} is Flask-Admin's English")
    assert checked > 200
    assert problems == [], "\n".join(problems)


def test_lists_show_labels_prague_time_czech_dates_money_and_yes_no(app, admin_in_czech):
    client = admin_in_czech
    ticket = db.session.scalars(select(Ticket).where(Ticket.state == TicketState.WAITING_FOR_CUSTOMER)).first()
    ticket.created_at = datetime(2026, 12, 7, 9, 5, 30, 123456, tzinfo=UTC)
    db.session.commit()
    html = client.get("/admin/tickets/", headers=CS).get_data(as_text=True)
    cells = " ".join(_text(c) for c in re.findall(r'<td class="col-state">(.*?)</td>', html, flags=re.S))
    assert "čeká na zákazníka" in cells and "waiting" not in cells
    assert "7.\xa012.\xa02026 10:05" in html or "7. 12. 2026 10:05" in html  # 09:05 UTC is 10:05 in Prague
    assert "+00:00" not in html and ":30.123456" not in html
    customers = _text(client.get("/admin/customers/", headers=CS).get_data(as_text=True))
    assert "V.I.P." in customers and "Aktivní" in customers and " ano " in f"{customers} "
    invoices = client.get("/admin/invoices/", headers=CS).get_data(as_text=True).replace("\xa0", " ")
    assert re.search(r"\d \d{3},\d\d Kč", invoices) and "Datum splatnosti" in invoices
    assert re.search(r"\b\d{1,2}\. \d{1,2}\. 20\d\d\b", invoices)
    points = client.get("/admin/supply-points/", headers=CS).get_data(as_text=True)
    assert "Plyn" in _text(points) and " gas " not in _text(points)


def test_flask_admin_speaks_czech_with_the_right_plural(admin_in_czech):
    raw = admin_in_czech.get("/admin/customers/", headers=CS).get_data(as_text=True)
    for said in ("Vyberte alespoň jeden záznam.", "Opravdu smazat vybrané záznamy?"):  # a record, not a "model"
        assert json.dumps(said)[1:-1] in raw
    html = _text(raw)
    assert "20 položek" in html and "100 položek" in html and "20 items" not in html and "20 položky" not in html
    assert "Přidat filtr" in html and "Vytvořit" in html
    english = _text(admin_in_czech.get("/admin/customers/", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "20 items" in english and "Number" in english


def test_staff_roles_are_words(app, admin_in_czech):
    html = admin_in_czech.get("/admin/staff/", headers=CS).get_data(as_text=True)
    roles = {_text(cell) for cell in re.findall(r'<td class="col-role">(.*?)</td>', html, flags=re.S)}
    with force_locale("cs"):
        words = {code.value: str(label) for code, label in labels.STAFF_ROLES.items()}
    assert roles == set(words.values()) and "správce" in roles
    assert all(word != code for code, word in words.items()), f"a role without its Czech name: {words}"


def test_the_state_select_of_a_ticket_starts_at_its_state(app, client):
    load_demo_data()
    make_staff("clerk", email="desk@example.com")
    client.staff_sign_in("desk@example.com", PASSWORD)
    ticket = db.session.scalars(select(Ticket).where(Ticket.state == TicketState.IN_PROGRESS)).first()
    html = client.get(f"/admin/desk/ticket/{ticket.id}", headers=CS).get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="state"[^>]*>(.*?)</select>', html, flags=re.S).group(1)
    options = re.findall(r'<option([^>]*)value="(\w+)"', select_html)
    assert options[0][1] == "in_progress" and "selected" in options[0][0]
    assert [value for _attrs, value in options[1:]] == ["waiting_for_customer", "resolved", "closed"]
    # Sending the form as it opens changes nothing.
    page = client.post_form(f"/admin/desk/ticket/{ticket.id}", {"action": "state", "state": "in_progress"},
                            follow_redirects=True, headers=CS)
    db.session.refresh(ticket)
    assert ticket.state == TicketState.IN_PROGRESS and page.status_code == 200


def test_the_ticket_timeline_says_each_word_once(app, client):
    load_demo_data()
    client.staff_sign_in("admin@example.com", "Demo-Back-Office-2026")
    ticket = db.session.scalars(select(Ticket).order_by(Ticket.id)).first()
    html = _text(client.get(f"/admin/desk/ticket/{ticket.id}", headers=CS).get_data(as_text=True))
    assert not re.search(r"(\b[\wáčďéěíňóřšťúůýž ]+) \(\1\)", html), html


def test_the_message_report_opens_on_all_recipients_with_counts(app, client):
    load_demo_data()
    make_customer(number="7100001")
    client.staff_sign_in("admin@example.com", "Demo-Back-Office-2026")
    desk = client.get("/admin/message-desk/", headers=CS).get_data(as_text=True)
    message_id = int(re.search(r"/admin/message-desk/(\d+)", desk).group(1))
    recipients = db.session.scalars(select(MessageRecipient).where(MessageRecipient.message_id == message_id)).all()
    now = datetime.now().astimezone()
    for r in recipients:  # everyone has read it: the report still lists them
        r.delivered_at = r.delivered_at or now - timedelta(hours=1)
        r.read_at = now
    db.session.commit()
    html = _text(client.get(f"/admin/message-desk/{message_id}", headers=CS).get_data(as_text=True))
    total = len(recipients)
    assert f"Všichni příjemci {total} Zatím nedoručeno 0 Doručeno {total} Zatím nepřečteno 0 Přečteno {total}" in html
    assert str(recipients[0].customer) in html
