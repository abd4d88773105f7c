"""Receipts follow their pledge: see `receipts.services.sync_pledge`."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from payments.models import Pledge
from receipts import services


@receiver(post_save, sender=Pledge, dispatch_uid="receipts.sync_pledge")
def pledge_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    services.sync_pledge(instance)
