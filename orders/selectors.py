"""To delete at merge: the old home of names that files owned by others still import from here
(livestreams/selectors.py, livestreams/views.py, orders/rollups.py). Everything else imports
from the new homes."""

from orders.ordering.selectors import (  # noqa: F401
    COUNTED_ORDERS_SQL,
    GMV_SQL,
    counted_orders,
    gmv_params,
    gmv_sum,
    line_revenue_cny,
    stream_flash_deals,
)
