"""Shared by the real-browser tests: a headless Debian Chromium driven through dash's testing."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium.webdriver.chrome.options import Options as ChromeOptions

CHROMIUM = os.environ.get("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")


def browser_available() -> bool:
    """Whether Chromium and ChromeDriver are installed."""
    return Path(CHROMIUM).exists() and shutil.which("chromedriver") is not None


class _Options(ChromeOptions):
    """Chrome options whose logging prefs dash's Browser cannot narrow to `browser` only."""

    def set_capability(self, name, value):
        if name == "goog:loggingPrefs":
            value = {**value, "browser": "ALL", "performance": "ALL"}
        super().set_capability(name, value)


@contextmanager
def headless_dash(
    server: Any, download_dir: Path, *, arguments: tuple[str, ...], wait_timeout: int
) -> Iterator[Any]:
    """A DashComposite on `server` in headless Chromium, with the performance log on."""
    from dash.testing.composite import DashComposite

    os.environ.setdefault("DASH_TEST_CHROMEPATH", CHROMIUM)
    options = _Options()
    for argument in arguments:
        options.add_argument(argument)
    with DashComposite(
        server=server,
        browser="Chrome",
        headless=True,
        options=[options],
        download_path=str(download_dir),
        percy_run=False,
        wait_timeout=wait_timeout,
    ) as composite:
        yield composite


@contextmanager
def chromium_page(width: int, height: int) -> Iterator[Any]:
    """A plain headless Chromium (selenium) with a `width`×`height` window at one device pixel
    per CSS pixel, to open files as a user's browser does."""
    from selenium import webdriver

    options = ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options)
    try:
        yield driver
    finally:
        driver.quit()


def typed_date(driver: Any, iso: str) -> str:
    """The keys that type the ISO date `iso` into a native date input: in the order of the
    browser's locale (headless Chromium's is month/day/year, whatever the page's language)."""
    year, month, day = iso.split("-")
    order = driver.execute_script(
        "return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2024, 5, 1))"
        ".map((p) => p.type).filter((t) => t !== 'literal').join();"
    )
    parts = {"year": year, "month": month, "day": day}
    return "".join(parts[name] for name in order.split(","))


def wait_for(predicate: Callable[[], Any], message: str, timeout: float = 20.0) -> None:
    """Until `predicate()` is true; AssertionError(message) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(message)
