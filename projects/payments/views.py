"""Citizen-facing payment views. (Being written: pledge form, demo checkout, thanks.)"""

from django.http import Http404


def pledge(request, campaign):
    raise Http404


def demo_checkout(request, token):
    raise Http404


def checkout_return(request, token):
    raise Http404


def thanks(request, token):
    raise Http404


def complete_payment(request, token):
    raise Http404
