"""Configuration and deployment files: chalice.json → .chalice/, policies, merge template."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from api_support import FUNCTIONS, REPOSITORY

SOURCE = json.loads((REPOSITORY / "chalice.json").read_text(encoding="utf-8"))
TEMPLATE = json.loads((FUNCTIONS / "resources.json").read_text(encoding="utf-8"))


def load_build() -> Any:
    spec = importlib.util.spec_from_file_location("functions_build", FUNCTIONS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["functions_build"] = module  # dataclasses look their module up
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def built(tmp_path: Path, content_dir: Path) -> tuple[Path, Any]:
    """Run the build into a copy of functions/ (the real one is left alone)."""
    functions = tmp_path / "functions"
    functions.mkdir()
    (functions / "chalicelib").mkdir()
    (functions / "resources.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    build = load_build()
    result = build.build(source_path=REPOSITORY / "chalice.json", content=content_dir,
                         functions_dir=functions)
    return functions, result


def test_build_writes_chalice_config_without_policies(built: tuple[Path, Any]) -> None:
    functions, _ = built
    config = json.loads((functions / ".chalice" / "config.json").read_text())
    assert config["app_name"] == "dukcapil-portal"
    assert config["autogen_policy"] is False
    assert set(config["stages"]) == {"dev", "prod"}
    for name, stage in config["stages"].items():
        assert "iam_policy" not in stage
        assert stage["iam_policy_file"] == f"policy-{name}.json"
        assert (functions / ".chalice" / f"policy-{name}.json").is_file()
    assert config["stages"]["dev"]["environment_variables"]["STORAGE_BACKEND"] == "local"
    assert config["stages"]["prod"]["environment_variables"]["STORAGE_BACKEND"] == "s3"


def test_build_copies_the_content_the_lambda_reads(built: tuple[Path, Any]) -> None:
    functions, result = built
    packaged = functions / "chalicelib" / "content"
    assert (packaged / "forms" / "uji-ktp.yml").is_file()
    assert (packaged / "offices.yml").is_file()
    assert (packaged / "data" / "provinces.csv").is_file()
    assert all(path.is_relative_to(packaged) for path in result.content)


def test_build_sets_the_merge_templates_site_origin_from_the_stage(
    built: tuple[Path, Any]
) -> None:
    functions, _ = built
    rendered = json.loads((functions / ".chalice" / "resources-prod.json").read_text())
    origin = SOURCE["stages"]["prod"]["environment_variables"]["SITE_ORIGIN"]
    assert rendered["Parameters"]["SiteOrigin"]["Default"] == origin
    assert not (functions / ".chalice" / "resources-dev.json").exists()


def test_build_reports_missing_forms_folder(tmp_path: Path) -> None:
    build = load_build()
    with pytest.raises(build.BuildError, match="forms"):
        build.build(source_path=REPOSITORY / "chalice.json", content=tmp_path,
                    functions_dir=tmp_path / "f")


def test_prod_policy_is_least_privilege() -> None:
    policy = SOURCE["stages"]["prod"]["iam_policy"]
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert actions == {
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
        "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject",
        "ses:SendEmail", "sns:Publish",
    }
    for statement in policy["Statement"]:
        assert "*" not in json.dumps(statement["Action"])
        resources = json.dumps(statement["Resource"])
        if any(a.startswith("s3:") for a in statement["Action"]):
            assert statement["Effect"] == "Allow"
            assert "${SubmissionsBucket}" in resources
            assert '"*"' not in resources
        if statement["Action"] == ["ses:SendEmail"]:  # as the office's identity only
            assert statement["Effect"] == "Allow"
            assert "identity/${MailIdentity}" in resources and '"*"' not in resources
    deletes = next(s for s in policy["Statement"] if s["Action"] == ["s3:DeleteObject"])
    assert "applications/" not in json.dumps(deletes["Resource"])  # records are never deleted


def test_prod_policy_sends_sms_to_phone_numbers_but_never_to_topics() -> None:
    statements = [s for s in SOURCE["stages"]["prod"]["iam_policy"]["Statement"]
                  if s["Action"] == ["sns:Publish"]]
    effects = {s["Effect"]: s["Resource"] for s in statements}
    assert effects["Allow"] == "*"  # publishing to a phone number has no resource ARN
    assert effects["Deny"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}


def test_build_scopes_mail_to_the_stages_sender_domain(built: tuple[Path, Any]) -> None:
    functions, _ = built
    rendered = json.loads((functions / ".chalice" / "resources-prod.json").read_text())
    sender = SOURCE["stages"]["prod"]["environment_variables"]["MAIL_SENDER"]
    assert rendered["Parameters"]["MailIdentity"]["Default"] == sender.split("@")[1].rstrip(">")
    build = load_build()
    assert build.mail_identity({"MAIL_IDENTITY": "layanan@contoh.go.id",
                                "MAIL_SENDER": "x@lain.go.id"}) == "layanan@contoh.go.id"
    assert build.mail_identity({}) == ""


def test_merge_template_expires_kept_notifications() -> None:
    rules = {r["Id"]: r for r in TEMPLATE["Resources"]["SubmissionsBucket"]["Properties"][
        "LifecycleConfiguration"]["Rules"]}
    assert rules["expire-kept-notifications"]["Prefix"] == "notifications/"
    assert rules["expire-kept-notifications"]["ExpirationInDays"] <= 30


def test_dev_policy_has_no_storage_rights() -> None:
    policy = SOURCE["stages"]["dev"]["iam_policy"]
    assert not [a for s in policy["Statement"] for a in s["Action"] if a.startswith("s3:")]


def test_merge_template_bucket_is_private_encrypted_versioned_and_expires_pending() -> None:
    bucket = TEMPLATE["Resources"]["SubmissionsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    pending = rules["expire-uncompleted-submissions"]
    assert pending["Prefix"] == "pending/" and pending["ExpirationInDays"] == 2
    assert pending["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["expire-idempotency-keys"]["Prefix"] == "index/idempotency/"
    cors = bucket["CorsConfiguration"]["CorsRules"]
    assert cors == [{**cors[0], "AllowedMethods": ["POST"],
                     "AllowedOrigins": [{"Ref": "SiteOrigin"}]}]


def test_merge_template_denies_plain_http_and_wires_the_bucket_name() -> None:
    statement = TEMPLATE["Resources"]["SubmissionsBucketPolicy"]["Properties"][
        "PolicyDocument"]["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    env = TEMPLATE["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert env["SUBMISSIONS_BUCKET"] == {"Ref": "SubmissionsBucket"}


def test_service_pending_ttl_fits_the_lifecycle_rule() -> None:
    from chalicelib.submissions import Settings

    rules = {r["Id"]: r for r in TEMPLATE["Resources"]["SubmissionsBucket"]["Properties"][
        "LifecycleConfiguration"]["Rules"]}
    settings = Settings()
    assert settings.pending_ttl.days <= rules["expire-uncompleted-submissions"]["ExpirationInDays"]
    assert settings.idempotency_ttl < settings.pending_ttl
    assert settings.idempotency_ttl.days <= rules["expire-idempotency-keys"]["ExpirationInDays"]


def test_lambda_requirements_leave_out_boto3() -> None:
    lines = [line.split("==")[0].lower() for line in
             (FUNCTIONS / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert set(lines) == {"phonenumbers", "pyyaml", "pypdf", "pillow"}


def test_presigned_post_url_is_regional_for_jakarta(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.storage import get_s3_client, storage_from_env

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    get_s3_client.cache_clear()
    storage = storage_from_env({"STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": "dukcapil-b",
                                "AWS_REGION": "ap-southeast-3"})
    post = storage.presign_post("pending/a/uploads/00-kk.pdf", content_type="application/pdf",
                                max_bytes=100)
    get_s3_client.cache_clear()
    assert post.url == "https://dukcapil-b.s3.ap-southeast-3.amazonaws.com/"


def test_build_sets_the_retention_days_from_content(built: tuple[Path, Any], content_dir: Path) -> None:
    functions, _ = built
    rendered = json.loads((functions / ".chalice" / "resources-prod.json").read_text())
    policy = (content_dir / "retention.yml").read_text()
    closed = int(next(line.split(":")[1] for line in policy.splitlines()
                      if line.startswith("closed_applications_days:")))
    access = int(next(line.split(":")[1] for line in policy.splitlines()
                      if line.startswith("access_records_days:")))
    parameters = rendered["Parameters"]
    assert parameters["ClosedApplicationRetentionDays"]["Default"] == closed
    assert parameters["AccessRecordRetentionDays"]["Default"] == access


def test_build_reports_a_broken_retention_file_with_its_line(tmp_path: Path,
                                                              content_dir: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(content_dir, content)
    (content / "retention.yml").write_text("closed_applications_days: 0\naccess_records_days: 30\n")
    functions = tmp_path / "functions"
    (functions / "chalicelib").mkdir(parents=True)
    (functions / "resources.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    build = load_build()
    with pytest.raises(build.BuildError, match=r"retention.yml:1: 'closed_applications_days': '0'"):
        build.build(source_path=REPOSITORY / "chalice.json", content=content,
                    functions_dir=functions)


def rule(rule_id: str) -> dict:
    rules = TEMPLATE["Resources"]["SubmissionsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (found,) = [r for r in rules if r["Id"] == rule_id]
    return found


def test_closed_applications_and_their_old_versions_expire_after_the_retention_days() -> None:
    closed = rule("expire-closed-applications")
    assert closed["TagFilters"] == [{"Key": "retention", "Value": "closed"}]
    assert closed["ExpirationInDays"] == {"Ref": "ClosedApplicationRetentionDays"}
    assert closed["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    for rule_id, prefix in (("expire-superseded-application-versions", "applications/"),
                            ("expire-superseded-tracking-index-versions", "index/tracking/")):
        superseded = rule(rule_id)
        assert superseded["Prefix"] == prefix and "ExpirationInDays" not in superseded
        assert superseded["NoncurrentVersionExpiration"] == {
            "NoncurrentDays": {"Ref": "ClosedApplicationRetentionDays"}}
        assert superseded["ExpiredObjectDeleteMarker"] is True
    assert rule("expire-access-records")["ExpirationInDays"] == {"Ref": "AccessRecordRetentionDays"}
    assert rule("expire-quota-counters")["Prefix"] == "quota/"


def test_server_access_logs_go_to_a_private_log_bucket() -> None:
    resources = TEMPLATE["Resources"]
    logging = resources["SubmissionsBucket"]["Properties"]["LoggingConfiguration"]
    assert logging == {"DestinationBucketName": {"Ref": "AccessLogsBucket"},
                       "LogFilePrefix": "s3-access/"}
    logs = resources["AccessLogsBucket"]["Properties"]
    assert all(logs["PublicAccessBlockConfiguration"].values())
    assert logs["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == {
        "Ref": "AccessRecordRetentionDays"}
    (allow, deny) = resources["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": ["SubmissionsBucket", "Arn"]}}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_lambda_may_count_the_quota_but_not_delete_it() -> None:
    policy = json.dumps(SOURCE["stages"]["prod"]["iam_policy"])
    assert "${SubmissionsBucket}/quota/*" in policy
    deletes = next(s for s in SOURCE["stages"]["prod"]["iam_policy"]["Statement"]
                   if s["Action"] == ["s3:DeleteObject"])
    assert "quota/" not in json.dumps(deletes["Resource"])
