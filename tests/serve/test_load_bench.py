"""The load bench (bench/load.py) at a tiny scale against the served stack, so it never rots: its
flash sale (a live stream's flash deal, buyers racing over HTTP from real threads) sells exactly
the pieces on the deal, refuses the rest with a 409 and stores one order per piece; every
endpoint it measures answers 2xx; and its checks do catch a sale that oversold."""

import requests

from bench.load import ENDPOINTS, flash_sale, login, measure, prepare, sale_checks
from jingdezhen.core.demo import DEMO_PASSWORD


def _token(served, username: str) -> str:
    return requests.post(
        served.url + "/api/v1/auth/token/",
        json={"username": username, "password": DEMO_PASSWORD},
        timeout=10,
    ).json()["token"]


def test_thirty_buyers_racing_for_five_pieces_buy_exactly_five(served):
    sale = flash_sale(served.url, _token(served, "merchant"), buyers=30, pieces=5, threads=8)

    assert sale["checks"] == dict.fromkeys(sale["checks"], True), sale
    assert (sale["accepted"], sale["refused_409"], sale["server_errors"]) == (5, 25, 0)
    assert sale["statuses"] == {"201": 5, "409": 25}
    assert sale["orders_in_database"] == 5
    assert sale["deal_remaining_after"] == 0 and sale["product_stock_after"] == 0
    assert "left" in sale["refusal_example"]["lines"][0]  # "The flash deal has 0 left."
    deal = requests.get(
        f"{served.url}/api/v1/flash-deals/{sale['deal']}/",
        headers={"Authorization": f"Token {_token(served, 'merchant')}"},
        timeout=10,
    ).json()
    assert deal["ended"] and deal["remaining"] == 0  # ended after the sale, nothing given back


def test_every_measured_endpoint_answers_2xx_on_the_served_stack(served):
    roles = {role for _, role, *_ in ENDPOINTS if role} | {"merchant"}
    auth = {role: login(served.url, role) for role in roles}
    ids = prepare(served.url, auth, units=10)
    for endpoint in ENDPOINTS:
        row = measure(served.url, endpoint, auth, 2, 4, 30.0, ids)
        assert (row["requests"], row["ok"]) == (4, 4), row


def test_the_sale_checks_catch_an_oversold_deal():
    honest = {
        "buyers": 30,
        "pieces": 5,
        "requests": 30,
        "accepted": 5,
        "refused_409": 25,
        "refusals_with_reason": 25,
        "server_errors": 0,
        "no_answer": 0,
        "deal_remaining_after": 0,
        "product_stock_after": 0,
        "lowest_seen": {"deal_remaining": 0, "product_stock": 0},
        "orders_in_database": 5,
        "stored_orders_match": True,
        "distinct_buyers_in_database": 5,
    }
    assert all(sale_checks(honest).values())
    oversold = {
        **honest,
        "accepted": 6,
        "refused_409": 24,
        "refusals_with_reason": 24,
        "lowest_seen": {"deal_remaining": -1, "product_stock": 0},
        "orders_in_database": 6,
        "distinct_buyers_in_database": 6,
    }
    broken = {name for name, ok in sale_checks(oversold).items() if not ok}
    assert broken == {
        "exactly_the_pieces_sold",
        "the_rest_refused_with_409",
        "never_negative_while_selling",
    }
