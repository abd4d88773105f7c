"""The project index's filters and sort work without JavaScript: a plain GET form."""

from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import links_in
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _listed(page, campaigns):
    """Campaign paths listed in the results, in order."""
    return [p for p in dict.fromkeys(links_in(page.locator("main"))) if p in campaigns]


def _submit(page, form):
    with page.expect_navigation():
        form.locator('button[type="submit"], input[type="submit"]').first.click()


def test_filter_and_sort_without_javascript(nojs_page, site_data):
    page = nojs_page
    campaigns = {c["url"]: c for c in site_data["campaigns"]}
    assert page.goto(site_data["project_index"]).ok

    form = page.locator("form").filter(has=page.locator('select[name="theme"]'))
    expect(form).to_have_count(1)
    assert (form.get_attribute("method") or "get").lower() == "get"
    before = _listed(page, campaigns)
    assert before, "the project index lists no campaign"

    # A theme that some listed campaign does not belong to, and that has campaigns.
    options = form.locator('select[name="theme"] option').evaluate_all("els => els.map(e => e.value).filter(Boolean)")
    themes = {t["slug"]: t for t in site_data["themes"]}

    def members(slug):
        return {url for url, c in campaigns.items() if themes[slug]["key"] in c["themes"]}

    candidates = [slug for slug in options if slug in themes and members(slug) and set(before) - members(slug)]
    assert candidates, f"no theme filter would change the list; options={options}"
    slug = max(candidates, key=lambda s: len(members(s)))
    in_theme = members(slug)

    form.locator('select[name="theme"]').select_option(slug)
    _submit(page, form)
    assert parse_qs(urlsplit(page.url).query).get("theme") == [slug], page.url
    after_theme = _listed(page, campaigns)
    assert after_theme, f"theme {slug} lists nothing"
    assert set(after_theme) <= in_theme, f"campaigns of other themes still listed: {set(after_theme) - in_theme}"
    gone = set(before) - in_theme
    assert gone and not gone & set(after_theme)

    # Then a status, among those the theme's campaigns have; the theme stays selected.
    form = page.locator("form").filter(has=page.locator('select[name="status"]'))
    expect(form.locator('select[name="theme"]')).to_have_value(slug)
    statuses = [campaigns[url]["status"] for url in sorted(in_theme)]
    status = max(set(statuses), key=lambda s: (statuses.count(s) < len(statuses), statuses.count(s)))
    form.locator('select[name="status"]').select_option(status)
    _submit(page, form)
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("theme") == [slug] and query.get("status") == [status], page.url
    after_status = _listed(page, campaigns)
    assert after_status, f"theme {slug} + status {status} lists nothing"
    assert all(campaigns[url]["status"] == status and url in in_theme for url in after_status), after_status

    # Sort by amount raised: the filters are kept, the order follows the ledger.
    form = page.locator("form").filter(has=page.locator('select[name="sort"]'))
    sort_values = form.locator('select[name="sort"] option').evaluate_all("els => els.map(e => e.value)")
    assert "funded" in sort_values, sort_values
    form.locator('select[name="sort"]').select_option("funded")
    _submit(page, form)
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("sort") == ["funded"] and query.get("theme") == [slug] and query.get("status") == [status]
    sorted_list = _listed(page, campaigns)
    assert set(sorted_list) == set(after_status) or len(after_status) >= 12
    raised = [campaigns[url]["raised_cents"] for url in sorted_list]
    assert raised == sorted(raised, reverse=True), list(zip(sorted_list, raised, strict=True))
