"""Staff's "Porteurs de projet": link an account (found by its email address) to a campaign, or
unlink it. Creating and deleting go through `holders.services`, so the page rights follow; both
are logged (`wagtail.log_actions`) on the link and in the campaign's page history."""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.log_actions import log
from wagtail.models import Locale

from holders import services
from holders.models import CampaignHolder
from payments.interface import campaign_model


class CampaignHolderForm(WagtailAdminModelForm):
    """The account is chosen by its email address (it must exist: the person signs up first)."""

    email = forms.EmailField(
        label=_("Email address of the account"),
        help_text=_("The person must have created an account on the site with this address."),
    )

    class Meta:
        model = CampaignHolder
        fields = ["campaign"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Holders are linked to the campaign in the default language (its translations follow).
        self.fields["campaign"].queryset = (
            campaign_model().objects.filter(locale=Locale.get_default()).order_by("title", "pk")
        )

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No account uses this email address. Ask the person to create an account first.")
            )
        self.holder_user = user
        return email

    def clean(self):
        cleaned = super().clean()
        campaign = cleaned.get("campaign")
        user = getattr(self, "holder_user", None)
        if campaign is not None and user is not None:
            cleaned["campaign"] = services.source_page(campaign)
            if services.is_holder(user, campaign):
                self.add_error("email", _("This account already holds this campaign."))
        return cleaned

    def validate_unique(self):
        # The account is not a form field: `clean` checks the (campaign, account) pair.
        pass


class CreateView(generic.CreateView):
    def get_success_buttons(self):
        return []

    def save_instance(self):
        holder = services.add_holder(
            self.form.holder_user, self.form.cleaned_data["campaign"], by=self.request.user
        )
        log(instance=holder, action="wagtail.create", user=self.request.user, content_changed=True)
        return holder


class DeleteView(generic.DeleteView):
    def delete_action(self):
        holder = self.object
        with transaction.atomic():
            # Logged before the row goes, while it still exists.
            log(instance=holder, action="wagtail.delete", user=self.request.user, deleted=True)
            services.remove_holder(holder.user, holder.campaign, by=self.request.user)
