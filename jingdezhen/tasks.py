from celery import shared_task
from django.db import connection


@shared_task(acks_late=True)
def ping(value: int) -> dict:
    """A round trip through broker, worker and database: used by health checks and tests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s + 1", [value])
        (answer,) = cursor.fetchone()
    return {"value": answer, "vendor": connection.vendor}
