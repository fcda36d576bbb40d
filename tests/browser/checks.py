"""Checks a person would make with a browser: axe-core, contrast, focus, keyboard, reflow."""

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
axe = Axe()


def axe_violations(page) -> list[str]:
    """One readable line per axe violation and element, empty when the page passes."""
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {node['target']}: {node['failureSummary']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def assert_accessible(page) -> None:
    """Zero axe violations. axe runs in the page: for a page with JavaScript off (where it
    would wait forever) use assert_accessible_without_javascript."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def assert_accessible_without_javascript(browser, page) -> None:
    """Zero axe violations on what a visitor without JavaScript has in front of them: the
    same document, at the same address, opened where only axe runs (the site's scripts are
    kept out, so nothing enhances it first)."""
    html, url = page.content(), page.url
    context = browser.new_context()
    try:
        context.route("**/*.js", lambda route: route.abort("blockedbyclient"))
        context.route(url, lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))
        checked = context.new_page()
        checked.goto(url)
        assert checked.evaluate("typeof htmx") == "undefined"
        assert_accessible(checked)
    finally:
        context.close()


# Colours as the browser computed them; a background is what shows through all the
# (semi-transparent) layers behind the element, on the page's white canvas.
COLOURS_JS = """
(() => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]));
  window.__backgroundOf = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
  };
  window.__colourOf = (element, background) => {
    const c = parse(getComputedStyle(element).color);
    return over(c, background);
  };
  window.__describe = (element) => {
    const id = element.id ? "#" + element.id : "";
    const cls = typeof element.className === "string" && element.className ? "." + element.className.trim().split(/\\s+/).join(".") : "";
    return element.tagName.toLowerCase() + id + cls;
  };
  window.__isShown = (element) => {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return element.getClientRects().length > 0 && style.visibility === "visible" && Number(style.opacity) > 0
      && box.width > 1 && box.height > 1;
  };
  window.__textColours = () => {
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
      const ownText = [...element.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
      if (!ownText || !window.__isShown(element)) continue;
      const background = window.__backgroundOf(element);
      found.push({element: window.__describe(element), text: ownText.slice(0, 40),
                  colour: window.__colourOf(element, background), background});
    }
    return found;
  };
})();
"""


def relative_luminance(rgb) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def install_colour_helpers(page) -> None:
    page.evaluate(COLOURS_JS)


def low_contrast_text(page, minimum: float = 4.5) -> list[str]:
    """Every piece of shown text whose colour is below `minimum`:1 against its background."""
    install_colour_helpers(page)
    return [
        f"{item['element']} {item['text']!r}: {contrast_ratio(item['colour'], item['background']):.2f}"
        for item in page.evaluate("window.__textColours()")
        if contrast_ratio(item["colour"], item["background"]) < minimum
    ]


FOCUS_JS = """
(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const background = window.__backgroundOf(element);
  const surroundings = window.__backgroundOf(element.parentElement || element);
  const box = element.getBoundingClientRect();
  return {
    element: window.__describe(element),
    text: (element.innerText || element.value || "").trim().slice(0, 40),
    focusVisible: element.matches(":focus-visible"),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColour: style.outlineColor,
    boxShadow: style.boxShadow,
    colour: window.__colourOf(element, background),
    background,
    surroundings,
    inViewport: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
  };
})()
"""


def focused(page) -> dict | None:
    """What has focus and how it looks; None when focus is on the page itself."""
    install_colour_helpers(page)
    return page.evaluate(FOCUS_JS)


def parse_rgb(css: str) -> tuple[float, float, float] | None:
    start = css.find("rgb")
    if start < 0:
        return None
    inside = css[css.index("(", start) + 1 : css.index(")", start)]
    parts = [float(p) for p in inside.replace(",", " ").replace("/", " ").split()]
    return tuple(parts[:3])


def focus_problems(state: dict) -> list[str]:
    """Why a focused control's focus would be hard to see, if it would."""
    problems = []
    indicator_colours = []
    if state["outlineStyle"] != "none" and state["outlineWidth"] >= 2:
        indicator_colours.append(parse_rgb(state["outlineColour"]))
    if state["boxShadow"] != "none":
        indicator_colours.append(parse_rgb(state["boxShadow"]))
    # A focus background of its own (a yellow highlight on a link) marks focus too.
    indicator_colours.append(state["background"])
    indicator_colours = [c for c in indicator_colours if c]
    if state["outlineStyle"] == "none" and state["boxShadow"] == "none" and state["background"] == state["surroundings"]:
        problems.append("no outline, box-shadow or background")
    # The indicator must stand out (3:1, WCAG 1.4.11) from what is around the control.
    elif max(contrast_ratio(c, state["surroundings"]) for c in indicator_colours) < 3:
        problems.append("focus indicator below 3:1 against its surroundings")
    text_ratio = contrast_ratio(state["colour"], state["background"])
    if state["text"] and text_ratio < 4.5:
        problems.append(f"text contrast {text_ratio:.2f} when focused")
    if not state["inViewport"]:
        problems.append("scrolled out of view")
    return problems


# Everything a keyboard user should be able to reach, in document order.
FOCUSABLE_JS = """
[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')]
  .filter((e) => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility === "visible")
  .map((e) => window.__describe(e) + " " + (e.innerText || e.name || e.id || "").trim().slice(0, 40))
"""


def focusable(page) -> list[str]:
    install_colour_helpers(page)
    return page.evaluate(FOCUSABLE_JS)


def describe_focused(page) -> str | None:
    return page.evaluate(
        """(() => { const e = document.activeElement;
             if (!e || e === document.body) return null;
             return window.__describe(e) + " " + (e.innerText || e.name || e.id || "").trim().slice(0, 40); })()"""
    )


def tab_through(page, limit: int = 200) -> list[dict]:
    """Press Tab from the top of the page until focus leaves the page; the state of each stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if state is None or (stops and describe_focused(page) == stops[0]["id"]):
            return stops
        state["id"] = describe_focused(page)
        stops.append(state)
    raise AssertionError(f"focus did not leave the page after {limit} Tab presses")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
