"""REST API of the orders app: each concern keeps its viewsets (``orders.catalogue.api``,
``orders.ordering.api``); the project's router registers them from here."""

from orders.catalogue.api import ProductViewSet
from orders.intake.api import ImportJobViewSet
from orders.ordering.api import ClaimViewSet, ExchangeRateViewSet, FlashDealViewSet, OrderViewSet


def register(router) -> None:
    router.register("products", ProductViewSet, basename="product")
    router.register("orders", OrderViewSet, basename="order")
    router.register("flash-deals", FlashDealViewSet, basename="flash-deal")
    router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
    router.register("claims", ClaimViewSet, basename="claim")
    router.register("import-jobs", ImportJobViewSet, basename="import-job")
