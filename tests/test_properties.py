"""Property-based tests (hypothesis) of the ledger and matching invariants.

Each example plays a random sequence of operations through the real services
(`services.create_pledge`, `services.transition`, `services.record_offline_gift`,
`services.expire_pending_pledges`) on three campaigns (one with an English translation), with
random site rules (over-funding cap, maximum pledge, checkout hold), rewards with stock and
sponsors' offers (ratios, caps per pledge and per campaign, envelopes, `only_on_success`,
inactive offers). A plain-Python model of the rules plays the same sequence. Then:

- every operation did what the model says (accepted or refused with the model's error code;
  allowed moves happen, forbidden ones raise `InvalidTransition`), and each pledge's audit
  trail is the model's;
- the single-page figures (`ledger.campaign_figures`), the listing annotations
  (`ledger.with_figures`) and the status filter (`ledger.filter_status`) agree with each other
  and with the model (`COUNTED_STATUSES`), at instants around the start and the end;
- matching allocations are the model's, never exceed an envelope, a cap per campaign or a cap
  per pledge, and released ones count nowhere.

Each example runs inside `transaction.atomic()` and is rolled back, so every example starts
from the same site (built once per test). The model is deliberately written without the
code's helpers (`ALLOWED`, `COUNTED_STATUSES`, `holding_q`, `matched_amount`): a mistake
there shows as a disagreement here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from wagtail.models import Locale

from payments import ledger, matching, rules, services
from payments.models import CampaignClosing, MatchAllocation, MatchingOffer, Pledge, PledgeEvent, Sponsor
from payments.rules import CampaignStatus, PledgeStatus
from projects.models import CampaignPage, RewardTier

S = PledgeStatus
US = timedelta(microseconds=1)

# The rules, as the docs state them (docs/payments.md), written out again on purpose.
REF_COUNTED = {"committed", "action_required", "paid"}
REF_RELEASING = {"failed", "cancelled", "refunded"}
REF_ALLOWED = {
    "pending": {"committed", "paid", "failed", "cancelled"},
    "committed": {"paid", "action_required", "failed", "cancelled"},
    "action_required": {"paid", "failed", "cancelled"},
    "paid": {"refunded"},
    "failed": set(),
    "cancelled": set(),
    "refunded": set(),
}
ALL_STATUSES = list(REF_ALLOWED)
# Paths a pledge may follow from pending, so that random sequences reach every status often.
PATHS = [
    ("committed",),
    ("committed", "action_required"),
    ("committed", "action_required", "paid"),
    ("committed", "action_required", "failed"),
    ("committed", "action_required", "cancelled"),
    ("committed", "paid", "refunded"),
    ("paid", "refunded"),
    ("paid",),
    ("committed", "failed"),
    ("cancelled",),
]
N_CAMPAIGNS = 3  # campaigns 0 and 1 are in the theme; campaign 0 also has an English page

# `make mutation` runs the covering tests once per mutant (MUTATION_DB_TEMPLATE is set there):
# fewer examples, always the same ones (derandomize), no shrinking. Elsewhere: 40 random examples.
MUTATION_RUN = bool(os.environ.get("MUTATION_DB_TEMPLATE"))
EXAMPLES = settings(
    max_examples=12 if MUTATION_RUN else 40,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree; a failure prints its example
    derandomize=MUTATION_RUN,
    phases=[Phase.explicit, Phase.generate] if MUTATION_RUN else list(Phase),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    """Raised at the end of an example to roll its rows back."""


def rolled_back(play):
    """Run `play()` in a transaction that is always rolled back; caches are emptied first."""
    for cache in caches.all():
        cache.clear()
    try:
        with transaction.atomic():
            play()
            raise _Rollback
    except _Rollback:
        pass


# Integer-only references for the pure rules --------------------------------------------------


def ref_commission(amount_cents: int, rate_hundredths: int) -> int:
    """amount × rate / 100, rate in hundredths of a percent: amount × r / 10 000, half up."""
    return (amount_cents * rate_hundredths + 5_000) // 10_000


def ref_matched(amount_cents: int, ratio_hundredths: int, cap_per_pledge: int | None) -> int:
    cents = amount_cents * ratio_hundredths // 100
    if cap_per_pledge is not None:
        cents = min(cents, cap_per_pledge)
    return cents


@settings(max_examples=500, deadline=None, database=None)
@given(amount=st.integers(0, 10**9), rate=st.integers(0, 99_999))
def test_commission_equals_the_integer_reference(amount, rate):
    decimal_rate = Decimal(rate) / 100  # what PlatformSettings.commission_rate holds (2 decimals)
    assert rules.commission_cents(amount, decimal_rate) == ref_commission(amount, rate)
    # The same rate as a string or an int (whole percents) gives the same cents.
    assert rules.commission_cents(amount, str(decimal_rate)) == ref_commission(amount, rate)
    if rate % 100 == 0:
        assert rules.commission_cents(amount, rate // 100) == ref_commission(amount, rate)


@settings(max_examples=300, deadline=None, database=None)
@given(amount=st.integers(1, 10**7), rate=st.integers(1, 9_999))
def test_commission_halves_round_up(amount, rate):
    exact_ten_thousandths = amount * rate
    result = rules.commission_cents(amount, Decimal(rate) / 100)
    assert type(result) is int
    # Within half a cent of the exact value, and a half rounds up.
    assert abs(result * 10_000 - exact_ten_thousandths) <= 5_000
    if exact_ten_thousandths % 10_000 == 5_000:
        assert result * 10_000 == exact_ten_thousandths + 5_000


@settings(max_examples=300, deadline=None, database=None)
@given(goal=st.integers(0, 10**9), percent=st.one_of(st.none(), st.integers(0, 10_000)))
def test_cap_equals_the_integer_reference(goal, percent):
    expected = None if percent is None else goal * percent // 100
    result = rules.cap_cents(goal, percent)
    assert result == expected
    assert result is None or type(result) is int


@settings(max_examples=300, deadline=None, database=None)
@given(
    amount=st.integers(0, 10**7),
    ratio=st.integers(0, 99_999),
    cap=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_matched_amount_equals_the_integer_reference(amount, ratio, cap):
    result = matching.matched_amount(amount, Decimal(ratio) / 100, cap)
    assert result == ref_matched(amount, ratio, cap)
    assert type(result) is int


# The model of a site ---------------------------------------------------------------------------


@dataclass
class RefOffer:
    pk: int
    campaigns: set[int]  # campaign indexes it covers (empty when inactive)
    ratio_hundredths: int
    cap_per_pledge: int | None
    cap_per_campaign: int | None
    envelope: int


@dataclass
class RefPledge:
    pk: int
    campaign: int
    amount: int
    reward: int | None
    status: str
    online: bool
    expires_at: object
    email: str
    history: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Model:
    goals: list[int]  # cents
    cap_percent: int | None
    max_pledge: int  # euros
    hold: timedelta
    stocks: list[int | None]
    reward_min: list[int]  # cents
    offers: list[RefOffer]
    pledges: list[RefPledge] = field(default_factory=list)
    # (offer pk, pledge pk) -> [amount, released]
    allocations: dict = field(default_factory=dict)
    reward_pks: list[int] = field(default_factory=list)
    # A pending pledge completed after its hold ended (no completion path does that, but
    # `transition` allows it): stock and cap may then be passed, so those checks are skipped.
    late_completion: bool = False

    def holds(self, pledge, now) -> bool:
        if pledge.status in REF_COUNTED:
            return True
        return pledge.status == "pending" and pledge.expires_at is not None and now < pledge.expires_at

    def held_cents(self, campaign, now) -> int:
        return sum(p.amount for p in self.pledges if p.campaign == campaign and self.holds(p, now))

    def cap(self, campaign) -> int | None:
        return None if self.cap_percent is None else self.goals[campaign] * self.cap_percent // 100

    def refusal(self, campaign, amount, reward, now) -> str | None:
        """The error code create_pledge must raise, or None when it must accept."""
        if amount <= 0:
            return "min"
        if amount > self.max_pledge * 100:
            return "max"
        if reward is not None:
            if amount < self.reward_min[reward]:
                return "below_reward"
            taken = sum(1 for p in self.pledges if p.reward == reward and self.holds(p, now))
            if self.stocks[reward] is not None and taken >= self.stocks[reward]:
                return "sold_out"
        cap = self.cap(campaign)
        if cap is not None and self.held_cents(campaign, now) + amount > cap:
            return "over_cap"
        return None

    def unreleased(self, offer_pk, campaign=None) -> int:
        by_pk = {p.pk: p for p in self.pledges}
        return sum(
            amount
            for (o, p), (amount, released) in self.allocations.items()
            if o == offer_pk and not released and (campaign is None or by_pk[p].campaign == campaign)
        )

    def allocate(self, pledge):
        for offer in self.offers:  # offers_for orders by pk
            if pledge.campaign not in offer.campaigns or (offer.pk, pledge.pk) in self.allocations:
                continue
            amount = ref_matched(pledge.amount, offer.ratio_hundredths, offer.cap_per_pledge)
            amount = min(amount, offer.envelope - self.unreleased(offer.pk))
            if offer.cap_per_campaign is not None:
                amount = min(amount, offer.cap_per_campaign - self.unreleased(offer.pk, pledge.campaign))
            if amount > 0:
                self.allocations[(offer.pk, pledge.pk)] = [amount, False]

    def move(self, pledge, to_status):
        from_status = pledge.status
        pledge.status = to_status
        pledge.history.append((from_status, to_status))
        if to_status in REF_COUNTED and from_status not in REF_COUNTED:
            self.allocate(pledge)
        elif to_status in REF_RELEASING:
            for key, value in self.allocations.items():
                if key[1] == pledge.pk:
                    value[1] = True

    def crowd(self, campaign) -> tuple[int, int]:
        counted = [p for p in self.pledges if p.campaign == campaign and p.status in REF_COUNTED]
        return sum(p.amount for p in counted), len(counted)

    def matched(self, campaign) -> int:
        by_pk = {p.pk: p for p in self.pledges}
        return sum(
            amount
            for (_o, p), (amount, released) in self.allocations.items()
            if not released and by_pk[p].campaign == campaign and by_pk[p].status in REF_COUNTED
        )


def ref_status(start, end, now, total, goal, outcome) -> str:
    if outcome == "cancelled":
        return "cancelled"
    if now < start:
        return "upcoming"
    if now < end:
        return "live"
    if outcome:
        return outcome
    return "succeeded" if total >= goal else "failed"


# Strategies ------------------------------------------------------------------------------------

offer_strategy = st.fixed_dictionaries(
    {
        "scope": st.sampled_from(["campaign:0", "campaign:1", "campaign:2", "theme"]),
        "ratio": st.sampled_from([0, 1, 33, 50, 100, 150, 200, 250]),
        "cap_per_pledge": st.one_of(st.none(), st.integers(1, 5_000)),
        "cap_per_campaign": st.one_of(st.none(), st.integers(1, 15_000)),
        "envelope": st.integers(1, 30_000),
        "only_on_success": st.booleans(),
        "active": st.sampled_from([True, True, False]),
    }
)
amount_strategy = st.one_of(
    st.integers(1, 3_000),
    st.sampled_from([-100, 0, 1, 2_000, 2_001, 10_000, 10_001]),  # around the maximum pledges (20 €, 100 €)
    st.sampled_from(["room", "room+1"]),  # exactly the cap's room left, and one cent more
)
pledge_op = st.tuples(
    st.just("pledge"), st.integers(0, N_CAMPAIGNS), amount_strategy, st.one_of(st.none(), st.integers(0, 2))
)
drive_op = st.tuples(st.just("drive"), st.integers(0, 40), st.sampled_from(PATHS))
op_strategy = st.one_of(
    pledge_op,
    drive_op,
    st.tuples(st.just("offline"), st.integers(0, N_CAMPAIGNS - 1), st.integers(1, 30_000), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 40), st.sampled_from(ALL_STATUSES)),
    st.tuples(st.just("wait"), st.integers(1, 45)),
    st.tuples(st.just("until_expiry"), st.integers(0, 40)),  # to the exact instant a hold ends
    st.tuples(st.just("expire")),
    st.tuples(st.just("reach_goal"), st.integers(0, N_CAMPAIGNS - 1)),  # an offline gift up to the goal exactly
)
# A few pledges first, then anything: pledges, moves along the state machine, time, expiry.
ops_strategy = st.tuples(
    st.lists(pledge_op, min_size=1, max_size=6),
    st.lists(st.one_of(drive_op, drive_op, op_strategy), min_size=2, max_size=12),
).map(lambda parts: parts[0] + parts[1])
scenario_strategy = st.fixed_dictionaries(
    {
        "goals": st.lists(st.integers(5, 200), min_size=N_CAMPAIGNS, max_size=N_CAMPAIGNS),
        "cap_percent": st.sampled_from([None, 100, 150, 200]),
        "max_pledge": st.sampled_from([20, 100, 2_000]),
        "hold_minutes": st.sampled_from([5, 30]),
        "stocks": st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=N_CAMPAIGNS, max_size=N_CAMPAIGNS),
        "reward_min": st.lists(st.integers(1, 20), min_size=N_CAMPAIGNS, max_size=N_CAMPAIGNS),
        "offers": st.lists(offer_strategy, min_size=1, max_size=3),
        "ops": ops_strategy,
        "closings": st.lists(
            st.sampled_from([None, None, "succeeded", "failed", "cancelled"]),
            min_size=N_CAMPAIGNS,
            max_size=N_CAMPAIGNS,
        ),
    }
)


# The site, built once per test -----------------------------------------------------------------


@pytest.fixture
def site_campaigns(make_campaign, theme):
    """Three live French campaigns (0 and 1 in a theme) and the English page of campaign 0."""
    campaigns = [make_campaign(themes=[theme]), make_campaign(themes=[theme]), make_campaign()]
    english = campaigns[0].copy_for_translation(Locale.objects.get_or_create(language_code="en")[0], copy_parents=True)
    english.save_revision().publish()
    # One start and one end for every page, so instants around them are comparable.
    start = timezone.now() - timedelta(days=1)
    pks = [*(c.pk for c in campaigns), english.pk]
    CampaignPage.objects.filter(pk__in=pks).update(start_at=start, end_at=start + timedelta(days=31))
    return [CampaignPage.objects.get(pk=c.pk) for c in campaigns], CampaignPage.objects.get(pk=english.pk)


def build(scenario, campaigns, theme) -> Model:
    """Apply the scenario's rules, rewards and offers to the site; return the model."""
    for index, campaign in enumerate(campaigns):
        CampaignPage.objects.filter(translation_key=campaign.translation_key).update(goal=scenario["goals"][index])
    site_rules = services.platform_rules(campaigns[0])
    site_rules.overfunding_cap_percent = scenario["cap_percent"]
    site_rules.max_pledge = scenario["max_pledge"]
    site_rules.pending_checkout_minutes = scenario["hold_minutes"]
    site_rules.save()
    rewards = [
        RewardTier.objects.create(
            page=campaign,
            locale=campaign.locale,
            title=f"Contrepartie {index}",
            min_amount=scenario["reward_min"][index],
            stock=scenario["stocks"][index],
        )
        for index, campaign in enumerate(campaigns)
    ]
    sponsor = Sponsor.objects.create(name="Fondation du Val")
    offers = []
    for spec in scenario["offers"]:
        if spec["scope"] == "theme":
            target, covered = {"scope": MatchingOffer.Scope.THEME, "theme": theme}, {0, 1}
        else:
            index = int(spec["scope"].split(":")[1])
            target, covered = {"scope": MatchingOffer.Scope.CAMPAIGN, "campaign": campaigns[index]}, {index}
        offer = MatchingOffer.objects.create(
            sponsor=sponsor,
            ratio=Decimal(spec["ratio"]) / 100,
            cap_per_pledge_cents=spec["cap_per_pledge"],
            cap_per_campaign_cents=spec["cap_per_campaign"],
            envelope_cents=spec["envelope"],
            only_on_success=spec["only_on_success"],
            active=spec["active"],
            **target,
        )
        offers.append(
            RefOffer(
                pk=offer.pk,
                campaigns=covered if spec["active"] else set(),
                ratio_hundredths=spec["ratio"],
                cap_per_pledge=spec["cap_per_pledge"],
                cap_per_campaign=spec["cap_per_campaign"],
                envelope=spec["envelope"],
            )
        )
    model = Model(
        goals=[goal * 100 for goal in scenario["goals"]],
        cap_percent=scenario["cap_percent"],
        max_pledge=scenario["max_pledge"],
        hold=timedelta(minutes=scenario["hold_minutes"]),
        stocks=scenario["stocks"],
        reward_min=[euros * 100 for euros in scenario["reward_min"]],
        offers=offers,
    )
    model.reward_pks = [reward.pk for reward in rewards]
    return model


def play(model, ops, campaigns, english, clock):
    """Play the operations on the site and on the model; check each outcome. Returns the clock."""
    pages = [*campaigns, english]  # index 3: the English page of campaign 0
    for n, op in enumerate(ops):
        kind = op[0]
        if kind == "pledge":
            _, page_index, amount, reward = op
            campaign = 0 if page_index == N_CAMPAIGNS else page_index
            if reward is not None and reward != campaign:
                reward = None  # only a campaign's own reward can be chosen here
            if isinstance(amount, str):
                room = (model.cap(campaign) or 100_000) - model.held_cents(campaign, clock)
                amount = room + (1 if amount == "room+1" else 0)
            request = services.PledgeRequest(
                amount_cents=amount,
                backer_name=f"Habitant {n}",
                backer_email=f"h{n}@example.org",
                reward_id=model.reward_pks[reward] if reward is not None else None,
            )
            expected = model.refusal(campaign, amount, reward, clock)
            try:
                pledge = services.create_pledge(pages[page_index], request, provider="demo", now=clock)
            except services.PledgeError as error:
                assert (op, error.code) == (op, expected)
                continue
            assert (op, None) == (op, expected)
            assert (pledge.campaign_id, pledge.status, pledge.amount_cents) == (
                campaigns[campaign].pk,
                "pending",
                amount,
            )
            assert pledge.expires_at == clock + model.hold
            model.pledges.append(
                RefPledge(
                    pledge.pk, campaign, amount, reward, "pending", True, clock + model.hold, request.backer_email
                )
            )
            model.pledges[-1].history.append(("", "pending"))
        elif kind == "offline":
            _, campaign, amount, with_email = op
            email = f"don{n}@example.org" if with_email else ""
            gift = Pledge.objects.create(
                campaign=campaigns[campaign],
                amount_cents=amount,
                backer_name=f"Donateur {n}",
                backer_email=email,
                status=S.PAID,
                source=Pledge.Source.CHEQUE,
                paid_at=clock,
            )
            services.record_offline_gift(gift)
            ref = RefPledge(gift.pk, campaign, amount, None, "paid", False, None, email, [("", "paid")])
            model.pledges.append(ref)
            model.allocate(ref)
        elif kind == "move":
            if not model.pledges:
                continue
            _, index, to_status = op
            ref = model.pledges[index % len(model.pledges)]
            if to_status == ref.status:
                assert services.transition(ref.pk, to_status, actor="test") is None  # a replay changes nothing
            elif to_status in REF_ALLOWED[ref.status]:
                if ref.status == "pending" and to_status in REF_COUNTED and not model.holds(ref, clock):
                    model.late_completion = True
                moved = services.transition(ref.pk, to_status, actor="test")
                assert moved.status == to_status
                model.move(ref, to_status)
            else:
                with pytest.raises(services.InvalidTransition):
                    services.transition(ref.pk, to_status, actor="test")
        elif kind == "drive":
            if not model.pledges:
                continue
            _, index, path = op
            ref = model.pledges[index % len(model.pledges)]
            for to_status in path:
                if to_status == ref.status:
                    continue
                if to_status not in REF_ALLOWED[ref.status]:
                    with pytest.raises(services.InvalidTransition):
                        services.transition(ref.pk, to_status, actor="test")
                    break
                if ref.status == "pending" and to_status in REF_COUNTED and not model.holds(ref, clock):
                    model.late_completion = True
                assert services.transition(ref.pk, to_status, actor="test").status == to_status
                model.move(ref, to_status)
        elif kind == "wait":
            clock += timedelta(minutes=op[1])
        elif kind == "until_expiry":
            ends = sorted({p.expires_at for p in model.pledges if p.status == "pending" and p.expires_at > clock})
            if ends:
                clock = ends[op[1] % len(ends)]
        elif kind == "reach_goal":
            campaign = op[1]
            missing = model.goals[campaign] - model.crowd(campaign)[0] - model.matched(campaign)
            if missing > 0:
                play(model, [("offline", campaign, missing, True)], campaigns, english, clock)
        elif kind == "expire":
            due = [p for p in model.pledges if p.online and p.status == "pending" and clock >= p.expires_at]
            assert services.expire_pending_pledges(now=clock) == len(due)
            for ref in due:
                model.move(ref, "cancelled")
    return clock


def check_pledges_and_stock(model, campaigns, clock):
    rows = {p.pk: p for p in Pledge.objects.all()}
    assert {pk: (p.status, p.amount_cents) for pk, p in rows.items()} == {
        ref.pk: (ref.status, ref.amount) for ref in model.pledges
    }
    trails = {}
    for event in PledgeEvent.objects.order_by("pledge_id", "created_at", "pk"):
        trails.setdefault(event.pledge_id, []).append((event.from_status, event.to_status))
    assert trails == {ref.pk: ref.history for ref in model.pledges if ref.history}
    reserved = {r.pk: r.reserved for r in ledger.rewards_with_stock(RewardTier.objects.all(), now=clock)}
    for index, reward_pk in enumerate(model.reward_pks):
        expected = sum(1 for p in model.pledges if p.reward == index and model.holds(p, clock))
        assert reserved[reward_pk] == expected
        if not model.late_completion:
            assert model.stocks[index] is None or expected <= model.stocks[index]
    for index, campaign in enumerate(campaigns):
        cap = model.cap(index)
        # New pledges never took more than the cap (offline gifts are recorded whatever the cap).
        online = sum(p.amount for p in model.pledges if p.campaign == index and p.online and model.holds(p, clock))
        assert model.late_completion or cap is None or online <= cap
        assert services.pledges_by_status(campaign) == {
            status: (
                sum(1 for p in model.pledges if p.campaign == index and p.status == status),
                sum(p.amount for p in model.pledges if p.campaign == index and p.status == status),
            )
            for status in {p.status for p in model.pledges if p.campaign == index}
        }


def check_allocations(model, campaigns):
    """(b): allocations are the model's and stay within every envelope and cap."""
    rows = list(MatchAllocation.objects.select_related("pledge", "offer"))
    assert {(a.offer_id, a.pledge_id): [a.amount_cents, a.released] for a in rows} == model.allocations
    for offer in MatchingOffer.objects.all():
        live = [a for a in rows if a.offer_id == offer.pk and not a.released]
        spent = sum(a.amount_cents for a in live)
        assert spent <= offer.envelope_cents
        assert matching.offer_usage(offer) == (spent, offer.envelope_cents - spent)
        for campaign in campaigns:
            of_campaign = sum(a.amount_cents for a in live if a.pledge.campaign_id == campaign.pk)
            assert offer.cap_per_campaign_cents is None or of_campaign <= offer.cap_per_campaign_cents
        for allocation in live:
            assert allocation.amount_cents > 0
            assert allocation.pledge.status in REF_COUNTED
            assert offer.cap_per_pledge_cents is None or allocation.amount_cents <= offer.cap_per_pledge_cents
            assert allocation.amount_cents <= ref_matched(allocation.pledge.amount_cents, int(offer.ratio * 100), None)
    for allocation in rows:
        if allocation.released:
            assert allocation.pledge.status in REF_RELEASING
    for index, campaign in enumerate(campaigns):
        assert ledger.matched_for(campaign.translation_key) == model.matched(index)


def check_figures(model, campaigns, english, outcomes, clock):
    """(a): single page, listing and status filter agree with each other and with the model."""
    pages = [*campaigns, english]
    index_of = {page.pk: (0 if page is english else i) for i, page in enumerate(pages)}
    start, end = campaigns[0].start_at, campaigns[0].end_at  # the same dates on every page
    assert all((page.start_at, page.end_at) == (start, end) for page in pages)
    instants = [start - US, start, clock, end - US, end, end + timedelta(days=2)]
    french = CampaignPage.objects.filter(pk__in=[c.pk for c in campaigns])
    for now in instants:
        listing = {row.pk: row for row in ledger.with_figures(CampaignPage.objects.filter(pk__in=index_of))}
        expected_status = {}
        for pk, index in index_of.items():
            crowd, backers = model.crowd(index)
            matched = model.matched(index)
            total = crowd + matched
            status = ref_status(start, end, now, total, model.goals[index], outcomes[index])
            expected_status[pk] = status
            expected = (model.goals[index], total, backers, matched, status, total * 100 // model.goals[index])

            single = ledger.campaign_figures(CampaignPage.objects.get(pk=pk), now=now)
            listed = ledger.campaign_figures(listing[pk], now=now)
            got = (single.goal_cents, single.raised_cents, single.backers, single.matched_cents)
            assert (*got, single.status, single.percent) == expected, (now, pk)
            assert listed == single, (now, pk)
            assert (listing[pk].raised_cents, listing[pk].backer_count, listing[pk].matched_cents) == (
                crowd,
                backers,
                matched,
            )
            detailed = ledger.campaign_figures(CampaignPage.objects.get(pk=pk), now=now, detailed=True)
            assert sum(segment.amount_cents for segment in detailed.segments) == matched
            assert len(detailed.recent_backers) == backers
        for status in CampaignStatus.values:
            filtered = ledger.filter_status(
                ledger.with_figures(CampaignPage.objects.filter(pk__in=index_of)), status, now
            )
            assert set(filtered.values_list("pk", flat=True)) == {
                pk for pk, s in expected_status.items() if s == status
            }, (now, status)
        # The home page's key figures, over every French campaign and over campaigns 0 and 1 only.
        for chosen in (range(N_CAMPAIGNS), (0, 1)):
            key = ledger.site_key_figures(french.filter(pk__in=[campaigns[i].pk for i in chosen]), now=now)
            counted = [p for p in model.pledges if p.status in REF_COUNTED and p.campaign in chosen]
            ended = [i for i in chosen if now >= end]
            funded = [i for i in ended if expected_status[campaigns[i].pk] == "succeeded"]
            assert (key["raised_cents"], key["ended"], key["funded"]) == (
                sum(p.amount for p in counted),
                len(ended),
                len(funded),
            )
            assert key["backers"] == len({p.email for p in counted if p.email}) + sum(1 for p in counted if not p.email)


@pytest.mark.django_db
@EXAMPLES
@given(scenario=scenario_strategy)
def test_random_pledges_keep_every_figure_in_agreement(site_campaigns, theme, scenario):
    campaigns, english = site_campaigns

    def example():
        model = build(scenario, campaigns, theme)
        clock = play(model, scenario["ops"], campaigns, english, timezone.now())
        check_pledges_and_stock(model, campaigns, clock)
        check_allocations(model, campaigns)
        for index, outcome in enumerate(scenario["closings"]):
            if outcome:
                CampaignClosing.objects.create(campaign=campaigns[index], outcome=outcome, raised_cents=0)
        check_figures(model, campaigns, english, scenario["closings"], clock)

    rolled_back(example)


@pytest.mark.django_db
@EXAMPLES
@given(
    offers=st.lists(offer_strategy, min_size=1, max_size=3),
    amounts=st.lists(st.integers(1, 20_000), min_size=1, max_size=12),
    releases=st.lists(st.integers(0, 11), max_size=6),
)
def test_allocations_never_exceed_envelopes_or_caps(site_campaigns, theme, offers, amounts, releases):
    """Many pledges into few envelopes: commit them all, release some, commit more."""
    campaigns, _english = site_campaigns
    scenario = {
        "goals": [300] * N_CAMPAIGNS,
        "cap_percent": None,
        "max_pledge": 2_000,
        "hold_minutes": 30,
        "stocks": [None] * N_CAMPAIGNS,
        "reward_min": [1] * N_CAMPAIGNS,
        "offers": offers,
    }

    def example():
        model = build(scenario, campaigns, theme)
        ops = [("pledge", n % N_CAMPAIGNS, amount, None) for n, amount in enumerate(amounts)]
        ops += [("move", n, "committed") for n in range(len(amounts))]
        ops += [("move", n, "cancelled") for n in releases]
        ops += [("pledge", n % N_CAMPAIGNS, amount, None) for n, amount in enumerate(amounts)]
        ops += [("move", n, "paid") for n in range(2 * len(amounts))]
        play(model, ops, campaigns, _english, timezone.now())
        check_allocations(model, campaigns)

    rolled_back(example)
