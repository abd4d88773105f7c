"""Reduce old Stripe events to their ids and erase the personal data of old unfinished pledges
(run it daily).

    manage.py purge_payment_data [--dry-run]

What is removed and what is kept: see `payments.retention`.
"""

from django.core.management.base import BaseCommand

from payments.retention import purge


class Command(BaseCommand):
    help = (
        "Reduce stored payment provider events to their ids, and erase the backers' personal data of "
        "cancelled and failed pledges, once the retention periods of the site settings are over."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = purge(dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Would reduce {report.webhook_events} webhook event(s) to their ids "
                f"and erase the personal data of {report.pledges} pledge(s)."
            )
        else:
            self.stdout.write(
                f"Reduced {report.webhook_events} webhook event(s) to their ids "
                f"and erased the personal data of {report.pledges} pledge(s)."
            )
