"""Orders once taken in: stock holds and releases (``stock.py``), the order lifecycle
(``lifecycle.py``), order services (``services.py``), breakage claims (``claims.py``), flash deals
(``flash_deals.py``), money: exchange rates, prices, payment deadlines (``money.py``); reads
(``selectors.py``, with GMV), pages, forms and API."""
