"""Stripe webhook endpoint. (Being written.)"""

from django.http import HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def stripe_webhook(request):
    return HttpResponseBadRequest()
