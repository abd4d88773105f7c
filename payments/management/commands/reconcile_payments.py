"""`python manage.py reconcile_payments`: apply what Stripe's webhooks missed (idempotent).

See `payments/reconcile.py`. Exit status: 0 when everything was read and applied; 1 when
Stripe could not be read for some event or pledge (listed; the next run retries them), or when
Stripe pledges exist but STRIPE_SECRET_KEY is not set here.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from payments import reconcile
from payments.gateway import stripe_configured
from payments.models import Pledge


class Command(BaseCommand):
    help = (
        "Compare pledges with Stripe: apply the events the webhook missed (listed since the last run), "
        "re-read pledges Stripe has said nothing about for a while, and give back money held for pledges "
        "that take none. Safe to run as often as wanted: nothing is applied twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(reconcile.STALE_AFTER.total_seconds() // 60),
            metavar="MINUTES",
            help="Re-read a pending, committed or action-required pledge after this many minutes "
            "without news from Stripe (default: %(default)s).",
        )

    def handle(self, *args, **options):
        if not stripe_configured():
            if Pledge.objects.filter(provider="stripe").exists():
                raise CommandError("STRIPE_SECRET_KEY is not set: Stripe pledges cannot be reconciled here.")
            self.stdout.write("Stripe is not configured and no pledge uses it: nothing to reconcile.")
            return
        if options["stale_after"] < 0:
            raise CommandError("--stale-after must be 0 or more minutes.")
        report = reconcile.reconcile(stale_after=timedelta(minutes=options["stale_after"]))
        for name, value in report.as_dict().items():
            self.stdout.write(f"{name}: {value}")
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} item(s) could not be reconciled; the next run retries them.")
