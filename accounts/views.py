"""A signed-in person's own pages next to allauth's: their space, the export of their data,
the closing of their account (the rules live in `accounts.personal_data`)."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import personal_data
from accounts.forms import AccountDeletionForm
from coupdepouce.pages import site_for_request, site_home


@never_cache
@login_required
def space(request):
    """The person's space ("Mon espace"): links to the person's applications and to the management of their account."""
    return render(request, "accounts/space.html", {"can_close": personal_data.can_close(request.user)})


@never_cache
@login_required
def export_data(request):
    """The person's data as a JSON file: the account, then every app's sections."""
    data = personal_data.export(request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"personal-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@sensitive_post_parameters("password")
@login_required
def delete_account(request):
    """Close the account after the password is confirmed, sign out, and go back to the home page."""
    user = request.user
    can_close = personal_data.can_close(user)
    form = AccountDeletionForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and can_close and form.is_valid():
        personal_data.close_account(user)
        logout(request)
        messages.success(request, _("Your account has been deleted."))
        return redirect(_home_url(request))
    return render(request, "accounts/delete.html", {"form": form, "can_close": can_close})


def _home_url(request):
    home = site_home(site_for_request(request))
    return (home.get_url(request) if home is not None else None) or "/"
