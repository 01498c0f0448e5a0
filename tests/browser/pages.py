"""What the browser tests share: logging in, and reading Thai text from a page."""

import unicodedata

LOGIN_BUTTON = "form:has(#id_username) button[type=submit]"


def login(new_context, username):
    """A fresh browser context logged in as `username` (password pw-<username>, as
    tests.factories.make_user sets it); returns its page."""
    context = new_context()
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-" + username)
    with page.expect_navigation():
        page.click(LOGIN_BUTTON)
    assert "/accounts/login/" not in page.url, f"login as {username} failed"
    return page


def norm(text):
    """Thai text as laid out: sara am may come as nikhahit + sara aa."""
    return unicodedata.normalize("NFKC", text).replace("\u0e4d\u0e32", "\u0e33")
