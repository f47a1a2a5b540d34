"""deploy/site.json: the site's hosting (S3 + CloudFront) is lint-clean and agrees with the code.

Like tests/api/test_package.py for the functions: cfn-lint on the template, then the
facts other parts rely on: the headers equal the ones the build and the API send, the
cache honours what `portal publish` sets, /api/ reaches the functions stack, and the
CSP parameter the build prints fits CloudFront.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chalicelib.security_headers import COMMON_HEADERS, HSTS_MAX_AGE
from click.testing import CliRunner
from portal.cli import main
from portal.publish import IMMUTABLE_CACHE, MEDIUM_CACHE, SHORT_CACHE
from portal.security import PATH_HEADERS, PATH_POLICIES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "site.json"
FUNCTIONS_TEMPLATE = ROOT / "functions" / "resources.json"
BIN = Path(sys.executable).parent
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@pytest.fixture(scope="module")
def template() -> dict:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def resources_of(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def distribution(template: dict) -> dict:
    return template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]


def test_cfn_lint_passes() -> None:
    result = subprocess.run([str(BIN / "cfn-lint"), str(TEMPLATE)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bucket_is_private_and_read_only_by_this_distribution(template) -> None:
    bucket = template["Resources"]["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert "WebsiteConfiguration" not in bucket  # S3 REST origin, not a public website endpoint
    statements = template["Resources"]["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow = next(s for s in statements if s["Effect"] == "Allow")
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "${Distribution}" in json.dumps(allow["Condition"])
    site_origin = next(o for o in distribution(template)["Origins"] if o["Id"] == "site")
    assert site_origin["OriginAccessControlId"] == {"Fn::GetAtt": ["OriginAccessControl", "Id"]}
    oac = template["Resources"]["OriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert oac["SigningBehavior"] == "always"


def test_compression_http3_and_the_indonesian_404(template) -> None:
    config = distribution(template)
    assert config["HttpVersion"] == "http2and3"
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["Compress"] is True for b in behaviours)
    assert all(b["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only") for b in behaviours)
    assert config["CustomErrorResponses"] == [
        {"ErrorCode": 403, "ResponsePagePath": "/404.html", "ResponseCode": 404, "ErrorCachingMinTTL": 60}
    ]  # S3 answers 403 for a missing key (no ListBucket); the API's own 404s pass through


def test_the_cache_honours_what_publish_sets(template) -> None:
    policy = template["Resources"]["SiteCachePolicy"]["Properties"]["CachePolicyConfig"]
    ages = [int(re.search(r"max-age=(\d+)", c).group(1)) for c in (SHORT_CACHE, MEDIUM_CACHE, IMMUTABLE_CACHE)]
    assert policy["MinTTL"] <= min(ages) and policy["MaxTTL"] >= max(ages)
    keys = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert keys["EnableAcceptEncodingGzip"] and keys["EnableAcceptEncodingBrotli"]
    assert distribution(template)["DefaultCacheBehavior"]["CachePolicyId"] == {"Ref": "SiteCachePolicy"}


def test_the_api_shares_the_origin_and_is_never_cached(template) -> None:
    config = distribution(template)
    api = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/api/*")
    assert api["TargetOriginId"] == "api" and "POST" in api["AllowedMethods"]
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST  # API Gateway needs its own Host
    origin = next(o for o in config["Origins"] if o["Id"] == "api")
    assert origin["DomainName"] == {"Ref": "ApiDomainName"}
    assert "OriginPath" not in origin  # the functions' stage is named api: /api/forms -> /forms
    stage = json.loads((ROOT / "chalice.json").read_text())["stages"]["prod"]["api_gateway_stage"]
    assert stage == "api"


def test_the_functions_stack_outputs_what_this_stack_and_the_build_take(template) -> None:
    outputs = json.loads(FUNCTIONS_TEMPLATE.read_text(encoding="utf-8"))["Outputs"]
    api_host = outputs["ApiDomainName"]["Value"]["Fn::Sub"]
    assert api_host == "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
    sample = "abc123def4.execute-api.ap-southeast-3.amazonaws.com"
    assert re.match(template["Parameters"]["ApiDomainName"]["AllowedPattern"], sample)
    assert outputs["UploadOrigin"]["Value"]["Fn::Sub"] == "https://${SubmissionsBucket}.s3.${AWS::Region}.${AWS::URLSuffix}"
    assert "SiteOrigin" in template["Outputs"]  # -> the functions stack's SiteOrigin parameter


def test_the_fixed_headers_equal_the_ones_the_build_and_the_api_send(template) -> None:
    policies = resources_of(template, "AWS::CloudFront::ResponseHeadersPolicy")
    assert set(policies) == {"SecurityHeaders", "AdminSecurityHeaders"}
    for name, policy in policies.items():
        config = policy["Properties"]["ResponseHeadersPolicyConfig"]
        security = config["SecurityHeadersConfig"]
        sent = {
            "Strict-Transport-Security": f"max-age={security['StrictTransportSecurity']['AccessControlMaxAgeSec']}"
            + ("; includeSubDomains" if security["StrictTransportSecurity"]["IncludeSubdomains"] else ""),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": security["FrameOptions"]["FrameOption"],
            "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
            **{item["Header"]: item["Value"] for item in config["CustomHeadersConfig"]["Items"]},
        }
        extra = PATH_HEADERS["/admin/"] if name == "AdminSecurityHeaders" else {}
        assert sent == {**COMMON_HEADERS, **extra}
        assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == HSTS_MAX_AGE
        assert all(part["Override"] for part in security.values() if isinstance(part, dict) and "Override" in part)


def test_every_per_path_policy_has_its_own_behaviour(template) -> None:
    behaviours = {b["PathPattern"]: b for b in distribution(template)["CacheBehaviors"]}
    default_policy = distribution(template)["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    for prefix in PATH_POLICIES:
        behaviour = behaviours[prefix + "*"]
        assert behaviour["TargetOriginId"] == "site"
        assert behaviour["ResponseHeadersPolicyId"] != default_policy


def test_the_directory_index_function(template) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    code = template["Resources"]["DirectoryIndex"]["Properties"]["FunctionCode"]
    cases = [
        {"uri": "/", "querystring": {}},
        {"uri": "/kantor/bawen/", "querystring": {}},
        {"uri": "/kantor/bawen", "querystring": {"kode": {"value": "K7QM 2XRD"}}},
        {"uri": "/assets/site.1a2b3c4d.min.css", "querystring": {}},
    ]
    script = code + "\nconst cases = JSON.parse(process.argv[1]);\n" \
        "console.log(JSON.stringify(cases.map((request) => handler({request}))));"
    done = subprocess.run([node, "-e", script, json.dumps(cases)], capture_output=True, text=True, timeout=30, check=True)
    answers = json.loads(done.stdout)
    assert answers[0]["uri"] == "/index.html" and answers[1]["uri"] == "/kantor/bawen/index.html"
    assert answers[2]["statusCode"] == 301
    assert answers[2]["headers"]["location"]["value"] == "/kantor/bawen/?kode=K7QM%202XRD"
    assert answers[3]["uri"] == "/assets/site.1a2b3c4d.min.css"


@pytest.mark.slow
def test_the_builds_csp_fits_the_template_and_allows_the_upload_origin(template, tmp_path) -> None:
    out = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PORTAL_UPLOAD_ORIGIN="https://unggah.s3.ap-southeast-3.amazonaws.com")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    runner = CliRunner()
    for path, parameter in (("/", "ContentSecurityPolicy"), ("/admin/", "AdminContentSecurityPolicy")):
        result = runner.invoke(main, ["headers", "csp", "--path", path, "--out", str(out)])
        assert result.exit_code == 0, result.output
        csp = result.output.strip()
        limits = template["Parameters"][parameter]
        assert limits["MinLength"] <= len(csp) <= limits["MaxLength"]
        if path == "/":  # the pages post scans there; the staff editor does not
            assert "connect-src 'self' https://unggah.s3.ap-southeast-3.amazonaws.com" in csp
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    every = json.loads(runner.invoke(main, ["headers", "all", "--out", str(out)]).output)
    assert {k: v for k, v in every.items() if k != "Content-Security-Policy"} == COMMON_HEADERS


def test_headers_needs_a_build(tmp_path) -> None:
    result = CliRunner().invoke(main, ["headers", "csp", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "jalankan `portal build` dulu" in result.output
