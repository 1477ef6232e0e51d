"""Reforms: drafts checked like rules, applied without touching the baseline, compared per household."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eligibility.cli import main
from eligibility.compare import compare, rule_changes
from eligibility.errors import InputError
from eligibility.reforms import ReformCache, apply_reform, reform_digest
from eligibility.screening import screen

DATE = dt.date(2026, 3, 15)
REFORMS = Path(__file__).parent.parent / "examples" / "reforms"
WYOMING_FAMILY = {
    "state": "WY", "shelter_costs": 800, "utility_costs": 100, "dependent_care_costs": 0, "child_support_paid": 0,
    "medical_expenses": 0, "assets": 500, "is_homeless": False, "receives_tanf": False, "receives_ssi": False,
    "members": [{"id": "a", "age": 30, "earned_income": 1900, "unearned_income": 0, "is_disabled": False}]
    + [{"id": c, "age": 6, "earned_income": 0, "unearned_income": 0, "is_disabled": False} for c in "bcd"],
}
GROSS_200 = {"label": "200%", "parameters": {"us.usda.snap.income.gross_limit_rate": [
    {"start": "2025-10-01", "value": 2.0}]}}


def test_parameter_reform_changes_the_answer_and_leaves_the_baseline(rules):
    reformed = apply_reform(rules, GROSS_200)
    limit = ("snap_gross_income_limit", 0)
    base_sim = rules.simulate(DATE, [WYOMING_FAMILY])
    new_sim = reformed.simulate(DATE, [WYOMING_FAMILY])
    # FY2026, 4 people: 32,150 x 1.3 / 12 = 3,482.9 -> 3,483; x 2.0 / 12 = 5,358.3 -> 5,359.
    assert base_sim.calculate(limit[0])[0][0] == 3483
    assert new_sim.calculate(limit[0])[0][0] == 5359
    assert rules.simulate(DATE, [WYOMING_FAMILY]).calculate(limit[0])[0][0] == 3483


def test_draft_formula_is_checked_and_errors_name_the_draft_path(rules):
    draft = {"variables": {"snap_net_income": {
        "entity": "household", "value_type": "float", "period": "month", "label": "Net",
        "reference": [{"title": "t", "href": "https://example.org"}], "formula": "snap_gross_income * 0.5"}}}
    with pytest.raises(InputError) as caught:
        apply_reform(rules, draft)
    message = caught.value.errors["reform"]["variables"]["snap_net_income"]["formula"][0]
    assert "policy numbers belong in a dated" in message


def test_unknown_parameter_and_bad_dates_are_reported_together(rules):
    reform = {"parameters": {"us.nothing": [{"start": "2025-10-01", "value": 1}],
                             "us.usda.snap.income.gross_limit_rate": [{"start": "2025-13-01", "value": "x"}]}}
    with pytest.raises(InputError) as caught:
        apply_reform(rules, reform)
    errors = caught.value.errors["reform"]["parameters"]
    assert "us.nothing" in errors
    assert set(errors["us.usda.snap.income.gross_limit_rate"][0]) == {"start", "value"}


def test_compare_reports_differences_and_a_summary(rules):
    reformed = apply_reform(rules, json.loads(json.dumps(GROSS_200)))
    rich = {**WYOMING_FAMILY, "members": [{**WYOMING_FAMILY["members"][0], "earned_income": 4000},
                                          *WYOMING_FAMILY["members"][1:]]}
    result = compare(rules, reformed, [WYOMING_FAMILY, rich], DATE, ["snap"])
    assert result["reform"]["digest"] == reform_digest(GROSS_200)
    assert result["households"][1]["snap"]["baseline"]["status"] == "ineligible"  # 4,000 > 3,483
    assert result["summary"]["snap"]["newly_eligible"] == (result["households"][1]["snap"]["reform"]["status"]
                                                           == "eligible")
    assert result["summary"]["snap"]["households"] == 2


def test_reform_cache_reuses_and_bounds(rules):
    cache = ReformCache(size=2)
    first = cache.get(rules, GROSS_200)
    assert cache.get(rules, json.loads(json.dumps(GROSS_200))) is first
    for rate in (1.5, 1.6, 1.7):
        cache.get(rules, {"parameters": {"us.usda.snap.income.gross_limit_rate": [
            {"start": "2025-10-01", "value": rate}]}})
    assert cache.get(rules, GROSS_200) is not first  # evicted, rebuilt


def test_rule_changes_between_fiscal_years(rules):
    changes = rule_changes(rules, dt.date(2025, 9, 30), dt.date(2025, 10, 1))
    paths = {c["path"]: c for c in changes["parameters"]}
    assert paths["us.usda.snap.deductions.shelter_cap.contiguous"]["from"] == 712
    assert paths["us.usda.snap.deductions.shelter_cap.contiguous"]["to"] == 744
    assert "us.usda.snap.income.gross_limit_rate" not in paths


@pytest.mark.parametrize("reform", sorted(REFORMS.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_reforms_apply(rules, reform, tmp_path):
    households = tmp_path / "households.jsonl"
    households.write_text(json.dumps(WYOMING_FAMILY) + "\n")
    result = CliRunner().invoke(main, ["compare", "--reform", str(reform), "--date", "2026-03-15",
                                       "--format", "json", str(households)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["reform"]["digest"].startswith("sha256:")


def test_cases_run_against_a_reform(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text("- name: gross limit under the reform\n  period: 2025-11\n  input:\n    state: WY\n"
                    "    members: [{id: a}]\n  output:\n    snap_gross_income_limit: 2609\n")
    reform = tmp_path / "reform.yaml"
    reform.write_text(json.dumps(GROSS_200))
    # 15,650 x 2.0 / 12 = 2,608.33 -> 2,609 with the reform; 1,696 without.
    assert CliRunner().invoke(main, ["test", "--reform", str(reform), str(case)]).exit_code == 0
    assert CliRunner().invoke(main, ["test", str(case)]).exit_code == 1


def test_draft_formula_applies_after_the_baseline_screened_the_same_household(rules):
    # What a rule set works out once per date (plans, affected variables) must never carry over to a
    # reform of it: here the baseline screens first, so its plan for the standard deduction exists.
    reform = yaml.safe_load((REFORMS / "snap_standard_deduction_flat.yaml").read_text())
    reformed = apply_reform(rules, reform)
    large = {**WYOMING_FAMILY, "members": WYOMING_FAMILY["members"] + [
        {"id": c, "age": 3, "earned_income": 0, "unearned_income": 0, "is_disabled": False} for c in "ef"]}
    deduction = "snap_standard_deduction"
    base = rules.simulate(DATE, [large]).household_item(deduction, 0)[0]
    after = reformed.simulate(DATE, [large]).household_item(deduction, 0)[0]
    one_to_three = rules.simulate(DATE, [{**large, "members": large["members"][:1]}]).household_item(deduction, 0)[0]
    assert base > one_to_three  # six people get more than one to three
    assert after == one_to_three
    assert rules.simulate(DATE, [large]).household_item(deduction, 0)[0] == base  # the baseline is untouched


def test_affected_variables_follow_the_reform_not_the_baseline(rules):
    draft = {"variables": {"snap_standard_deduction": {
        "entity": "household", "value_type": "float", "period": "month", "label": "Standard deduction",
        "reference": [{"title": "t", "href": "https://example.org"}],
        "formula": "us.usda.snap.deductions.standard[state_group][1] + shelter_costs * 0"}}}
    before = rules.affected_by("shelter_costs")
    reformed = apply_reform(rules, draft)
    assert "snap_standard_deduction" not in before
    assert "snap_standard_deduction" in reformed.affected_by("shelter_costs")
    assert "snap_standard_deduction" not in rules.affected_by("shelter_costs")


def test_criteria_under_a_reform_cite_the_draft_not_the_baseline(rules):
    # The baseline explains first, so its plan for the asset criterion exists; the reform's answer must
    # still cite the draft that replaced the variable.
    draft = {"variables": {"snap_meets_asset_test": {
        "entity": "household", "value_type": "bool", "period": "month", "label": "No resource test",
        "reference": [{"title": "Draft bill, section 2", "href": "https://example.org/draft"}],
        "formula": "snap_categorically_eligible or assets >= 0"}}}
    reformed = apply_reform(rules, draft)

    def asset_criterion(ruleset):
        criteria = screen(ruleset, WYOMING_FAMILY, DATE, ["snap"])["programs"]["snap"]["criteria"]
        return next(c for c in criteria if c["id"] == "snap_meets_asset_test")

    base = asset_criterion(rules)
    after = asset_criterion(reformed)
    assert base["reference"][0]["title"] == "7 CFR 273.8(b)"
    assert after["reference"] == [{"title": "Draft bill, section 2", "href": "https://example.org/draft"}]
    assert asset_criterion(rules) == base
