"""Issue 11: results first on a phone, measured by position in Chromium on the real content."""

import pytest

SCREEN = 844  # a 390 × 844 phone


def top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


@pytest.fixture(params=[("", 120), ("/ar", 150)], ids=["sv", "ar"])
def phone(request, browser):
    """A phone in Swedish or Arabic, and the header height each gets (the Arabic site name takes two lines)."""
    context = browser.new_context(viewport={"width": 390, "height": SCREEN})
    yield context.new_page(), *request.param
    context.close()


def test_the_header_is_compact_and_the_search_field_is_on_the_first_screen(phone, live_server):
    page, prefix, header = phone
    page.goto(f"{live_server}{prefix}/")
    assert page.locator(".site-header").bounding_box()["height"] <= header
    assert top(page, "#q") + page.locator("#q").bounding_box()["height"] <= SCREEN
    for link in page.locator(".languages a").all():
        assert link.bounding_box()["height"] >= 24  # WCAG 2.5.8 target size


@pytest.mark.parametrize("query", ["q=kafé", "q=jobb", "stadsdel=farsta&ips=ja", "q=musik"])
def test_after_a_search_the_first_result_is_on_the_first_screen(phone, live_server, query):
    page, prefix, _header = phone
    page.goto(f"{live_server}{prefix}/sok?{query}")
    first = ".hit" if page.locator(".hit").count() else ".guidance, .no-results"  # something to go on
    assert top(page, first) < SCREEN, query
    assert page.locator("details.filters").get_attribute("open") is None  # the filters wait behind one tap


def test_the_filter_disclosure_says_how_many_are_chosen_and_opens_without_javascript(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": SCREEN}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/sok?stadsdel=farsta&ips=ja")
    summary = page.locator("details.filters > summary")
    assert summary.inner_text().strip() == "Filtrera · 2 valda"
    assert not page.locator("button.apply").is_visible()
    summary.click()
    page.uncheck("input[name=ips][value=ja]")
    with page.expect_navigation():
        page.click("button.apply")
    assert page.url.endswith("/sok?stadsdel=farsta")
    assert top(page, ".hit") < SCREEN
    context.close()


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_a_desktop_keeps_the_filters_open_beside_the_results(browser, live_server, prefix):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}{prefix}/sok?q=kafé")
    assert page.locator("details.filters").get_attribute("open") is not None
    filters, results = page.locator("details.filters").bounding_box(), page.locator("#traffar").bounding_box()
    assert abs(filters["y"] - results["y"]) < 50 and filters["x"] != results["x"]  # side by side
    assert top(page, ".hit") < 900
    context.close()


@pytest.mark.parametrize("prefix", ["", "/ar"])
def test_a_comparison_of_four_fits_a_phone_with_each_name_once(browser, live_server, prefix):
    context = browser.new_context(viewport={"width": 390, "height": SCREEN})
    page = context.new_page()
    names = ["misa", "alfa", "fountain-house-stockholm", "stadsmissionen-motesplats-mariatorget"]
    page.goto(f"{live_server}{prefix}/jamfor?" + "&".join(f"v={slug}" for slug in names))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls inside its region
    assert page.evaluate("document.documentElement.scrollHeight") < 3 * SCREEN  # it was 4,437 px
    table = page.locator(".compare table")
    # A plain table (no ARIA roles, which only broke its conformance) with each name once, as a column header.
    assert table.get_attribute("role") is None and page.locator("thead th[scope=col]").count() == 4
    assert table.inner_text().count("Alfa – vägledning till sysselsättning") == 1  # each name once, in the header
    region = page.locator(".compare")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth") and region.get_attribute("tabindex") == "0"
    context.close()


def test_nothing_to_share_when_nothing_was_found(page, live_server):
    page.goto(live_server + "/sok?q=xylofonkvartett")
    assert page.locator(".hit").count() == 0 and page.locator("#dela").count() == 0
