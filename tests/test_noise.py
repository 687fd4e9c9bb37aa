"""Noise learning on a real DuckDB file: conservative, per-source with evidence, never destructive."""
from __future__ import annotations

from datetime import timedelta

from archive import noise, revision
from archive.normalize import label_key
from archive.records import FetchResult
from archive.store import Archive
from test_archive import BODY, T0, fetch, rows, snap

import pytest


@pytest.fixture
def archive(tmp_path):
    a = Archive(tmp_path / "a.duckdb")
    a.ensure()
    return a


def check(minutes, key, *texts) -> FetchResult:
    """A check of article `key` whose captures, seconds apart, show `texts` (first, confirmations)."""
    first = fetch(minutes, key=key, snapshot=snap(text=texts[0]))
    for i, text in enumerate(texts[1:], 1):
        again = fetch(minutes, key=key, snapshot=snap(text=text), digest=f"c{minutes}-{i}")
        again.fetched_at += timedelta(seconds=i)
        first.confirms.append(again)
    return first


def teaser(name: str) -> str:
    return BODY + f"\nRead also: {name} wins the cup"


def test_a_paragraph_added_between_a_capture_and_its_confirmation_is_kept_as_an_edit(archive):
    archive.record_batch([check(0, "1", BODY)])
    edited = BODY.replace("2,800", "3,000")
    added = edited + "\nThe ministry later confirmed the figure."
    assert archive.record_batch([check(10, "1", edited, added)]) == [("changed", 2)]
    text, noise_lines = rows(archive, "SELECT text, noise_lines FROM versions WHERE version = 2")[0]
    assert "The ministry later confirmed the figure." in text and noise_lines == []
    assert rows(archive, "SELECT count(*) FROM edit_sentences WHERE version = 2 AND kind = 'added' "
                         "AND new_sentence LIKE 'The ministry later%'") == [(1,)]
    # one article's disagreement teaches the source nothing
    assert archive.noise("s") == frozenset()
    assert archive.record_batch([check(20, "1", added)]) == [("unchanged", 2)]


def test_an_update_paragraph_on_one_article_is_an_edit_not_noise(archive):
    archive.record_batch([check(0, "1", BODY)])
    update = BODY + "\nUpdate: the toll rose to 3,000 on Tuesday."
    assert archive.record_batch([check(10, "1", update, update)]) == [("changed", 2)]
    assert archive.record_batch([check(20, "1", update + "\nUpdate: talks resumed.", update + "\nUpdate: talks resumed.",
                                       update + "\nUpdate: talks resumed.")]) == [("changed", 3)]
    assert not [r for r in archive.noise_listing("s") if r["learned"]]


def test_a_teaser_box_costs_no_spurious_version_and_is_learned_on_three_articles(archive):
    for n, key in enumerate("123"):
        archive.record_batch([check(n, key, teaser(f"A{key}"))])
    # article 1: the teaser rotated between check and confirmation: its label hides the box there
    assert archive.record_batch([check(10, "1", teaser("B"), teaser("C"))]) == [("unchanged", 1)]
    assert archive.record_batch([check(11, "2", teaser("D"), teaser("E"))]) == [("unchanged", 1)]
    assert label_key("Read also:") not in archive.noise("s")          # two articles: not yet
    assert archive.record_batch([check(12, "3", teaser("F"), teaser("G"))]) == [("unchanged", 1)]
    assert label_key("Read also:") in archive.noise("s")
    # now a single capture with a teaser never seen is unchanged on any article, even a new one
    archive.record_batch([check(13, "4", teaser("H"))])
    assert archive.record_batch([check(20, "4", teaser("Z"))]) == [("unchanged", 1)]
    # the stored text is what the page showed; the teaser is listed as noise beside it
    text, noise_lines = rows(archive, "SELECT text, noise_lines FROM versions WHERE article_id = 's:4'")[0]
    assert "Read also: H wins the cup" in text
    # a real edit next to a rotating teaser is still one version, the change rows free of the teaser
    edited = BODY.replace("2,800", "3,100") + "\nRead also: Q wins the cup"
    assert archive.record_batch([check(30, "4", edited, edited.replace("Q", "R"))]) == [("changed", 2)]
    _, noise_lines = rows(archive, "SELECT text, noise_lines FROM versions WHERE article_id = 's:4' AND version = 2")[0]
    assert noise_lines == ["Read also: R wins the cup"]
    assert rows(archive, "SELECT count(*) FROM edit_sentences WHERE article_id = 's:4' AND new_sentence LIKE '%wins%'") == [(0,)]
    listing = {r["text"]: r for r in archive.noise_listing("s")}
    assert listing["Read also: …"]["learned"] and listing["Read also: …"]["articles"] == 4   # 1, 2, 3 and 4 (Q→R)


def test_a_learned_label_never_hides_a_long_labelled_paragraph(archive):
    """A label learned from rotating teasers ("Note:" in a box of short notes) hides teaser-sized
    lines only: a paragraph that carries it and is prose ("Note: …", "Correction added …:" on real
    pages) is compared, and its edit is a version."""
    def note(text: str) -> str:
        return BODY + f"\nNote: {text}"
    for n, key in enumerate("123"):
        archive.record_batch([check(n, key, note(f"tickets {key} on sale"))])
        assert archive.record_batch([check(10 + n, key, note("gates open at 6"), note("parking is full"))]) == \
            [("unchanged", 1)]
    assert label_key("Note:") in archive.noise("s")
    long_note = ("the ministry said on Tuesday that 2,800 people had been killed in the attack, and that "
                 "rescue teams from three regions were still searching the ruins of the market for survivors")
    archive.record_batch([check(20, "4", note(long_note) + "\nNote: gates open at 6")])
    assert archive.record_batch([check(30, "4", note(long_note) + "\nNote: parking is full")]) == [("unchanged", 1)]
    edited = note(long_note.replace("2,800", "3,100")) + "\nNote: parking is full"
    assert archive.record_batch([check(40, "4", edited, edited)]) == [("changed", 2)]
    text, noise_lines = rows(archive, "SELECT text, noise_lines FROM versions WHERE article_id = 's:4' AND version = 2")[0]
    assert "3,100 people" in text and noise_lines == ["Note: parking is full"]


def test_a_teaser_repeated_on_three_captures_is_judged_with_the_rotation_its_own_batch_shows(archive):
    """One check's three captures repeat a new teaser (a 110-teaser pool does that 1 time in 110)
    while the same crawl's other checks show the box rotating: judged with what the batch shows,
    not as an edit the next batch would call noise (wiresim: 1 spurious version in 12 runs)."""
    for n, key in enumerate("1234"):
        archive.record_batch([check(n, key, teaser(f"A{key}"))])
    batch = [check(10, "4", teaser("D"), teaser("D"), teaser("D"))] + [
        check(10, key, teaser(f"B{key}"), teaser(f"B{key}"), teaser(f"C{key}")) for key in "123"]
    assert archive.record_batch(batch) == [("unchanged", 1)] * 4
    assert label_key("Read also:") in archive.noise("s")
    # two rotating checks in the batch are not enough: the repeated teaser stands as a change
    for n, key in enumerate("5678"):
        archive.record_batch([check(20 + n, key, BODY + f"\nSee also: E{key} wins the cup")])
    batch = [check(30, "8", *[BODY + "\nSee also: F wins the cup"] * 3)] + [
        check(30, key, BODY + f"\nSee also: G{key} wins", BODY + f"\nSee also: H{key} wins") for key in "56"]
    assert archive.record_batch(batch) == [("changed", 2), ("unchanged", 1), ("unchanged", 1)]


def test_a_teaser_pool_repeated_across_articles_teaches_the_label_in_one_crawl(archive):
    # one capture per new article; the pool repeats: each line shows on two articles
    pool = ["Pool one", "Pool two", "Pool three"]
    archive.record_batch([check(0, str(k), teaser(pool[k % 3])) for k in range(6)])
    assert label_key("Read also:") in archive.noise("s")
    # so the very first re-checks need no confirmation to stay unchanged
    assert archive.record_batch([check(10, "0", teaser("Never seen"))]) == [("unchanged", 1)]
    # unique labelled paragraphs ("Update: …") are never repeated: their label is never learned
    archive.record_batch([check(20, str(k), teaser(pool[k % 3]) + f"\nUpdate: detail {k}.") for k in range(6)])
    assert label_key("Update:") not in archive.noise("s")


def test_a_learned_key_refreshes_its_last_seen_once_a_day_not_every_batch(archive):
    """Every batch hiding a learned label rewrote its row on every article it was seen on."""
    pool = ["Pool one", "Pool two", "Pool three"]
    archive.record_batch([check(0, str(k), teaser(pool[k % 3])) for k in range(6)])
    def seen():
        with archive.reading() as con:
            return con.execute("SELECT DISTINCT last_seen FROM noise_evidence WHERE key = ?",
                               [label_key("Read also:")]).fetchall()
    first = seen()
    assert archive.record_batch([check(10, "0", teaser("Never seen"))]) == [("unchanged", 1)]
    assert seen() == first
    assert archive.record_batch([check(60 * 25, "0", teaser("Seen a day later"))]) == [("unchanged", 1)]
    assert seen() != first and len(seen()) == 1


def test_learned_noise_expires_and_can_be_forgotten(archive):
    for n, key in enumerate("123"):
        archive.record_batch([check(n, key, teaser(f"A{key}"))])
        archive.record_batch([check(10 + n, key, teaser(f"B{key}"), teaser(f"C{key}"))])
    assert label_key("Read also:") in archive.noise("s")
    with archive.reading() as con:
        assert label_key("Read also:") not in noise.load(con, "s", T0 + noise.EXPIRES_AFTER + timedelta(days=1)).keys
        assert label_key("Read also:") in noise.load(con, "s", T0 + noise.EXPIRES_AFTER - timedelta(days=1)).keys
    assert archive.forget_noise("s", "Read also:") == 3
    assert label_key("Read also:") not in archive.noise("s")


def test_judge_asks_for_a_third_fetch_only_when_two_agree_on_a_labelled_line():
    latest = revision.fields(snap(text=teaser("A")))
    one = revision.fields(snap(text=teaser("B")))
    assert revision.judge(latest, [one], noise.Noise(), final=False).outcome == revision.CONFIRM
    assert revision.judge(latest, [one, one], noise.Noise(), final=False).outcome == revision.CONFIRM
    assert revision.judge(latest, [one, one], noise.Noise(), final=True).outcome == revision.CHANGED
    prose = revision.fields(snap(text=teaser("A") + "\nA new paragraph of the story."))
    assert revision.judge(latest, [prose, prose], noise.Noise(), final=False).outcome == revision.CHANGED
    assert revision.judge(None, [one], noise.Noise(), final=False).outcome == revision.NEW


def test_a_teaser_repeated_beside_a_real_edit_gets_a_third_capture_and_stays_out_of_its_change(archive):
    """A headline edit whose capture and confirmation happen to show the same teaser: without a
    third capture the teaser swap rode along as an added and a removed line (web view test)."""
    archive.record_batch([check(0, "1", teaser("A"))])
    latest = revision.fields(snap(text=teaser("A")))
    edited = revision.fields(snap(text=teaser("B"), title="UPDATE: Russia condemns terrorism"))
    assert revision.judge(latest, [edited, edited], noise.Noise(), final=False).outcome == revision.CONFIRM
    first = fetch(10, snapshot=snap(text=teaser("B"), title="UPDATE: Russia condemns terrorism"))
    for i, name in enumerate("BC", 1):
        again = fetch(10, snapshot=snap(text=teaser(name), title="UPDATE: Russia condemns terrorism"), digest=f"c{i}")
        again.fetched_at += timedelta(seconds=i)
        first.confirms.append(again)
    assert archive.record_batch([first]) == [("changed", 2)]
    # headline, and stealth (dateModified was not touched): no addition or removal
    assert rows(archive, "SELECT list(class ORDER BY class) FROM change_classes WHERE version = 2") == [(["headline", "stealth"],)]
    assert rows(archive, "SELECT count(*) FROM edit_sentences WHERE version = 2") == [(0,)]


def test_a_field_that_rotates_between_captures_seconds_apart_is_no_edit(archive):
    """A rotating box that lands in the byline (seen on a real page): captures disagree on the
    byline itself, so it proves nothing; an edit the captures agree on still counts."""
    archive.record_batch([check(0, "1", BODY)])
    first = fetch(10, key="1", snapshot=snap(byline="TASS; Read also: A"))
    again = fetch(10, key="1", snapshot=snap(byline="TASS; Read also: B"), digest="c10")
    first.confirms.append(again)
    assert archive.record_batch([first]) == [("unchanged", 1)]
    first = fetch(20, key="1", snapshot=snap(byline="TASS; Read also: C", text=BODY + "\nA new paragraph."))
    again = fetch(20, key="1", snapshot=snap(byline="TASS; Read also: D", text=BODY + "\nA new paragraph."), digest="c20")
    first.confirms.append(again)
    assert archive.record_batch([first]) == [("changed", 2)]


def test_a_rotating_slot_without_a_label_is_no_edit(archive):
    """A teaser glued to the start of a paragraph (no label at the line's start): the line changes
    between captures seconds apart, so what it replaced in the latest version is the same slot."""
    glued = BODY + "\n{} The ministry said talks would go on."
    archive.record_batch([check(0, "1", glued.format("A wins the cup"))])
    assert archive.record_batch([check(10, "1", glued.format("B wins the cup"), glued.format("C wins the cup"))]) \
        == [("unchanged", 1)]
    # a real edit elsewhere on that page still counts
    edited = glued.replace("2,800", "2,900")
    assert archive.record_batch([check(20, "1", edited.format("D wins the cup"), edited.format("E wins the cup"))]) \
        == [("changed", 2)]


def test_the_same_correction_added_to_many_stories_is_never_learned(archive):
    """Seen in the crash campaign: a desk adds one correction sentence to several stories, some
    of them between a capture and its confirmation. That is an edit on each, never noise."""
    note = "\nCorrection: an earlier version of this story misstated the name of the ministry."
    for n, key in enumerate("12345"):
        archive.record_batch([check(n, key, BODY)])
    for n, key in enumerate("12345"):
        # the correction lands between the check's first capture and its confirmation
        assert archive.record_batch([check(10 + n, key, BODY.replace("2,800", "2,900"),
                                           BODY.replace("2,800", "2,900") + note)]) == [("changed", 2)]
    for n, key in enumerate("12345"):
        assert archive.record_batch([check(20 + n, key, BODY.replace("2,800", "2,900") + note)]) == [("unchanged", 2)]
    assert label_key("Correction:") not in archive.noise("s")
    assert not [r for r in archive.noise_listing("s") if r["learned"]]


def test_a_paragraph_cut_where_a_rotating_teaser_now_stands_is_an_edit():
    """The captures disagree on the teaser in the last slot; the latest version had a story
    paragraph there, not a teaser: its cut is an edit (it was taken for the slot's rotation)."""
    story = "Delegations resumed talks on a ceasefire in Geneva on Tuesday, citing 4,500 refugees."
    cut = "The old bridge over the river was closed to traffic by the army."
    latest = {"title": "Talks resume", "text": f"{story}\n{cut}"}
    for teasers in (("Read also: Markets fall", "Read also: Oil jumps on supply fears"),
                    ("Markets fall as oil prices climb", "Oil jumps on supply fears in Asia")):   # a card: no label
        captures = [{"title": "Talks resume", "text": f"{story}\n{t}"} for t in teasers]
        assert revision.judge(latest, captures, noise.Noise(), final=True).outcome == revision.CHANGED, teasers
    # the same slot holding a teaser in the latest version too is rotation, not an edit
    latest = {"title": "Talks resume", "text": f"{story}\nRead also: Plague case in China"}
    captures = [{"title": "Talks resume", "text": f"{story}\nRead also: {t}"} for t in ("Markets fall", "Oil jumps")]
    assert revision.judge(latest, captures, noise.Noise(), final=True).outcome == revision.UNCHANGED


def test_a_line_another_source_shows_adds_no_evidence_to_this_one():
    """Two sources showing the same "Read also" line are each their own evidence: source b's
    sightings left source a's rows alone (they bumped a's count and kept it from expiring, and on
    a shared archive made writers of different sources conflict)."""
    import duckdb

    from archive import schema
    con = duckdb.connect()
    schema.migrate(con)
    teaser = "Read also: Central bank holds key rate"
    for source, when in (("a", T0), ("b", T0 + timedelta(hours=1))):
        evidence = noise.Evidence()
        for article in ("1", "2"):
            evidence.add_sightings(source, f"{source}:{article}", f"{BODY}\n{teaser}", when)
        evidence.flush(con, when)
    got = con.execute("SELECT source, times, last_seen FROM noise_evidence ORDER BY source, article_id").fetchall()
    assert [(s, t) for s, t, _ in got] == [("a", 1), ("a", 1), ("b", 1), ("b", 1)]
    assert {s: seen for s, _, seen in got}["a"] == T0
