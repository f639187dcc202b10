"""How new people get in (issue #14), in a browser, in Chinese on a phone and in English on a
desktop.

The base manager admits an applicant and invites its owner; the page shows the link once (the
e-mail carries it too). In a browser of their own the owner opens the link, chooses a username and
a password, lands logged in, logs out and in again with that password, and invites a host from
their store page. The host, in a third browser, accepts and sees only what a host may: no orders,
no turnover, no catalogue editing, no team to manage; the turnover page answers 403. A used link
then answers 410 with the "used already" page, and an expired one with the "expired" page.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from merchants.invitations import token_hash
from merchants.models import Invitation, Merchant, TeamMember, User

from . import pages
from .conftest import HTML_LANG

CASES = [("phone", "zh"), ("desktop", "en")]

ADMISSION_REASON = "样品与直播计划通过评审 Samples and streaming plan approved"
OWNER = {"name": "林晓窑 Lin Xiaoyao", "email": "lin.xiaoyao@example.com", "username": "linxy"}
HOST = {"name": "程主播 Cheng Zhubo", "email": "cheng.zhubo@example.com", "username": "chengzb"}
PASSWORD = "Kiln-fired glaze 2026!"


def _t(lang: str, message, **values) -> str:
    """A message (or a lazy label) as the app's catalogue says it in ``lang``."""
    with translation.override(HTML_LANG[lang]):
        text = str(translation.gettext(message) if isinstance(message, str) else message)
    return text % values if values else text


def _menu(page: Page) -> list[str]:
    """The main navigation's entries, as a person reads them (the phone's menu opened first)."""
    pages.open_menu(page)
    return [text.strip() for text in page.locator("nav.mainnav a").all_inner_texts()]


def _browser_of(open_page, request, size: str, lang: str, who: str) -> Page:
    """A browser of ``who``'s own (fresh cookies); its screenshots go to a folder of theirs, so
    the next person's browser does not clear them."""
    page = open_page(size, lang)
    pages.set_screenshot_folder(page, f"{request.node.name}-{who}")
    return page


def _fits_the_window(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    window = page.viewport_size["width"]
    assert width <= window, f"{page.url} is {width}px wide in a window of {window}px"


def _path(link: str) -> str:
    return urlsplit(link).path


# --- the steps -----------------------------------------------------------------------------------


def _admit_an_applicant(page: Page, lang: str) -> Merchant:
    base = User.objects.get(username="manager").base
    applicants = Merchant.objects.filter(base=base, stage=Merchant.Stage.APPLICANT)
    applicant = applicants.order_by("name", "id").first()
    assert applicant is not None, "the demo base has no applicant"
    pages.follow_nav(page, _t(lang, "Merchants"))
    page.locator("#id_stage").select_option(Merchant.Stage.APPLICANT)
    names = page.locator("#results tbody tr td:first-child > a")
    expect(names).to_have_count(applicants.count())
    with page.expect_navigation():
        names.filter(has_text=applicant.name).click()
    expect(page.locator("h1")).to_have_text(applicant.name)

    page.locator("#stage [name=stage]").select_option(Merchant.Stage.INCUBATING)
    page.locator("#stage [name=reason]").fill(ADMISSION_REASON)
    with page.expect_navigation():
        page.locator("#stage form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(_t(lang, "Stage changed."))
    expect(page.locator("dl.facts .tag.stage-incubating")).to_have_text(
        _t(lang, Merchant.Stage.INCUBATING.label)
    )
    applicant.refresh_from_db()
    assert applicant.stage == Merchant.Stage.INCUBATING
    pages.shot(page, "applicant-admitted")
    return applicant


def _invite(page: Page, lang: str, merchant: Merchant, person: dict, role=None) -> str:
    """From the merchant's page, invite ``person``; the card that comes back (by htmx) shows the
    link once. Returns that link."""
    label = "Invite a team member" if role else "Invite the owner"
    with page.expect_navigation():
        page.locator(f"a[href='/merchants/{merchant.pk}/invite/']").click()
    expect(page.locator("#invite h1")).to_have_text(_t(lang, label))
    form = page.locator("#invite-form")
    form.get_by_label(_t(lang, "E-mail")).fill(person["email"])
    form.get_by_label(_t(lang, "Name")).fill(person["name"])
    if role is not None:
        roles = form.get_by_label(_t(lang, "Team role"))
        # Every team role but a further owner (the base's to invite), as the person reads them.
        expect(roles.locator("option")).to_have_text(
            [_t(lang, label) for value, label in TeamMember.Role.choices if value != "owner"]
        )
        roles.select_option(role)
    page.evaluate("() => { window.jdzNoReload = 'still here'; }")
    form.locator("button[type=submit]").click()
    sent = page.locator("#invite")
    expect(sent.locator("h1")).to_have_text(_t(lang, "Invitation sent"))
    assert page.evaluate("() => window.jdzNoReload === 'still here'"), "a full reload"
    expect(sent).to_contain_text(person["email"])
    link = sent.locator("code.invitation-link").inner_text().strip()
    assert re.fullmatch(r"http://[^/]+/invitations/[\w-]+/", link), link
    _fits_the_window(page)  # the long link wraps, no sideways scrolling on a phone
    pages.shot(page, f"invitation-sent-{role or 'owner'}")

    # What the database keeps: the invitation, by the SHA-256 of its token only.
    token = _path(link).rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get(token_hash=token_hash(token))
    assert (invitation.merchant_id, invitation.email, invitation.name) == (
        merchant.pk,
        person["email"],
        person["name"],
    )
    assert invitation.member_role == (role or "")
    assert invitation.accepted_at is None
    assert not Invitation.objects.filter(token_hash=token).exists()
    return link


def _accept(page: Page, lang: str, link: str, person: dict, merchant: Merchant, role_label):
    """Open the link in a browser of one's own, choose a username and a password, land home."""
    pages.goto(page, link)
    expect(page.locator("h1")).to_have_text(_t(lang, "Set your password"))
    expect(page.locator("main")).to_contain_text(
        _t(
            lang,
            "Welcome, %(name)s: you are invited to %(merchant)s (%(role)s).",
            name=person["name"],
            merchant=merchant.name,
            role=_t(lang, role_label),
        )
    )
    pages.shot(page, f"accept-{person['username']}")
    page.get_by_label(_t(lang, "Username")).fill(person["username"])
    page.get_by_label(_t(lang, "Password"), exact=True).fill(PASSWORD)
    page.get_by_label(_t(lang, "Password again")).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text(_t(lang, "Welcome! Your password is set."))
    expect(page.locator("h1")).to_have_text(merchant.name)
    expect(
        page.get_by_role("button", name=pages.LOG_OUT[HTML_LANG[lang]], include_hidden=True)
    ).to_be_attached()
    user = User.objects.get(username=person["username"])
    member = TeamMember.objects.get(user=user)
    assert (user.email, user.role, member.merchant_id) == (person["email"], "merchant", merchant.pk)
    return member


def _expect_closed(page: Page, lang: str, link: str, reason: str, name: str) -> None:
    """The link opens nothing any more: 410 and a page that says why, in the person's language."""
    with pages.expect_refusal(page, _path(link), 410):
        response = pages.goto(page, link)
    assert response.status == 410
    expect(page.locator("h1")).to_have_text(_t(lang, "This link no longer works"))
    expect(page.locator("main")).to_contain_text(_t(lang, reason))
    expect(page.locator("main form")).to_have_count(0)
    pages.shot(page, name)


# --- the journey ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_manager_admits_and_invites_the_owner_who_invites_a_host_who_sees_only_a_hosts_share(
    open_page, mailoutbox, request, size, lang
):
    # The base manager admits an applicant and invites its owner.
    manager = _browser_of(open_page, request, size, lang, "manager")
    pages.login(manager, "manager")
    assert pages.language(manager) == HTML_LANG[lang]
    merchant = _admit_an_applicant(manager, lang)
    owner_link = _invite(manager, lang, merchant, OWNER)
    # The e-mail went too, with the same link (the admission may send mail of its own).
    (mail,) = [m for m in mailoutbox if m.to == [OWNER["email"]]]
    assert owner_link in mail.body

    # The owner, in a browser of their own: sets a password, is logged in, and the password works.
    owner = _browser_of(open_page, request, size, lang, "owner")
    member = _accept(owner, lang, owner_link, OWNER, merchant, Invitation.Kind.OWNER.label)
    assert member.role == TeamMember.Role.OWNER
    pages.logout(owner)
    pages.login(owner, OWNER["username"], PASSWORD)
    expect(owner.locator("h1")).to_have_text(merchant.name)
    owner_menu = _menu(owner)
    for entry in ("Orders", "Turnover", "Catalogue"):
        assert _t(lang, entry) in owner_menu, owner_menu

    # The owner invites a host from their store page.
    pages.follow_nav(owner, _t(lang, "My store"))
    expect(owner).to_have_url(re.compile(rf"/merchants/{merchant.pk}/$"))
    host_link = _invite(owner, lang, merchant, HOST, role=TeamMember.Role.HOST)
    (mail,) = [m for m in mailoutbox if m.to == [HOST["email"]]]
    assert host_link in mail.body
    with owner.expect_navigation():
        owner.locator("#invite a.btn-secondary").click()
    pending = owner.locator("#team h3 + ul.plain")
    expect(pending).to_contain_text(HOST["name"])
    expect(pending.locator(".tag")).to_have_text(_t(lang, TeamMember.Role.HOST.label))

    # The host, in a third browser, accepts and sees only what a host may.
    host = _browser_of(open_page, request, size, lang, "host")
    member = _accept(host, lang, host_link, HOST, merchant, TeamMember.Role.HOST.label)
    assert member.role == TeamMember.Role.HOST
    host_menu = _menu(host)
    for entry in ("Streams", "Catalogue", "My store"):
        assert _t(lang, entry) in host_menu, host_menu
    for entry in ("Orders", "Turnover"):
        assert _t(lang, entry) not in host_menu, host_menu
    pages.shot(host, "host-menu")
    # The catalogue they may read, but not add to (the owner may).
    pages.follow_nav(host, _t(lang, "Catalogue"))
    expect(host.locator("h1")).to_have_text(_t(lang, "Catalogue"))
    expect(host.get_by_role("link", name=_t(lang, "Add a product"))).to_have_count(0)
    pages.follow_nav(owner, _t(lang, "Catalogue"))
    expect(owner.get_by_role("link", name=_t(lang, "Add a product"))).to_be_visible()
    # Their store's page, without the team's invitations.
    pages.follow_nav(host, _t(lang, "My store"))
    expect(host.locator("h1")).to_have_text(merchant.name)
    expect(host.locator(f"a[href='/merchants/{merchant.pk}/invite/']")).to_have_count(0)
    # The turnover page, typed in: 403 with the site's own page; the same for the orders and
    # for adding a product.
    for path in ("/turnover/", "/orders/", "/catalogue/new/"):
        with pages.expect_refusal(host, path, 403):
            response = pages.goto(host, path)
        assert response.status == 403, path
        expect(host.locator("h1")).to_have_text(_t(lang, "Not allowed"))
        pages.shot(host, f"host-refused-{path.strip('/').replace('/', '-')}")

    # The owner's link, used already, opens nothing any more.
    stranger = _browser_of(open_page, request, size, lang, "stranger")
    _expect_closed(
        stranger, lang, owner_link, "This invitation has been used already.", "link-used"
    )

    # A link that has expired: another invitation, its expiry put in the past.
    late = {"name": "迟到者 Late Comer", "email": "late@example.com", "username": "late"}
    with manager.expect_navigation():
        manager.locator("#invite a.btn-secondary").click()
    late_link = _invite(manager, lang, merchant, late)
    token = _path(late_link).rstrip("/").rsplit("/", 1)[-1]
    expired = Invitation.objects.filter(token_hash=token_hash(token)).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert expired == 1
    _expect_closed(
        stranger,
        lang,
        late_link,
        "This invitation has expired: ask for a new one.",
        "link-expired",
    )
    assert not User.objects.filter(email=late["email"]).exists()
