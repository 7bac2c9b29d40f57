"""Listings written as their rows come (`task list --json`, `list --json` on a big vault) print the
very bytes the whole list printed at once would, pretty on a terminal or compact in a pipe."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultcrm import render

_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_value = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                            max_size=3), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_value, max_size=30), st.booleans())
def test_streamed_json_is_the_list_dumped_at_once(items: list[object], pretty: bool) -> None:
    assert "".join(render.json_chunks(items, pretty=pretty)) == render.to_json(items, pretty=pretty)


@settings(max_examples=200, deadline=None)
@given(st.lists(_value, max_size=30), st.booleans(), st.integers(min_value=1, max_value=7))
def test_streamed_json_is_the_same_whatever_the_batch_size(items: list[object], pretty: bool, batch: int) -> None:
    """Lists that end on a batch boundary too (a listing of exactly 500 rows once ended in `, ]`)."""
    saved = render.JSON_BATCH
    render.JSON_BATCH = batch
    try:
        assert "".join(render.json_chunks(iter(items), pretty=pretty)) == render.to_json(items, pretty=pretty)
    finally:
        render.JSON_BATCH = saved


@pytest.mark.parametrize("n", [0, 1, 499, 500, 501, 1000, 1500])
@pytest.mark.parametrize("pretty", [False, True])
def test_a_listing_of_a_whole_number_of_batches_is_valid_json(n: int, pretty: bool) -> None:
    rows = [{"n": i} for i in range(n)]
    text = "".join(render.json_chunks(iter(rows), pretty=pretty))
    assert json.loads(text) == rows
    assert text == render.to_json(rows, pretty=pretty)


def test_a_long_listing_is_written_in_pieces_that_make_one_document() -> None:
    rows = ({"n": i, "text": "line\nbreak"} for i in range(1234))
    chunks = list(render.json_chunks(rows, pretty=False))
    assert len(chunks) > 2  # written as it goes, not at the end
    assert json.loads("".join(chunks)) == [{"n": i, "text": "line\nbreak"} for i in range(1234)]


def test_released_records_are_fetched_again_on_need(vault, run) -> None:  # type: ignore[no-untyped-def]
    """A cached record let go of its tasks decodes them again from the index when asked."""
    from vaultcrm.config import Config
    from vaultcrm.store import index
    from vaultcrm.store.vault import Vault

    assert run("task", "list", "--json").exit_code == 0  # builds the index
    rec = next(r for r in index.load(Vault(vault), Config()).records if r.tasks)
    before = [asdict(t) for t in rec.tasks]
    rec.release()
    assert "tasks" not in rec.decoded()
    assert [asdict(t) for t in rec.tasks] == before


def test_a_released_record_lets_go_of_its_decoded_light_parts_and_decodes_them_again(vault, run) -> None:  # type: ignore[no-untyped-def]
    """`list --json` on 50k notes held every note's decoded meta and dating (≈ 100 MB) to the end."""
    from vaultcrm.config import Config
    from vaultcrm.store import index
    from vaultcrm.store.vault import Vault

    assert run("list", "--json").exit_code == 0  # builds the index
    rec = next(r for r in index.load(Vault(vault), Config()).records if r.aliases and r.tags and r.dating)
    before = (rec.aliases, rec.tags, rec.links, rec.dating, rec.named_accounts)
    assert {"aliases", "tags", "links", "dating", "_meta"} <= rec.decoded()
    rec.release()
    assert not {"aliases", "tags", "links", "md_links", "dating", "_meta"} & rec.decoded()
    assert (rec.aliases, rec.tags, rec.links, rec.dating, rec.named_accounts) == before


def test_task_list_json_of_exactly_500_open_tasks_parses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import invoke

    tasks = "".join(f"- [ ] call {i}\n" for i in range(500))
    (tmp_path / "Todo.md").write_text(f"---\ntype: customer\n---\n# Todo\n\n## Tasks\n{tasks}", encoding="utf-8")
    r = invoke(["--vault", str(tmp_path), "task", "list", "--json"])
    assert r.exit_code == 0, r.stderr
    assert [t["text"] for t in json.loads(r.stdout)] == [f"call {i}" for i in range(500)]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.lists(_value, max_size=12), max_size=5), st.booleans(),
       st.integers(min_value=1, max_value=5))
def test_an_object_of_streamed_lists_is_the_object_dumped_at_once(parts: dict[str, list[object]], pretty: bool,
                                                                   batch: int) -> None:
    """`agenda --json` writes its five lists as their rows come: the same bytes as one dump."""
    saved = render.JSON_BATCH
    render.JSON_BATCH = batch
    try:
        streamed = "".join(render.json_object_chunks({k: iter(v) for k, v in parts.items()}, pretty=pretty))
    finally:
        render.JSON_BATCH = saved
    assert streamed == render.to_json(parts, pretty=pretty)
