"""The API docs work in a real browser on a machine with no internet."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import build_app
from tests.services import CHROMIUM_ARGS, chromium_path, live_server


def test_docs_ui_renders_every_operation_without_leaving_the_machine(tmp_path):
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    app = build_app(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path)
    with live_server(app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base_url}/api/docs", wait_until="networkidle")
        page.wait_for_selector(".opblock-summary", timeout=15000)
        operations = page.locator(".opblock-summary-path").all_inner_texts()
        title = page.locator(".title").first.inner_text()
        browser.close()
    assert "Rounds" in title
    assert any("/api/v1/events/{event_id}/signups" in text for text in operations)
    assert len(operations) > 50
    outside = [
        url
        for url in requested
        if urlsplit(url).hostname not in ("127.0.0.1", None) and not url.startswith("data:")
    ]
    assert outside == []
    assert any(url.endswith("/api/openapi.json") for url in requested)
