from jingdezhen.core.demo import DemoContext
from jingdezhen.demo import run
from orders.models import Order, Product


def test_the_demo_seed_fills_catalogues_and_orders_once(db):
    ctx = run(DemoContext(merchants=5, days=6, write=lambda _msg: None))
    products, orders = Product.objects.count(), Order.objects.count()
    assert products >= 180 and orders > 0
    assert Order.objects.exclude(buyer_country="CN").exists()
    assert Order.objects.values("platform").distinct().count() >= 3
    assert all(o.units > 0 for o in Order.objects.all()[:50])
    run(DemoContext(merchants=5, days=6, write=lambda _msg: None))
    assert (Product.objects.count(), Order.objects.count()) == (products, orders)
    assert ctx.base is not None
