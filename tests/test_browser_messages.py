"""Staff send Jana a message with a PDF; Jana sees the unread badge, opens the message
and downloads the attachment; staff see it delivered and read."""
from playwright.sync_api import expect

from helpers import browser_sign_in

PDF = b"%PDF-1.4\n% Informace o zmene ceny\n"


def test_a_message_with_an_attachment_delivered_and_read(browser, live_server, tmp_path):
    attachment = tmp_path / "zmena-ceny.pdf"
    attachment.write_bytes(PDF)
    staff = browser.new_context(locale="cs-CZ").new_page()
    browser_sign_in(staff, live_server, "clerk@example.com", "Demo-Back-Office-2026", staff=True)
    staff.goto(f"{live_server}/admin/message-desk/new")
    staff.get_by_label("Předmět").fill("Změna ceny od ledna")
    staff.get_by_label("Text").fill("Dobrý den, v příloze najdete informace o nové ceně.")
    staff.get_by_label("Přiložený dokument").set_input_files(str(attachment))
    staff.get_by_label("Komu").select_option(value="customer")
    staff.get_by_label("Zákaznické číslo").fill("1000001")
    staff.get_by_role("button", name="Odeslat zprávu").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Změna ceny od ledna")

    jana = browser.new_context(locale="cs-CZ", accept_downloads=True).new_page()
    browser_sign_in(jana, live_server, "jana.novakova@example.com", "Demo-Portal-2026!")
    badge = jana.locator('[data-badge="messages"]').first
    expect(badge).to_be_visible()
    unread = int(badge.inner_text().split()[0])
    assert unread >= 1
    jana.get_by_role("link", name="Zprávy").first.click()
    jana.get_by_role("link", name="Změna ceny od ledna").click()
    expect(jana.get_by_text("v příloze najdete informace")).to_be_visible()
    with jana.expect_download() as info:
        jana.get_by_role("link", name="zmena-ceny.pdf").click()
    target = tmp_path / "stazeno.pdf"
    info.value.save_as(target)
    assert target.read_bytes() == PDF
    jana.reload()
    if unread == 1:
        expect(jana.locator('[data-badge="messages"]')).to_have_count(0)
    else:
        expect(jana.locator('[data-badge="messages"]').first).to_contain_text(str(unread - 1))

    staff.reload()
    # The report's tabs count each state; the read ones now hold Jana's.
    read = staff.get_by_role("link", name="Přečteno 1", exact=True)
    expect(read).to_be_visible()
    read.click()
    expect(staff.locator("tbody")).to_contain_text("1000001")
    staff.context.close()
    jana.context.close()
