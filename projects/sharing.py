"""Sharing a campaign: plain links to share pages (no third-party script, no tracker) and the
Mastodon instance form.

Mastodon has no central host: the reader names their instance, and the campaign's
`partager/mastodon/` route sends them to `https://<instance>/share?text=…` once the name is
a valid public host name.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from coupdepouce.forms import ErrorSummaryMixin

# One DNS label: letters, digits and inner hyphens, 63 characters at most.
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A top-level domain has a letter (no IP address), or is an IDNA one (xn--…).
TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    href: str


def share_text(title: str, url: str) -> str:
    return f"{title} {url}"


def share_links(*, title: str, url: str, summary: str = "") -> list[ShareLink]:
    """The share links of a page (`url` absolute), in the order shown."""
    text = share_text(title, url)
    body = f"{summary}\n\n{url}" if summary else url
    return [
        ShareLink(
            "email",
            _("Share by email"),
            "mailto:?" + urlencode({"subject": title, "body": body}, quote_via=quote),
        ),
        ShareLink(
            "facebook", _("Share on Facebook"), "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
        ),
        ShareLink(
            "linkedin",
            _("Share on LinkedIn"),
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink("whatsapp", _("Share on WhatsApp"), "https://wa.me/?" + urlencode({"text": text}, quote_via=quote)),
    ]


def clean_instance(value: str) -> str | None:
    """The host name of a Mastodon instance as typed ("mastodon.social", "https://piaille.fr/",
    "@camille@framapiaf.org"), in ASCII, or None when it is not a public host name."""
    host = (value or "").strip().lower()
    for prefix in ("https://", "http://"):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    host = host.rstrip("/")
    if host.startswith("@") or host.count("@") == 1:
        # A handle: @user@instance.
        host = host.rsplit("@", 1)[-1]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2:
        return None
    if not all(LABEL.match(label) for label in labels) or not TLD.match(labels[-1]):
        return None
    return host


def mastodon_share_url(instance: str, *, title: str, url: str) -> str:
    """The share page of a (cleaned) instance, with the campaign's title and link."""
    return f"https://{instance}/share?" + urlencode({"text": share_text(title, url)}, quote_via=quote)


class MastodonShareForm(ErrorSummaryMixin, forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon instance"),
        max_length=253,
        help_text=_("For example: mastodon.social"),
        error_messages={"required": _("Enter the name of your Mastodon instance, for example mastodon.social.")},
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false", "autocapitalize": "none"}),
    )

    def clean_instance(self):
        host = clean_instance(self.cleaned_data["instance"])
        if host is None:
            raise forms.ValidationError(
                _("Enter a host name such as mastodon.social, without a path."), code="invalid_instance"
            )
        return host
