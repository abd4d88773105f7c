"""Build the demo site with the models' own APIs. Idempotent: everything is looked up first.

Pages are created with `parent.add_child(instance=...)` and published with
`save_revision().publish()`, rows with `Model.objects.create(...)`, translations with
`copy_for_translation`. The test factories (factory-boy, wagtail-factories) are test-only
dependencies: nothing here imports them.

Lookups: locales by language code, users by email, images by title, territories by
slug and locale, pages by slug under their parent, translations by translation key and
locale, "À la Une" entries by page. Inline rows (rewards, stretch goals, needs, FAQ,
criteria, partners) and a campaign's pledges are only added to an object that has none.
The default site's hostname and port follow `settings.WAGTAILADMIN_BASE_URL` on every run.
Campaign updates are marked as announced before they are published, so publishing them emails
no follower nor backer (`demo.community.mark_update_announced`).
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from calls.models import CallForProjectsPage, CallIndexPage, CallPartner, EvaluationCriterion
from coupdepouce.editorial import (
    COMMUNICATION_GROUP,
    FINANCES_GROUP,
    MODERATORS_GROUP,
    ensure_campaign_workflow,
    ensure_communication_group,
    ensure_finances_group,
    ensure_validation_group,
)
from coupdepouce.models import PlatformSettings
from demo import content
from demo.applications import load_applications
from demo.community import load_community, mark_update_announced
from demo.images import get_or_create_image
from demo.navigation import load_navigation
from home.models import HomeFeature, HomePage, StandardPage
from payments import rules as money_rules
from payments import services as payment_services
from payments import totals as payment_totals
from payments.models import Pledge
from payments.rules import FundingModel, PledgeStatus
from projects.models import (
    CampaignFAQ,
    CampaignPage,
    CampaignUpdatePage,
    InKindNeed,
    ProjectIndexPage,
    RewardTier,
    StretchGoal,
    Territory,
)
from receipts import services as receipt_services
from receipts.models import Beneficiary
from themes.models import ThemeIndexPage, ThemePage

# The demo accounts: the email address is the login (documented in the README).
DEMO_PASSWORD = "coupdepouce-demo"  # noqa: S105 — documented demo credentials (README)
ADMIN_EMAIL = "admin@example.org"
ADMIN_FULL_NAME = "Admin Démo"
COMMUNICATION_EMAIL = "communication@example.org"
COMMUNICATION_FULL_NAME = "Nadia Lemaire"
FINANCES_EMAIL = "finances@example.org"
FINANCES_FULL_NAME = "Paul Renaud"
VALIDATION_EMAIL = "validation@example.org"
VALIDATION_FULL_NAME = "Claire Dubois"


def stream(items):
    """Turn the content notation into raw StreamField data (see `demo.content`)."""
    blocks = []
    for item in items:
        kind = item[0]
        if kind in ("h2", "h3", "h4"):
            blocks.append({"type": "heading", "value": {"text": item[1], "level": kind}})
        elif kind == "p":
            blocks.append({"type": "paragraph", "value": item[1]})
        elif kind == "quote":
            blocks.append({"type": "quote", "value": {"text": item[1], "attribution": item[2]}})
        else:
            raise ValueError(f"Unknown block {kind!r}")
    return blocks


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def site_address(base_url=None):
    """(hostname, port) of `base_url`, by default `settings.WAGTAILADMIN_BASE_URL`."""
    parts = urlsplit(base_url if base_url is not None else settings.WAGTAILADMIN_BASE_URL)
    hostname = parts.hostname or "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return hostname, port


def publish(page):
    """Save a revision from the database state (inline rows included) and publish it."""
    page = type(page).objects.get(pk=page.pk)
    page.save_revision().publish()
    return page


class DemoLoader:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.created = Counter()

    def log(self, message):
        if self.stdout is not None:
            self.stdout.write(message)

    # ------------------------------------------------------------------ entry point

    def at_local_time(self, days: int, hour: int, minute: int):
        """`days` from today at hour:minute, local (Europe/Paris) time."""
        day = timezone.localtime(self.now) + timedelta(days=days)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def run(self):
        with transaction.atomic():
            self.fr, _ = Locale.objects.get_or_create(language_code="fr")
            self.en, _ = Locale.objects.get_or_create(language_code="en")
            self.load_users()
            self.load_territories()
            self.load_home()
            self.load_settings()
            self.load_themes()
            self.load_calls()
            self.load_beneficiaries()
            self.load_campaigns()
            # Pledges are made with bulk_create (no signal): compute the campaigns' summary rows.
            payment_totals.rebuild()
            self.load_standard_pages()
            self.load_features()
            ensure_campaign_workflow(self.project_index)
            self.load_english()
            self.created.update(load_navigation(self.site, self.home, self.home.get_translation_or_none(self.en)))
            self.created.update(load_applications(self, DEMO_PASSWORD))
            load_community(self, DEMO_PASSWORD)
        return self.created

    # ------------------------------------------------------------------ helpers

    def child_page(self, parent, slug, page_class, **fields):
        """The child of `parent` with this slug, a new `page_class` if absent. Returns (page, created).

        A new page is saved live without a revision; the callers add its inline rows, then publish.
        """
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            return existing.specific, False
        page = parent.add_child(instance=page_class(slug=slug, locale=parent.locale, **fields))
        self.created["pages"] += 1
        return page, True

    def image(self, title, colour, accent, label=""):
        image, created = get_or_create_image(title, colour, accent, label)
        self.created["images"] += int(created)
        return image

    # ------------------------------------------------------------------ users, territories, settings

    def load_users(self):
        User = get_user_model()
        ensure_communication_group()
        self.admin = User.objects.filter(email__iexact=ADMIN_EMAIL).first()
        if self.admin is None:
            self.admin = User.objects.create_superuser(ADMIN_EMAIL, DEMO_PASSWORD, full_name=ADMIN_FULL_NAME)
            self.created["users"] += 1
        officer = User.objects.filter(email__iexact=COMMUNICATION_EMAIL).first()
        if officer is None:
            officer = User.objects.create_user(COMMUNICATION_EMAIL, DEMO_PASSWORD, full_name=COMMUNICATION_FULL_NAME)
            self.created["users"] += 1
        # The communication officer edits the site and submits pages to moderation; she neither publishes
        # nor approves (an older demo database had her in Wagtail's Moderators, who publish anywhere).
        officer.groups.add(Group.objects.get(name=COMMUNICATION_GROUP))
        officer.groups.remove(*Group.objects.filter(name=MODERATORS_GROUP))
        validator = User.objects.filter(email__iexact=VALIDATION_EMAIL).first()
        if validator is None:
            validator = User.objects.create_user(VALIDATION_EMAIL, DEMO_PASSWORD, full_name=VALIDATION_FULL_NAME)
            self.created["users"] += 1
        # The validator approves (so publishes) what others submitted, never her own submissions.
        validator.groups.add(ensure_validation_group())
        ensure_finances_group()
        treasurer = User.objects.filter(email__iexact=FINANCES_EMAIL).first()
        if treasurer is None:
            treasurer = User.objects.create_user(FINANCES_EMAIL, DEMO_PASSWORD, full_name=FINANCES_FULL_NAME)
            self.created["users"] += 1
            # The finance officer: pledges and backers' data, sponsors, campaign terms; no pages.
            treasurer.groups.add(Group.objects.get(name=FINANCES_GROUP))
        # Verified addresses, so the staff accounts can also sign in on the public site (allauth).
        for user in (self.admin, officer, validator, treasurer):
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )

    def load_territories(self):
        self.territories = {}
        self.territories_en = {}
        commune = commune_en = None
        for slug, name, kind, name_en in content.TERRITORIES:
            territory = Territory.objects.filter(slug=slug, locale=self.fr).first()
            if territory is None:
                territory = Territory.objects.create(locale=self.fr, slug=slug, name=name, kind=kind, parent=commune)
                self.created["territories"] += 1
            translation = Territory.objects.filter(translation_key=territory.translation_key, locale=self.en).first()
            if translation is None:
                translation = territory.copy_for_translation(self.en)
                translation.name = name_en
                translation.parent = commune_en
                translation.save()
                self.created["territories"] += 1
            if kind == Territory.Kind.COMMUNE:
                commune, commune_en = territory, translation
            self.territories[slug] = territory
            self.territories_en[slug] = translation

    def load_settings(self):
        PlatformSettings.objects.get_or_create(site=self.site, defaults=content.PLATFORM)

    # ------------------------------------------------------------------ home and site

    def load_home(self):
        spec = content.HOME
        root = Page.get_first_root_node()
        home = HomePage.objects.filter(locale=self.fr).first()
        if home is None:
            title, colour, accent = spec["hero_image"]
            home = root.add_child(
                instance=HomePage(
                    locale=self.fr,
                    slug=spec["slug"],
                    title=spec["title"],
                    hero_title=spec["hero_title"],
                    hero_text=spec["hero_text"],
                    hero_cta_text=spec["hero_cta_text"],
                    hero_image=self.image(title, colour, accent),
                    body=stream(spec["body"]),
                )
            )
            home = publish(home)
            self.created["pages"] += 1
        self.home = home

        # The default site answers on WAGTAILADMIN_BASE_URL (`PORT=8730 make run`: 127.0.0.1:8730),
        # so the site's full URLs (emails, sitemap, previews) use it; updated on every run.
        hostname, port = site_address()
        site = (
            Site.objects.filter(hostname=hostname, port=port).first()
            or Site.objects.filter(is_default_site=True).first()
        )
        if site is None:
            site = Site(hostname=hostname, port=port)
        Site.objects.filter(is_default_site=True).exclude(pk=site.pk).update(is_default_site=False)
        site.hostname, site.port, site.root_page, site.is_default_site = hostname, port, home, True
        site.site_name = content.PLATFORM["platform_name"]
        site.save()
        self.site = site

        # Wagtail's "Welcome to your new Wagtail site!" page: a plain Page, now no site's root.
        welcome = Page.objects.filter(depth=2, slug="home", content_type=ContentType.objects.get_for_model(Page))
        for page in welcome:
            if not Site.objects.filter(root_page=page).exists():
                page.delete()

    # ------------------------------------------------------------------ themes

    def load_themes(self):
        self.theme_index, created = self.child_page(
            self.home, content.THEME_INDEX["slug"], ThemeIndexPage, **self._fields(content.THEME_INDEX)
        )
        if created:
            self.theme_index = publish(self.theme_index)
        self.themes = {}
        for spec in content.THEMES:
            theme, created = self.child_page(
                self.theme_index,
                spec["slug"],
                ThemePage,
                title=spec["title"],
                colour=spec["colour"],
                pictogram=spec["pictogram"],
                intro=spec["intro"],
                body=stream(spec["body"]),
                image=self.image(
                    f"Illustration de la thématique « {spec['title']} »", spec["colour"], spec["accent"], spec["title"]
                ),
            )
            if created:
                theme = publish(theme)
            self.themes[spec["slug"]] = theme

    @staticmethod
    def _fields(spec):
        return {key: value for key, value in spec.items() if key != "slug"}

    # ------------------------------------------------------------------ calls

    def load_calls(self):
        self.call_index, created = self.child_page(
            self.home, content.CALL_INDEX["slug"], CallIndexPage, **self._fields(content.CALL_INDEX)
        )
        if created:
            self.call_index = publish(self.call_index)
        self.calls = {}
        for spec in content.CALLS:
            call, created = self.child_page(
                self.call_index,
                spec["slug"],
                CallForProjectsPage,
                title=spec["title"],
                summary=spec["summary"],
                body=stream(spec["body"]),
                eligibility=spec["eligibility"],
                budget=spec["budget"],
                # Round times, as an officer would set them: opens at 9:00, closes at 23:59 (Paris).
                opens_at=self.at_local_time(spec["opens"], 9, 0),
                closes_at=self.at_local_time(spec["closes"], 23, 59),
                image=self.image(spec["image_title"], spec["colour"], spec["accent"]),
            )
            if created:
                for order, (title, description, weight) in enumerate(spec["criteria"]):
                    EvaluationCriterion.objects.create(
                        page=call,
                        locale=call.locale,
                        title=title,
                        description=description,
                        weight=weight,
                        sort_order=order,
                    )
                for order, (name, url) in enumerate(spec["partners"]):
                    CallPartner.objects.create(page=call, locale=call.locale, name=name, url=url, sort_order=order)
                call = type(call).objects.get(pk=call.pk)
                call.themes.set([self.themes[slug] for slug in spec["themes"]])
                call.save_revision().publish()
            self.calls[spec["slug"]] = call

    # ------------------------------------------------------------------ campaigns

    def load_beneficiaries(self):
        """The organisations the site issues tax receipts for, by their legal name."""
        self.beneficiaries = {}
        for key, fields in content.BENEFICIARIES.items():
            beneficiary, created = Beneficiary.objects.get_or_create(
                legal_name=fields["legal_name"], defaults={**fields, "site": self.site}
            )
            if created:
                beneficiary.full_clean()
                self.created["beneficiaries"] += 1
            self.beneficiaries[key] = beneficiary

    def load_campaigns(self):
        self.project_index, created = self.child_page(
            self.home, content.PROJECT_INDEX["slug"], ProjectIndexPage, **self._fields(content.PROJECT_INDEX)
        )
        if created:
            self.project_index = publish(self.project_index)
        self.campaigns = {}
        for spec in content.CAMPAIGNS:
            start_at = self.now + timedelta(days=spec["start"])
            campaign, created = self.child_page(
                self.project_index,
                spec["slug"],
                CampaignPage,
                title=spec["title"],
                summary=spec["summary"],
                holder_name=spec["holder_name"],
                holder_kind=spec["holder_kind"],
                goal=spec["goal"],
                funding_model=spec.get("funding_model", FundingModel.ALL_OR_NOTHING),
                start_at=start_at,
                end_at=start_at + timedelta(days=spec["days"]),
                tax_deductible=spec["tax_deductible"],
                beneficiary=self.beneficiaries.get(spec.get("beneficiary")),
                territory=self.territories[spec["territory"]],
                source_call=self.calls.get(spec.get("source_call")),
                story=stream(spec["story"]),
                hero_image=self.image(spec["image_title"], spec["colour"], spec["accent"]),
            )
            if created:
                self.campaign_children(campaign, spec)
                campaign = type(campaign).objects.get(pk=campaign.pk)
                campaign.themes.set([self.themes[slug] for slug in spec["themes"]])
                campaign.save_revision().publish()
            if not campaign.pledges.exists():
                self.pledges(campaign, spec)
            for update in spec["updates"]:
                page, created = self.child_page(
                    campaign,
                    update["slug"],
                    CampaignUpdatePage,
                    title=update["title"],
                    date=timezone.localdate(self.now) - timedelta(days=update["days_ago"]),
                    intro=update["intro"],
                    body=stream(update["body"]),
                )
                if created:
                    mark_update_announced(page)
                    publish(page)
            self.campaigns[spec["slug"]] = campaign

    def campaign_children(self, campaign, spec):
        delivery = timezone.localdate(campaign.end_at) + timedelta(days=60)
        locale = campaign.locale
        values = spec.get("reward_values") or [None] * len(spec["rewards"])
        for order, ((amount, title, description, stock), value) in enumerate(
            zip(spec["rewards"], values, strict=True)
        ):
            RewardTier.objects.create(
                page=campaign,
                locale=locale,
                min_amount=amount,
                title=title,
                description=description,
                stock=stock,
                value=value,
                estimated_delivery=delivery,
                sort_order=order,
            )
        for order, (amount, description) in enumerate(spec["stretch"]):
            StretchGoal.objects.create(
                page=campaign, locale=locale, amount=amount, description=description, sort_order=order
            )
        for order, (kind, description, quantity) in enumerate(spec["needs"]):
            InKindNeed.objects.create(
                page=campaign, locale=locale, kind=kind, description=description, quantity=quantity, sort_order=order
            )
        for order, (question, answer) in enumerate(spec["faqs"]):
            CampaignFAQ.objects.create(page=campaign, locale=locale, question=question, answer=answer, sort_order=order)

    def backers(self):
        """A fixed pool of fictional backers, so some back several campaigns."""
        if not hasattr(self, "_backers"):
            rng = random.Random("backers")  # noqa: S311 — demo data
            pool = []
            for n in range(600):
                first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
                pool.append((first, last, f"{_ascii(first)}.{_ascii(last)}{n}@example.org"))
            self._backers = pool
        return self._backers

    def pledges(self, campaign, spec):
        """Pledges reaching `percent` of the goal exactly, offline gifts included."""
        if spec["percent"] is None or campaign.start_at > self.now:
            return
        rng = random.Random(spec["slug"])  # noqa: S311 — demo data
        ended = campaign.end_at <= self.now
        keep_it_all = campaign.funding_model == FundingModel.KEEP_IT_ALL
        succeeded = ended and spec["percent"] >= 100
        # All or nothing: cards are only charged once the campaign has succeeded. A failed
        # campaign keeps its committed pledges here: releasing them is the payment flow's job.
        online_status = PledgeStatus.PAID if (keep_it_all or succeeded) else PledgeStatus.COMMITTED

        target = spec["goal"] * spec["percent"]  # cents: goal € × 100 × percent / 100
        offline = [(name, source, euros * 100) for name, source, euros in spec["offline"]]
        remaining = target - sum(amount for *_, amount in offline)

        rewards = list(campaign.rewards.order_by("sort_order"))
        taken = Counter()
        plan = []  # (amount cents, reward)
        sold_out = spec.get("sold_out")
        if sold_out is not None:
            reward = rewards[sold_out]
            for _ in range(reward.stock):
                plan.append((reward.min_amount * 100, reward))
            taken[reward.pk] = reward.stock
            remaining -= reward.min_amount * 100 * reward.stock

        def available(reward):
            if reward.stock is None:
                return True
            # Only the chosen reward sells out; the others stay just short of it.
            return taken[reward.pk] < reward.stock - 1

        weights = [6, 5, 3, 2, 1, 1]
        while remaining > 0:
            choices = [r for r in rewards if available(r)]
            if choices and rng.random() > 0.2:
                reward = rng.choices(choices, weights=weights[: len(choices)])[0]
                amount = (reward.min_amount + rng.choice([0, 0, 0, 0, 2, 5, 10, 20])) * 100
            else:
                reward, amount = None, rng.choice([10, 15, 20, 20, 30, 50, 100]) * 100
            if amount >= remaining or remaining - amount < 500:
                amount = remaining
                fitting = [r for r in rewards if available(r) and r.min_amount * 100 <= amount]
                reward = fitting[-1] if fitting and rng.random() > 0.3 else None
            plan.append((amount, reward))
            if reward is not None:
                taken[reward.pk] += 1
            remaining -= amount

        rng.shuffle(plan)
        people = rng.sample(self.backers(), len(plan))
        last_moment = min(campaign.end_at, self.now)
        span = (last_moment - campaign.start_at).total_seconds()
        pledges, dates = [], []
        for (amount, reward), (first, last, email) in zip(plan, people, strict=True):
            anonymous = rng.random() < 0.08
            pledges.append(
                Pledge(
                    campaign=campaign,
                    amount_cents=amount,
                    reward=reward,
                    reward_title=reward.title if reward else "",
                    backer_name=f"{first} {last}",
                    backer_email=email,
                    public_name="" if anonymous else rng.choice([f"{first} {last}", f"{first} {last[0]}."]),
                    anonymous=anonymous,
                    show_amount=rng.random() < 0.5,
                    message=rng.choice(content.MESSAGES) if rng.random() < 0.15 else "",
                    status=online_status,
                )
            )
            dates.append(campaign.start_at + timedelta(seconds=span * rng.random() ** 0.8))
        for name, source, amount in offline:
            pledges.append(
                Pledge(
                    campaign=campaign,
                    amount_cents=amount,
                    backer_name=name,
                    backer_email="",
                    public_name=name,
                    status=PledgeStatus.PAID,
                    source=source,
                    recorded_by=self.admin,
                )
            )
            dates.append(campaign.start_at + timedelta(seconds=span * rng.uniform(0.3, 0.9)))
        self.ask_for_receipts(campaign, spec, pledges, dates, rng)
        created = Pledge.objects.bulk_create(pledges)
        for pledge, date in zip(created, dates, strict=True):
            pledge.created_at = pledge.updated_at = date
        Pledge.objects.bulk_update(created, ["created_at", "updated_at"])
        self.created["pledges"] += len(created)
        # bulk_create sends no signal: issue the receipts here, emailing nobody.
        with receipt_services.muted():
            for pledge in created:
                if pledge.wants_receipt:
                    receipt_services.sync_pledge(pledge)

    def ask_for_receipts(self, campaign, spec, pledges, dates, rng):
        """On a campaign that offers tax receipts, some paid pledges ask for one (with a postal
        address): `spec["receipts"]` online ones whose reward keeps the receipt, and the offline
        donors named in `spec["offline_receipts"]`."""
        if not campaign.offers_tax_receipts:
            return
        cap = payment_services.counterpart_cap_cents(campaign)
        online_left = spec.get("receipts", 0)
        offline_names = set(spec.get("offline_receipts", ()))
        for pledge, date in zip(pledges, dates, strict=True):
            if pledge.status != PledgeStatus.PAID:
                continue
            if pledge.source == Pledge.Source.ONLINE:
                if online_left <= 0 or not money_rules.gift_keeps_receipt(pledge.reward, pledge.amount_cents, cap):
                    continue
                online_left -= 1
                # All or nothing: cards are charged at the close.
                paid_at = min(campaign.end_at, self.now) if campaign.all_or_nothing else date
            elif pledge.backer_name in offline_names:
                paid_at = date
            else:
                continue
            pledge.wants_receipt = True
            pledge.paid_at = paid_at
            pledge.donor_street = f"{rng.randint(1, 80)} {rng.choice(content.DONOR_STREETS)}"
            pledge.donor_postal_code = "49990"
            pledge.donor_city = content.TOWN
            pledge.donor_country = "France"

    # ------------------------------------------------------------------ content pages and "À la Une"

    def load_standard_pages(self):
        self.standard_pages = {}
        for spec in content.STANDARD_PAGES:
            page, created = self.child_page(
                self.home,
                spec["slug"],
                StandardPage,
                title=spec["title"],
                intro=spec["intro"],
                body=stream(spec["body"]),
                show_in_menus=spec["slug"] == "comment-ca-marche",
            )
            if created:
                page = publish(page)
            self.standard_pages[spec["slug"]] = page

    def load_features(self):
        pages = {
            "campaign": self.campaigns,
            "theme": self.themes,
            "call": self.calls,
            "standard": self.standard_pages,
        }
        changed = False
        home = self.home
        for order, (kind, slug, title, teaser) in enumerate(content.FEATURES):
            page = pages[kind][slug]
            if not HomeFeature.objects.filter(home=home, page=page).exists():
                HomeFeature.objects.create(
                    home=home, locale=home.locale, page=page, title=title, teaser=teaser, sort_order=order
                )
                self.created["features"] += 1
                changed = True
        if home.hero_cta_page_id is None:
            HomePage.objects.filter(pk=home.pk).update(hero_cta_page=self.project_index)
            changed = True
        if changed:
            self.home = publish(home)

    # ------------------------------------------------------------------ English

    def translate(self, page, **fields):
        """The English translation of `page`, copied and published if absent. Returns (page, created)."""
        existing = page.get_translation_or_none(self.en)
        if existing is not None:
            return existing.specific, False
        copy = page.copy_for_translation(self.en, copy_parents=False, alias=False)
        for name, value in fields.items():
            setattr(copy, name, value)
        copy.save()
        self.created["pages"] += 1
        return copy, True

    def load_english(self):
        spec = content.HOME_EN
        home_en, created = self.translate(self.home, **{k: v for k, v in spec.items() if k != "body"})
        if created:
            home_en.body = stream(spec["body"])
            home_en.save()

        theme_index_en, created = self.translate(self.theme_index, **content.THEME_INDEX_EN)
        if created:
            publish(theme_index_en)
        spec = content.THEME_EN
        theme = self.themes[spec["source"]]
        theme_en, created = self.translate(
            theme, slug=spec["slug"], title=spec["title"], intro=spec["intro"], body=stream(spec["body"])
        )
        if created:
            publish(theme_en)

        project_index_en, created = self.translate(self.project_index, **content.PROJECT_INDEX_EN)
        if created:
            publish(project_index_en)

        campaign = self.campaigns[content.CAMPAIGN_EN]
        spec = next(c for c in content.CAMPAIGNS if c["slug"] == content.CAMPAIGN_EN)
        english = spec["english"]
        campaign_en, created = self.translate(
            campaign,
            slug=english["slug"],
            title=english["title"],
            summary=english["summary"],
            story=stream(english["story"]),
            territory=self.territories_en[spec["territory"]],
        )
        if created:
            self.translate_campaign_children(campaign_en, english)
            campaign_en = type(campaign_en).objects.get(pk=campaign_en.pk)
            campaign_en.themes.set(
                [t for t in (self.themes[s].get_translation_or_none(self.en) for s in spec["themes"]) if t]
            )
            campaign_en.save_revision().publish()

        for slug, spec in content.STANDARD_PAGES_EN.items():
            page_en, created = self.translate(
                self.standard_pages[slug], slug=spec["slug"], title=spec["title"], intro=spec["intro"]
            )
            if created:
                page_en.body = stream(spec["body"])
                page_en.save()
                publish(page_en)

        if home_en.hero_cta_page_id != project_index_en.pk or not home_en.live:
            HomePage.objects.filter(pk=home_en.pk).update(hero_cta_page=project_index_en)
            publish(home_en)

    def translate_campaign_children(self, campaign_en, english):
        """The copy carries the rewards, stretch goals, needs and FAQ in locale en; translate their texts."""
        for reward, (title, description) in zip(
            campaign_en.rewards.order_by("sort_order"), english["rewards"], strict=False
        ):
            reward.title, reward.description = title, description
            reward.save()
        for goal, description in zip(
            campaign_en.stretch_goals.order_by("sort_order"), english["stretch"], strict=False
        ):
            goal.description = description
            goal.save()
        for need, description in zip(campaign_en.needs.order_by("sort_order"), english["needs"], strict=False):
            need.description = description
            need.save()
        for faq, (question, answer) in zip(campaign_en.faqs.order_by("sort_order"), english["faqs"], strict=False):
            faq.question, faq.answer = question, answer
            faq.save()
