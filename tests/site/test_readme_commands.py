"""Every `portal` command the README shows, run as written against the shipped content.

A new staff member copies these lines first. Each README line is parsed as the shell
would, then run with only what a test must change: `--content` points at a copy of
the shipped content, output goes to temporary folders, S3 is moto, the tracking code
is the one of an application seeded into a local storage folder, and servers get a
free port. A README line with a command this file does not know fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from buildutil import ROOT
from click.testing import CliRunner
from portal.cli import main

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
PORTAL = ".venv/bin/portal"
README_CODE = "K7QM-2XRD-9F"  # the README's example tracking code
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}


def readme_commands() -> list[str]:
    """`.venv/bin/portal …` lines of the README's shell blocks and inline code, in order."""
    text = README.read_text(encoding="utf-8")
    found: list[str] = []
    for block in re.findall(r"^```(?:sh|bash)\n(.*?)^```", text, re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if PORTAL in line:
                found.append(line.strip())
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    found += [span for span in re.findall(r"`([^`\n]*\.venv/bin/portal [^`\n]*)`", prose)]
    return list(dict.fromkeys(found))


def split(line: str) -> tuple[dict[str, str], list[str]]:
    """(environment assignments, the portal command's arguments) of one README line."""
    words = shlex.split(line, comments=True)
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == PORTAL, line
    return env, words[1:]


def test_the_readme_shows_the_staff_commands():
    commands = {split(line)[1][0] for line in readme_commands()}
    assert {"new-closure", "check", "preview", "build", "publish", "inbox", "show", "download", "set-status",
            "export", "serve"} <= commands


# --------------------------------------------------------------------------- running them


@dataclass
class Workspace:
    root: Path
    content: Path
    storage: Path
    tracking_code: str

    def path(self, readme_path: str) -> str:
        """`~/permohonan`, `/var/www/portal`: folders of the README, moved under the workspace."""
        return str(self.root / readme_path.replace("~/", "home/").lstrip("/"))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    storage = tmp_path / "storage"
    return Workspace(tmp_path, content, storage, seed_application(content, storage))


def seed_application(content: Path, storage_dir: Path) -> str:
    """One KTP-el application from Getasan, received Saturday 26 September 2020 (the README's dates)."""
    import secrets

    from chalicelib.clock import WIB
    from chalicelib.forms import load_forms
    from chalicelib.storage import LocalStorage
    from chalicelib.submissions import SubmissionService
    from staff_support import PDF, submit

    forms = load_forms(content / "forms", content / "offices.yml", provinces_file=content / "data" / "provinces.csv")
    storage = LocalStorage(storage_dir, "http://127.0.0.1:9/upload", secrets.token_bytes(32))
    service = SubmissionService(storage, forms, clock=lambda: datetime(2020, 9, 26, 9, 0, tzinfo=WIB))
    values = {"nik": "3322 0117 0890 0001", "nomor_kk": "3322010101200001", "nama_lengkap": "Budi Santoso",
              "tanggal_lahir": "1990-08-17", "jenis_kelamin": "L", "sudah_perekaman": "belum",
              "telepon": "0812-3456-7890", "email": "budi.santoso@contoh.id", "kecamatan": "getasan"}
    seeded = submit(service, "ktp-el-baru", values, [("kartu_keluarga", PDF, "application/pdf")], key="kunci-pengiriman-readme-1")
    return seeded.tracking_code


def run(arguments: list[str], env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, arguments, env=env, catch_exceptions=False)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_server(arguments: list[str], paths: list[str], log: Path) -> dict[str, str]:
    """Start a long-running command, wait until it serves, return the pages at `paths`, stop it."""
    port = free_port()
    command = [sys.executable, "-m", "portal.cli", *arguments, "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_ORIGIN", "LOCAL_UPLOAD_URL", "PORTAL_TODAY")}
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                pages = {}
                for path in paths:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as answer:
                        pages[path] = answer.read().decode("utf-8")
                return pages
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{' '.join(arguments)} did not serve:\n{log.read_text(errors='replace')}")
                time.sleep(0.5)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.parametrize("line", readme_commands(),
                         ids=[re.sub(r"\s+#.*", "", line).replace(PORTAL + " ", "") for line in readme_commands()])
def test_every_readme_command_works_on_the_shipped_content(line, workspace, monkeypatch):
    env, arguments = split(line)
    command = arguments[0]
    content = ["--content", str(workspace.content)]
    staff_env = {"STORAGE_BACKEND": "local", "LOCAL_STORAGE_DIR": str(workspace.storage), **env}
    out = str(workspace.root / "site")

    if command in ("new-closure", "check"):
        result = run([*arguments, *content], env)
        assert result.exit_code == 0, result.output
        assert "Konten baik" in run(["check", *content]).output
        if command == "new-closure":
            made = list((workspace.content / "announcements").glob("2026-12-01-*.md"))
            assert [p.name for p in made] == ["2026-12-01-bawen-bergas-tutup-3-hari.md"]
    elif command == "build":
        result = run([*arguments, *content, "--out", out], env)
        assert result.exit_code == 0, result.output
        assert (Path(out) / "index.html").is_file() and (Path(out) / "404.html").is_file()
        assert "WARNING" not in result.output  # strict: a warning is a failed build
    elif command == "preview":
        run(["new-closure", *content, "--offices", "bawen", "--first-day", "2026-12-01", "--days", "1",
             "--reason", "Uji pratinjau."])
        pages = run_server([*arguments, *content], ["", "kantor/bawen/"], workspace.root / "preview.log")
        assert "<title>Beranda - Dispendukcapil Kabupaten Semarang</title>" in pages[""]
        assert "Kecamatan Bawen tutup Selasa, 1 Desember 2026" in pages["kantor/bawen/"]  # the staff's new closure
    elif command == "serve":
        pages = run_server([*arguments, *content, "--out", out, "--storage", str(workspace.storage)],
                           ["formulir/ktp-el-baru/", "api/forms/ktp-el-baru"], workspace.root / "serve.log")
        assert "Permohonan KTP-el baru" in pages["formulir/ktp-el-baru/"]
        assert '"id": "ktp-el-baru"' in pages["api/forms/ktp-el-baru"].replace('"id":"', '"id": "')
    elif command == "publish":
        publish(arguments, workspace, monkeypatch)
    elif command in ("inbox", "show", "download", "set-status", "export", "purge", "outbox",
                     "notify-retry"):
        staff(arguments, workspace, staff_env)
    else:
        pytest.fail(f"the README shows `portal {command}`: teach this test to run it")


def publish(arguments: list[str], workspace: Workspace, monkeypatch) -> None:
    from chalicelib.storage import make_s3_client
    from moto import mock_aws

    arguments = [workspace.path(a) if a.startswith("/") else a for a in arguments]
    arguments += ["--content", str(workspace.content), "--out", str(workspace.root / "site")]
    if "--to" in arguments:
        result = run(arguments)
        assert result.exit_code == 0, result.output
        assert (Path(arguments[arguments.index("--to") + 1]) / "index.html").is_file()
        return
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "SITE_PREFIX",
                 "SITE_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    bucket = arguments[arguments.index("--bucket") + 1]
    with mock_aws():
        client = make_s3_client("ap-southeast-3")
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
        result = run(arguments)
        assert result.exit_code == 0, result.output
        keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    if "--dry-run" in arguments:
        assert keys == [] and "index.html" in result.output
    else:
        assert {"index.html", "404.html", "kontak/index.html", "status.json"} <= set(keys)


def staff(arguments: list[str], workspace: Workspace, env: dict[str, str]) -> None:
    code = workspace.tracking_code
    arguments = [code if a == README_CODE else workspace.path(a) if a.startswith("~/") else a for a in arguments]
    if arguments[0] == "outbox":  # the outbox needs a message to show: a status change writes one
        run(["set-status", code, "diproses", "--by", "Rina", "--content", str(workspace.content)], env)
        result = run(arguments, env)
    else:
        result = run([*arguments, "--content", str(workspace.content)], env)
    assert result.exit_code == 0, result.output
    command = arguments[0]
    if command == "inbox":
        assert code in result.output  # Getasan, 26 September 2020, diterima: the README's filter finds it
    elif command == "show":
        assert "Budi Santoso" in result.output
    elif command == "download":
        assert (Path(workspace.path("~/permohonan")) / code / "record.json").is_file()
    elif command == "set-status":
        shown = run(["show", code, "--content", str(workspace.content)], env).output
        note = arguments[arguments.index("--note") + 1]
        assert note in shown
        assert arguments[2].replace("-", " ") in shown.lower().replace("_", " ")
        assert "1 pesan di" in run(["outbox"], env).output  # the resident's message was written
    elif command in ("purge", "notify-retry"):
        assert "Traceback" not in result.output
    elif command == "outbox":
        assert ("1 pesan di" in result.output) if len(arguments) == 1 else (code in result.output)
    elif "--out" in arguments and arguments[arguments.index("--out") + 1].endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(arguments[arguments.index("--out") + 1]).active
        assert code in [cell.value for cell in sheet["A"]]
    elif "--out" in arguments:
        exported = Path(arguments[arguments.index("--out") + 1]).read_text(encoding="utf-8-sig")
        assert code in exported
    else:
        files = list(Path(arguments[arguments.index("--to") + 1]).rglob("*.csv"))
        assert files and any(code in f.read_text(encoding="utf-8-sig") for f in files)
