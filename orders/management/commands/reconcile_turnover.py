import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.turnover.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Compare the turnover rollups of a range of days with the orders they cover; print every "
        "difference and exit with status 1 when there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)
        parser.add_argument("--days", type=int, default=30, help="The last N days (default 30).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        end = options["end"] or today
        start = options["start"] or end - dt.timedelta(days=options["days"] - 1)
        differences = reconcile(start=start, end=end)
        for difference in differences:
            self.stdout.write(str(difference))
        if differences:
            raise CommandError(f"{len(differences)} difference(s) from {start} to {end}.")
        self.stdout.write(self.style.SUCCESS(f"rollups equal the orders from {start} to {end}"))
