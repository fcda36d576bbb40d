"""Debian's Chromium, as the browser tests' fixtures and `make screenshots` launch it, so both
see the same thing (the site they look at runs under gunicorn: tests/live_server.py)."""

import os

from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium as root, headless, with nothing reaching for the network on its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class BrowserMissing(RuntimeError):
    pass


def chromium_path() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        raise BrowserMissing(
            f"{CHROMIUM} is missing: install Debian's chromium package (make test does so when run as root)."
        )
    return CHROMIUM


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
