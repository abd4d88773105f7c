"""`python manage.py close_campaigns`: close every campaign past its end (idempotent).

`--cancel <page id> --reason "…"` cancels one campaign instead (refunds, released cards).
Exit status: 0 when everything was settled; 1 when a provider the pledges need is not
configured here (nothing was changed), when a pledge could not be settled (a re-run resumes),
or when refunds must be made by hand (listed).
"""

from django.core.management.base import BaseCommand, CommandError

from payments.closing import CloseSummary, cancel_campaign, close_campaigns
from payments.gateway import ProviderUnavailable
from payments.interface import campaign_model


class Command(BaseCommand):
    help = (
        "Close every campaign past its end: charge committed pledges on success (all or nothing), "
        "release them on failure, send the emails; fail unpaid pledges past the grace period. "
        "Each pledge is settled by its own payment provider. "
        "Safe to re-run after a crash: no pledge is charged twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cancel",
            type=int,
            metavar="PAGE_ID",
            help="Cancel this campaign instead (either funding model): it takes no more pledges, paid online "
            "pledges are refunded, the others cancelled and their saved cards released. Needs --reason.",
        )
        parser.add_argument("--reason", default="", help="Why the campaign is cancelled (kept with the closing).")
        parser.add_argument("--actor", default="command", help="Who cancels it, as recorded (default: command).")

    def handle(self, *args, **options):
        try:
            if options["cancel"] is not None:
                summary = self._cancel(options)
            else:
                summary = close_campaigns()
        except ProviderUnavailable as exc:
            raise CommandError(f"payment provider not available, nothing was changed: {exc}") from exc
        self._report(summary)

    def _cancel(self, options) -> CloseSummary:
        reason = options["reason"].strip()
        if not reason:
            raise CommandError('--cancel needs --reason "…" (kept with the campaign\'s closing).')
        campaign = campaign_model().objects.filter(pk=options["cancel"]).first()
        if campaign is None:
            raise CommandError(f"no campaign with page id {options['cancel']}")
        summary = cancel_campaign(campaign, actor=options["actor"], reason=reason)
        self.stdout.write(f"cancelled {campaign.pk} ({campaign.title})")
        return summary

    def _report(self, summary: CloseSummary):
        for line in summary.closed:
            self.stdout.write(f"closed {line}")
        self.stdout.write(
            f"charged {summary.charged}, action required {summary.action_required}, "
            f"cancelled {summary.cancelled}, failed after grace {summary.failed_after_grace}, "
            f"refunded {summary.refunded}"
        )
        if summary.waiting:
            self.stdout.write(f"{summary.waiting} pledges are being charged by another run: the next run finishes them")
        if summary.offline_gifts:
            self.stdout.write(f"{summary.offline_gifts} offline gifts to hand back outside the platform")
        for error in summary.errors:
            self.stderr.write(f"error: {error}")
        if summary.hand_refunds:
            ids = ", ".join(str(pk) for pk in summary.hand_refunds)
            self.stderr.write(f"to refund by hand (no payment id): pledges {ids}")
        if summary.errors or summary.hand_refunds:
            problems = len(summary.errors) + len(summary.hand_refunds)
            raise CommandError(f"{problems} pledges need attention (see above); a re-run resumes what failed.")
