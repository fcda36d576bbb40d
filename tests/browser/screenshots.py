"""PNGs of what visitors see: the page in every language on a desktop and a phone, the
form's error state, and the confirmation.

    python -m tests.browser.screenshots build/screenshots     (what `make screenshots` runs)

It starts the site under gunicorn with a throw-away database and drives Debian's Chromium.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.helpers import LANGUAGES

from tests.live_server import LiveServer

from .live import launch_chromium

WIDTHS = {"desktop": 1280, "phone": 390}


def shoot(new_context, folder: Path) -> list[Path]:
    """Take every screenshot with contexts from `new_context(**options)`; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    taken = []

    def save(page, name):
        path = folder / f"{name}.png"
        page.screenshot(path=path, full_page=True, animations="disabled")
        taken.append(path)

    for lang in LANGUAGES:
        for device, width in WIDTHS.items():
            context = new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
            try:
                page = context.new_page()
                page.goto(f"/{lang}/")
                save(page, f"{lang}-{device}")
                # The state a visitor most needs to understand: what went wrong and where.
                page.locator("#contact-form button[type=submit]").click()
                page.locator("#error-summary").wait_for()
                page.locator("#email").fill("not an address")
                page.locator("#contact-form button[type=submit]").click()
                page.locator("#email-error").wait_for()
                save(page, f"{lang}-{device}-error")
                page.locator("#email").fill("")
                page.locator("#message").fill(
                    "Hej! Vi är en skolklass i Göteborg som vill veta mer om samarbetet med Nelson Mandela Bay."
                )
                # The fields' own checks take their errors away, which moves the button up: a click
                # aimed before that lands beside it (seen under load), so wait for them first.
                page.locator("#email-error").wait_for(state="detached")
                page.locator("#message-error").wait_for(state="detached")
                page.locator("#contact-form button[type=submit]").click()
                page.locator("[data-reference]").wait_for()
                save(page, f"{lang}-{device}-sent")
            finally:
                context.close()
    return taken


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "build/screenshots")
    with tempfile.TemporaryDirectory() as scratch, LiveServer(Path(scratch), workers=1) as server:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                taken = shoot(lambda **options: browser.new_context(base_url=server.url, **options), folder)
            finally:
                browser.close()
    for path in taken:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
