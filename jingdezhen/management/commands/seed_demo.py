from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jingdezhen.core.demo import DemoContext
from jingdezhen.demo import run


class Command(BaseCommand):
    help = (
        "Create the Taoxichuan demo base with its rooms, demo accounts (password jingdezhen-demo) "
        "and merchants. Idempotent. Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--merchants", type=int, default=24, help="How many merchants the base has (bulk)."
        )
        parser.add_argument("--days", type=int, default=90, help="Days of history to create.")
        parser.add_argument("--seed", type=int, default=2021, help="Random seed.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with "
                "DEBUG off. Pass --force only on a throw-away database."
            )
        if options["merchants"] < 2:
            raise CommandError("--merchants must be at least 2 (the two demo merchants).")
        ctx = DemoContext(
            merchants=options["merchants"],
            seed=options["seed"],
            days=options["days"],
            write=lambda msg: self.stdout.write(msg),
        )
        run(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo base ready: {ctx.base}"))
