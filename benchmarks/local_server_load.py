"""Bounded loopback load on the local server (site + API + uploads on one origin).

    .venv/bin/python benchmarks/local_server_load.py              # 4 threads x 40 journeys
    .venv/bin/python benchmarks/local_server_load.py --threads 2 --journeys 100 --cap 60

It starts ``portal.devserver`` on a free loopback port in this process (a
temporary site folder, storage folder and a small test form), then each client
thread walks the resident's journey over ONE kept-alive ``requests.Session``:

    GET /                      static page
    GET /api/forms/uji-ktp     form definition
    POST /api/submissions      create (fresh idempotency key)
    POST /upload               the file, through the presigned POST
    POST /api/.../complete     receipt
    POST /api/status           status with code and token

It prints requests/s, latency p50/p95 (overall and per step) and failures: any
exception (reset or dropped connection) or unexpected status; then the storage
invariant: exactly one record and one tracking index entry per receipt, no record
without a receipt, no orphan index entry. The target is 0 failures and 0 problems.
The run stops at ``--cap`` seconds whatever happens.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from samples import scanned_pdf  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "site"))
FORM_FILE = REPOSITORY / "tests" / "api" / "data" / "uji-ktp.yml"
FORM_ID = "uji-ktp"
PDF = scanned_pdf(padding=20_000)  # a real PDF: complete checks its structure
VALUES = {
    "nik": "3322015208900001", "nama": "Siti Aminah Rahayu", "tanggal_lahir": "1990-08-12",
    "jenis_kelamin": "P", "kecamatan": "getasan", "telepon": "081234567890",
}


def prepare(workdir: Path) -> tuple[Path, Path, Path]:
    """A content tree with the test form, a one-page site and an empty storage folder."""
    content = workdir / "content"
    (content / "forms").mkdir(parents=True)
    (content / "data").mkdir()
    shutil.copy(REPOSITORY / "content" / "offices.yml", content / "offices.yml")
    shutil.copy(REPOSITORY / "content" / "data" / "provinces.csv", content / "data")
    shutil.copy(FORM_FILE, content / "forms" / f"{FORM_ID}.yml")
    site = workdir / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>Portal</title><h1>Portal</h1>" +
                                     "<p>isi</p>" * 500, encoding="utf-8")
    return content, site, workdir / "storage"


def journey(session: requests.Session, base: str, record: callable) -> None:
    """One resident's visit; ``record(step, seconds, ok)`` for every request."""

    def timed(step: str, method: str, url: str, expect: int, **kwargs: object) -> requests.Response:
        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=10, **kwargs)
        except requests.RequestException as error:
            record(step, time.perf_counter() - started, False, type(error).__name__)
            raise
        ok = response.status_code == expect
        record(step, time.perf_counter() - started, ok, None if ok else str(response.status_code))
        if not ok:
            raise RuntimeError(step)
        return response

    timed("static", "GET", base, 200)
    timed("form", "GET", f"{base}api/forms/{FORM_ID}", 200)
    body = {"form_id": FORM_ID, "idempotency_key": uuid.uuid4().hex, "values": VALUES,
            "files": [{"attachment": "kk", "name": "kk.pdf", "size": len(PDF),
                       "type": "application/pdf"}]}
    offer = timed("create", "POST", f"{base}api/submissions", 201, json=body).json()
    upload = offer["uploads"][0]
    timed("upload", "POST", upload["url"], 204, data=upload["fields"],
          files={"file": ("kk.pdf", PDF, "application/pdf")})
    receipt = timed("complete", "POST",
                    f"{base}api/submissions/{offer['submission_id']}/complete", 200,
                    json={"idempotency_key": body["idempotency_key"]}).json()
    record("received", 0.0, True, receipt["tracking_code"])
    timed("status", "POST", f"{base}api/status", 200,
          json={"tracking_code": receipt["tracking_code"], "token": receipt["status_token"]})


def run(threads: int, journeys: int, cap: float) -> int:
    """Start the server, run the clients, print the figures; return the failure count."""
    import os

    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    content, site, storage = prepare(workdir)
    os.environ["PORTAL_CONTENT_DIR"] = str(content)
    os.environ.setdefault("QUOTA_MAX_SUBMISSIONS", "0")  # a load test, not an abuse test
    os.environ.setdefault("QUOTA_MAX_MEGABYTES", "0")
    from portal.devserver import create_server
    from portal.ratelimit import ClientBudgets

    server = create_server(site, port=0, storage_dir=storage, threads=8,
                           rate_limits=ClientBudgets.off())
    server_thread = threading.Thread(target=server.run, daemon=True)
    server_thread.start()
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    deadline = time.monotonic() + cap

    received: list[str] = []

    def record(step: str, seconds: float, ok: bool, why: str | None) -> None:
        with lock:
            if step == "received":  # a completed journey: its tracking code
                received.append(str(why))
                return
            latencies[step].append(seconds)
            if not ok:
                failures.append(f"{step}: {why}")

    def client() -> None:
        with requests.Session() as session:
            for _ in range(journeys):
                if time.monotonic() > deadline:
                    return
                try:
                    journey(session, server.url, record)
                except (requests.RequestException, RuntimeError, KeyError, ValueError):
                    continue

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()) + 5)
    elapsed = time.perf_counter() - started
    server.close()
    problems = check_invariant(storage, received)
    shutil.rmtree(workdir, ignore_errors=True)

    every = [s for values in latencies.values() for s in values]
    print(f"local server load: {threads} threads x {journeys} journeys "
          f"(6 requests each, kept-alive sessions), cap {cap:.0f} s")
    print(f"  requests   {len(every)} in {elapsed:.2f} s = {len(every) / elapsed:.0f} req/s")
    print(f"  latency    p50 {_ms(every, 50)}  p95 {_ms(every, 95)}  max {_ms(every, 100)}")
    for step in ("static", "form", "create", "upload", "complete", "status"):
        values = latencies.get(step, [])
        print(f"    {step:<9} n={len(values):<5} p50 {_ms(values, 50)}  p95 {_ms(values, 95)}")
    print(f"  failures   {len(failures)}" + (f"  e.g. {failures[:5]}" if failures else ""))
    print(f"  invariant  {len(received)} receipts, {len(received) - len(problems)} with exactly one "
          f"record and index entry; problems: {len(problems)}" + (f"  e.g. {problems[:3]}" if problems else ""))
    return len(failures) + len(problems)


def check_invariant(storage: Path, received: list[str]) -> list[str]:
    """Exactly one record per completed submission, one index entry per record, none orphaned."""
    records: dict[str, int] = defaultdict(int)
    for path in (storage / "applications").glob("*/*/*/record.json"):
        records[path.parent.name] += 1
    index = {path.stem for path in (storage / "index" / "tracking").glob("*.json")}
    problems = [f"{code}: {records[code]} records" for code in received if records[code] != 1]
    problems += [f"{code}: receipt twice" for code in set(received) if received.count(code) > 1]
    problems += [f"{code}: no index entry" for code in records if code not in index]
    problems += [f"{code}: orphan index entry" for code in index if code not in records]
    problems += [f"{code}: record without a receipt" for code in records if code not in set(received)]
    return problems


def _ms(values: list[float], percentile: int) -> str:
    if not values:
        return "-"
    if percentile >= 100:
        return f"{max(values) * 1000:.1f} ms"
    if len(values) == 1:
        return f"{values[0] * 1000:.1f} ms"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"{cuts[percentile - 1] * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=4, help="client threads (2-8)")
    parser.add_argument("--journeys", type=int, default=40, help="journeys per thread")
    parser.add_argument("--cap", type=float, default=60.0, help="hard time cap, seconds")
    args = parser.parse_args()
    failures = run(max(1, min(args.threads, 8)), max(1, args.journeys), max(1.0, args.cap))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
