"""The rule catalogue: programs, variables and parameters as a portal or a drafter reads them."""

from __future__ import annotations

pytest_plugins = ["tests.api_fixtures"]


def test_programs_list_says_what_each_program_is_and_needs(client):
    programs = client.get("/v1/programs").json["programs"]
    snap = next(p for p in programs if p["id"] == "snap")
    assert snap["name"].startswith("Supplemental Nutrition Assistance Program")
    assert snap["agency"].startswith("USDA")
    assert snap["period"] == "month"
    assert snap["pays_amount"] is True
    assert snap["modelled"] == {"start": "2023-10-01", "end": "2026-09-30"}
    assert any("7 CFR" in r["title"] for r in snap["reference"])
    facts = {f["name"]: f for f in snap["facts"]}
    assert facts["assets"]["path"] == "household.assets"
    assert facts["age"]["path"] == "household.members[].age"
    assert facts["assets"]["question"]
    assert "filing_status" not in facts  # an EITC fact: SNAP does not read it


def test_program_detail_names_decision_amount_and_criteria(client):
    snap = client.get("/v1/programs/snap").json
    assert snap["eligible"] == "snap_eligible"
    assert snap["amount"] == "snap_allotment"
    criteria = [c["variable"] for c in snap["criteria"]]
    assert "snap_meets_gross_income_test" in criteria
    assert all(c["reference"] for c in snap["criteria"])


def test_unknown_program_is_404_listing_known_ones(client, rules):
    response = client.get("/v1/programs/lottery")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
    assert response.json["errors"]["program_id"] == [
        f"Unknown program 'lottery'; known programs: {', '.join(rules.programs)}."]


def test_variables_list_and_filters(client):
    everything = client.get("/v1/variables").json["variables"]
    names = [v["name"] for v in everything]
    assert "snap_eligible" in names and "age" in names
    inputs = client.get("/v1/variables?input=true").json["variables"]
    assert inputs and all(v["input"] for v in inputs)
    people = client.get("/v1/variables?entity=person&input=true").json["variables"]
    assert {v["name"] for v in people} >= {"age", "earned_income"}
    assert all(v["entity"] == "person" for v in people)
    snap = {v["name"] for v in client.get("/v1/variables?program=snap").json["variables"]}
    assert "snap_allotment" in snap and "filing_status" not in snap


def test_variables_filters_are_validated(client, rules):
    response = client.get("/v1/variables?entity=dog&colour=red&program=lottery")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"entity", "colour"}
    assert client.get("/v1/variables?program=lottery").json["errors"] == {
        "program": [f"Unknown program 'lottery'; known programs: {', '.join(rules.programs)}."]}


def test_variable_detail_shows_formula_references_and_graph(client):
    limit = client.get("/v1/variables/snap_gross_income_limit").json
    assert limit["formulas"][0]["formula"]
    assert limit["formulas"][0]["parameters"]
    assert limit["reference"][0]["href"].startswith("https://")
    assert "snap_meets_gross_income_test" in limit["dependents"]
    assert "state" in limit["inputs"]
    assert "us.usda.snap.income.gross_limit_rate" in limit["parameters"]
    assert limit["programs"] == ["snap"]


def test_input_fact_detail_has_its_question_and_dependents(client):
    assets = client.get("/v1/variables/assets").json
    assert assets["input"] is True
    assert assets["question"]
    assert assets["formulas"] == [] and assets["inputs"] == []
    assert assets["dependents"]


def test_unknown_variable_is_404_with_suggestions(client):
    response = client.get("/v1/variables/snap_eligable")
    assert response.status_code == 404
    assert "Did you mean snap_eligible" in response.json["errors"]["name"][0]


def test_parameters_list_one_entry_per_rule_file(client, rules):
    parameters = client.get("/v1/parameters").json["parameters"]
    assert [p["path"] for p in parameters] == sorted(rules.parameter_files)
    rate = next(p for p in parameters if p["path"] == "us.usda.snap.income.gross_limit_rate")
    assert rate["kind"] == "value" and rate["unit"] == "/1"
    assert rate["file"].endswith("gross_limit_rate.yaml")
    assert rate["reference"]


def test_parameter_values_over_time(client):
    rate = client.get("/v1/parameters/us.usda.snap.income.gross_limit_rate").json
    assert rate["values"][0] == {"start": "2023-10-01", "end": None, "value": 1.3, "reference": []}
    assert rate["children"] is None
    assert rate["used_by"] == ["snap_gross_income_limit"]


def test_table_and_table_entry(client):
    table = client.get("/v1/parameters/us.usda.snap.max_allotment").json
    assert table["kind"] == "table" and table["values"] is None
    areas = {child["key"]: child for child in table["children"]}
    one = next(c for c in areas["contiguous"]["children"] if c["key"] == "1")
    entry = client.get(f"/v1/parameters/{one['path']}").json
    assert entry["kind"] == "value"
    assert entry["values"] == one["values"]
    starts = [v["start"] for v in entry["values"]]
    assert starts == sorted(starts)
    # each value ends the day before the next one starts
    for value, following in zip(entry["values"], entry["values"][1:], strict=False):
        assert value["end"] < following["start"]
    assert entry["values"][-1]["end"] is None
    assert entry["label"] == table["label"] and entry["reference"] == table["reference"]


def test_unknown_parameter_is_404(client):
    response = client.get("/v1/parameters/us.usda.snap.nothing")
    assert response.status_code == 404
    assert response.json["errors"]["path"]


def test_rules_says_which_rules_answer(client, rules):
    body = client.get("/v1/rules").json
    assert body["version"] == rules.version
    assert body["digest"] == rules.digest and body["digest"].startswith("sha256:")
    start, end = rules.date_range
    assert body["modelled"] == {"start": start.isoformat(), "end": end.isoformat()}
    assert body["loaded_at"].endswith("Z")
    assert body["programs"]["snap"] == {"start": "2023-10-01", "end": "2026-09-30"}


CATALOGUE_CALLS = ["/v1/programs", "/v1/programs/snap", "/v1/variables", "/v1/variables?program=snap&input=true",
                   "/v1/variables/snap_eligible", "/v1/parameters", "/v1/parameters/us.usda.snap.max_allotment",
                   "/v1/rules"]


def test_a_repeated_catalogue_call_gets_the_same_answer_and_etag(client):
    for url in CATALOGUE_CALLS:
        first, second = client.get(url), client.get(url)  # built, then sent from the store
        assert first.status_code == second.status_code == 200, url
        assert first.json == second.json and first.json, url
        assert first.headers["Content-Type"] == second.headers["Content-Type"] == "application/json"
        assert first.headers["ETag"] == second.headers["ETag"], url
        assert first.headers["Cache-Control"] == "no-cache"  # keep a copy, but ask whether it is current


def test_different_catalogue_answers_have_different_etags(client):
    etags = {client.get(url).headers["ETag"] for url in CATALOGUE_CALLS}
    assert len(etags) == len(CATALOGUE_CALLS)


def test_a_current_copy_is_revalidated_with_304_and_no_body(client):
    etag = client.get("/v1/programs/snap").headers["ETag"]
    again = client.get("/v1/programs/snap", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    stale = client.get("/v1/programs/snap", headers={"If-None-Match": '"an-older-version"'})
    assert stale.status_code == 200 and stale.json["id"] == "snap"


def test_errors_are_answered_afresh_and_never_kept(app, client):
    from api.catalogue_cache import store

    client.get("/v1/programs")
    with app.app_context():
        kept = len(store())
    for i in range(20):
        assert client.get(f"/v1/programs/made-up-{i}").status_code == 404
        assert client.get(f"/v1/variables?entity=dog{i}").status_code == 422
    assert "ETag" not in client.get("/v1/variables/nothing").headers
    with app.app_context():
        assert len(store()) == kept


def test_the_answer_store_forgets_the_least_recently_used():
    from api.catalogue_cache import AnswerStore

    answers = AnswerStore(limit=2)
    answers.put("a", 1)
    answers.put("b", 2)
    assert answers.get("a") == 1  # now "b" is the least recently used
    answers.put("c", 3)
    assert (answers.get("a"), answers.get("b"), answers.get("c")) == (1, None, 3)
    assert len(answers) == 2


def test_a_kept_answer_still_gets_each_requests_own_headers(client):
    client.get("/v1/rules")
    for sent_id in ("first-request-id-1", "second-request-id-2"):
        kept = client.get("/v1/rules", headers={"X-Request-ID": sent_id})
        assert kept.headers["X-Request-ID"] == sent_id  # this request's id, not the one that built the answer
        assert kept.headers["X-Content-Type-Options"] == "nosniff"
        assert kept.headers["X-Frame-Options"] == "DENY"
