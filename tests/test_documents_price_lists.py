"""Documents to download and price lists: who sees what, search, uploads with versions,
the current price list by product and date, and no overlapping validity."""
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from factories import PASSWORD, make_customer, make_portal_user, make_staff, make_supply_point
from models.documents import Document, DocumentCategory, DocumentVersion
from models.files import StoredFile
from models.price_lists import PriceItem, PriceList, Product
from services.billing.price_lists import current_price_list

TODAY = date.today()
PDF = b"%PDF-1.4\n% document\n"


def _document(title, visibility, segment=None, valid_from=TODAY - timedelta(days=10), valid_to=None, category=None):
    category = category or db.session.scalars(select(DocumentCategory)).first() or DocumentCategory(name="Formuláře")
    document = Document(title=title, category=category, visibility=visibility, segment=segment, valid_from=valid_from,
                        valid_to=valid_to, description=f"Popis: {title}",
                        file=StoredFile.from_bytes(f"{title}.pdf", "application/pdf", PDF))
    db.session.add(document)
    db.session.commit()
    return document


@pytest.fixture
def documents(app):
    return {
        "public": _document("Obchodní podmínky", "public"),
        "customers": _document("Plná moc", "customers"),
        "vip": _document("Podmínky V.I.P.", "segment", "vip"),
        "expired": _document("Starý formulář", "customers", valid_to=TODAY - timedelta(days=1)),
        "future": _document("Budoucí ceník", "customers", valid_from=TODAY + timedelta(days=5)),
    }


def test_a_customer_sees_only_the_documents_meant_for_it(documents, client):
    household = make_portal_user(email="domacnost@example.com")
    vip = make_portal_user(make_customer(segment="vip"), email="vip.doc@example.com")
    for user, seen in ((household, {"public", "customers"}), (vip, {"public", "customers", "vip"})):
        client.sign_in(user.email, PASSWORD)
        page = client.get("/documents/").get_data(as_text=True)
        for key, document in documents.items():
            assert (document.title in page) is (key in seen), (user.email, key)
            status = client.get(f"/documents/{document.id}/file").status_code
            assert status == (200 if key in seen else 404), (user.email, key)
        client.post_form("/sign-out", page="/")


def test_search_and_the_public_page_without_signing_in(documents, client):
    page = client.get("/documents/public").get_data(as_text=True)
    assert "Obchodní podmínky" in page and "Plná moc" not in page
    assert client.get(f"/documents/public/{documents['public'].id}/file").status_code == 200
    assert client.get(f"/documents/public/{documents['customers'].id}/file").status_code == 404
    assert client.get("/documents/").status_code in (302, 401)
    make_portal_user(email="hledani@example.com")
    client.sign_in("hledani@example.com", PASSWORD)
    found = client.get("/documents/?q=plná").get_data(as_text=True)
    assert "Plná moc" in found and "Obchodní podmínky" not in found


def test_staff_upload_a_document_and_replacing_it_keeps_the_old_version(documents, client):
    make_staff("clerk", email="clerk.doc@example.com")
    client.staff_sign_in("clerk.doc@example.com", PASSWORD)
    category = db.session.scalars(select(DocumentCategory)).first()
    fields = {"title": "Reklamační řád", "category": str(category.id), "visibility": "public", "segment": "",
              "valid_from": TODAY.isoformat()}
    refused = client.post_form("/admin/documents/new/", {**fields, "upload": (io.BytesIO(b"MZ\x90 program"), "rad.pdf")})
    assert "Only PDF, PNG or JPEG" in refused.get_data(as_text=True)
    assert client.post_form("/admin/documents/new/", {**fields, "upload": (io.BytesIO(PDF), "rad.pdf")}).status_code == 302
    document = db.session.scalars(select(Document).where(Document.title == "Reklamační řád")).one()
    first_file = document.file_id
    newer = b"%PDF-1.4\n% newer\n"
    edit = client.post_form(f"/admin/documents/edit/?id={document.id}",
                            {**fields, "upload": (io.BytesIO(newer), "rad-2.pdf")})
    assert edit.status_code == 302, edit.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    document = db.session.get(Document, document.id)
    assert document.file.content == newer
    versions = db.session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)).all()
    assert [v.file_id for v in versions] == [first_file]


@pytest.fixture
def offer(app):
    product = Product(code="E-TEST2", name="Elektřina Test", commodity="electricity")
    lists = {
        "past": PriceList(name="Ceník loni", commodity="electricity", product=product, segment="household",
                          valid_from=TODAY - timedelta(days=400), valid_to=TODAY - timedelta(days=31)),
        "current": PriceList(name="Ceník letos", commodity="electricity", product=product, segment="household",
                             valid_from=TODAY - timedelta(days=30), valid_to=TODAY + timedelta(days=30),
                             pdf=StoredFile.from_bytes("cenik.pdf", "application/pdf", PDF)),
        "next": PriceList(name="Ceník příští", commodity="electricity", product=product, segment="household",
                          valid_from=TODAY + timedelta(days=31)),
        "vip": PriceList(name="Ceník V.I.P.", commodity="electricity", segment="vip", valid_from=TODAY - timedelta(days=5),
                         pdf=StoredFile.from_bytes("vip.pdf", "application/pdf", PDF)),
    }
    lists["current"].items = [PriceItem(component="Silová elektřina", unit="Kč/MWh", price_without_vat=Decimal("2500"),
                                        vat_rate=Decimal("21"))]
    db.session.add_all(lists.values())
    db.session.commit()
    return product, lists


def test_the_current_price_list_is_chosen_by_product_and_date(offer):
    product, lists = offer
    customer = make_customer()
    point = make_supply_point(customer, product=product)
    assert current_price_list(point, TODAY) == lists["current"]
    assert current_price_list(point, TODAY - timedelta(days=100)) == lists["past"]
    assert current_price_list(point, TODAY + timedelta(days=40)) == lists["next"]
    assert current_price_list(make_supply_point(customer, identifier="859182400110224391"), TODAY) is None


def test_the_portal_shows_the_current_price_list_first_with_vat_and_the_archive(offer, client):
    product, lists = offer
    user = make_portal_user(email="cenik@example.com")
    make_supply_point(user.customer, product=product)
    client.sign_in(user.email, PASSWORD)
    page = client.get("/price-lists/").get_data(as_text=True)
    assert page.index("Ceník letos") < page.index("Ceník loni")
    assert "CZK2,500.00" in page and "CZK3,025.00" in page  # without and with 21 % VAT
    assert "Ceník V.I.P." not in page and "Ceník příští" not in page
    assert client.get(f"/price-lists/{lists['current'].id}/pdf").data == PDF
    assert client.get(f"/price-lists/{lists['vip'].id}/pdf").status_code == 404


def test_overlapping_price_lists_of_one_product_are_refused(offer, client):
    product, lists = offer
    make_staff("billing", email="billing.pl@example.com")
    client.staff_sign_in("billing.pl@example.com", PASSWORD)
    page = client.post_form("/admin/price-lists/new/", {
        "name": "Ceník překryv", "commodity": "electricity", "product": str(product.id), "segment": "household",
        "valid_from": (TODAY + timedelta(days=10)).isoformat(), "valid_to": (TODAY + timedelta(days=20)).isoformat(),
    }).get_data(as_text=True)
    assert "Another price list of this product and segment is valid in this period." in page
    assert db.session.scalar(select(db.func.count(PriceList.id)).where(PriceList.name == "Ceník překryv")) == 0


def test_the_price_list_page_query_count_does_not_grow_with_supply_points(offer, client, app):
    from helpers import count_queries

    product, _ = offer
    user = make_portal_user(email="mnoho.mist@example.com")
    make_supply_point(user.customer, product=product)
    client.sign_in(user.email, PASSWORD)
    client.get("/price-lists/")
    with count_queries(app) as one:
        client.get("/price-lists/")
    for n in range(9):
        make_supply_point(user.customer, identifier=f"85918240010{n:07d}", product=product)
    with count_queries(app) as ten:
        page = client.get("/price-lists/").get_data(as_text=True)
    assert len(ten) == len(one) and "Ceník letos" in page
