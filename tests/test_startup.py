"""Start-up and stop: invalid rules or settings stop the server before it listens, saying why; a running server
keeps the rules it loaded; a stopped one leaves no metrics folder behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from api import create_app
from api.config import ROOT
from api.settings import SettingError
from eligibility.errors import RuleError
from tests.server_support import Server, free_port

BROKEN = "\nbroken_fact:\n  entity: nowhere\n  label: A fact with no home\n"


@pytest.fixture
def rules_copy(tmp_path):
    """A copy of the project's rules that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target


def break_rules(rules_dir) -> None:
    variables = sorted(rules_dir.rglob("variables/*.yaml"))[0]
    with variables.open("a", encoding="utf-8") as handle:
        handle.write(BROKEN)


def test_the_app_refuses_invalid_rules(rules_copy):
    break_rules(rules_copy)
    with pytest.raises(RuleError, match="entity is 'nowhere'"):
        create_app({"TESTING": True, "RULES_DIR": str(rules_copy)})


def test_invalid_rules_stop_the_server_before_it_listens_and_say_why(rules_copy, tmp_path):
    break_rules(rules_copy)
    port = free_port()
    env = {**os.environ, "ELIGIBILITY_RULES_DIR": str(rules_copy), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "m")}
    done = subprocess.run([sys.executable, "-m", "api.serve", "--port", str(port), "--workers", "1"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 4, done.stderr[-2000:]
    assert "The rules did not load, so the server will not start." in done.stderr
    assert "broken_fact: entity is 'nowhere'" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_running_server_never_swaps_in_broken_rules(rules_copy):
    """A reload signal (HUP) re-forks workers from the preloaded app: the rules on disk are not read again."""
    with Server(workers=1, env={"ELIGIBILITY_RULES_DIR": str(rules_copy)}) as server:
        status, _, body = server.request("GET", "/readyz")
        digest = json.loads(body)["rules"]["digest"]
        first = server.worker_pids()
        break_rules(rules_copy)
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while not server.worker_pids() or server.worker_pids() & first:
            assert time.monotonic() < deadline, "no new worker after HUP"
            time.sleep(0.2)
        status, _, body = server.request("GET", "/readyz")
        assert status == 200 and json.loads(body)["rules"]["digest"] == digest
        answer = {"date": "2025-11-15", "household": {"members": [{"id": "a"}]}}
        assert server.request("POST", "/v1/screen", answer)[0] == 200


# ------------------------------------------------------------------------------------------ settings

def serve(env: dict, tmp_path, command: tuple = ("-m", "api.serve")) -> subprocess.Popen:
    """`python -m api.serve` on a free port, one worker, temporary folders under tmp_path."""
    environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    environment.update({"TMPDIR": str(tmp_path), **env})
    return subprocess.Popen([sys.executable, *command, "--port", str(free_port()), "--workers", "1"], cwd=ROOT,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def metrics_folders(tmp_path) -> list:
    return sorted(tmp_path.glob("eligibility-metrics-*"))


@pytest.mark.parametrize("setting, value, complaint", [
    ("ELIGIBILITY_API_KEYS", "key-one,key-two", "ELIGIBILITY_API_KEYS must hold keys of at least 16 characters"),
    ("ELIGIBILITY_LOG_LEVEL", "LOUD", "ELIGIBILITY_LOG_LEVEL must be one of DEBUG, INFO, WARNING"),
    ("ELIGIBILITY_RATELIMIT_APPLICATION", "lots", "ELIGIBILITY_RATELIMIT_APPLICATION must be a rate such as"),
    ("ELIGIBILITY_RATELIMIT_STORAGE_URI", "nowhere://user:hunter2@host",
     "ELIGIBILITY_RATELIMIT_STORAGE_URI cannot be used: unknown storage scheme"),
    ("ELIGIBILITY_REQUEST_TIME_BUDGET", "soon", "ELIGIBILITY_REQUEST_TIME_BUDGET must be a number of seconds"),
])
def test_a_bad_setting_stops_the_server_with_one_line_naming_it(tmp_path, setting, value, complaint):
    server = serve({setting: value}, tmp_path)
    _, errors = server.communicate(timeout=180)
    assert server.returncode == 4, errors[-2000:]
    lines = errors.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"The server will not start: {complaint}"), errors[-2000:]
    assert "hunter2" not in errors and "key-one" not in errors  # settings may hold secrets: never echoed
    assert metrics_folders(tmp_path) == []  # the folder made for the metrics went with it


def test_eligibility_serve_says_the_same(tmp_path):
    server = serve({"ELIGIBILITY_LOG_LEVEL": "LOUD"}, tmp_path, ("-m", "eligibility.cli", "serve"))
    _, errors = server.communicate(timeout=180)
    assert server.returncode == 4
    assert errors.strip().startswith("The server will not start: ELIGIBILITY_LOG_LEVEL must be one of")


def test_settings_of_every_kind_are_checked_before_anything_runs(rules):
    for settings, named in [({"MAX_CONTENT_LENGTH": "1MB"}, "MAX_CONTENT_LENGTH"),
                            ({"BATCH_MAX_MEMBERS": 0}, "BATCH_MAX_MEMBERS"),
                            ({"METRICS_ENABLED": "nope"}, "METRICS_ENABLED"),
                            ({"RULES_DIR": "/no/such/rules", "RULESET": None}, "RULES_DIR"),
                            ({"DATABASE_URL": "postgresql://me:hunter2@host:port"}, "DATABASE_URL")]:
        with pytest.raises(SettingError, match=f"^ELIGIBILITY_{named} ") as raised:
            create_app({"TESTING": True, "RULESET": rules, **settings})
        assert "hunter2" not in str(raised.value)
    app = create_app({"TESTING": True, "RULESET": rules, "METRICS_ENABLED": "off", "RATELIMIT_ENABLED": "0"})
    assert app.config["METRICS_ENABLED"] is False and app.config["RATELIMIT_ENABLED"] is False


# ------------------------------------------------------------------------------------------ stopping

def wait_until_ready(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def test_a_stopped_server_leaves_no_metrics_folder_behind(tmp_path):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    server = subprocess.Popen([sys.executable, "-m", "api.serve", "--port", str(port), "--workers", "2"], cwd=ROOT,
                              env={**environment, "TMPDIR": str(tmp_path)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(server, port)
        assert len(metrics_folders(tmp_path)) == 1  # made at start, written by both workers
    finally:
        server.send_signal(signal.SIGTERM)  # what Ctrl-C in `make serve` or a process manager sends
        server.wait(timeout=60)
    assert metrics_folders(tmp_path) == []


def test_a_metrics_folder_someone_chose_is_kept(tmp_path):
    chosen = tmp_path / "metrics"
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "api.serve", "--port", str(port), "--workers", "1"], cwd=ROOT,
                              env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(chosen)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(server, port)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert chosen.is_dir()


def test_what_the_parent_loaded_is_frozen_out_of_the_workers_collections(tmp_path):
    # A full collection in a worker must not scan the rule set: that pause was the slowest request.
    script = "import gc, api.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    frozen, tracked = map(int, subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                                              capture_output=True, text=True).stdout.split())
    assert frozen > 50_000
    assert tracked < frozen / 5
