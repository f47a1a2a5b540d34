"""The CI workflow (.github/workflows/portal.yml): when it runs and what it runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "portal.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def run_lines(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


def test_triggers(workflow):
    on = triggers(workflow)
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    assert on["schedule"] == [{"cron": "5 17 * * *"}]  # 00:05 WIB
    assert "workflow_dispatch" in on


def test_pull_requests_check_content_and_run_the_tests(workflow):
    job = workflow["jobs"]["check"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert any(u.startswith("actions/setup-python@") for u in uses(job))
    assert run_lines(job) == ["bin/setup", ".venv/bin/portal check", "bin/test"]


def test_main_schedule_and_dispatch_publish_with_an_oidc_role(workflow):
    job = workflow["jobs"]["publish"]
    assert job["if"] == "github.event_name != 'pull_request'"
    assert job["permissions"]["id-token"] == "write"
    credentials = next(s for s in job["steps"]
                       if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert credentials["with"] == {"role-to-assume": "${{ vars.AWS_ROLE_ARN }}",
                                   "aws-region": "ap-southeast-3"}
    publish = [line for line in run_lines(job) if "portal publish" in line]
    assert publish == ['.venv/bin/portal publish --bucket "${{ vars.SITE_BUCKET }}"']
    steps = job["steps"]
    assert steps.index(credentials) < next(i for i, s in enumerate(steps)
                                           if "portal publish" in s.get("run", ""))
    assert job["concurrency"]["cancel-in-progress"] is False


def test_nothing_gets_write_access_by_default(workflow):
    assert workflow["permissions"] == {"contents": "read"}
