"""Start-up: invalid rules stop the server before it listens, saying why; a running server keeps the rules it loaded."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from api import create_app
from api.config import ROOT
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
