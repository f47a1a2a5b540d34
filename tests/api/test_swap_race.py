"""The swap race of issue 9, point 1, run against the real local server.

An attacker re-posts an executable through a submission's own upload policy, over and
over, while ``complete`` runs. Whatever the timing, what is kept is either the PDF
that was checked or nothing (the complete is refused): never the executable.
Bounded: a few submissions, a few hundred re-posts.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import requests
from api_support import FORM_ID, PDF, VALUES, file_decl
from test_devserver import server  # noqa: F401 - the real local server fixture

EXE = (b"MZ\x90\x00" + b"\x00" * 56 + b"PE\x00\x00").ljust(len(PDF), b"\x00")  # as long as the PDF
TRIES = 8


def test_a_file_swapped_during_complete_is_never_what_is_kept(server) -> None:  # noqa: F811
    origin = {"Origin": server.origin}
    kept = refused = 0
    for _ in range(TRIES):
        key = f"kunci-balapan-{uuid.uuid4().hex}"
        with requests.Session() as http:
            offer = http.post(server.url + "api/submissions", headers=origin, timeout=10, json={
                "form_id": FORM_ID, "idempotency_key": key, "values": VALUES,
                "files": [file_decl("kk", PDF, "application/pdf")]}).json()
            upload = offer["uploads"][0]
            sent = http.post(upload["url"], data=upload["fields"], headers=origin, timeout=10,
                             files={"file": ("kk.pdf", PDF, "application/pdf")})
            assert sent.status_code == 204
        done = threading.Event()
        posts: list[int] = []

        def swap(done=done, posts=posts, upload=upload) -> None:
            with requests.Session() as attacker:
                while not done.is_set() and len(posts) < 60:
                    answer = attacker.post(upload["url"], data=upload["fields"], headers=origin,
                                           timeout=10, files={"file": ("kk.pdf", EXE, "application/pdf")})
                    posts.append(answer.status_code)

        thread = threading.Thread(target=swap)
        thread.start()
        try:
            answer = requests.post(f"{server.url}api/submissions/{offer['submission_id']}/complete",
                                   headers=origin, json={"idempotency_key": key}, timeout=20)
        finally:
            done.set()
            thread.join(timeout=30)
        assert posts, "the attacker never got a post in"
        if answer.status_code == 200:
            kept += 1
            code = answer.json()["tracking_code"]
            [stored] = list((Path(server.storage_dir) / "applications").glob(f"*/{FORM_ID}/{code}/files/*"))
            assert stored.read_bytes() == PDF
        else:  # the executable arrived before complete read the file: refused, nothing kept
            refused += 1
            assert answer.status_code == 422 and answer.json()["code"] == "files_invalid"
        # Once received, the policy is dead: the attacker's later posts were refused.
        if answer.status_code == 200:
            late = requests.post(upload["url"], data=upload["fields"], headers=origin, timeout=10,
                                 files={"file": ("kk.pdf", EXE, "application/pdf")})
            assert late.status_code == 403
    assert kept + refused == TRIES and kept >= 1
    assert not [p for p in (Path(server.storage_dir) / "applications").rglob("*")
                if p.is_file() and p.read_bytes() == EXE]
