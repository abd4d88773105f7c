"""Delete the personal data of applications past their retention period (run it daily).

    manage.py purge_applications [--dry-run]

What is erased and what is kept: see `applications.retention`.
"""

from django.core.management.base import BaseCommand

from applications.retention import purge


class Command(BaseCommand):
    help = (
        "Erase the answers and attachments of applications not retained, and delete drafts never "
        "submitted, once the retention period of their site is over."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = purge(dry_run=dry_run)
        prefix = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{prefix} {report.erased} application(s) not retained, "
            f"{'would delete' if dry_run else 'deleted'} {report.drafts_deleted} draft(s) never submitted "
            f"and {report.files_deleted} attachment(s)."
        )
