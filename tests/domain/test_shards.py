"""Shards: the zone's name -> node mapping that a patch copies a shard of, not whole.

A model-based test: every sequence of updates on a Shards must read exactly like the same updates
on a dict, leave the version it started from untouched, and copy only the shards it touched.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd.domain.shards import SHARD_KEYS, Shards, shard_count

KEYS = st.integers(min_value=0, max_value=12 * SHARD_KEYS).map(lambda i: f"host{i}.example.com")
UPDATES = st.dictionaries(KEYS, st.one_of(st.none(), st.integers()), max_size=40)


def test_shard_count_is_a_power_of_two_covering_the_keys() -> None:
    assert shard_count(0) == shard_count(SHARD_KEYS) == 1
    assert shard_count(SHARD_KEYS + 1) == 2
    assert shard_count(1_000_000) == 512  # 1,953 names a shard


@settings(max_examples=60)
@given(size=st.integers(min_value=0, max_value=5 * SHARD_KEYS), rounds=st.lists(UPDATES, max_size=6))
def test_updates_read_like_a_dict_and_leave_the_old_version_alone(
    size: int, rounds: list[dict[str, int | None]]
) -> None:
    model = {f"host{i}.example.com": i for i in range(size)}
    current = Shards(model)
    for changes in rounds:
        before, before_model = current, dict(model)
        current = current.updated(changes)
        for key, value in changes.items():
            if value is None:
                model.pop(key, None)
            else:
                model[key] = value
        assert current == model and len(current) == len(model)
        assert sorted(current) == sorted(model)
        assert before == before_model  # the old version is what it was
        for key in list(changes)[:5]:
            assert current.get(key) == model.get(key)
            assert (key in current) == (key in model)
    assert current.to_dict() == model


def test_a_change_copies_only_the_shard_it_falls_in() -> None:
    names = {f"n{i}.example.com": i for i in range(8 * SHARD_KEYS)}
    base = Shards(names)
    after = base.updated({"n5.example.com": -1, "new.example.com": 7})
    shared = sum(a is b for a, b in zip(base._shards, after._shards, strict=True))
    touched = {hash("n5.example.com") & base._mask, hash("new.example.com") & base._mask}
    assert len(base._shards) == 8
    assert shared == 8 - len(touched)
    assert after["n5.example.com"] == -1 and base["n5.example.com"] == 5
    assert "new.example.com" in after and "new.example.com" not in base


def test_growth_past_four_times_the_shard_count_splits_again() -> None:
    small = Shards({"a.example.com": 1})
    grown = small.updated({f"g{i}.example.com": i for i in range(4 * SHARD_KEYS + 1)})
    assert len(grown._shards) == shard_count(len(grown)) > 1
    assert grown["a.example.com"] == 1 and len(grown) == 4 * SHARD_KEYS + 2


def test_a_pickled_copy_is_split_again_by_the_reading_interpreter() -> None:
    """A str's hash differs between interpreters: a copy must be rebuilt there, not reused."""
    import pickle
    import subprocess
    import sys

    data = pickle.dumps(Shards({f"p{i}.example.com": i for i in range(3 * SHARD_KEYS)}))
    check = (
        "import pickle, sys; s = pickle.loads(sys.stdin.buffer.read()); n = int(sys.argv[1]); "
        "assert all(s.get(f'p{i}.example.com') == i for i in range(n)), 'lookup failed'; print(len(s))"
    )
    out = subprocess.run(
        [sys.executable, "-c", check, str(3 * SHARD_KEYS)], input=data, capture_output=True, check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    )  # fmt: skip
    assert out.stdout.strip() == str(3 * SHARD_KEYS).encode()


def test_one_shard_on_request_keeps_the_order_and_adopts_only_when_asked() -> None:
    names = {f"o{i}.example.com": i for i in range(3 * SHARD_KEYS)}
    single = Shards(names, 1)
    assert list(single) == list(names) and len(single._shards) == 1
    names["late.example.com"] = -1
    assert "late.example.com" not in single  # copied, not shared
    adopted = Shards(names, 1, adopt=True)
    assert adopted._shards[0] is names and adopted.as_dict() is names
    assert Shards(names).as_dict() == names
    assert Shards(names, adopt=True)._shards[0] is not names  # split: nothing to adopt
