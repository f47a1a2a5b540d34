"""One contract, both backends: every test here runs on LocalStorage and on S3 (moto)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from chalicelib.storage import AlreadyExists, NotFound, PreconditionFailed

RECORD = {"form": "ktp-el-baru", "status": "pending", "nama": "Siti Aminah", "n": [1, 2]}

BAD_KEYS = [
    "",
    "/etc/passwd",
    "../outside",
    "a/../../outside",
    "a/./b",
    "a//b",
    "a/",
    ".meta/x",
    "a/.hidden",
    "a\\..\\b",
    "a\x00b",
    "a\nb",
    "x" * 1025,
]


@pytest.fixture
def serialised_moto_puts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's conditional PutObject atomic, as S3 guarantees it.

    moto checks If-Match and then writes, without a lock, so two threads can both pass the
    check; real S3 lets exactly one conditional write win. This wraps moto's handler in a
    lock so the race test exercises our side (two threads, 412 mapped to
    PreconditionFailed) rather than moto's missing atomicity. Run the suite with
    STORAGE_TEST_S3_BUCKET set to see the same test pass on real S3 without it.
    """
    from moto.s3.responses import S3Response

    original = S3Response.put_object
    lock = threading.Lock()

    def put_object(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(S3Response, "put_object", put_object)


def race_if_match(storage, key: str, etag: str, round_number: int) -> dict[str, object]:
    """Two threads released together both replace ``key`` if it still has ``etag``."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def write(writer: str) -> None:
        barrier.wait()
        try:
            outcomes[writer] = storage.put_json(
                key, {"round": round_number, "writer": writer}, if_match=etag
            )
        except PreconditionFailed as exc:
            outcomes[writer] = exc

    threads = [threading.Thread(target=write, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


class TestStorageContract:
    def test_put_then_get_returns_data_and_same_etag(self, storage):
        etag = storage.put_json("records/2020-09-25/a.json", RECORD)

        assert storage.get_json("records/2020-09-25/a.json") == (RECORD, etag)

    def test_etag_is_quoted_md5_of_stored_bytes(self, storage):
        etag = storage.put_json("records/a.json", RECORD)

        raw = storage.read_bytes("records/a.json")
        assert etag == f'"{hashlib.md5(raw).hexdigest()}"'

    def test_get_missing_is_none(self, storage):
        assert storage.get_json("records/nothing.json") is None

    def test_head_reports_size_type_and_etag(self, storage):
        etag = storage.put_json("records/a.json", RECORD)

        info = storage.head("records/a.json")

        assert info is not None
        assert info.key == "records/a.json"
        assert info.size == len(storage.read_bytes("records/a.json"))
        assert info.content_type == "application/json"
        assert info.etag == etag

    def test_head_missing_is_none(self, storage):
        assert storage.head("records/nothing.json") is None

    def test_json_keeps_unicode(self, storage):
        storage.put_json("records/u.json", {"nama": "Ni Luh Putu Ayu Dewi — Ungaran"})

        assert "Ungaran" in storage.read_bytes("records/u.json").decode("utf-8")
        assert storage.get_json("records/u.json")[0]["nama"].startswith("Ni Luh")

    def test_read_range_returns_first_bytes(self, storage):
        storage.put_json("records/a.json", RECORD)
        raw = storage.read_bytes("records/a.json")

        assert storage.read_range("records/a.json", 4) == raw[:4]
        assert storage.read_range("records/a.json", len(raw) + 100) == raw
        assert storage.read_range("records/a.json", 0) == b""

    def test_read_missing_raises_not_found(self, storage):
        with pytest.raises(NotFound):
            storage.read_range("records/nothing.json", 4)
        with pytest.raises(NotFound):
            storage.read_bytes("records/nothing.json")

    def test_list_keys_by_prefix_in_byte_order(self, storage):
        for key in ["b/2.json", "a/2.json", "a/1.json", "ab/1.json", "a/sub/3.json"]:
            storage.put_json(key, {})

        assert list(storage.list_keys("a/")) == ["a/1.json", "a/2.json", "a/sub/3.json"]
        assert list(storage.list_keys("a")) == [
            "a/1.json",
            "a/2.json",
            "a/sub/3.json",
            "ab/1.json",
        ]
        assert list(storage.list_keys("a/s")) == ["a/sub/3.json"]
        assert list(storage.list_keys("")) == [
            "a/1.json",
            "a/2.json",
            "a/sub/3.json",
            "ab/1.json",
            "b/2.json",
        ]
        assert list(storage.list_keys("zzz/")) == []

    def test_copy_keeps_bytes_and_content_type(self, storage):
        storage.put_json("pending/a.json", RECORD)

        storage.copy("pending/a.json", "final/a.json")

        assert storage.read_bytes("final/a.json") == storage.read_bytes("pending/a.json")
        assert storage.head("final/a.json").content_type == "application/json"

    def test_copy_onto_itself_is_harmless(self, storage):
        storage.put_json("pending/a.json", RECORD)

        storage.copy("pending/a.json", "pending/a.json")

        assert storage.get_json("pending/a.json")[0] == RECORD

    def test_copy_missing_raises_not_found(self, storage):
        with pytest.raises(NotFound):
            storage.copy("pending/nothing.json", "final/nothing.json")
        assert storage.head("final/nothing.json") is None

    def test_delete_removes_and_tolerates_missing(self, storage):
        storage.put_json("records/a.json", RECORD)

        storage.delete("records/a.json")
        storage.delete("records/a.json")

        assert storage.head("records/a.json") is None
        assert list(storage.list_keys("records/")) == []

    def test_if_none_match_creates_once(self, storage):
        first = storage.put_json("idem/k.json", {"v": 1}, if_none_match=True)

        with pytest.raises(AlreadyExists) as raised:
            storage.put_json("idem/k.json", {"v": 2}, if_none_match=True)

        assert raised.value.key == "idem/k.json"
        assert storage.get_json("idem/k.json") == ({"v": 1}, first)

    def test_if_match_with_current_etag_replaces(self, storage):
        etag = storage.put_json("records/a.json", {"v": 1})

        new_etag = storage.put_json("records/a.json", {"v": 2}, if_match=etag)

        assert new_etag != etag
        assert storage.get_json("records/a.json") == ({"v": 2}, new_etag)

    def test_if_match_with_stale_etag_fails(self, storage):
        stale = storage.put_json("records/a.json", {"v": 1})
        current = storage.put_json("records/a.json", {"v": 2})

        with pytest.raises(PreconditionFailed):
            storage.put_json("records/a.json", {"v": 3}, if_match=stale)

        assert storage.get_json("records/a.json") == ({"v": 2}, current)

    def test_if_match_on_missing_key_fails(self, storage):
        with pytest.raises(PreconditionFailed):
            storage.put_json("records/nothing.json", {"v": 1}, if_match='"0123"')

        assert storage.head("records/nothing.json") is None

    def test_both_conditions_at_once_is_an_error(self, storage):
        with pytest.raises(ValueError):
            storage.put_json("records/a.json", {}, if_none_match=True, if_match='"x"')

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_unsafe_keys_are_refused(self, storage, key):
        with pytest.raises(ValueError):
            storage.put_json(key, {})
        with pytest.raises(ValueError):
            storage.get_json(key)

    @pytest.mark.parametrize("prefix", ["../", "a/../", "/abs", ".meta/", "a\x00"])
    def test_unsafe_list_prefixes_are_refused(self, storage, prefix):
        with pytest.raises(ValueError):
            list(storage.list_keys(prefix))

    @pytest.mark.usefixtures("serialised_moto_puts")
    def test_if_match_race_has_exactly_one_winner_per_round(self, storage):
        etag = storage.put_json("race/r.json", {"round": 0, "writer": None})
        for round_number in range(1, 9):
            outcomes = race_if_match(storage, "race/r.json", etag, round_number)

            winners = [name for name, out in outcomes.items() if isinstance(out, str)]
            losers = [n for n, out in outcomes.items() if isinstance(out, PreconditionFailed)]
            assert len(winners) == 1 and len(losers) == 1, outcomes
            data, etag = storage.get_json("race/r.json")
            assert data == {"round": round_number, "writer": winners[0]}
            assert etag == outcomes[winners[0]]

    @pytest.mark.usefixtures("serialised_moto_puts")
    def test_if_none_match_race_has_exactly_one_creator(self, storage):
        barrier = threading.Barrier(4)
        created: list[str] = []
        refused: list[str] = []

        def create(writer: str) -> None:
            barrier.wait()
            try:
                storage.put_json("idem/race.json", {"writer": writer}, if_none_match=True)
                created.append(writer)
            except AlreadyExists:
                refused.append(writer)

        threads = [threading.Thread(target=create, args=(f"w{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)

        assert len(created) == 1 and len(refused) == 3
        assert storage.get_json("idem/race.json")[0] == {"writer": created[0]}
