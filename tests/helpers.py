"""Assertions shared by the module tests."""
from __future__ import annotations


def assert_only_owner_sees(client, url: str, owner, other, password: str) -> None:
    """`url` shows a record of `owner`'s customer: another customer's user gets 404
    (as if it did not exist), the owner gets 200."""
    client.sign_in(other.email, password)
    response = client.get(url)
    assert response.status_code == 404, f"{url} answered {response.status_code} to another customer"
    client.post_form("/sign-out", page="/")
    client.sign_in(owner.email, password)
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code} to its owner"
    client.post_form("/sign-out", page="/")


def browser_sign_in(page, base_url: str, email: str, password: str, *, staff: bool = False) -> None:
    """Sign in through the real form, in Czech as the portal's users do."""
    page.goto(f"{base_url}{'/admin/sign-in' if staff else '/sign-in'}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Heslo").fill(password)
    page.get_by_role("button", name="Přihlásit se").click()


def decide_change(client, request_id, **data):
    """A clerk's decision on the review page, with the version the page shows (optimistic lock)."""
    import re

    page = client.get(f"/admin/change-queue/{request_id}").get_data(as_text=True)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    return client.post_form(f"/admin/change-queue/{request_id}", {"version": version, **data},
                            page=f"/admin/change-queue/{request_id}")
