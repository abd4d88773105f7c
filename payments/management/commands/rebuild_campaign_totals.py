"""`python manage.py rebuild_campaign_totals [--check]`: recompute the campaigns' summary rows.

The rows (`payments.models.CampaignTotals`) are kept up to date change by change; this
recomputes them from the ledger, e.g. after pledges were loaded with `bulk_create`.
`--check` changes nothing: it lists the rows that differ from the ledger and exits 1 if any.
"""

from django.core.management.base import BaseCommand, CommandError

from payments import totals


class Command(BaseCommand):
    help = (
        "Recompute every campaign's figures (raised, backers, matching) from the pledge ledger. "
        "With --check, change nothing: report the differences and exit with status 1 if there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report differences only; exit 1 if any.")

    def handle(self, *args, **options):
        if not options["check"]:
            changed = totals.rebuild()
            self.stdout.write(f"rebuilt campaign totals: {changed} rows changed")
            return
        differences = totals.differences()
        for key, (stored, computed) in differences.items():
            self.stdout.write(
                f"{key}: stored raised={stored.raised_cents} backers={stored.backers} matched={stored.matched_cents}; "
                f"ledger raised={computed.raised_cents} backers={computed.backers} matched={computed.matched_cents}"
            )
        if differences:
            raise CommandError(f"{len(differences)} campaign totals differ from the ledger", returncode=1)
        self.stdout.write("campaign totals match the ledger")
