"""A citizen's journey: home → an "À la Une" feature → a theme → a campaign, then English and back."""

import re

import pytest
from helpers import amount_regex, links_in, path_of, percent_regex, progress_values
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _follow(page, scope, target_path):
    """Click the first link of `scope` that goes to `target_path`, and wait for that page."""
    index = links_in(scope).index(target_path)
    with page.expect_navigation():
        scope.locator("a[href]").nth(index).click()
    expect(page).to_have_url(re.compile(re.escape(target_path) + r"(\?.*)?$"))


def test_citizen_journey(page, site_data):
    campaigns = {c["url"]: c for c in site_data["campaigns"]}
    themes = {t["url"]: t for t in site_data["themes"]}

    # Home, in French.
    response = page.goto(site_data["home"])
    assert response.ok, response.status
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    # An "À la Une" feature that leads to a theme: a theme itself, or a page tagged with one.
    featured = page.get_by_role("region", name=re.compile(r"à la une|featured", re.I))
    expect(featured).to_be_visible()
    feature_links = [p for p in dict.fromkeys(links_in(featured)) if p in site_data["features"]]
    assert feature_links, f"no featured page linked from the À la Une section; features={site_data['features']}"

    def rank(path):
        if path in campaigns and campaigns[path]["themes"]:
            return 0
        if path in themes:
            return 1
        return 2

    feature = min(feature_links, key=rank)
    _follow(page, featured, feature)

    # A theme, reached through a link (unless the feature was the theme itself).
    if feature in themes:
        theme = themes[feature]
    else:
        main_links = links_in(page.locator("main"))
        theme_link = next((p for p in main_links if p in themes), None)
        assert theme_link, f"{feature} links to no theme page"
        _follow(page, page.locator("main"), theme_link)
        theme = themes[theme_link]
    expect(page.get_by_role("heading", level=1)).to_have_text(theme["title"])

    # A campaign of that theme, from the theme page; prefer one with money raised.
    on_theme = [p for p in dict.fromkeys(links_in(page.locator("main"))) if p in campaigns]
    assert on_theme, f"theme page {theme['url']} lists no campaign"
    strangers = [p for p in on_theme if theme["key"] not in campaigns[p]["themes"]]
    assert not strangers, f"theme page {theme['url']} lists campaigns of other themes: {strangers}"
    target = max(on_theme, key=lambda p: (campaigns[p]["raised_cents"] > 0, campaigns[p]["status"] == "live"))
    campaign = campaigns[target]
    _follow(page, page.locator("main"), target)
    expect(page.get_by_role("heading", level=1)).to_have_text(campaign["title"])

    # Raised amount, percentage and an accessible progress bar.
    main_text = page.locator("main").inner_text()
    assert amount_regex(campaign["raised_cents"]).search(main_text), (
        f"raised amount {campaign['raised_cents'] / 100} € not shown on {target}"
    )
    assert percent_regex(campaign["percent"]).search(main_text), f"{campaign['percent']} % not shown on {target}"
    bar = page.get_by_role("progressbar").first
    expect(bar).to_be_attached()
    values = progress_values(bar)
    assert values["min"] <= values["now"] <= values["max"], values
    expected_now = min(campaign["percent"], 100) * (values["max"] - values["min"]) / 100 + values["min"]
    assert abs(values["now"] - expected_now) < 1, (values, campaign["percent"])
    assert values["name"], f"the progress bar has no accessible name: {values}"

    # English, through the language switcher…
    switcher = page.get_by_role("navigation", name=re.compile(r"langue|language", re.I))
    with page.expect_navigation():
        switcher.locator('a[hreflang="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert path_of(page.url).startswith("/en/"), page.url

    # …and back to French.
    switcher = page.get_by_role("navigation", name=re.compile(r"langue|language", re.I))
    with page.expect_navigation():
        switcher.locator('a[hreflang="fr"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert not path_of(page.url).startswith("/en/"), page.url
