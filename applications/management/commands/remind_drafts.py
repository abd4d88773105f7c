"""`manage.py remind_drafts [--days 3]`: remind applicants of their unsubmitted drafts before the deadline.

Run it daily (cron). Each draft of a call closing within the next N days gets one email, once:
running it again sends nothing new (`services.remind_drafts`).
"""

from django.core.management.base import BaseCommand

from applications import services


class Command(BaseCommand):
    help = "Email the owners of unsubmitted drafts of calls closing within N days (once per draft)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="Remind drafts of calls closing within N days.")

    def handle(self, *args, days, **options):
        sent = services.remind_drafts(days=days)
        self.stdout.write(f"{sent} reminder(s) sent.")
