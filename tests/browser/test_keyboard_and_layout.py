"""Keyboard-only use, focus, small screens, large text, reduced motion and forced colours, in a real browser."""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_accessibility import PAGE_TYPES  # audit.PAGE_KINDS

from catalogue.index.content import load_content

ROOT = Path(__file__).parent.parent.parent

FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, name: e.getAttribute('name'), value: e.getAttribute('value'),
          text: (e.innerText || '').trim(), outline: s.outlineStyle, outlineWidth: s.outlineWidth,
          shadow: s.boxShadow, visible: e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().height > 0,
          top: e.getBoundingClientRect().top}; }"""
CONTROLS = "a[href], summary, button, input:not([type=hidden]), select, textarea"
TABBABLE = f"""() => [...document.querySelectorAll('{CONTROLS}')]
  .filter(e => e.tabIndex >= 0 && !e.closest('[aria-hidden=true]') && e.getClientRects().length)
  .map(e => e.id || e.getAttribute('href') || e.getAttribute('name'))"""


def tab_until(page, predicate, limit=200):
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if predicate(focused):
            return focused
    raise AssertionError("never reached by Tab")


def test_the_checker_finds_violations_when_there_are_some(page, live_server):
    page.goto(live_server + "/sok")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x>')")
    assert "image-alt" in [v["id"] for v in Axe().run(page).response["violations"]]


def test_the_skip_link_is_first_visible_on_focus_and_moves_focus_to_the_content(page, live_server):
    page.goto(live_server + "/sok")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["text"] == "Hoppa till innehållet" and focused["visible"] and focused["top"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innehall"


def test_tab_order_follows_the_page_and_reaches_every_control_without_a_trap(page, live_server):
    page.goto(live_server + "/sok?q=kaf%C3%A9")
    expected = page.evaluate(TABBABLE)
    seen = []
    for _ in range(len(expected)):
        page.keyboard.press("Tab")
        element = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.id || e.getAttribute('href') || e.getAttribute('name'); })()"
        )
        seen.append(element)
    assert seen == expected
    page.keyboard.press("Tab")  # past the last control focus leaves the page: nothing traps it
    assert page.evaluate("document.activeElement === document.body || document.activeElement === null")


@pytest.mark.parametrize(
    "path", ["/sok?q=kaf%C3%A9", "/verksamhet/fountain-house-stockholm", "/rapportera-fel", "/ar/sok"]
)
def test_focus_is_always_visible(page, live_server, path):
    page.goto(live_server + path)
    for _ in range(len(page.evaluate(TABBABLE))):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"]
        assert focused["outline"] != "none" and focused["outlineWidth"] != "0px", focused


def test_filters_are_applied_and_removed_with_the_keyboard_alone(page, live_server):
    page.goto(live_server + "/sok")
    tab_until(page, lambda f: f["name"] == "stadsdel" and f["value"] == "farsta")
    page.keyboard.press("Space")
    tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Visa träffar")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/sok?stadsdel=farsta")
    # Farsta's own offerings and those for the whole city, which are open to someone in Farsta too.
    listed = [r for r in load_content(ROOT / "content").providers if r["status"] != "closed"]
    expected = sum(r.get("district") in ("farsta", "hela-staden") for r in listed)
    assert page.title().startswith(f"{expected} verksamheter")
    tab_until(page, lambda f: f["text"] == "Ta bort filtret Stadsdel: Farsta")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/sok")


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_horizontal_scrolling_at_320_css_pixels(browser, live_server, name):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for lang in ("", "/en", "/fi", "/ar", "/so"):
        page.goto(live_server + lang + PAGE_TYPES[name])
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, lang
    context.close()


@pytest.mark.parametrize("width", [1280, 1024])
@pytest.mark.parametrize("name", ["search with filters", "provider", "district", "report form"])
def test_text_at_200_percent_still_fits(browser, live_server, name, width):
    """Text resized to 200 % on a desktop screen (WCAG 1.4.4); whole-page zoom is the 320 px test."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server + PAGE_TYPES[name])
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = page.evaluate("""[...document.querySelectorAll('label, a, button, h1, h2, p, dt, dd, legend')]
        .filter(e => e.clientWidth > 1 && e.scrollWidth > e.clientWidth + 1
                     && getComputedStyle(e).overflow === 'hidden').length  // clipped text, not hidden helpers""")
    assert overflowing == 0
    context.close()


def test_nothing_moves_when_reduced_motion_is_asked_for(page, live_server):
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server + "/sok")
    moving = page.evaluate("""[...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return parseFloat(s.animationDuration) > 0 || parseFloat(s.transitionDuration) > 0; }).length""")
    assert moving == 0


def test_forced_colours_keep_focus_and_checkboxes_visible(page, live_server):
    page.emulate_media(forced_colors="active")
    page.goto(live_server + "/sok")
    focused = tab_until(page, lambda f: f["name"] == "stadsdel")
    assert focused["outline"] != "none" and focused["visible"]
    assert Axe().run(page).response["violations"] == []


def test_an_error_summary_takes_focus_so_it_is_read_first(page, live_server):
    page.goto(live_server + "/rapportera-fel")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#meddelande"
