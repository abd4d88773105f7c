"""The holders' "Mon projet": their campaigns, and one dashboard per campaign.

- `campaigns` (`espace/projets/`): the signed-in user's campaigns (`holders.services.campaigns_of`)
  with their state (draft, submitted for review, published) and figures.
- `dashboard` (`espace/projets/<page_id>/`), for whom `holders.services.can_manage` allows (a
  404 for anyone else): the figures; links to edit the campaign and to write an update in the
  Wagtail admin (both go to moderation) and the updates with their state; the Stripe payout onboarding where Stripe is
  configured; the backers who chose a reward (to deliver), with a CSV export of only what
  delivery needs (for the holders and the Finances group: `sees_backers`); offers of help to
  answer and answered; questions to moderate and to answer.
- POST views (`answer_offer`, `moderate_question`, `answer_question`) re-check the permission
  and that the row belongs to the campaign, call the services (`offers.services`,
  `questions.services`) and redirect back with a message (post/redirect/get); bad input
  re-renders the dashboard with the form, its errors and what was typed.

Every list is paginated (`?actualites=`, `?contributeurs=`, `?offres=`, `?reponses=`,
`?questions=`, `?sans-reponse=`): the dashboard runs the same number of queries whatever the number of
backers, offers and questions. The campaign in the default language is the one shown (holders
are linked to it; offers, questions and pledges are read over every translation).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.views.mixins import Echo
from wagtail.models import Page, WorkflowState

from coupdepouce.exports import FrenchCsvWriter
from holders import services as holder_services
from offers import services as offer_services
from offers.models import HelpOffer
from payments import connect, gateway, ledger, reports
from payments.models import Pledge
from payments.rules import COUNTED_STATUSES
from projects.models import CampaignPage, CampaignUpdatePage
from projects.workspace_forms import OfferAnswerForm, QuestionAnswerForm, QuestionModerationForm
from questions import services as question_services
from questions.models import Question

PAGE_SIZE = 20
# Query parameters of the dashboard's paginated lists (and the section each one is in).
BACKERS_PAGE = "contributeurs"
PENDING_OFFERS_PAGE = "offres"
ANSWERED_OFFERS_PAGE = "reponses"
PENDING_QUESTIONS_PAGE = "questions"
UNANSWERED_QUESTIONS_PAGE = "sans-reponse"
UPDATES_PAGE = "actualites"


# Campaign state ------------------------------------------------------------------------------


class CampaignState:
    DRAFT = "draft"
    IN_MODERATION = "in_moderation"
    LIVE = "live"
    LIVE_CHANGES_IN_MODERATION = "live_changes_in_moderation"


STATE_LABELS = {
    CampaignState.DRAFT: gettext_lazy("Draft: edit it, then submit it for review"),
    CampaignState.IN_MODERATION: gettext_lazy("Submitted for review"),
    CampaignState.LIVE: gettext_lazy("Published"),
    CampaignState.LIVE_CHANGES_IN_MODERATION: gettext_lazy("Published; changes submitted for review"),
}


def pages_in_moderation(pages) -> set[int]:
    """The ids of `pages` with a workflow in progress, in one query."""
    ids = [str(page.pk) for page in pages]
    if not ids:
        return set()
    in_progress = WorkflowState.objects.active().filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id__in=ids
    )
    return {int(object_id) for object_id in in_progress.values_list("object_id", flat=True)}


def campaign_state(page, in_moderation: bool) -> str:
    if page.live:
        return CampaignState.LIVE_CHANGES_IN_MODERATION if in_moderation else CampaignState.LIVE
    return CampaignState.IN_MODERATION if in_moderation else CampaignState.DRAFT


# Who may see what ----------------------------------------------------------------------------


def managed_campaign(request, page_id):
    """The campaign (in the default language) if the user may manage it; a 404 for anyone else."""
    page = get_object_or_404(CampaignPage, pk=page_id)
    if not holder_services.can_manage(request.user, page):
        raise Http404
    return holder_services.source_page(page)


def sees_backers(user, campaign) -> bool:
    """Backers' names and emails: for the campaign's holders (who deliver the rewards) and for
    who may see backers' data anyway (the Finances group); other staff see the figures only."""
    return holder_services.is_holder(user, campaign) or reports.can_see_backers(user)


def dashboard_url(campaign, query="", anchor=""):
    url = reverse("projects:workspace_campaign", args=[campaign.pk])
    if query:
        url = f"{url}?{query}"
    return f"{url}#{anchor}" if anchor else url


def _back(request, campaign, anchor):
    """Back to the dashboard, on the lists' pages the form was posted from."""
    return redirect(dashboard_url(campaign, request.GET.urlencode(), anchor))


# Data of the dashboard -----------------------------------------------------------------------


def reward_pledges(campaign):
    """Counted pledges of every translation of the campaign that chose a reward, oldest first:
    the rewards to deliver. Only what delivery needs is read."""
    return (
        Pledge.objects.filter(campaign__translation_key=campaign.translation_key, status__in=COUNTED_STATUSES)
        .filter(Q(reward__isnull=False) | ~Q(reward_title=""))
        .select_related("reward")
        .only("pk", "backer_name", "backer_email", "reward_title", "reward__title", "created_at")
        .order_by("created_at", "pk")
    )


def reward_label(pledge) -> str:
    return pledge.reward_title or (pledge.reward.title if pledge.reward_id else "")


def _page(request, queryset, parameter, anchor):
    """One page of `queryset` (`?<parameter>=N`), with `links` to the other pages that keep the
    other lists' pages: (label number or ellipsis, URL or None, whether it is the current page)."""
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(parameter))
    page_obj.parameter = parameter

    def url(number):
        query = request.GET.copy()
        query[parameter] = number
        return f"?{query.urlencode()}#{anchor}"

    page_obj.links = [
        (number, None if number == Paginator.ELLIPSIS else url(number), number == page_obj.number)
        for number in page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]
    page_obj.previous_url = url(page_obj.previous_page_number()) if page_obj.has_previous() else None
    page_obj.next_url = url(page_obj.next_page_number()) if page_obj.has_next() else None
    return page_obj


def pending_offers(campaign):
    return offer_services.offers_for(campaign, HelpOffer.Status.PENDING)


def unanswered_questions(campaign):
    return question_services.questions_for(campaign, Question.Status.PUBLISHED).filter(answer="")


def _with_forms(page_obj, form_class, prefix, bound):
    """Attach a form to each row of the page: the bound one (with its errors) for the row posted."""
    kind, pk, form = bound or (None, None, None)
    for row in page_obj:
        if kind == prefix and row.pk == pk:
            row.form = form
        else:
            row.form = form_class(prefix=f"{prefix}-{row.pk}")
    return page_obj


def updates_page(request, campaign):
    """The campaign's updates (actualités), newest first, each with its state and admin edit URL."""
    updates = _page(
        request, CampaignUpdatePage.objects.child_of(campaign).order_by("-date", "-pk"), UPDATES_PAGE, "updates"
    )
    in_moderation = pages_in_moderation(list(updates))
    for update in updates:
        update.state_label = STATE_LABELS[campaign_state(update, update.pk in in_moderation)]
        update.edit_url = reverse("wagtailadmin_pages:edit", args=[update.pk])
    return updates


def dashboard_context(request, campaign, bound=None):
    """`bound`: (kind, row pk, bound form) of a form posted with errors, re-rendered in its row."""
    figures = ledger.campaign_figures(campaign)
    in_moderation = bool(pages_in_moderation([campaign]))
    show_backers = sees_backers(request.user, campaign)
    pledges = reward_pledges(campaign) if show_backers else Pledge.objects.none()
    backers = _page(request, pledges, BACKERS_PAGE, "backers")
    for pledge in backers:
        pledge.reward_label = reward_label(pledge)
    stripe = gateway.stripe_configured()
    return {
        "campaign": campaign,
        "figures": figures,
        "state": campaign_state(campaign, in_moderation),
        "state_label": STATE_LABELS[campaign_state(campaign, in_moderation)],
        "edit_url": reverse("wagtailadmin_pages:edit", args=[campaign.pk]),
        "add_update_url": reverse("wagtailadmin_pages:add", args=["projects", "campaignupdatepage", campaign.pk]),
        "updates": updates_page(request, campaign),
        "stripe": stripe,
        "payout_url": reverse("payments_connect_onboarding", args=[campaign.pk]) if stripe else "",
        "payout_ready": connect.can_take_charges(campaign) if stripe else False,
        "show_backers": show_backers,
        "backers": backers,
        "export_url": reverse("projects:workspace_rewards_csv", args=[campaign.pk]),
        "pending_offers": _with_forms(
            _page(request, pending_offers(campaign), PENDING_OFFERS_PAGE, "offers"),
            OfferAnswerForm,
            "offer",
            bound,
        ),
        "answered_offers": _page(
            request,
            offer_services.offers_for(campaign).exclude(status=HelpOffer.Status.PENDING),
            ANSWERED_OFFERS_PAGE,
            "answered-offers",
        ),
        "pending_questions": _with_forms(
            _page(request, question_services.pending_for(campaign), PENDING_QUESTIONS_PAGE, "questions"),
            QuestionModerationForm,
            "question",
            bound,
        ),
        "unanswered_questions": _with_forms(
            _page(request, unanswered_questions(campaign), UNANSWERED_QUESTIONS_PAGE, "unanswered"),
            QuestionAnswerForm,
            "answer",
            bound,
        ),
        "failed_form": bound[2] if bound else None,
        # Forms post with the lists' pages, so that the redirect comes back to them.
        "query": request.GET.urlencode(),
    }


def render_dashboard(request, campaign, bound=None, status=200):
    return TemplateResponse(
        request, "projects/workspace/dashboard.html", dashboard_context(request, campaign, bound), status=status
    )


# Views ---------------------------------------------------------------------------------------


@login_required
@require_GET
def campaigns(request):
    """The signed-in user's campaigns, with their state and figures."""
    pages = list(ledger.with_figures(holder_services.campaigns_of(request.user)))
    in_moderation = pages_in_moderation(pages)
    rows = []
    for page in pages:
        state = campaign_state(page, page.pk in in_moderation)
        rows.append({"campaign": page, "figures": page.figures, "state": state, "state_label": STATE_LABELS[state]})
    return TemplateResponse(request, "projects/workspace/campaigns.html", {"rows": rows})


@login_required
@require_GET
def dashboard(request, page_id):
    return render_dashboard(request, managed_campaign(request, page_id))


@login_required
@require_GET
def rewards_csv(request, page_id):
    """The rewards to deliver, as a French CSV: name, email, reward, date; nothing else."""
    campaign = managed_campaign(request, page_id)
    if not sees_backers(request.user, campaign):
        raise Http404

    def rows():
        writer = FrenchCsvWriter(Echo())
        yield writer.write_bom()
        yield writer.writerow([_("Name"), _("Email"), _("Reward"), _("Date")])
        for pledge in reward_pledges(campaign).iterator(chunk_size=500):
            yield writer.writerow([pledge.backer_name, pledge.backer_email, reward_label(pledge), pledge.created_at])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = pgettext("file name", "rewards")
    filename = f"{name}-{slugify(campaign.slug) or campaign.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def answer_offer(request, page_id, offer_id):
    campaign = managed_campaign(request, page_id)
    offer = get_object_or_404(offer_services.offers_for(campaign), pk=offer_id)
    form = OfferAnswerForm(request.POST, prefix=f"offer-{offer.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == OfferAnswerForm.ACCEPT:
                offer_services.accept(
                    offer, by=request.user, response=data["response"], estimated_value_cents=data["estimated_value"]
                )
                message = _("Offer from %(name)s accepted: they were told by email.")
            else:
                offer_services.decline(offer, by=request.user, response=data["response"])
                message = _("Offer from %(name)s declined: they were told by email.")
        except offer_services.OfferError as error:
            if error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                messages.error(request, error.message)
                return _back(request, campaign, "offers")
        else:
            messages.success(request, message % {"name": offer.name})
            return _back(request, campaign, "offers")
    return render_dashboard(request, campaign, ("offer", offer.pk, form), status=400)


@login_required
@require_POST
def moderate_question(request, page_id, question_id):
    campaign = managed_campaign(request, page_id)
    question = get_object_or_404(question_services.questions_for(campaign), pk=question_id)
    form = QuestionModerationForm(request.POST, prefix=f"question-{question.pk}")
    if not form.is_valid():
        return render_dashboard(request, campaign, ("question", question.pk, form), status=400)
    try:
        if form.cleaned_data["decision"] == QuestionModerationForm.PUBLISH:
            question_services.publish(question, by=request.user)
            messages.success(request, _("The question is published on the campaign page."))
        else:
            question_services.reject(question, by=request.user)
            messages.success(request, _("The question was rejected: it will not be shown."))
    except question_services.QuestionError as error:
        messages.error(request, error.message)
    return _back(request, campaign, "questions")


@login_required
@require_POST
def answer_question(request, page_id, question_id):
    campaign = managed_campaign(request, page_id)
    question = get_object_or_404(question_services.questions_for(campaign), pk=question_id)
    form = QuestionAnswerForm(request.POST, prefix=f"answer-{question.pk}")
    if form.is_valid():
        try:
            question_services.answer(question, by=request.user, text=form.cleaned_data["answer"])
        except question_services.QuestionError as error:
            if error.code in ("required", "max_length"):
                form.add_error("answer", error.message)
            else:
                messages.error(request, error.message)
                return _back(request, campaign, "questions")
        else:
            messages.success(request, _("Your answer is published; the author was told by email."))
            return _back(request, campaign, "questions")
    return render_dashboard(request, campaign, ("answer", question.pk, form), status=400)
