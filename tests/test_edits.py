"""Edit analysis: sentence rows, field rows, summary counts, change classes, summary line."""
from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest

from archive.edits import CHANGE_CLASSES, compute_change
from archive.render import summary_line
from archive.sentences import split_sentences
from archive.textdiff import words

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed-article" / \
    "tass-2023-10-17-russia-hamas.txt"

BODY = "\n".join([
    "MOSCOW, October 17. /TASS/. Russia condemns all forms of terrorism, the ambassador said.",
    "Over 2,800 Palestinians have been killed and more than 11,200 have suffered wounds.",
    "Clashes are also taking place on the West Bank. Israel announced a total blockade of Gaza.",
    '"Such contacts are essential for any serious talks," he said. The talks may resume soon.',
    "The UN Security Council is due to meet on Wednesday to discuss the crisis.",
])


def v1(**fields) -> dict:
    base = {"version": 1, "captured_at": "2023-10-17T10:00:00Z",
            "title": "Russia's contacts with Hamas do not mean support for terrorism",
            "byline": "By Anna Petrova", "published_at": "2023-10-17T09:00:00Z",
            "modified_at": "2023-10-17T09:00:00Z", "lead": "The ambassador spoke to reporters.",
            "text": BODY, "language": "en", "tags": ["Russia", "Hamas"]}
    base.update(fields)
    return base


def v2(old: dict | None = None, *, stealth: bool = False, **fields) -> dict:
    """The next version; its modified_at moves on unless the edit is meant to be stealthy."""
    new = dict(old or v1())
    new.update(version=2, captured_at="2023-10-17T12:00:00Z")
    if not stealth:
        new["modified_at"] = "2023-10-17T11:55:00Z"
    new.update(fields)
    return new


def classes_of(old, new, **kw) -> set[str]:
    return set(compute_change(old, new, **kw).class_names)


# --- each class on a pair built to show it ---------------------------------------------------

def test_number_change():
    old = v1()
    change = compute_change(old, v2(old, text=BODY.replace("2,800", "3,000")))
    assert change.class_names == ["number"]
    row = change.classes[0]
    assert (row["old"], row["new"], row["detail"]) == ("2,800", "3,000", "death toll")
    assert change.summary["sentences_edited"] == 1
    assert change.summary["words_added"] == 1 and change.summary["words_removed"] == 1
    assert summary_line(change) == "death toll 2,800 → 3,000"


def test_several_figures_are_paired_in_order():
    old = v1()
    new = v2(old, text=BODY.replace("2,800", "3,000").replace("11,200", "12,500"))
    rows = compute_change(old, new).classes
    assert [(r["detail"], r["old"], r["new"]) for r in rows] == [
        ("death toll", "2,800", "3,000"), ("injured", "11,200", "12,500")]


def test_number_change_in_russian_with_space_separators():
    old = v1(language="ru", title="Число погибших выросло",
             text="По данным властей, погибли 2 800 человек.\nСпасатели продолжают работу.")
    new = v2(old, text=old["text"].replace("2 800", "3 100"))
    change = compute_change(old, new)
    assert change.class_names == ["number"]
    assert (change.classes[0]["old"], change.classes[0]["new"]) == ("2 800", "3 100")
    assert change.classes[0]["detail"] == "death toll"
    # "2 800" → "2,800" is the same figure written differently: cosmetic
    same = v2(old, text=old["text"].replace("2 800", "2,800"))
    assert classes_of(old, same) == {"cosmetic"}


def test_rewording():
    old = v1()
    new = v2(old, text=BODY.replace("Clashes are also taking place on the West Bank.",
                                    "Fighting has also been reported on the West Bank."))
    change = compute_change(old, new)
    assert change.class_names == ["rewording"]
    assert change.classes[0]["old"] == "Clashes are also taking place on the West Bank."
    assert [r["kind"] for r in change.sentence_rows] == ["edited"]


def test_headline():
    old = v1()
    change = compute_change(old, v2(old, title="Russia condemns all terrorism, envoy says"))
    assert change.class_names == ["headline"]
    assert change.classes[0]["new"] == "Russia condemns all terrorism, envoy says"
    assert change.sentence_rows == []
    assert {r["field"] for r in change.field_rows} == {"title", "modified_at"}
    assert summary_line(change).startswith("headline rewritten")
    # a different headline with other figures in it is not a revision of those figures
    rates = v1(title="The central bank left its key rate unchanged at 4.5% on Thursday")
    assert classes_of(rates, v2(rates, title="Consumer prices rose 3.1% in May, down from "
                                             "3.6% in April")) == {"headline"}
    edited = compute_change(rates, v2(rates, title="The central bank left its key rate "
                                                   "unchanged at 4.75% on Thursday"))
    assert edited.class_names == ["headline", "number"]
    assert edited.classes[1]["detail"] == "percentage (headline)"


@pytest.mark.parametrize("note", [
    "Correction: An earlier version of this story misstated the ambassador's name.",
    "This story has been corrected to show that the meeting is on Wednesday.",
    "An earlier version of this article gave the wrong date.",
    "Исправлено: в предыдущей версии была указана неверная дата.",
])
def test_correction_note_in_body(note):
    old = v1()
    change = compute_change(old, v2(old, text=BODY + "\n" + note))
    assert change.class_names == ["correction"]       # the note is not an "addition"
    assert change.classes[0]["new"] == note
    assert change.summary["sentences_added"] >= 1      # still an added sentence row


def test_correction_tags_in_title():
    old = v1(title="UPDATE 1-Russia says contacts with Hamas are not support")
    # a kicker bumped is a headline change as well as a correction tag
    bumped = compute_change(old, v2(old, title="UPDATE 2-Russia says contacts with Hamas are "
                                                "not support"))
    assert set(bumped.class_names) == {"correction", "headline"}
    assert [r["detail"] for r in bumped.classes if r["class"] == "headline"] == \
        ['kicker changed "UPDATE 1-" → "UPDATE 2-"']
    assert classes_of(old, v2(old, title="CORRECTED-Russia says contacts with Hamas are not "
                                         "support")) == {"correction", "headline"}
    plain = v1()
    assert {"correction", "headline"} <= classes_of(plain, v2(plain, title="REFILE-" +
                                                                     plain["title"]))
    # a note already there in the old version does not fire again, even reworded
    noted = v1(text=BODY + "\nCorrection: the date was wrong.")
    assert classes_of(noted, v2(noted, text=noted["text"].replace("Wednesday", "Thursday"))) \
        == {"rewording"}
    assert classes_of(noted, v2(noted, text=noted["text"].replace(
        "the date was wrong.", "the date given was wrong."))) == {"rewording"}
    # the same note added a second time is a new correction
    assert classes_of(noted, v2(noted, text=noted["text"] + "\nCorrection: the date was wrong.")) \
        == {"correction"}
    # ordinary Russian prose with the participle is not a correction note
    ru = v1(language="ru", text="Депутаты приняли закон.")
    assert classes_of(ru, v2(ru, text="Депутаты приняли закон. Позже закон был исправлен.")) \
        == {"addition"}


def test_addition_and_removal():
    old = v1()
    added = compute_change(old, v2(old, text=BODY + "\nAid convoys reached Rafah. More follow."))
    assert added.class_names == ["addition"]
    assert added.classes[0]["detail"] == "1 paragraph added"
    assert added.summary["paragraphs_added"] == 1 and added.summary["sentences_added"] == 2
    removed = compute_change(old, v2(old, text=BODY.replace(
        " Israel announced a total blockade of Gaza.", "")))
    assert removed.class_names == ["removal"]
    assert removed.classes[0]["old"] == "Israel announced a total blockade of Gaza."
    assert removed.summary["sentences_deleted"] == 1
    assert removed.summary["paragraphs_removed"] == 0
    assert summary_line(removed) == "1 sentence removed"


@pytest.mark.parametrize("transform", [
    lambda t: t.replace('"', "“", 1).replace('"', "”", 1),               # quote style
    lambda t: t.replace(" - ", " — ").replace(",", " ,"),                  # dash, spacing
    lambda t: t.replace("Clashes are", "clashes are").upper(),            # letter case
    lambda t: unicodedata.normalize("NFD", t.replace("Gaza", "Gazá")),    # Unicode form…
    lambda t: t.replace(" ", "\u00a0").replace("talks", "tal\u00adks"),   # NBSP, soft hyphen
    lambda t: t.replace("\n", "\n\n") + "\n",                              # blank lines
    lambda t: t.replace(".", ""),                                          # punctuation
])
def test_cosmetic_only(transform):
    old = v1(text=BODY.replace("Gaza", "Gazá"))
    new_text = transform(old["text"])
    assert new_text != old["text"]
    change = compute_change(old, v2(old, text=new_text, stealth=True))
    assert change.class_names in (["cosmetic"], []), change.classes
    if transform(BODY) != BODY and "\n\n" not in new_text:
        assert change.class_names == ["cosmetic"]


def test_cosmetic_detail_and_no_stealth():
    old = v1()
    new = v2(old, stealth=True, title=old["title"].replace("'", "’"),
             text=BODY.replace('"Such', "«Such").replace('talks,"', "talks,»"))
    change = compute_change(old, new)
    assert change.class_names == ["cosmetic"]
    assert "quote style" in change.classes[0]["detail"]
    assert summary_line(change).startswith("cosmetic only")


def test_unicode_normalization_forms_are_cosmetic_at_most():
    text = "Café owners in Zürich said 2,800 people protested — peacefully."
    old = v1(text=unicodedata.normalize("NFC", text))
    new = v2(old, stealth=True, text=unicodedata.normalize("NFD", text))
    assert classes_of(old, new) <= {"cosmetic"}
    ru = "Ёлка на площади. Всё спокойно."
    old = v1(text=ru, language="ru")
    assert classes_of(old, v2(old, text=ru.replace("Ё", "Е").replace("ё", "е"))) <= {"cosmetic"}


def test_stealth_needs_unchanged_modified_time():
    old = v1()
    new = v2(old, stealth=True, text=BODY.replace("2,800", "3,000"))
    change = compute_change(old, new)
    assert change.class_names == ["number", "stealth"]
    assert "2023-10-17T09:00:00Z" in change.classes[-1]["detail"]
    assert "stealth" not in classes_of(old, v2(old, text=BODY.replace("2,800", "3,000")))
    # byline or tags alone are field changes, not stealth edits of the story
    assert classes_of(old, v2(old, stealth=True, byline="By Ivan Petrov")) == set()


def test_revert():
    old = v1(text=BODY.replace("2,800", "3,000"))
    change = compute_change(old, v2(old, text=BODY), reverts_to=1)
    assert change.class_names == ["revert", "number"]
    assert change.classes[0]["detail"] == "reverts to version 1"
    assert summary_line(change).startswith("reverted to version 1")


def test_change_classes_list():
    assert set(CHANGE_CLASSES) == {"headline", "number", "correction", "addition", "removal",
                                   "rewording", "cosmetic", "stealth", "revert", "pulled",
                                   "redirected"}


# --- rows and summary ------------------------------------------------------------------------

def test_paragraph_moved_to_the_end_is_moved_not_added_and_deleted():
    old = v1()
    paragraphs = BODY.split("\n")
    new = v2(old, text="\n".join(paragraphs[:1] + paragraphs[2:] + paragraphs[1:2]))
    change = compute_change(old, new)
    assert [r["kind"] for r in change.sentence_rows] == ["moved"]
    row = change.sentence_rows[0]
    assert row["old_index"] == 1 and row["new_index"] == 6 and row["similarity"] == 1.0
    assert change.summary["sentences_moved"] == 1
    assert change.summary["paragraphs_added"] == change.summary["paragraphs_removed"] == 0
    assert change.summary["words_added"] == change.summary["words_removed"] == 0
    assert "addition" not in change.class_names and "removal" not in change.class_names
    assert "1 sentence moved" in summary_line(change)


def test_moved_and_edited_paragraph_on_real_text():
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    moved = paragraphs[4].replace("in any way whatsoever", "in any way")
    new_text = "\n\n".join(paragraphs[:4] + paragraphs[5:] + [moved])
    old = v1(text=text)
    change = compute_change(old, v2(old, text=new_text))
    kinds = sorted(r["kind"] for r in change.sentence_rows)
    assert kinds == ["moved", "moved"]
    assert any(r["similarity"] < 1.0 for r in change.sentence_rows)
    assert change.class_names == ["rewording"]


def test_sentence_rows_point_at_real_sentences():
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    paragraphs = text.split("\n")
    rng = random.Random(11)
    for _ in range(60):
        new = list(paragraphs)
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(new))
            action = rng.randrange(4)
            if action == 0:
                new.insert(i, "A new sentence was added here. And another one.")
            elif action == 1:
                del new[i]
            elif action == 2:
                new[i] = new[i].replace(" the ", " a ", 1) + " Officials said."
            else:
                new.append(new.pop(i))
        old_v, new_v = v1(text=text), v2(v1(text=text), text="\n".join(new))
        change = compute_change(old_v, new_v)
        sa, sb = split_sentences(text, "en"), split_sentences(new_v["text"], "en")
        for row in change.sentence_rows:
            assert row["kind"] in ("added", "deleted", "edited", "moved")
            if row["old_index"] is not None:
                assert sa[row["old_index"]].text == row["old_sentence"]
            if row["new_index"] is not None:
                assert sb[row["new_index"]].text == row["new_sentence"]
        assert 0.0 <= change.summary["similarity"] <= 1.0
        json.dumps(change.to_dict())


def test_first_version():
    change = compute_change(None, v1())
    assert change.sentence_rows == [] and change.classes == [] and change.field_rows == []
    assert change.summary["words_added"] == len(words(BODY)) == 71
    assert change.summary["words_removed"] == 0
    assert summary_line(change).startswith("first version")


def test_field_rows():
    old = v1()
    new = v2(old, byline="By Ivan Petrov", tags=["Hamas", "Israel", "Russia"],
             published_at="2023-10-17T08:00:00Z")
    rows = {r["field"]: r for r in compute_change(old, new).field_rows}
    assert set(rows) == {"byline", "published_at", "modified_at", "tags"}
    assert rows["tags"] == {"field": "tags", "old": "Hamas, Russia", "new": "Hamas, Israel, Russia"}
    assert rows["byline"]["old"] == "By Anna Petrova"
    assert compute_change(old, v2(old, tags=["Hamas", "Russia"], stealth=True)).field_rows == []


def test_identical_versions_change_nothing():
    old = v1()
    change = compute_change(old, dict(old, version=2))
    assert change.classes == [] and change.sentence_rows == [] and change.field_rows == []
    assert change.summary["similarity"] == 1.0


def test_summary_line_example():
    old = v1()
    new = v2(old, title="Death toll in Gaza rises to 3,000, ambassador condemns terrorism",
             text=BODY.replace("2,800", "3,000") + "\nAid convoys reached Rafah on Tuesday.")
    line = summary_line(compute_change(old, new))
    assert line == "headline rewritten; death toll 2,800 → 3,000; 1 paragraph added"


def test_lead_changes():
    old = v1()
    change = compute_change(old, v2(old, lead="The ambassador told reporters 12 things."))
    assert change.class_names == ["rewording"]
    assert change.classes[0]["detail"] == "lead reworded"
    change = compute_change(old, v2(old, lead=""))
    assert change.class_names == ["removal"]


def test_chinese_number_change():
    text = "外交部发言人表示，中方反对一切伤害平民的行为。目前已有2800人在冲突中死亡，另有1.1万人受伤。"
    old = v1(text=text, language="zh", title="外交部：中方反对伤害平民")
    change = compute_change(old, v2(old, text=text.replace("2800", "3000")))
    assert change.class_names == ["number"]
    assert (change.classes[0]["old"], change.classes[0]["new"]) == ("2800", "3000")
    assert change.classes[0]["detail"] == "death toll"


def test_every_simulator_edit_is_classified_as_what_it_did():
    """The wire simulator's edits each change one thing and say what; the analysis must see
    exactly that (stealth when the modified time stayed, cosmetic never stealth)."""
    from wiresim import EDIT_KINDS, WireSim

    expected = {"headline": {"headline"}, "number": {"number"}, "add_paragraph": {"addition"},
                "remove_paragraph": {"removal"}, "reword": {"rewording"},
                "correction": {"correction"}, "byline": set(), "modified_time": set(),
                "cosmetic": {"cosmetic"}, "social_headline": {"headline"},
                "kicker": {"headline"}}
    assert set(expected) == set(EDIT_KINDS)

    def as_version(article, n: int) -> dict:
        shown = article.shown_headlines()
        shown["title"] += " - WireSim News Agency"
        return {"version": n, "captured_at": f"2024-01-01T00:0{n}:00Z",
                "title": article.headline, "headlines": shown, "byline": article.byline,
                "published_at": article.published.isoformat(),
                "modified_at": article.modified.isoformat(), "lead": article.lead,
                "text": "\n".join(article.paragraphs), "language": article.language,
                "tags": list(article.tags)}

    sim = WireSim(articles=8, seed=1)          # not started: no server needed
    checked = 0
    for aid in sim.article_ids():
        for kind in EDIT_KINDS:
            for stealth in (False, True):
                before = as_version(sim.article(aid), 1)
                did = sim.edit(aid, kind, stealth=stealth)
                after = as_version(sim.article(aid), 2)
                want = set(expected[kind])
                if kind == "kicker" and any(c.isdigit() for c in did["kicker"]):
                    want.add("correction")         # "UPDATE 2: " is a correction tag too
                if stealth and want and kind != "cosmetic":
                    want.add("stealth")
                got = set(compute_change(before, after).class_names)
                assert got == want, (kind, stealth, did)
                checked += 1
    assert checked == 8 * len(EDIT_KINDS) * 2
