"""`portal publish --distribution-id`: one CloudFront invalidation for what changed.

CloudFront through moto (in-process ``mock_aws``), next to the moto S3 bucket of
test_publish.py.
"""

from __future__ import annotations

from dataclasses import replace

import boto3
import pytest
from portal.cdn import WILDCARD_AFTER, invalidation_paths
from portal.publish import Plan, S3Destination, make_plan, publish, scan_site
from test_publish import BUCKET, REGION, invoke, s3, site  # noqa: F401  (fixtures)


@pytest.fixture
def distribution(s3):  # noqa: F811
    """A moto CloudFront distribution in front of the site bucket; returns (client, id)."""
    client = boto3.client("cloudfront", region_name="us-east-1")
    origin = f"{BUCKET}.s3.{REGION}.amazonaws.com"
    created = client.create_distribution(DistributionConfig={
        "CallerReference": "uji", "Comment": "uji", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": origin,
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
    })
    return client, created["Distribution"]["Id"]


def invalidated(client, distribution_id: str) -> list[list[str]]:
    """The path lists of every invalidation of a distribution."""
    found = client.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    return [sorted(client.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
                   ["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]) for item in found]


def test_changed_pages_feeds_and_status_are_invalidated_in_one_batch(s3, site, distribution):  # noqa: F811
    client, distribution_id = distribution
    first = invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION,
                   "--distribution-id", distribution_id)
    assert "tidak ada alamat yang perlu diinvalidasi" in first.output  # new files were never cached
    assert invalidated(client, distribution_id) == []

    (site / "status.json").write_text('{"status": "tutup"}\n', encoding="utf-8")
    (site / "kantor" / "bawen" / "index.html").write_text("<p>tutup</p>", encoding="utf-8")
    (site / "feed.xml").write_text((site / "feed.xml").read_text() + "<!-- baru -->", encoding="utf-8")
    (site / "assets" / "images" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (site / "kantor" / "bawen" / "penutupan.ics").unlink()
    bundle = next((site / "assets" / "stylesheets").glob("main.*.min.css"))
    bundle.write_text("body{}", encoding="utf-8")  # sent, but a fingerprinted name is never invalidated
    result = invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION,
                    "--distribution-id", distribution_id)
    assert result.exit_code == 0, result.output
    expected = ["/assets/images/logo.svg", "/feed.xml", "/kantor/bawen/", "/kantor/bawen/index.html",
                "/kantor/bawen/penutupan.ics", "/status.json"]
    assert invalidated(client, distribution_id) == [expected]
    assert f"CloudFront {distribution_id}: invalidasi" in result.output and "6 alamat" in result.output

    again = invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION,
                   "--distribution-id", distribution_id)
    assert len(invalidated(client, distribution_id)) == 1  # nothing changed: no second invalidation
    assert "tidak ada alamat" in again.output


def test_a_dry_run_lists_the_paths_and_invalidates_nothing(s3, site, distribution):  # noqa: F811
    client, distribution_id = distribution
    publish(site, S3Destination(s3, BUCKET))
    (site / "index.html").write_text("<p>baru</p>", encoding="utf-8")
    result = invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION,
                    "--distribution-id", distribution_id, "--dry-run")
    assert f"CloudFront {distribution_id}: akan menginvalidasi 2 alamat: / /index.html" in result.output
    assert invalidated(client, distribution_id) == []


def test_many_changes_become_one_wildcard_under_the_prefix(site):  # noqa: F811
    files = scan_site(site)
    page = next(f for f in files if f.key == "index.html")
    few = Plan(update=[replace(page, key=f"halaman-{i}.html") for i in range(WILDCARD_AFTER)])
    assert len(invalidation_paths(few, "portal")) == WILDCARD_AFTER
    many = Plan(update=[replace(page, key=f"halaman-{i}.html") for i in range(WILDCARD_AFTER + 1)])
    assert invalidation_paths(many, "portal") == ["/portal/*"]
    one = make_plan(files, {})
    assert invalidation_paths(one) == []  # uploads only: nothing was cached


def test_a_folder_destination_has_no_distribution(site, tmp_path):  # noqa: F811
    result = invoke("--no-build", "--out", str(site), "--to", str(tmp_path / "www"), "--distribution-id", "E1")
    assert result.exit_code != 0 and "--distribution-id hanya untuk --bucket" in result.output
