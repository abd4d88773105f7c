"""`holds_campaigns` in every template: whether the signed-in user holds a campaign (the header's
"Mon projet" link). Lazy: the query runs only where a template reads it, and never for
anonymous visitors (whose pages the cache serves)."""

from django.utils.functional import SimpleLazyObject

from holders.models import CampaignHolder


def holder(request):
    user = getattr(request, "user", None)

    def holds():
        if user is None or not user.is_authenticated:
            return False
        return CampaignHolder.objects.filter(user=user).exists()

    return {"holds_campaigns": SimpleLazyObject(holds)}
