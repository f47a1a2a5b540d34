"""`portal publish`: headers per file kind, incremental sync, deletions, dry run.

S3 through moto (in-process ``mock_aws``) and a plain folder. The site here is a small
hand-made tree with one file of every kind the build writes; one slow test publishes a
real build.
"""

from __future__ import annotations

import gzip
import os
import stat
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from chalicelib.storage import make_s3_client
from click.testing import CliRunner
from moto import mock_aws
from portal.cli import main
from portal.publish import (
    IMMUTABLE_CACHE,
    MEDIUM_CACHE,
    SHORT_CACHE,
    FolderDestination,
    PublishError,
    RemoteFile,
    S3Destination,
    SiteFile,
    cache_control_for,
    content_type_for,
    make_plan,
    publish,
    scan_site,
)

REGION = "ap-southeast-3"
BUCKET = "uji-situs-dukcapil"
ATOM = (b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Pengumuman</title></feed>\n')

# path -> (Content-Type, Cache-Control) expected for every kind of file the build writes
EXPECTED: dict[str, tuple[str, str]] = {
    "index.html": ("text/html; charset=utf-8", SHORT_CACHE),
    "404.html": ("text/html; charset=utf-8", SHORT_CACHE),
    "kantor/bawen/index.html": ("text/html; charset=utf-8", SHORT_CACHE),
    "feed.xml": ("application/atom+xml; charset=utf-8", SHORT_CACHE),
    "kantor/bawen/feed.xml": ("application/atom+xml; charset=utf-8", SHORT_CACHE),
    "penutupan.ics": ("text/calendar; charset=utf-8", SHORT_CACHE),
    "kantor/bawen/penutupan.ics": ("text/calendar; charset=utf-8", SHORT_CACHE),
    "status.json": ("application/json", SHORT_CACHE),
    "search/search_index.json": ("application/json", SHORT_CACHE),
    "sitemap.xml": ("application/xml; charset=utf-8", SHORT_CACHE),
    "sitemap.xml.gz": ("application/gzip", SHORT_CACHE),
    "assets/stylesheets/main.57a0d79d.min.css": ("text/css; charset=utf-8", IMMUTABLE_CACHE),
    "assets/stylesheets/main.57a0d79d.min.css.map": ("application/json", IMMUTABLE_CACHE),
    "assets/javascripts/bundle.a5f9d56c.min.js": ("text/javascript; charset=utf-8",
                                                  IMMUTABLE_CACHE),
    "assets/javascripts/workers/search.a7633da7.min.js": ("text/javascript; charset=utf-8",
                                                          IMMUTABLE_CACHE),
    "assets/javascripts/lunr/min/lunr.multi.min.js": ("text/javascript; charset=utf-8",
                                                      MEDIUM_CACHE),
    "assets/portal.css": ("text/css; charset=utf-8", MEDIUM_CACHE),
    "assets/status.js": ("text/javascript; charset=utf-8", MEDIUM_CACHE),
    "assets/images/favicon.png": ("image/png", MEDIUM_CACHE),
    "assets/images/logo.svg": ("image/svg+xml", MEDIUM_CACHE),
    "assets/fonts/inter.woff2": ("font/woff2", MEDIUM_CACHE),
}


def make_site(root: Path) -> Path:
    """A built-site tree with one file of every kind in EXPECTED."""
    for key in EXPECTED:
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if key.endswith("feed.xml"):
            path.write_bytes(ATOM)
        elif key.endswith(".gz"):
            path.write_bytes(gzip.compress(b"<urlset/>", mtime=0))
        else:
            path.write_text(f"isi {key}\n", encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """A moto S3 client with an empty site bucket; nothing reaches AWS."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "SITE_PREFIX", "SITE_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = make_s3_client(REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


class Calls:
    """Counts S3 API calls made through a client (PutObject, DeleteObjects, ...)."""

    def __init__(self, client) -> None:
        self.counts: Counter[str] = Counter()
        client.meta.events.register("before-call.s3.*", self._count)

    def _count(self, model, **kwargs) -> None:
        self.counts[model.name] += 1


def bucket_keys(client, prefix: str = "") -> dict[str, str]:
    """key -> ETag of everything in the bucket under ``prefix``."""
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {item["Key"]: item["ETag"] for item in listing}


# --------------------------------------------------------------------------- header rules


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items()))
def test_headers_per_file_kind(key, expected, site):
    head = (site / key).read_bytes()[:512]
    assert (content_type_for(key, head), cache_control_for(key)) == expected


def test_atom_is_recognised_by_its_content_too():
    assert content_type_for("kabar/terbaru.xml", ATOM) == "application/atom+xml; charset=utf-8"
    assert content_type_for("data/lain.xml", b"<urlset/>") == "application/xml; charset=utf-8"
    assert content_type_for("unduhan/berkas.tanpa-jenis") == "application/octet-stream"


def test_scan_lists_every_file_with_its_headers(site):
    files = scan_site(site)
    assert [f.key for f in files] == sorted(EXPECTED)
    for file in files:
        assert (file.content_type, file.cache_control) == EXPECTED[file.key]
        assert file.size == (site / file.key).stat().st_size


def test_an_empty_build_is_refused(tmp_path):
    (tmp_path / "kosong").mkdir()
    with pytest.raises(PublishError, match="index.html tidak ada"):
        scan_site(tmp_path / "kosong")


def test_plan_compares_size_and_md5_and_asks_when_unsure(site):
    files = {f.key: f for f in scan_site(site)}
    index, status = files["index.html"], files["status.json"]
    remote = {
        "index.html": RemoteFile("index.html", index.size, index.md5),
        "status.json": RemoteFile("status.json", status.size, None),  # e.g. an SSE-KMS ETag
        "lama/index.html": RemoteFile("lama/index.html", 3, "0" * 32),
    }
    asked: list[str] = []

    def same(file: SiteFile, there: RemoteFile) -> bool:
        asked.append(file.key)
        return True

    plan = make_plan(files.values(), remote, same=same)
    assert [f.key for f in plan.unchanged] == ["index.html", "status.json"]
    assert asked == ["status.json"]
    assert plan.delete == ["lama/index.html"]
    assert len(plan.upload) == len(EXPECTED) - 2 and plan.update == []
    forced = make_plan(files.values(), remote, same=same, force=True)
    assert {f.key for f in forced.update} == {"index.html", "status.json"}


# --------------------------------------------------------------------------- S3


def test_s3_every_object_gets_its_content_type_and_cache_control(s3, site):
    plan = publish(site, S3Destination(s3, BUCKET))
    assert plan.counts() == {"upload": len(EXPECTED), "update": 0, "delete": 0, "unchanged": 0}
    for key, (content_type, cache_control) in EXPECTED.items():
        head = s3.head_object(Bucket=BUCKET, Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache_control), key
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == (site / key).read_bytes()


def test_s3_unchanged_files_are_not_sent_again(s3, site):
    publish(site, S3Destination(s3, BUCKET))
    before = bucket_keys(s3)
    calls = Calls(s3)
    plan = publish(site, S3Destination(s3, BUCKET))
    assert plan.counts() == {"upload": 0, "update": 0, "delete": 0, "unchanged": len(EXPECTED)}
    assert calls.counts["PutObject"] == 0 and calls.counts["DeleteObjects"] == 0
    assert bucket_keys(s3) == before


def test_s3_changed_new_and_removed_files(s3, site):
    publish(site, S3Destination(s3, BUCKET))
    (site / "status.json").write_text('{"status": "tutup"}\n', encoding="utf-8")
    (site / "kantor" / "bawen" / "penutupan.ics").unlink()
    (site / "pengumuman" / "baru").mkdir(parents=True)
    (site / "pengumuman" / "baru" / "index.html").write_text("<p>baru</p>", encoding="utf-8")
    calls = Calls(s3)
    plan = publish(site, S3Destination(s3, BUCKET))
    assert [f.key for f in plan.update] == ["status.json"]
    assert [f.key for f in plan.upload] == ["pengumuman/baru/index.html"]
    assert plan.delete == ["kantor/bawen/penutupan.ics"]
    assert calls.counts["PutObject"] == 2 and calls.counts["DeleteObjects"] == 1
    keys = bucket_keys(s3)
    assert "kantor/bawen/penutupan.ics" not in keys
    assert s3.get_object(Bucket=BUCKET, Key="status.json")["Body"].read() == b'{"status": "tutup"}\n'
    head = s3.head_object(Bucket=BUCKET, Key="pengumuman/baru/index.html")
    assert head["CacheControl"] == SHORT_CACHE


def test_s3_dry_run_changes_nothing(s3, site):
    publish(site, S3Destination(s3, BUCKET))
    (site / "status.json").write_text("{}", encoding="utf-8")
    (site / "feed.xml").unlink()
    before = bucket_keys(s3)
    calls = Calls(s3)
    plan = publish(site, S3Destination(s3, BUCKET), dry_run=True)
    assert plan.counts() == {"upload": 0, "update": 1, "delete": 1,
                             "unchanged": len(EXPECTED) - 2}
    assert set(calls.counts) <= {"ListObjectsV2", "HeadObject"}
    assert bucket_keys(s3) == before


def test_s3_prefix_and_what_the_site_does_not_own(s3, site):
    s3.put_object(Bucket=BUCKET, Key="lain/catatan.txt", Body=b"bukan situs")
    s3.put_object(Bucket=BUCKET, Key="portal/.well-known/security.txt", Body=b"kontak")
    s3.put_object(Bucket=BUCKET, Key="portal/lama.html", Body=b"lama")
    plan = publish(site, S3Destination(s3, BUCKET, prefix="/portal/"))
    assert plan.delete == ["lama.html"]
    keys = bucket_keys(s3)
    assert "portal/index.html" in keys and "index.html" not in keys
    assert "lain/catatan.txt" in keys  # outside the prefix
    assert "portal/.well-known/security.txt" in keys  # hidden paths are never touched
    assert "portal/lama.html" not in keys


def test_s3_md5_metadata_decides_when_the_etag_is_not_an_md5(s3, site):
    destination = S3Destination(s3, BUCKET)
    publish(site, destination)
    file = next(f for f in scan_site(site) if f.key == "index.html")
    assert destination.same(file, RemoteFile(file.key, file.size, None))
    (site / "index.html").write_text("isi lain\n", encoding="utf-8")
    changed = next(f for f in scan_site(site) if f.key == "index.html")
    assert not destination.same(changed, RemoteFile(file.key, file.size, None))


# --------------------------------------------------------------------------- folder


def test_folder_sync_copies_updates_and_deletes(site, tmp_path):
    target = tmp_path / "www"
    (target / ".git").mkdir(parents=True)
    (target / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (target / "lama" / "sub").mkdir(parents=True)
    (target / "lama" / "sub" / "index.html").write_text("lama")
    plan = publish(site, FolderDestination(target))
    assert plan.delete == ["lama/sub/index.html"]
    assert not (target / "lama").exists()  # emptied folders are removed
    assert (target / ".git" / "HEAD").exists()  # hidden paths are left alone
    for key in EXPECTED:
        assert (target / key).read_bytes() == (site / key).read_bytes()
        assert stat.S_IMODE((target / key).stat().st_mode) == 0o644
    stamps = {key: (target / key).stat().st_mtime_ns for key in EXPECTED}
    inodes = {key: (target / key).stat().st_ino for key in EXPECTED}
    (site / "status.json").write_text('{"baru": true}', encoding="utf-8")
    again = publish(site, FolderDestination(target))
    assert [f.key for f in again.update] == ["status.json"]
    assert len(again.unchanged) == len(EXPECTED) - 1
    for key in EXPECTED:
        if key != "status.json":  # unchanged files are not rewritten
            assert (target / key).stat().st_mtime_ns == stamps[key]
            assert (target / key).stat().st_ino == inodes[key]
    assert (target / "status.json").read_text() == '{"baru": true}'
    assert not list(target.rglob(".publish-*"))


def test_folder_dry_run_changes_nothing(site, tmp_path):
    target = tmp_path / "www"
    publish(site, FolderDestination(target))
    (site / "feed.xml").unlink()
    (site / "baru.html").write_text("baru")
    snapshot = {p: p.stat().st_mtime_ns for p in target.rglob("*")}
    plan = publish(site, FolderDestination(target), dry_run=True)
    assert plan.counts()["upload"] == 1 and plan.delete == ["feed.xml"]
    assert {p: p.stat().st_mtime_ns for p in target.rglob("*")} == snapshot


def test_folder_overlapping_the_build_is_refused(site):
    for target in (site, site / "sub", site.parent):
        with pytest.raises(PublishError, match="bertumpang tindih"):
            FolderDestination(target, site_dir=site)


# --------------------------------------------------------------------------- CLI


def invoke(*args: str):
    return CliRunner().invoke(main, ["publish", *args], catch_exceptions=False)


def test_cli_publishes_to_s3_and_reports(s3, site):
    result = invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION,
                    "--prefix", "portal")
    assert result.exit_code == 0, result.output
    assert "  baru   index.html" in result.output
    assert (f"Diterbitkan ke s3://{BUCKET}/portal/: {len(EXPECTED)} baru, 0 berubah, "
            "0 dihapus, 0 tetap.") in result.output
    head = s3.head_object(Bucket=BUCKET, Key="portal/penutupan.ics")
    assert head["ContentType"] == "text/calendar; charset=utf-8"


def test_cli_dry_run_prints_the_plan_and_changes_nothing(s3, site):
    invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION)
    (site / "status.json").write_text("{}", encoding="utf-8")
    (site / "sitemap.xml").unlink()
    (site / "baru.html").write_text("<p>baru</p>")
    before = bucket_keys(s3)
    result = invoke("--no-build", "--out", str(site), "--bucket", BUCKET, "--region", REGION,
                    "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert (f"Rencana terbit ke s3://{BUCKET}/: 1 baru, 1 berubah, 1 dihapus, "
            f"{len(EXPECTED) - 2} tetap.") in out
    assert "  baru   baru.html  [text/html; charset=utf-8 | public, max-age=60" in out
    assert "  ubah   status.json  [application/json | public, max-age=60" in out
    assert "  hapus  sitemap.xml" in out
    assert "  tetap  index.html" in out
    assert "Uji coba (--dry-run): tidak ada yang diubah." in out
    assert bucket_keys(s3) == before


def test_cli_to_a_folder(site, tmp_path):
    result = invoke("--no-build", "--out", str(site), "--to", str(tmp_path / "www"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "www" / "index.html").exists()
    assert f"Diterbitkan ke {(tmp_path / 'www').resolve()}/" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Isi salah satu: --bucket (S3) atau --to (folder)."),
        (["--bucket", BUCKET, "--to", "x"], "Isi salah satu: --bucket (S3) atau --to (folder)."),
    ],
)
def test_cli_needs_exactly_one_destination(site, args, message):
    result = invoke("--no-build", "--out", str(site), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_aws_errors_are_messages(s3, site):
    result = CliRunner().invoke(main, ["publish", "--no-build", "--out", str(site), "--bucket",
                                       "tidak-ada-bucket", "--region", REGION])
    assert result.exit_code == 1
    assert "Gagal menerbitkan ke s3://tidak-ada-bucket/: NoSuchBucket" in result.output


@pytest.mark.slow
def test_cli_checks_builds_and_publishes_a_real_site(regency, tmp_path):
    out, www = tmp_path / "site", tmp_path / "www"
    dry = invoke("--content", str(regency.root), "--out", str(out), "--to", str(www), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert not out.exists() and not www.exists()  # a dry run builds elsewhere
    assert "  baru   status.json  [application/json | public, max-age=60" in dry.output
    result = invoke("--content", str(regency.root), "--out", str(out), "--to", str(www))
    assert result.exit_code == 0, result.output
    assert "Konten baik" in result.output and f"Situs dibangun di {out}" in result.output
    assert (www / "index.html").exists() and (www / "status.json").exists()
    hashed = [f for f in scan_site(out) if f.cache_control == IMMUTABLE_CACHE]
    assert any(f.key.startswith("assets/javascripts/bundle.") for f in hashed)
    assert any(f.content_type.startswith("application/atom+xml") for f in scan_site(out))


@pytest.mark.slow
def test_cli_publish_stops_on_broken_content(regency, tmp_path):
    regency.announce("rusak", closure="offices: [x]\nfirst_day: 2024-01-01\ndays: 1\n"
                                      "reason: a\ninstead: b")
    result = CliRunner().invoke(main, ["publish", "--content", str(regency.root), "--out",
                                       str(tmp_path / "site"), "--to", str(tmp_path / "www")])
    assert result.exit_code == 1
    assert "kantor 'x' tidak ada di offices.yml" in result.output
    assert not (tmp_path / "www").exists()


def test_the_staff_editor_s_files_get_their_types():
    assert content_type_for("admin/config.yml") == "text/yaml; charset=utf-8"
    assert content_type_for("admin/decap/f728dc876b39e5273411.wasm") == "application/wasm"
    assert content_type_for("admin/vendor/yaml/index.js").startswith("text/javascript")
