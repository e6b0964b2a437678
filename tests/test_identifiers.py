"""Identifier check digits, against the real values of DESIGN.md."""
import pytest

from services.metering.identifiers import (
    distributor_for_ean,
    eic_check_char,
    is_valid_czech_account,
    is_valid_ean,
    is_valid_eic,
    is_valid_ico,
)


@pytest.mark.parametrize("ean", ["859182400102993847", "859182400102646743", "859182400110224391"])
def test_real_eans_pass(ean):
    assert is_valid_ean(ean)


@pytest.mark.parametrize("ean", ["859182400102993848", "85918240010299384", "85918240010299384x", ""])
def test_bad_eans_fail(ean):
    assert not is_valid_ean(ean)


def test_the_tenth_digit_names_the_distributor():
    assert distributor_for_ean("859182400102993847") == "EG.D (E.ON Distribuce)"
    assert distributor_for_ean("859182400110224391") == "EG.D (E.ON Distribuce)"


@pytest.mark.parametrize("eic", ["10XCZ-CEPS-GRIDE", "27XCEZ-INTRA---M", "10YCZ-CEPS-----N",
                                 "10YDE-VE-------2", "10YAT-APG------L"])
def test_real_eics_pass(eic):
    assert is_valid_eic(eic)
    assert eic_check_char(eic[:15]) == eic[15]


def test_bad_eics_fail():
    assert not is_valid_eic("10XCZ-CEPS-GRIDF")
    assert not is_valid_eic("10XCZ-CEPS")


def test_czech_accounts_and_ico():
    assert is_valid_czech_account("19-2000145399/0800")
    assert not is_valid_czech_account("19-2000145398/0800")
    assert not is_valid_czech_account("abc/0800")
    assert is_valid_ico("27074358")
    assert not is_valid_ico("27074359")


def test_the_supply_point_page_names_the_distributor_only_for_a_valid_ean(app, client):
    from sqlalchemy import select

    from extensions import db
    from models.metering import SupplyPoint
    from services.demo_data import PORTAL_PASSWORD, load_demo_data

    load_demo_data()
    point = db.session.scalars(select(SupplyPoint).where(SupplyPoint.identifier == "859182400110224391")).one()
    client.sign_in("petr.svoboda@example.com", PORTAL_PASSWORD)
    assert "EG.D (E.ON Distribuce)" in client.get(f"/supply-points/{point.id}").get_data(as_text=True)
    point.identifier = "859182400110224392"  # the check digit is wrong: the tenth digit proves nothing
    db.session.commit()
    assert "EG.D" not in client.get(f"/supply-points/{point.id}").get_data(as_text=True)
