"""A host puts their streams in the phone's own calendar: makes the private link on the streams
page, copies it, the calendar reads it (parsed with icalendar), then the host revokes it and the
link answers 404."""

import icalendar
from django.db.models import Q
from playwright.sync_api import expect

from livestreams.models import CalendarFeed, LiveStream
from merchants.models import User

from . import pages


def test_a_host_makes_copies_and_revokes_the_calendar_link_on_a_phone(open_page):
    page = open_page("phone", "en")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.on("dialog", lambda dialog: dialog.accept())  # the revoke button asks first
    pages.login(page, "host")
    pages.goto(page, "/streams/")
    section = page.locator("section.calendar-feed").first
    expect(section).to_contain_text("My streams")
    pages.shot(page, "streams-page")

    section.get_by_role("button", name="Make a calendar link").click()
    webcal = page.locator("input[id^=feed-webcal-]")
    expect(webcal).to_be_visible()
    assert webcal.input_value().startswith("webcal://")
    https = page.locator("input[id^=feed-https-]").input_value()
    assert https.startswith("http") and https.endswith(".ics")
    copy = page.locator("[data-copy^=feed-https-]")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == https
    pages.shot(page, "link-made")

    answer = page.request.get(https)
    assert answer.status == 200
    calendar = icalendar.Calendar.from_ical(answer.body())
    events = list(calendar.walk("VEVENT"))
    host = User.objects.get(username="host").membership
    crew = Q(host=host) | Q(assistant_host=host) | Q(operator=host)
    mine = LiveStream.objects.filter(crew).exclude(status=LiveStream.Status.CANCELLED)
    uids = {f"stream-{pk}@jingdezhen-live-base" for pk in mine.values_list("pk", flat=True)}
    assert events and {str(e["UID"]) for e in events} <= uids
    assert all(str(e["LOCATION"]) for e in events)

    page.get_by_role("button", name="Revoke the link").click()
    expect(page.get_by_role("button", name="Make a calendar link").first).to_be_visible()
    pages.shot(page, "link-revoked")
    assert page.request.get(https).status == 404
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()
