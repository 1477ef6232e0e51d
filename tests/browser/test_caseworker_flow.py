"""A caseworker in a real browser: form, results, every follow-up question, save, the record, print view.

Each page also passes axe-core with no serious or critical violation, and the flow works without JavaScript.
"""

from __future__ import annotations

import re


def go(action, *args) -> None:
    """Click or press, and wait until the page it brings has loaded (its scripts have run)."""
    page = action.__self__
    with page.expect_navigation():
        action(*args)


def fill_household(page) -> None:
    """Most of the worked example (examples/household.json), adding the second person on the way."""
    page.fill("#f-date", "2025-11-15")
    page.fill("#f-members-0-id", "alex")
    page.fill("#f-members-0-age", "34")
    page.select_option("#f-members-0-relationship", "head")
    page.fill("#f-members-0-earned_income", "1450")
    page.fill("#f-members-0-unearned_income", "0")
    go(page.click, "text=Add a person")
    page.wait_for_selector("#f-members-1-id")
    page.fill("#f-members-1-id", "sam")
    page.fill("#f-members-1-age", "6")
    page.select_option("#f-members-1-relationship", "child")
    page.fill("#f-members-1-earned_income", "0")
    page.fill("#f-members-1-unearned_income", "0")
    page.select_option("#f-household-state", "CA")
    page.fill("#f-household-shelter_costs", "1100")
    page.fill("#f-household-dependent_care_costs", "0")
    page.fill("#f-household-child_support_paid", "0")
    page.fill("#f-household-medical_expenses", "0")
    page.fill("#f-household-assets", "800")
    page.fill("#f-household-utility_costs", "150")


def answer_one_question(page) -> None:
    """Answer the follow-up question shown: No, else the first choice, else 0."""
    field = page.locator("#f-answer")
    if field.evaluate("e => e.tagName") == "SELECT":
        values = field.locator("option").evaluate_all("os => os.map(o => o.value).filter(Boolean)")
        field.select_option("no" if "no" in values else values[0])
    else:
        field.fill("0")
    go(page.click, "text=Screen again with this answer")


def answer_every_question(tab, limit: int = 40) -> int:
    """Answer each follow-up question until none is left; how many were asked."""
    for asked in range(limit):
        if tab.page.locator("#question input[name=fact]").count() == 0:
            return asked
        answer_one_question(tab.page)
    raise AssertionError("the questions never ended")


def assert_accessible(tab) -> None:
    violations = tab.axe()
    assert violations == [], violations


def test_a_caseworker_screens_answers_saves_opens_and_prints(tab, live_server):
    page = tab.page
    page.goto(live_server + "/")
    assert page.title() == "Screen a household · Eligibility screening"
    assert_accessible(tab)
    tab.screenshot("household-form")

    # Mistakes are listed, linked to their fields, and focused for screen readers.
    page.fill("#f-members-0-age", "-4")
    page.fill("#f-household-assets", "a lot")
    go(page.click, "button.usa-button--big")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.locator("#error-summary li").count() == 2
    assert page.get_attribute("#f-members-0-age", "aria-invalid") == "true"
    assert_accessible(tab)
    tab.screenshot("form-errors")
    page.fill("#f-members-0-age", "")
    page.fill("#f-household-assets", "")

    fill_household(page)
    go(page.click, "button.usa-button--big")
    assert page.title() == "Results · Eligibility screening"
    assert "need more information" in page.inner_text("#status-alert")
    assert page.locator(".summary-table tbody tr").count() == 6
    assert "$9.25 a month (November 2025)" in page.inner_text("#program-lifeline")
    assert page.locator("#program-snap .criterion a[href^='https://']").count() >= 3
    assert page.locator(".people-table tbody tr").count() == 2
    assert page.locator("svg.chart__svg").count() == 6
    assert_accessible(tab)
    tab.screenshot("results")
    tab.screenshot("follow-up-question", "#question")

    asked = answer_every_question(tab)
    assert asked >= 1
    assert page.inner_text("#status-alert") == "Every program is settled."
    assert page.locator(".summary-table .status--undetermined").count() == 0
    assert_accessible(tab)
    tab.screenshot("cliff-chart", "#cliffs")

    page.fill("#note", "case 1234")
    go(page.click, "text=Save this determination")
    assert re.search(r"/determinations/[0-9a-f-]{36}\?saved=1$", page.url)
    record_id = page.inner_text("#record-id")
    assert "Saved." in page.inner_text("main") and "case 1234" in page.inner_text("main")
    assert_accessible(tab)
    tab.screenshot("saved-record")

    # Later: open the record by its id from the home page.
    page.goto(live_server + "/")
    page.fill("#record-id", record_id)
    go(page.click, "#open-record button")
    assert page.url == f"{live_server}/determinations/{record_id}"
    assert "Saved." not in page.inner_text("main")

    go(page.click, "text=Print view")
    assert page.url.endswith(f"/determinations/{record_id}/print")
    assert page.is_visible("button.js-print")  # the script shows the print button
    assert_accessible(tab)
    page.emulate_media(media="print")
    assert not page.is_visible(".site-header")
    tab.screenshot("print-view")
    page.emulate_media(media="screen")

    page.goto(f"{live_server}/determinations/{record_id}")
    go(page.click, "text=Check again under the current rules")
    assert "No program's result has changed." in page.inner_text("main")
    assert_accessible(tab)
    assert tab.problems == []


def test_the_core_flow_works_without_javascript(tab_without_script, live_server):
    tab = tab_without_script
    page = tab.page
    page.goto(live_server + "/")
    fill_household(page)
    # Enter in a field screens the household (and never presses "Remove person 1").
    go(page.press, "#f-household-utility_costs", "Enter")
    page.wait_for_url(live_server + "/")
    assert page.title() == "Results · Eligibility screening"
    first = page.get_attribute("#question input[name=fact]", "value")
    go(page.click, "text=Skip this question")
    assert page.get_attribute("#question input[name=fact]", "value") != first
    second = page.get_attribute("#question input[name=fact]", "value")
    answer_one_question(page)
    assert page.get_attribute("#question input[name=fact]", "value") not in (first, second)
    go(page.click, "text=Save this determination")
    assert "/determinations/" in page.url and "Saved." in page.inner_text("main")
    go(page.click, "text=Print view")
    assert not page.is_visible("button.js-print")  # nothing that needs a script is offered
    assert "Each program, and why" in page.inner_text("main")
    assert tab.problems == []
