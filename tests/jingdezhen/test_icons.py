"""The site has an icon: browsers that ask for /favicon.ico on their own get one, and every page
links its SVG and the touch icon a phone puts on its home screen."""

import io

from PIL import Image

from tests.conftest import login


def test_favicon_ico_is_served_at_the_root_of_the_site(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    icon = Image.open(io.BytesIO(body))
    assert icon.format == "ICO"
    assert (32, 32) in icon.info["sizes"]


def test_pages_link_the_icons_and_the_links_answer(client, manager):
    page = login(client, manager).get("/").content.decode()
    board = client.get("/board/").content.decode()
    for html in (page, board):
        assert 'rel="icon" href="/static/img/icon.svg"' in html
        assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in html
    svg = client.get("/static/img/icon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)
    touch = client.get("/static/img/apple-touch-icon.png")
    assert Image.open(io.BytesIO(b"".join(touch.streaming_content))).size == (180, 180)
