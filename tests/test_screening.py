"""Screening answers in the contract's shape: status, amount, criteria, missing facts, cliffs."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import pytest

from eligibility.batch import screen_many
from eligibility.compare import compare
from eligibility.errors import DateOutOfRange, InputError
from eligibility.reforms import apply_reform
from eligibility.screening import screen

DATE = dt.date(2025, 11, 15)
EXAMPLE = json.loads((Path(__file__).parent.parent / "examples" / "household.json").read_text())["household"]


def test_example_household_is_eligible_with_the_published_arithmetic(rules):
    snap = screen(rules, EXAMPLE, DATE, ["snap"])["programs"]["snap"]
    # FY2026, 2 people in CA: 1,450 - 20% (290) - standard 209 = 951; shelter 1,250 - 475.50 = 774.50,
    # capped at 744; net 207; 30% = 62.10 -> 63; maximum 546 - 63 = 483.
    assert (snap["status"], snap["amount"], snap["period"]) == ("eligible", 483.0, "2025-11")
    assert snap["missing"] == []


def test_answer_carries_rules_identity(rules):
    answer = screen(rules, EXAMPLE, DATE, ["snap"])
    assert answer["rules"] == {"version": rules.version, "digest": rules.digest}
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", rules.digest)


def test_criteria_explain_with_real_figures(rules):
    criteria = screen(rules, EXAMPLE, DATE, ["snap"])["programs"]["snap"]["criteria"]
    gross = next(c for c in criteria if c["id"] == "snap_meets_gross_income_test")
    assert gross["result"] is True
    # California confers broad-based categorical eligibility up to 200% of poverty:
    # 21,150 x 2.0 / 12 = 3,525 for two people in FY2026.
    assert gross["explanation"] == ("Gross monthly income of $1,450 is within the state's broad-based "
                                    "categorical eligibility limit of $3,525, so the household is deemed to "
                                    "meet the gross income test.")
    assert gross["values"]["snap_bbce_gross_income_limit"] == 3525
    assert gross["reference"][0]["href"].startswith("https://")


def test_federal_gross_test_sentence_in_a_state_without_options(rules):
    utah = {**EXAMPLE, "state": "UT"}
    criteria = screen(rules, utah, DATE, ["snap"])["programs"]["snap"]["criteria"]
    gross = next(c for c in criteria if c["id"] == "snap_meets_gross_income_test")
    assert gross["explanation"] == ("Gross monthly income of $1,450 is at or below the limit of $2,292 "
                                    "for a household of 2.")


def test_unknown_income_gives_undetermined_and_asks_for_it(rules):
    household = {**EXAMPLE, "members": [{**EXAMPLE["members"][0], "earned_income": None},
                                        EXAMPLE["members"][1]]}
    answer = screen(rules, household, DATE, ["snap"])
    snap = answer["programs"]["snap"]
    assert (snap["status"], snap["amount"]) == ("undetermined", None)
    assert snap["missing"] == ["members.alex.earned_income"]
    assert answer["next_questions"][0]["fact"] == "members.alex.earned_income"
    assert answer["next_questions"][0]["question"].endswith("?")


def test_known_facts_settle_the_answer_without_the_unknown_ones(rules):
    # Receiving SSI settles the tests; the benefit still needs income, so the amount stays open
    # only when income is unknown.
    household = {"state": "TX", "receives_ssi": True, "members": [{"id": "a"}]}
    snap = screen(rules, household, DATE, ["snap"])["programs"]["snap"]
    assert snap["status"] == "undetermined"
    assert "household.assets" not in snap["missing"]  # resource test settled by SSI


def test_medical_costs_are_not_asked_when_nobody_is_elderly_or_disabled(rules):
    household = {**EXAMPLE}
    del household["medical_expenses"]
    snap = screen(rules, household, DATE, ["snap"])["programs"]["snap"]
    assert snap["status"] == "eligible"


def test_date_outside_modelled_range_is_refused_naming_the_range(rules):
    with pytest.raises(DateOutOfRange, match="snap: 2023-10-01 to 2026-09-30"):
        screen(rules, EXAMPLE, dt.date(2030, 1, 1), ["snap"])


def test_unknown_program_is_refused_listing_known_ones(rules):
    with pytest.raises(InputError) as caught:
        screen(rules, EXAMPLE, DATE, ["snapp"])
    assert "known programs: " in caught.value.errors["programs"][0]


def test_headroom_is_the_raise_that_keeps_eligibility(rules):
    snap = screen(rules, {**EXAMPLE, "state": "UT"}, DATE, ["snap"])["programs"]["snap"]
    # Utah, no state options: gross limit 2,292 - earnings 1,450 = 842 more a month; to the $50 below.
    assert snap["headroom"] == {"member": "alex", "monthly_earned_income": 800.0, "step": 50.0,
                                "at_least": False}
    snap = screen(rules, EXAMPLE, DATE, ["snap"])["programs"]["snap"]
    # California's 200% limit of 3,525 leaves 2,075 more: 2,050 to the $50 below.
    assert snap["headroom"]["monthly_earned_income"] == 2050.0


def test_vary_marks_the_cliff_where_status_flips(rules):
    vary = {"fact": "members.alex.earned_income", "from": 0, "to": 3000, "step": 100}
    axis = screen(rules, {**EXAMPLE, "state": "UT"}, DATE, ["snap"], vary=vary)["vary"]
    snap = axis["programs"]["snap"]
    assert len(axis["points"]) == len(snap["status"]) == 31
    # Eligible up to 2,200 (gross limit 2,292), ineligible from 2,300.
    assert snap["cliffs"][0]["at"] == 2300 and snap["cliffs"][0]["to_status"] == "ineligible"
    assert snap["status"][22] == "eligible" and snap["status"][23] == "ineligible"


@pytest.mark.parametrize("state", ["CA", "UT", "AK"])
def test_each_point_of_a_vary_axis_is_what_screening_that_household_gives(rules, state):
    # The axis copies from the household's own simulation what earnings cannot change: never stale.
    household = {**EXAMPLE, "state": state}
    vary = {"fact": "members.alex.earned_income", "from": 0, "to": 4000, "step": 800}
    axis = screen(rules, household, DATE, vary=vary)["vary"]
    for i, point in enumerate(axis["points"]):
        members = [{**household["members"][0], "earned_income": point}, household["members"][1]]
        alone = screen(rules, {**household, "members": members}, DATE, explain="none")["programs"]
        for program, along in axis["programs"].items():
            assert (along["status"][i], along["amount"][i]) == (alone[program]["status"],
                                                                alone[program]["amount"]), (program, point)


def test_vary_over_a_fact_nobody_gave_settles_each_point(rules):
    # Without shelter costs SNAP cannot be decided; along the axis the shelter costs are known.
    household = {k: v for k, v in EXAMPLE.items() if k != "shelter_costs"} | {"state": "UT"}
    assert screen(rules, household, DATE, ["snap"])["programs"]["snap"]["status"] == "undetermined"
    vary = {"fact": "household.shelter_costs", "from": 0, "to": 2000, "step": 500}
    snap = screen(rules, household, DATE, ["snap"], vary=vary)["vary"]["programs"]["snap"]
    assert snap["status"] == ["eligible"] * 5
    assert snap["amount"] == sorted(snap["amount"]) and snap["amount"][0] < snap["amount"][-1]


def test_a_member_id_with_dots_can_be_a_vary_axis(rules):
    members = [{**EXAMPLE["members"][0], "id": "alex.b.jones"}, EXAMPLE["members"][1]]
    vary = {"fact": "members.alex.b.jones.earned_income", "from": 0, "to": 3000, "step": 100}
    dotted = screen(rules, {**EXAMPLE, "state": "UT", "members": members}, DATE, ["snap"], vary=vary)["vary"]
    plain = screen(rules, {**EXAMPLE, "state": "UT"}, DATE, ["snap"],
                   vary={**vary, "fact": "members.alex.earned_income"})["vary"]
    assert dotted["programs"] == plain["programs"]
    assert dotted["programs"]["snap"]["cliffs"]  # the axis moved alex's earnings, not nothing


@pytest.mark.parametrize("vary", [
    {"fact": "members.nobody.earned_income", "from": 0, "to": 10, "step": 1},
    {"fact": "members.alex.b.earned_income", "from": 0, "to": 10, "step": 1},
    {"fact": "household.state", "from": 0, "to": 10, "step": 1},
    {"fact": "members.alex.earned_income", "from": 0, "to": 10, "step": 0},
    {"fact": "members.alex.earned_income", "from": 0, "to": 100000, "step": 1},
])
def test_bad_vary_axis_is_refused(rules, vary):
    with pytest.raises(InputError) as caught:
        screen(rules, EXAMPLE, DATE, ["snap"], vary=vary)
    assert "vary" in caught.value.errors


@pytest.mark.parametrize("state", ["CA", "UT", "AK"])
def test_trace_shows_the_parameter_values_the_formulas_read(rules, state):
    # The trace reuses what each formula's own parameter reads gave; recomputed, they are the same.
    from eligibility.screening import check_request
    from eligibility.trace import trace_program

    household = {**EXAMPLE, "state": state, "members": [*EXAMPLE["members"], {"id": "kim", "age": 70}]}
    sim = rules.simulate(DATE, [household])
    ids = [m["id"] for m in household["members"]]
    for program in check_request(rules, DATE, None):
        sim.calculate(program.eligible)
        reused = trace_program(sim, program, 0, [0, 1, 2], ids)
        assert sim.parameter_values
        sim.parameter_values.clear()
        assert trace_program(sim, program, 0, [0, 1, 2], ids) == reused, program.id


def test_trace_shows_formulas_parameters_and_is_bounded(rules):
    trace = screen(rules, EXAMPLE, DATE, ["snap"], explain="trace")["programs"]["snap"]["trace"]
    root = trace["tree"][0]
    assert root["variable"] == "snap_eligible" and root["value"] is True
    text = json.dumps(trace)
    assert '"path": "us.usda.snap.expected_contribution_rate"' in text
    assert trace["nodes"] <= trace["limits"]["max_nodes"]


@pytest.mark.parametrize("explain", ["none", "summary", "trace"])
def test_a_screening_is_freed_without_the_cyclic_collector(rules, simulations_left_in_cycles, explain):
    # A simulation left in a reference cycle waits for the collector, and a screening then costs
    # about 30% more CPU (docs/performance.md): everything it made must be freed by refcounts.
    vary = {"fact": "members.alex.earned_income", "from": 0, "to": 1000, "step": 50}
    assert simulations_left_in_cycles(lambda: screen(rules, EXAMPLE, DATE, explain=explain, vary=vary)) == []


def test_a_batch_and_a_comparison_are_freed_without_the_cyclic_collector(rules, simulations_left_in_cycles):
    reformed = apply_reform(rules, {"parameters": {"us.usda.snap.income.gross_limit_rate": [
        {"start": "2025-10-01", "value": 2.0}]}})
    assert simulations_left_in_cycles(lambda: screen_many(rules, [EXAMPLE, EXAMPLE], DATE)) == []
    assert simulations_left_in_cycles(lambda: compare(rules, reformed, [EXAMPLE], DATE)) == []


def test_a_batch_answers_each_household_as_a_single_screening_would(rules):
    # Batches find missing facts on masks over all households (eligibility/missing.py), single
    # screenings by walking one household: with facts left out at random the two must agree.
    rng = random.Random(2026)
    households = []
    for situation in sorted((Path(__file__).parent / "situations").glob("*.json")) * 4:
        household = json.loads(situation.read_text())["household"]
        for key in [k for k in household if k != "members" and rng.random() < 0.3]:
            del household[key]
        for member in household["members"]:
            for key in [k for k in member if k != "id" and rng.random() < 0.3]:
                del member[key]
        households.append(household)
    households.append({"members": [{"id": "a"}, {"id": "b"}]})  # nothing known
    items = screen_many(rules, households, DATE)
    assert sum(bool(item["result"]["next_questions"]) for item in items) > len(households) // 2
    for item, household in zip(items, households, strict=True):
        assert item["result"] == screen(rules, household, DATE, explain="none")
