"""Cold start and per-submission latency of the functions, side by side.

    .venv/bin/python benchmarks/functions.py            # 7 cold starts each, 200 submissions
    .venv/bin/python benchmarks/functions.py --runs 11 --submissions 500

What is measured (all on loopback, nothing leaves the machine):

cold start (app)
    A fresh Python process imports ``functions/app.py`` and hands its Lambda
    handler one API Gateway proxy event for ``POST /submissions`` (the first
    create of a new container: forms load, answers validated, S3 written, one
    presigned POST signed). Storage is S3 through boto3, against a moto server
    on loopback (``S3_ENDPOINT_URL``), so the S3 calls are real HTTP requests.
floor
    A fresh Python process that only imports boto3 and creates its first S3
    client: what any Python Lambda touching S3 pays.
ratio
    app / floor, on the medians. Target: at most 1.25.

Each figure is the median of ``--runs`` alternating runs, timed two ways: inside
the child from its first line to the answer, and as the whole process (adding
the interpreter's start-up, the same for both). One discarded pair first writes
every module's bytecode to a temporary ``PYTHONPYCACHEPREFIX``, so both sides run
from cached bytecode, as boto3 does in the Lambda runtime.

Then, in this process, ``--submissions`` full submissions (create, upload
through the presigned POST, complete) give the latency of create and of
complete, median and p95, on both backends.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from samples import scanned_pdf  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
FUNCTIONS = REPOSITORY / "functions"
REGION = "ap-southeast-3"
BUCKET = "bench-dukcapil"
FORM_ID = "ktp-el-baru"
PDF = scanned_pdf(padding=50_000)  # a real PDF: complete checks its structure
VALUES = {
    "nik": "3322015208900001", "nomor_kk": "3322010101200001",
    "nama_lengkap": "Siti Aminah Rahayu", "tanggal_lahir": "1990-08-12", "jenis_kelamin": "P",
    "sudah_perekaman": "belum", "telepon": "081234567890", "email": "", "kecamatan": "getasan",
    "catatan": "",
}

APP_CHILD = r"""
import time
started = time.perf_counter()
import json, sys
sys.path.insert(0, FUNCTIONS)
import app
body = json.dumps(BODY)
event = {
    "resource": "/submissions", "path": "/submissions", "httpMethod": "POST",
    "headers": {"content-type": "application/json"}, "multiValueHeaders": {},
    "queryStringParameters": None, "multiValueQueryStringParameters": None,
    "pathParameters": None, "stageVariables": None, "isBase64Encoded": False, "body": body,
    "requestContext": {"resourcePath": "/submissions", "httpMethod": "POST",
                       "path": "/api/submissions", "stage": "api",
                       "identity": {"sourceIp": "127.0.0.1"}},
}
class Context:
    aws_request_id = "bench"
    function_name = "dukcapil-portal-prod"
    memory_limit_in_mb = 512
    def get_remaining_time_in_millis(self):
        return 30000
imported = time.perf_counter()
response = app.app(event, Context())
finished = time.perf_counter()
assert response["statusCode"] == 201, response
print(json.dumps({"total": finished - started, "import": imported - started,
                  "request": finished - imported}))
"""

FLOOR_CHILD = r"""
import time
started = time.perf_counter()
import json
import boto3
client = boto3.client("s3", region_name=REGION, endpoint_url=ENDPOINT)
finished = time.perf_counter()
print(json.dumps({"total": finished - started}))
"""


def start_moto() -> tuple[Any, str]:
    """A moto S3 server on a free loopback port, with the benchmark bucket."""
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", region_name=REGION, endpoint_url=endpoint).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    return server, endpoint


PYCACHE = Path(tempfile.gettempdir()) / "dukcapil-bench-pycache"
PACKAGED = Path(tempfile.gettempdir()) / "dukcapil-bench-content"


def packaged_content() -> Path:
    """Content as the Lambda package carries it (functions/build.py: YAML plus compiled JSON twins)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("functions_build", FUNCTIONS / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # dataclasses look their module up while the file runs
    spec.loader.exec_module(build)
    build.copy_content(REPOSITORY / "content", PACKAGED)
    return PACKAGED


def child_env(endpoint: str, prefix: str) -> dict[str, str]:
    """Environment of a child: S3 on moto, fake credentials, bytecode cached in a temp dir."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {
        **env,
        "PYTHONPYCACHEPREFIX": str(PYCACHE),
        "PORTAL_CONTENT_DIR": str(packaged_content()),
        "STORAGE_BACKEND": "s3", "SUBMISSIONS_BUCKET": BUCKET, "SUBMISSIONS_PREFIX": prefix,
        "S3_ENDPOINT_URL": endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "SITE_ORIGIN": "https://layanan.example.go.id", "LOG_LEVEL": "WARNING",
    }


def create_body() -> dict[str, Any]:
    return {"form_id": FORM_ID, "idempotency_key": uuid.uuid4().hex, "values": VALUES,
            "files": [{"attachment": "kartu_keluarga", "name": "kk.pdf", "size": len(PDF),
                       "type": "application/pdf"}]}


def run_child(code: str, env: dict[str, str]) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; its timings plus the whole process's wall time."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "process": wall}


NO_QUOTA = {"QUOTA_MAX_SUBMISSIONS": "0", "QUOTA_MAX_MEGABYTES": "0"}


def cold_starts(endpoint: str, runs: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Alternate app, app without the submission quota, and floor children; their timings."""
    series: dict[str, list[dict]] = {"app": [], "bare": [], "floor": []}
    floor_code = FLOOR_CHILD.replace("REGION", repr(REGION)).replace("ENDPOINT", repr(endpoint))
    children = {
        "app": lambda i: run_child(app_child(), child_env(endpoint, f"cold-{i}")),
        "bare": lambda i: run_child(app_child(), {**child_env(endpoint, f"bare-{i}"), **NO_QUOTA}),
        "floor": lambda i: run_child(floor_code, child_env(endpoint, f"floor-{i}")),
    }
    order = list(children)
    for i in range(runs + 1):  # the first round warms the page cache and .pyc files
        for name in order[i % 3:] + order[:i % 3]:  # rotated: no kind always runs first
            timing = children[name](i)
            if i:
                series[name].append(timing)
    return series["app"], series["bare"], series["floor"]


def app_child() -> str:
    return APP_CHILD.replace("FUNCTIONS", repr(str(FUNCTIONS))).replace("BODY", repr(create_body()))


def in_process(backend: str, endpoint: str, submissions: int) -> dict[str, list[float]]:
    """Create, upload and complete ``submissions`` times through the handler; time each call."""
    import requests

    sys.path.insert(0, str(FUNCTIONS))
    import app as functions

    workdir = Path(tempfile.mkdtemp(prefix="bench-functions-"))
    env = child_env(endpoint, f"warm-{backend}")
    if backend == "local":
        env.update(STORAGE_BACKEND="local", LOCAL_STORAGE_DIR=str(workdir / "storage"),
                   LOCAL_UPLOAD_SECRET="bench-secret-0123456789abcdef")
    saved = dict(os.environ)
    os.environ.update(env)
    functions.reset()
    timings: dict[str, list[float]] = {"create": [], "complete": []}
    try:
        from chalice.config import Config
        from chalice.local import LocalGateway

        gateway = LocalGateway(functions.app, Config.create(lambda_timeout=30))
        storage = functions.get_storage()
        for _ in range(submissions):
            started = time.perf_counter()
            request = create_body()
            response = gateway.handle_request("POST", "/submissions",
                                              {"content-type": "application/json"},
                                              json.dumps(request).encode())
            timings["create"].append(time.perf_counter() - started)
            offer = json.loads(response["body"])
            upload = offer["uploads"][0]
            if backend == "s3":
                sent = requests.post(upload["url"], data=upload["fields"], timeout=10,
                                     files={"file": ("kk.pdf", PDF, "application/pdf")})
                assert sent.status_code in (200, 204), sent.text
            else:
                with storage.open_write(upload["fields"]["key"],
                                        content_type="application/pdf") as staged:
                    staged.write(PDF)
            started = time.perf_counter()
            done = gateway.handle_request(
                "POST", f"/submissions/{offer['submission_id']}/complete",
                {"content-type": "application/json"},
                json.dumps({"idempotency_key": request["idempotency_key"]}).encode())
            timings["complete"].append(time.perf_counter() - started)
            assert done["statusCode"] == 200, done["body"]
    finally:
        os.environ.clear()
        os.environ.update(saved)
        functions.reset()
        shutil.rmtree(workdir, ignore_errors=True)
    timings["create+complete"] = [a + b for a, b in zip(timings["create"], timings["complete"],
                                                        strict=True)]
    return timings


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts of each kind")
    parser.add_argument("--submissions", type=int, default=200, help="in-process submissions")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    server, endpoint = start_moto()
    try:
        app_runs, bare_runs, floor_runs = cold_starts(endpoint, max(1, args.runs))
        bare_median = statistics.median(r["total"] for r in bare_runs)
        bare_wall = statistics.median(r["process"] for r in bare_runs)
        app_median = statistics.median(r["total"] for r in app_runs)
        floor_median = statistics.median(r["total"] for r in floor_runs)
        app_wall = statistics.median(r["process"] for r in app_runs)
        floor_wall = statistics.median(r["process"] for r in floor_runs)
        ratio = app_median / floor_median
        print(f"cold start, median of {len(app_runs)} fresh processes each "
              "(S3 = moto server on loopback, real HTTP)")
        print(f"  {'':<46} {'in process':>10} {'whole process':>14}")
        print(f"  {'app    import app.py + first POST /submissions':<46} {_ms(app_median):>10}"
              f" {_ms(app_wall):>14}")
        print(f"  {'         of which: import app.py':<46}"
              f" {_ms(statistics.median(r['import'] for r in app_runs)):>10}")
        print(f"  {'         of which: first request':<46}"
              f" {_ms(statistics.median(r['request'] for r in app_runs)):>10}")
        print(f"  {'app without the submission quota (QUOTA_*=0)':<46} {_ms(bare_median):>10}"
              f" {_ms(bare_wall):>14}")
        print(f"  {'floor  import boto3 + first S3 client':<46} {_ms(floor_median):>10}"
              f" {_ms(floor_wall):>14}")
        print(f"  {'ratio  app / floor':<46} {ratio:>9.2f}x {app_wall / floor_wall:>13.2f}x"
              f"   (target <= 1.25x)")
        print(f"  {'ratio  app without quota / floor':<46} {bare_median / floor_median:>9.2f}x"
              f" {bare_wall / floor_wall:>13.2f}x")
        print("  'in process' starts at the child's first line; 'whole process' adds the"
              " interpreter's own start-up and exit, the same for both.")
        print(f"\nin-process latency per submission, {args.submissions} submissions"
              " (Lambda handler via chalice's local gateway)")
        print(f"  {'backend':<8} {'step':<16} {'median':>10} {'p95':>10}")
        for backend in ("s3", "local"):
            timings = in_process(backend, endpoint, max(2, args.submissions))
            for step in ("create", "complete", "create+complete"):
                values = timings[step]
                print(f"  {backend:<8} {step:<16} {_ms(statistics.median(values)):>10}"
                      f" {_ms(_p95(values)):>10}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
