"""`python manage.py load_demo_data`: the demo site of the Ville de Beaupré-sur-Loire.

Idempotent (run it again: nothing is added twice). Creates the French home page as the
default site's root (replacing Wagtail's welcome page), themes, calls for projects,
campaigns with rewards and pledges, content pages, "À la Une", English translations of
the home page, a theme and a campaign, generated images, the demo accounts, the
applications to the calls with their jury (`demo.applications`), a project holder with offers
of help, questions, followers and the accountability of a funded campaign (`demo.community`),
then rebuilds the search index. Loading sends no email.

The default site and the printed URLs follow `settings.WAGTAILADMIN_BASE_URL`
(`make run` sets it to http://127.0.0.1:$(PORT)).

The demo accounts have a published password, so the command refuses (exit status 3, nothing
written) with the production settings (`COUPDEPOUCE_ENV = "production"`, or a settings
module named `*.production`), whatever DEBUG says, and on a database that holds any account
other than the demo ones. A public demonstration site uses a settings module of its own that
imports the production settings and sets `COUPDEPOUCE_ENV = "demo"`.
"""

import os
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum
from django.db.models.functions import Lower
from wagtail.images import get_image_model
from wagtail.models import Page

from applications.models import Application, Review
from demo import content
from demo.community import HOLDER_CAMPAIGN, HOLDER_EMAIL, HOLDER_FULL_NAME
from demo.loader import (
    ADMIN_EMAIL,
    COMMUNICATION_EMAIL,
    DEMO_PASSWORD,
    FINANCES_EMAIL,
    VALIDATION_EMAIL,
    DemoLoader,
)
from payments.models import Pledge
from payments.rules import COUNTED_STATUSES
from projects.models import CampaignPage

# Every account the demo content creates; any other account means a real site.
DEMO_EMAILS = frozenset(
    email.lower()
    for email in (
        ADMIN_EMAIL,
        COMMUNICATION_EMAIL,
        FINANCES_EMAIL,
        VALIDATION_EMAIL,
        HOLDER_EMAIL,
        *(e for e, _ in content.APPLICANTS),
        *(e for e, _ in content.JURORS),
    )
)
# The exit status of a refusal (`make run` then serves the database as it is).
REFUSED = 3
PRODUCTION_REFUSAL = (
    "The production settings are in use: the demo content creates accounts with a published "
    "password and is never loaded with them, whatever DEBUG says."
)
OTHER_ACCOUNTS_REFUSAL = (
    "This database holds {count} account(s) that are not demo accounts: the demo content is only "
    "loaded into a database of its own. Nothing was changed."
)


def refusal() -> str:
    """Why the demo content must not be loaded with these settings into this database, or ""."""
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if getattr(settings, "COUPDEPOUCE_ENV", "") == "production" or module.endswith(".production"):
        return PRODUCTION_REFUSAL
    others = get_user_model().objects.annotate(email_lower=Lower("email")).exclude(email_lower__in=DEMO_EMAILS)
    count = others.count()
    if count:
        return OTHER_ACCOUNTS_REFUSAL.format(count=count)
    return ""


class Command(BaseCommand):
    help = "Load the demo content (Ville de Beaupré-sur-Loire) and the demo accounts. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=(
                "Load even with DEBUG off (it creates accounts with a published password). Never "
                "with the production settings, nor into a database with other accounts."
            ),
        )

    def handle(self, *args, quiet=False, **options):
        reason = refusal()
        if reason:
            raise CommandError(reason, returncode=REFUSED)
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo content creates the accounts "
                f"{ADMIN_EMAIL} and {COMMUNICATION_EMAIL} with a published password. Re-run with --allow-production "
                "if this really is a demonstration site."
            )
        quiet = quiet or options["verbosity"] == 0
        created = DemoLoader().run()
        call_command("update_index", verbosity=0, stdout=StringIO())
        if quiet:
            return

        campaigns = CampaignPage.objects.filter(locale__language_code="fr")
        statuses = {}
        for campaign in campaigns:
            statuses[campaign.status] = statuses.get(campaign.status, 0) + 1
        counted = Pledge.objects.filter(status__in=COUNTED_STATUSES)
        raised = (counted.aggregate(total=Sum("amount_cents"))["total"] or 0) / 100
        added = ", ".join(f"{n} {what}" for what, n in sorted(created.items()) if n) or "nothing (already loaded)"
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data loaded — added: {added}."))
        write(f"  pages: {Page.objects.filter(depth__gt=1).count()}")
        write(
            f"  campaigns (fr): {campaigns.count()} — "
            + ", ".join(f"{status} {n}" for status, n in sorted(statuses.items()))
        )
        write(f"  pledges: {Pledge.objects.count()} ({raised:,.0f} € counted)".replace(",", " "))
        write(f"  images: {get_image_model().objects.count()}")
        base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        write(f"  site: {base_url}/")
        write(f"  admin: {base_url}/admin/ — {ADMIN_EMAIL} / {DEMO_PASSWORD} (superuser)")
        write(f"         {COMMUNICATION_EMAIL} / {DEMO_PASSWORD} (Communication group: writes and submits pages)")
        write(f"         {VALIDATION_EMAIL} / {DEMO_PASSWORD} (Validation group: approves the others' pages)")
        write(f"         {FINANCES_EMAIL} / {DEMO_PASSWORD} (Finances group: money and backers' data)")
        write(f"  applications: {Application.objects.count()}, jury reviews: {Review.objects.count()}")
        write(f"  applicants: {base_url}/espace/candidatures/ — password {DEMO_PASSWORD}")
        for email, full_name in content.APPLICANTS:
            write(f"         {email} ({full_name})")
        holder_campaign = campaigns.filter(slug=HOLDER_CAMPAIGN).first()
        write(f"  project holder: {base_url}/espace/projets/ — {HOLDER_EMAIL} / {DEMO_PASSWORD} ({HOLDER_FULL_NAME})")
        if holder_campaign is not None:
            write(f"         holds “{holder_campaign.title}”")
        write(f"  jurors: {base_url}/espace/jury/ — password {DEMO_PASSWORD}")
        for email, full_name in content.JURORS:
            write(f"         {email} ({full_name})")
