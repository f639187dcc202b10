"""How an order comes in, whatever the door: the one intake call (``take_in``), what doors
hand it (``specs.py``), the platforms' CSV layouts (``csv_layouts.py``) and import
(``csv_import.py``), the order form and import pages."""
