"""An administrator checks a file in the back office in a real browser: the job page's bar moves
while the dry run runs (static script, no inline code under the CSP), and the page shows the
counts once it is done, with nobody reloading it. The live server runs the job in its own thread,
as `make run` does. A dry run: the shared demo data stay as they are."""
from playwright.sync_api import expect

from helpers import browser_sign_in

RECORDS = 10_000


def test_the_dry_run_shows_its_progress_and_then_its_counts(browser, live_server, tmp_path):
    rows = "".join(f"{3100001 + i};household;Jana Nová;jana{i}@example.com;Dlouhá 1;Praha;11000\n"
                   for i in range(RECORDS))
    upload = tmp_path / "zakaznici.csv"
    upload.write_text("number;kind;name;email;street;city;postcode\n" + rows, encoding="utf-8")
    page = browser.new_context(locale="cs-CZ").new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text[:160])
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    browser_sign_in(page, live_server, "admin@example.com", "Demo-Back-Office-2026", staff=True)
    page.goto(f"{live_server}/admin/import/")
    page.locator("#kind").select_option("customers")
    page.locator("#file").set_input_files(str(upload))
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/import/jobs/*")

    bar = page.locator("#job-progress")
    expect(bar).to_be_visible()
    page.wait_for_function(
        "n => { const bar = document.getElementById('job-progress');"
        " return bar !== null && bar.max === n && bar.value > 0 && bar.value < n; }", arg=RECORDS, timeout=30_000)
    # Done: the script reloads the page, which has the counts and the Apply button instead of the bar.
    expect(bar).to_have_count(0, timeout=60_000)
    expect(page.locator("p.h5")).to_contain_text(f"{RECORDS}")
    expect(page.locator("form[action$='/apply'] button")).to_be_visible()
    assert violations == [], "\n".join(violations)
    page.context.close()
