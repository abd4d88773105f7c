"""`python manage.py close_campaigns`: close every campaign past its end (idempotent)."""

from django.core.management.base import BaseCommand

from payments.closing import cancel_campaign, close_campaigns
from payments.interface import campaign_model


class Command(BaseCommand):
    help = (
        "Close every campaign past its end: charge committed pledges on success (all or nothing), "
        "release them on failure, send the emails; fail unpaid pledges past the grace period. "
        "Safe to re-run after a crash: no pledge is charged twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cancel",
            type=int,
            metavar="PAGE_ID",
            help="Cancel this keep-it-all campaign instead: refund every paid online pledge.",
        )

    def handle(self, *args, **options):
        if options["cancel"]:
            campaign = campaign_model().objects.get(pk=options["cancel"])
            refunded = cancel_campaign(campaign, actor="command")
            self.stdout.write(f"cancelled {campaign}: refunded {refunded} pledges")
            return
        summary = close_campaigns()
        for line in summary.closed:
            self.stdout.write(f"closed {line}")
        self.stdout.write(
            f"charged {summary.charged}, action required {summary.action_required}, "
            f"cancelled {summary.cancelled}, failed after grace {summary.failed_after_grace}"
        )
        for error in summary.errors:
            self.stderr.write(f"error: {error}")
        if summary.errors:
            raise SystemExit(1)
