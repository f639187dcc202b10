import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from orders.turnover import dirty, rollup


class Command(BaseCommand):
    help = "Roll up the daily turnover of a range of local days (default: today). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)
        parser.add_argument(
            "--days", type=int, help="Roll the last N days up to today instead of --from/--to."
        )
        parser.add_argument(
            "--changed",
            action="store_true",
            help="Re-roll the days of orders changed since the "
            "last watermark (what the periodic job does).",
        )

    def handle(self, *args, **options):
        if options["changed"]:
            days = dirty.reroll_changed_days()
            self.stdout.write(f"re-rolled {len(days)} changed day(s)")
            return
        today = timezone.localdate()
        if options["days"]:
            start, end = today - dt.timedelta(days=options["days"] - 1), today
        else:
            start = options["start"] or today
            end = options["end"] or start
        if end < start:
            raise CommandError("--to must not be before --from.")
        results = rollup.rollup_days(start=start, end=end)
        rows = sum(r.written_rows for r in results)
        self.stdout.write(
            f"rolled {len(results)} day(s) from {start} to {end}: {rows} rows written"
        )
