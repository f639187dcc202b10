"""The daily turnover of the orders: rollups, their reconciliation, reads, API, demo and tasks.

``statement`` composes the set-based rollup statements (psycopg2.sql, names from the models),
``rollup`` runs them one local day at a time, ``dirty`` finds the days to roll again,
``reconcile`` compares the rollups with their orders, ``selectors`` reads them for the
dashboards and ``api`` serves them. Room usage is the live rooms' (livestreams.usage) and the
incubation analytics the merchants' (merchants.incubation); jingdezhen.pages combines them.
"""
