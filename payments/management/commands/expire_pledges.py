"""`python manage.py expire_pledges`: cancel pending pledges whose checkout time has run out."""

from django.core.management.base import BaseCommand

from payments.services import expire_pending_pledges


class Command(BaseCommand):
    help = (
        "Cancel pending online pledges whose checkout was not finished in time "
        "(PlatformSettings.pending_checkout_minutes), with the note 'checkout expired'. "
        "They already hold no reward and no room under the cap; nothing else is released. "
        "Safe to run at any time (e.g. every few minutes)."
    )

    def handle(self, *args, **options):
        count = expire_pending_pledges()
        self.stdout.write(f"expired {count} pending pledges")
