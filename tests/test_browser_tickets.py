"""The V.I.P. customer files a high-priority service ticket with a photo; the technician
finds it in "My tasks" and asks a question; the customer answers; the technician
resolves it; the customer sees the whole timeline."""
import re

from playwright.sync_api import expect

from helpers import browser_sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_service_ticket_from_filing_to_resolution(browser, live_server, tmp_path):
    photo = tmp_path / "elektromer.png"
    photo.write_bytes(PNG)
    customer = browser.new_context(locale="cs-CZ").new_page()
    browser_sign_in(customer, live_server, "tomas.dvorak@example.com", "Demo-Portal-2026!")
    customer.goto(f"{live_server}/service/")
    customer.get_by_role("link", name="Nahlásit poruchu nebo objednat technika").click()
    customer.get_by_label("Čeho se to týká").select_option(label="Porucha elektroměru")
    customer.get_by_label("Odběrné místo").select_option(index=1)
    customer.get_by_label("Naléhavost").select_option(label="vysoká")
    customer.get_by_label("Předmět").fill("Jistič vypadává")
    customer.get_by_label("Popis").fill("Hlavní jistič v provozovně vypadává několikrát denně.")
    customer.get_by_label("Přílohy").set_input_files(str(photo))
    customer.get_by_role("button", name="Odeslat").click()
    heading = customer.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Jistič vypadává")
    reference = re.search(r"S-\d{6}", heading.inner_text()).group(0)
    expect(customer.get_by_role("link", name="elektromer.png")).to_be_visible()

    technician = browser.new_context(locale="cs-CZ").new_page()
    browser_sign_in(technician, live_server, "technician@example.com", "Demo-Back-Office-2026", staff=True)
    technician.goto(f"{live_server}/admin/desk/")
    technician.get_by_role("link", name=re.compile(reference)).click()
    technician.get_by_label("Zpráva").fill("Kolik spotřebičů je zapnuto, když jistič vypadne?")
    technician.get_by_label("Je to dotaz").check()
    technician.get_by_role("button", name="Odeslat", exact=True).click()
    expect(technician.get_by_text("Uloženo.")).to_be_visible()

    customer.reload()
    expect(customer.get_by_text("Čekáme na vaši odpověď.")).to_be_visible()
    expect(customer.get_by_text("Kolik spotřebičů je zapnuto")).to_be_visible()
    customer.get_by_label("Vaše zpráva").fill("Pec, dvě chladničky a myčka.")
    customer.get_by_role("button", name="Odeslat zprávu").click()
    expect(customer.get_by_text("Zpráva je odeslána.")).to_be_visible()

    technician.reload()
    expect(technician.get_by_text("Pec, dvě chladničky a myčka.")).to_be_visible()
    technician.get_by_label("Nový stav").select_option(label="vyřešeno")
    technician.get_by_role("button", name="Změnit stav").click()
    expect(technician.get_by_text("Uloženo.")).to_be_visible()

    customer.reload()
    timeline = customer.locator("ol.timeline")
    for step in ("Odesláno", "Předáno týmu Technici", "Čeká na vaši odpověď", "Řeší se", "Vyřešeno"):
        expect(timeline).to_contain_text(step)
    expect(customer.get_by_text("vyřešeno").first).to_be_visible()
    customer.context.close()
    technician.context.close()
