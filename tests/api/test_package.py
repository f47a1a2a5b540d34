"""``chalice package`` with the merge template: the zip holds the forms, cfn-lint passes.

Slow (it downloads Lambda wheels for functions/requirements.txt from the package
index): ``pytest -m slow tests/api/test_package.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from api_support import FUNCTIONS, REPOSITORY

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a copy of functions/ from the real content/, then package the prod stage."""
    project = tmp_path_factory.mktemp("functions")
    for name in ("app.py", "requirements.txt", "resources.json"):
        shutil.copy(FUNCTIONS / name, project / name)
    shutil.copytree(FUNCTIONS / "chalicelib", project / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__", "content"))
    spec = importlib.util.spec_from_file_location("functions_build_pkg", FUNCTIONS / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build
    spec.loader.exec_module(build)
    build.build(source_path=REPOSITORY / "chalice.json", content=REPOSITORY / "content",
                functions_dir=project)
    out = project / "out"
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-southeast-3"}
    result = subprocess.run(
        [str(BIN / "chalice"), "package", "--stage", "prod",
         "--merge-template", ".chalice/resources-prod.json", str(out)],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_package_holds_every_form_definition(packaged: Path) -> None:
    shipped = sorted(p.name for p in (REPOSITORY / "content" / "forms").glob("*.yml"))
    assert shipped, "content/forms/ has no form definitions"
    with zipfile.ZipFile(packaged / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert {f"chalicelib/content/forms/{name}" for name in shipped} <= names
    assert {"app.py", "chalicelib/content/offices.yml",
            "chalicelib/content/data/provinces.csv"} <= names
    templates = sorted(p.name for p in (REPOSITORY / "content" / "messages").glob("*.yml"))
    assert "tanda-terima.yml" in templates
    for name in [*(f"messages/{t}" for t in templates), "site.yml"]:  # JSON twins: no YAML at cold start
        assert {f"chalicelib/content/{name}", f"chalicelib/content/{name}.json"} <= names
    assert any(n.startswith("phonenumbers/") for n in names)
    assert any(n.startswith("yaml/") for n in names)
    assert not any(n.startswith(("boto3/", "botocore/")) for n in names)  # the runtime has them
    assert not any(n.startswith(("tests/", "build.py", ".chalice/")) for n in names)


def test_packaged_template_wires_bucket_env_and_scoped_policy(packaged: Path) -> None:
    template = json.loads((packaged / "sam.json").read_text())
    resources = template["Resources"]
    for function in ("APIHandler", "RetryNotifications"):  # the schedule reaches the same bucket
        env = resources[function]["Properties"]["Environment"]["Variables"]
        assert env["SUBMISSIONS_BUCKET"] == {"Ref": "SubmissionsBucket"}
        assert env["STORAGE_BACKEND"] == "s3"
    events = resources["RetryNotifications"]["Properties"]["Events"]
    assert [e["Properties"]["Schedule"] for e in events.values()] == ["rate(15 minutes)"]
    role = next(r for r in resources.values() if r["Type"] == "AWS::IAM::Role")
    policy = json.dumps(role["Properties"]["Policies"])
    assert "${SubmissionsBucket}/pending/*" in policy
    assert "identity/${MailIdentity}" in policy
    assert template["Parameters"]["MailIdentity"]["Default"] == "example.go.id"
    assert '"s3:*"' not in policy
    assert resources["SubmissionsBucket"]["Type"] == "AWS::S3::Bucket"


def test_cfn_lint_passes_on_the_packaged_template(packaged: Path) -> None:
    result = subprocess.run([str(BIN / "cfn-lint"), str(packaged / "sam.json")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_holds_the_file_check_libraries(packaged: Path) -> None:
    with zipfile.ZipFile(packaged / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert any(n.startswith("pypdf/") for n in names)
    assert any(n.startswith("PIL/_imaging.cpython-311-") for n in names)
    assert any(n.startswith("pillow.libs/") for n in names)  # a manylinux wheel, not built here
    assert not any(n.startswith("clamav_client/") for n in names)  # GuardDuty scans on AWS


def test_packaged_template_scans_application_files_with_guardduty(packaged: Path) -> None:
    resources = json.loads((packaged / "sam.json").read_text())["Resources"]
    plan = resources["MalwareProtectionPlan"]["Properties"]
    assert plan["Actions"] == {"Tagging": {"Status": "ENABLED"}}
    assert plan["ProtectedResource"]["S3Bucket"] == {
        "BucketName": {"Ref": "SubmissionsBucket"}, "ObjectPrefixes": ["applications/"]}
    role = resources["MalwareProtectionRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "malware-protection-plan.guardduty.amazonaws.com"}
    bucket = resources["SubmissionsBucket"]["Properties"]
    assert bucket["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}}
    denies = resources["SubmissionsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in denies if s["Sid"] == "DenyReadingFilesTaggedAsThreats"]
    # files only: a record a resident filled with the EICAR string must stay readable
    assert deny["Resource"] == {"Fn::Sub": "${SubmissionsBucket.Arn}/applications/*/files/*"}
    assert deny["Condition"] == {"StringEquals": {
        "s3:ExistingObjectTag/GuardDutyMalwareScanStatus": "THREATS_FOUND"}}
def test_the_api_stage_is_throttled_and_answers_429_in_indonesian(packaged: Path) -> None:
    template = json.loads((packaged / "sam.json").read_text())
    api = template["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in api["Properties"]["MethodSettings"]}
    assert settings[("/*", "*")]["ThrottlingRateLimit"] > 0
    for path in ("/~1submissions", "/~1submissions~1{submission_id}~1complete", "/~1status"):
        route = settings[(path, "POST")]
        assert 0 < route["ThrottlingRateLimit"] <= settings[("/*", "*")]["ThrottlingRateLimit"]
        assert route["ThrottlingBurstLimit"] > 0
    # every throttled path is a real route of the packaged API
    paths = api["Properties"]["DefinitionBody"]["paths"]
    for path, method in settings:
        if path != "/*":
            assert method.lower() in paths[path[1:].replace("~1", "/")]
    throttled = api["Properties"]["GatewayResponses"]["THROTTLED"]
    assert throttled["StatusCode"] == 429
    assert throttled["ResponseParameters"]["Headers"]["Retry-After"] == "'1'"
    body = json.loads(throttled["ResponseTemplates"]["application/json"])
    assert body["code"] == "too_many_requests" and body["message"].startswith("Terlalu banyak")


def test_retention_days_come_from_content_into_the_lifecycle_rules(packaged: Path) -> None:
    from chalicelib.retention import load_retention

    policy = load_retention(REPOSITORY / "content" / "retention.yml")
    template = json.loads((packaged / "sam.json").read_text())
    parameters = template["Parameters"]
    assert parameters["ClosedApplicationRetentionDays"]["Default"] == policy.closed_applications_days
    assert parameters["AccessRecordRetentionDays"]["Default"] == policy.access_records_days
    bucket = template["Resources"]["SubmissionsBucket"]["Properties"]
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["expire-closed-applications"]["ExpirationInDays"] == {
        "Ref": "ClosedApplicationRetentionDays"}
    from chalicelib.policy import load_policy

    documents = rules["expire-finished-documents-after-their-download-period"]
    assert documents["TagFilters"] == [{"Key": "portal-kind", "Value": "hasil"}]
    assert documents["ExpirationInDays"] == {"Ref": "FinishedDocumentDays"}
    assert parameters["FinishedDocumentDays"]["Default"] == \
        load_policy(REPOSITORY / "content").result_available_days + 1
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
