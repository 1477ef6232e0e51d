"""Browser test fixtures: the app served on loopback, Debian's Chromium driven headless by Playwright.

Playwright cannot download browsers here, so it launches the system Chromium by path. Without it
the tests skip, saying so; on CI (CI=true, where .ci/run installs Chromium) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from api.config import ROOT

CHROMIUM = os.environ.get("ELIGIBILITY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Set to a folder (e.g. docs/screenshots) to write the README's screenshots while the tests run.
SCREENSHOTS = os.environ.get("ELIGIBILITY_SCREENSHOTS_DIR")


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; CI's .ci/run installs it)"
    if not AXE.exists():
        return f"axe-core not installed at {AXE} (run `make install`, which runs npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the whole session."""
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(rules, tmp_path_factory):
    """The app on a free loopback port with a fresh SQLite record store; yields its base URL."""
    folder = tmp_path_factory.mktemp("browser")
    app = create_app({"RULESET": rules, "DATABASE_URL": f"sqlite:///{folder / 'records.sqlite3'}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["eligibility-storage"].dispose()


class Tab:
    """A page and what went wrong on it: console errors and failed requests are collected."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))

    def _console(self, message) -> None:
        # A form sent back with problems is answered 422 on purpose; Chromium logs every 4xx page load.
        if message.type == "error" and "status of 422" not in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def axe(self) -> list[dict]:
        """axe-core's serious and critical violations on the page as it is now."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))""")
        return [v for v in violations if v["impact"] in ("serious", "critical")]

    def screenshot(self, name: str, selector: str | None = None) -> None:
        """Write docs/screenshots/<name>.png when ELIGIBILITY_SCREENSHOTS_DIR asks for it."""
        if not SCREENSHOTS:
            return
        path = Path(SCREENSHOTS) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if selector:
            self.page.locator(selector).screenshot(path=str(path))
        else:  # the first screen, as a caseworker sees it
            self.page.evaluate("window.scrollTo(0, 0)")
            self.page.screenshot(path=str(path))


@pytest.fixture
def tab(browser):
    """A fresh browser context (JavaScript on) and page."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield Tab(context.new_page())
    context.close()


@pytest.fixture
def tab_without_script(browser):
    """A page with JavaScript switched off: the core flow must work without it."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, java_script_enabled=False)
    yield Tab(context.new_page())
    context.close()
