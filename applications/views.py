"""Applicants' pages: apply to a call, save a draft, submit, withdraw, follow; and the private files.

Thin views: every rule (deadline, states, files, who may see what) lives in `services`.
An application is addressed by its random token and shown only to its applicant (anyone
else gets a 404, as if it did not exist); an attachment is served only to the people
`services.can_view` lists, and is a 404 for everyone else, signed in or not.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications import promotion, services
from applications.forms import ApplicationForm
from applications.models import Application, Attachment
from applications.status import ApplicationStatus
from coupdepouce.money import format_euros
from coupdepouce.ratelimits import limit

S = ApplicationStatus


def _own_application_or_404(request, token):
    return get_object_or_404(
        Application.objects.select_related("call", "territory"), token=token, applicant=request.user
    )


def _application_url(application):
    return reverse("applications:application", kwargs={"token": application.token})


def _render_form(request, form, call, application=None, *, closed_message="", saved_partially=False):
    context = {
        "call": call,
        "call_url": call.localized.get_url(request),
        "application": application,
        "form": form,
        "form_action": _application_url(application) if application else request.get_full_path(),
        "resubmission": application is not None and application.status == S.SUBMITTED,
        "closed_message": closed_message,
        "saved_partially": saved_partially,
    }
    return render(request, "applications/application_form.html", context)


def _save(request, form, application):
    """Save the POSTed form; redirect when everything was accepted, else show it with its errors."""
    submitting = request.POST.get("action") == "submit" or application.status == S.SUBMITTED
    form.is_valid()
    try:
        services.save_answers(
            application,
            form.cleaned_data,
            form.file_changes(),
            submit_after=submitting,
            invalid=set(form.errors),
            actor=request.user,
        )
    except ValidationError as error:
        form.add_error(None, error)
    if form.errors:
        return _render_form(
            request, form, application.call, application, saved_partially=services.saves_partially(application)
        )
    if submitting:
        return redirect("applications:confirmation", token=application.token)
    messages.success(request, _("Your draft is saved. You can come back to it until the deadline."))
    return redirect("applications:application", token=application.token)


@limit("application", key="user_or_ip")
@require_http_methods(["GET", "POST"])
def start(request, call):
    """The call's `candidater/` route: the application form (or the applicant's draft to this call)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    closed_message = services.deadline_error(call, timezone.now())
    if request.method == "GET":
        if closed_message:
            context = {"call": call, "call_url": call.get_url(request), "message": closed_message}
            return render(request, "applications/call_closed.html", context)
        draft = services.draft_of(call, request.user)
        if draft is not None:
            return redirect("applications:application", token=draft.token)
        return _render_form(request, ApplicationForm(call), call)
    form = ApplicationForm(call, None, request.POST, request.FILES)
    try:
        application = services.start(call, request.user)
    except ValidationError as error:
        # Too late (or too early): nothing is saved, but what was typed is shown again.
        form.is_valid()
        form.add_error(None, error)
        return _render_form(request, form, call, closed_message=closed_message)
    return _save(request, ApplicationForm(call, application, request.POST, request.FILES), application)


@login_required
@limit("application", key="user_or_ip")
@require_http_methods(["GET", "POST"])
def application(request, token):
    """One application: its form while it can be changed, else what was sent (read only)."""
    application = _own_application_or_404(request, token)
    now = timezone.now()
    if services.can_edit(application, now):
        if request.method == "POST":
            form = ApplicationForm(application.call, application, request.POST, request.FILES)
            return _save(request, form, application)
        return _render_form(request, ApplicationForm(application.call, application), application.call, application)
    if request.method == "POST":
        # Sent after the deadline (or once it can no longer change): keep what was typed, say why.
        form = ApplicationForm(application.call, application, request.POST, request.FILES)
        form.is_valid()
        message = services.deadline_error(application.call, now) or _("This application can no longer be changed.")
        form.add_error(None, message)
        return _render_form(request, form, application.call, application, closed_message=message)
    return _render_detail(request, application, now)


def _answer_text(block, answer):
    if answer in (None, "", []):
        return ""
    if block.block_type == "amount":
        return format_euros(answer)
    if block.block_type == "date":
        return services.answer_from_json("date", answer)
    return block.block.display(block.value, answer)


def _render_detail(request, application, now):
    files = services.current_attachments(application)
    rows = [
        {
            "label": block.value["label"],
            "text": _answer_text(block, application.answers.get(block.id)),
            "attachment": files.get(block.id),
            "is_file": block.block_type == "file",
        }
        for block in services.questions(application.call)
    ]
    context = {
        "application": application,
        "call": application.call,
        "call_url": application.call.localized.get_url(request),
        "rows": rows,
        "themes": list(application.themes.all()),
        "staff_messages": list(application.events.exclude(message="").order_by("created_at", "pk")),
        "can_withdraw": services.can_withdraw(application, now),
        "deadline_message": services.deadline_error(application.call, now),
    }
    return render(request, "applications/application_detail.html", context)


@login_required
@require_GET
def confirmation(request, token):
    """After a submission: the reference, and what happens next."""
    application = _own_application_or_404(request, token)
    if application.status != S.SUBMITTED:
        return redirect("applications:application", token=application.token)
    context = {
        "application": application,
        "call": application.call,
        "call_url": application.call.localized.get_url(request),
        "can_edit": services.can_edit(application),
    }
    return render(request, "applications/confirmation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    """Ask, then withdraw (POST) a draft or a submitted application before the deadline."""
    application = _own_application_or_404(request, token)
    if request.method == "POST":
        try:
            services.withdraw(application, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("applications:application", token=application.token)
        messages.success(request, _("Your application is withdrawn."))
        return redirect("applications:dashboard")
    if not services.can_withdraw(application):
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("applications:application", token=application.token)
    return render(request, "applications/withdraw.html", {"application": application, "call": application.call})


@login_required
@require_GET
def dashboard(request):
    """ "Mes candidatures": every application of the signed-in user, its status and staff messages."""
    now = timezone.now()
    rows = [
        {
            "application": application,
            "can_edit": services.can_edit(application, now),
            "can_withdraw": services.can_withdraw(application, now),
        }
        for application in services.applications_of(request.user)
    ]
    context = {"rows": rows, "campaigns": promotion.campaigns_for(request.user)}
    return render(request, "applications/dashboard.html", context)


@require_GET
def attachment(request, token):
    """Stream a private file to who may see it; a 404 for anyone else (signed in or not)."""
    attachment = get_object_or_404(Attachment.objects.select_related("application"), token=token)
    if not services.can_view(request.user, attachment.application):
        raise Http404
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
