"""Every demo account, in Chinese and in English, on a phone and on a desktop: log in, see the
role's home, switch the language in the top bar, log out."""

import re

import pytest
from playwright.sync_api import expect

from . import pages
from .conftest import HTML_LANG

# What the home page's heading says for each account, per language.
HOME_HEADING = {
    "manager": {"zh": "基地管理员", "en": "Base manager"},
    "trainer": {"zh": "培训师", "en": "Trainer"},
    "merchant": {"zh": "周乐陶瓷 Zhou Le Ceramics", "en": "周乐陶瓷 Zhou Le Ceramics"},
    "merchant2": {
        "zh": "冉祥飞手作瓷 Ran Xiangfei Handmade",
        "en": "冉祥飞手作瓷 Ran Xiangfei Handmade",
    },
}
OTHER = {"zh": "en", "en": "zh"}


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", list(HOME_HEADING))
def test_demo_account_logs_in_sees_its_home_switches_language_and_logs_out(
    open_page, username, lang, size
):
    page = open_page(size, lang)

    pages.goto(page, "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    assert pages.language(page) == HTML_LANG[lang]
    expect(page.locator("h1")).to_have_text(pages.LOG_IN[HTML_LANG[lang]])
    pages.shot(page, "login")

    pages.login(page, username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text(HOME_HEADING[username][lang])
    pages.shot(page, "home")

    other = OTHER[lang]
    pages.switch_language(page, HTML_LANG[other])
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_have_text(HOME_HEADING[username][other])
    pages.shot(page, f"home-{other}")

    pages.logout(page)
    expect(page.locator("h1")).to_have_text(pages.LOG_IN[HTML_LANG[other]])
    pages.shot(page, "logged-out")
    pages.goto(page, "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(open_page):
    page = open_page("phone", "en")
    pages.goto(page, "/accounts/login/")
    page.locator("#id_username").fill("manager")
    page.locator("#id_password").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    pages.shot(page, "wrong-password")


def test_the_menu_opens_and_closes_on_a_phone(open_page):
    page = open_page("phone", "en")
    pages.login(page, "manager")
    nav = page.locator("nav.mainnav")
    expect(nav).to_be_hidden()
    pages.shot(page, "menu-closed")
    page.locator("label.nav-toggle-label").click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    pages.shot(page, "menu-open")
    page.locator("label.nav-toggle-label").click()
    expect(nav).to_be_hidden()


def test_the_menu_is_always_shown_on_a_desktop(open_page):
    page = open_page("desktop", "zh")
    pages.login(page, "merchant")
    expect(page.locator("label.nav-toggle-label")).to_be_hidden()
    expect(page.locator("nav.mainnav").get_by_role("link", name="首页", exact=True)).to_be_visible()
    pages.follow_nav(page, "我的店铺")
    expect(page.locator("h1")).to_have_text(HOME_HEADING["merchant"]["zh"])
    pages.shot(page, "my-store")
