"""Sentence splitting (English, Russian, Chinese, Japanese) and text diffs."""
from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

import pytest

from archive.sentences import split_sentences
from archive.textdiff import diff, tokenize

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed-article" / "tass-2023-10-17-russia-hamas.txt"
UA_FEEDS = SHARED / "corpus" / "feeds" / "ua_news_agencies_rss__Tehtehteh_data-import"


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (shared/ folder absent)")
    return SEED.read_text(encoding="utf-8")


def texts(sentences):
    return [s.text for s in sentences]


def check_ops(old: str, new: str, ops) -> None:
    """Ops cover both texts end to end, in order, and their positions give their texts."""
    assert "".join(o.old_text for o in ops) == old
    assert "".join(o.new_text for o in ops) == new
    a = b = 0
    for o in ops:
        assert (o.old_start, o.new_start) == (a, b)
        assert old[o.old_start:o.old_end] == o.old_text
        assert new[o.new_start:o.new_end] == o.new_text
        assert o.tag in ("equal", "insert", "delete", "replace")
        if o.tag == "equal":
            assert o.old_text == o.new_text
        if o.tag == "insert":
            assert not o.old_text and o.new_text
        if o.tag == "delete":
            assert o.old_text and not o.new_text
        a, b = o.old_end, o.new_end
    assert (a, b) == (len(old), len(new))


# --- sentences: English -------------------------------------------------------------------

def test_seed_article_sentences():
    text = seed_text()
    sentences = split_sentences(text, "en")
    for s in sentences:
        assert text[s.start:s.end] == s.text
    by_start = {s.text.split()[0]: s for s in sentences}
    # the dateline stays with its sentence
    dateline = next(s for s in sentences if s.text.startswith("MOSCOW"))
    assert dateline.text.startswith("MOSCOW, October 17. /TASS/. Russia condemns")
    assert dateline.text.endswith("news conference.")
    # a quotation ending in a comma does not end the sentence; one ending the sentence does
    assert any(t.startswith('"Our maintaining') and t.endswith("the Russian diplomat said.")
               for t in texts(sentences))
    assert any(t == 'Moscow has always condemned "any manifestations of terrorism and '
               'extremism," he added.' for t in texts(sentences))
    # figures with separators stay inside their sentence
    last = sentences[-1].text
    assert last.startswith("Over 2,800 Palestinians") and "11,200" in last
    assert by_start["Clashes"].text == "Clashes are also taking place on the West Bank."
    # paragraphs are counted over non-blank lines; every paragraph ends a sentence
    assert [s.paragraph for s in sentences][:3] == [0, 1, 2]
    assert len({s.paragraph for s in sentences}) == len([ln for ln in text.splitlines()
                                                          if ln.strip()])


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith met Dr. Jones and Gen. Lee at St. Paul's. They talked.",
     ["Mr. Smith met Dr. Jones and Gen. Lee at St. Paul's.", "They talked."]),
    ("The talks ended in the U.S. The envoy left. U.S. President Joe Biden spoke.",
     ["The talks ended in the U.S.", "The envoy left.", "U.S. President Joe Biden spoke."]),
    ("V. Putin and Lt. Col. A. B. Smith met on Jan. 5 and Feb. 6. It was cold.",
     ["V. Putin and Lt. Col. A. B. Smith met on Jan. 5 and Feb. 6.", "It was cold."]),
    ('"We will not retreat," he said. "Never." Then he left.',
     ['"We will not retreat," he said.', '"Never."', "Then he left."]),
    ('He said the toll "has risen." Rescuers are still searching.',
     ['He said the toll "has risen."', "Rescuers are still searching."]),
    ("Prices rose 3.5% to 11.200 units, or 2,800 in total. Shares fell 0.7 points.",
     ["Prices rose 3.5% to 11.200 units, or 2,800 in total.", "Shares fell 0.7 points."]),
    ("Fruit, vegetables, grain, etc. The list is long. Items, e.g. wheat, are scarce.",
     ["Fruit, vegetables, grain, etc.", "The list is long.", "Items, e.g. wheat, are scarce."]),
    ("He waited... Nothing happened. Then... silence. Really?! Yes!",
     ["He waited...", "Nothing happened.", "Then... silence.", "Really?!", "Yes!"]),
    ("Resolution No. 2720 passed. It was the first", ["Resolution No. 2720 passed.",
                                                       "It was the first"]),
    ("“No. You can’t,” he said.", ["“No.", "You can’t,” he said."]),
    ("First paragraph without a stop\nSecond one. Two.", ["First paragraph without a stop",
                                                          "Second one.", "Two."]),
])
def test_english_tricky_patterns(text, expected):
    assert texts(split_sentences(text, "en")) == expected


def test_real_english_bodies_split_cleanly():
    truth = SHARED / "corpus" / "article-extraction-benchmark" / "ground-truth.json"
    if not truth.exists():
        pytest.skip(f"article-extraction benchmark not found at {truth} (shared corpus absent)")
    bodies = [v["articleBody"] for v in json.loads(truth.read_text(encoding="utf-8")).values()]
    title_before_name = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Gen|Lt|St|Prof|Sen|Rep|Gov)\.$")
    for text in bodies:
        sentences = split_sentences(text)
        for s in sentences:
            assert text[s.start:s.end] == s.text
        for prev, s in zip(sentences, sentences[1:]):
            if prev.paragraph == s.paragraph:
                assert not s.text[0].islower(), (prev.text[-40:], s.text[:40])
                assert not title_before_name.search(prev.text), prev.text[-40:]
                assert not re.search(r"(?:^|\s)[A-Z]\.$", prev.text), prev.text[-40:]


# --- sentences: Russian -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("МОСКВА, 17 октября. /ТАСС/. Президент РФ В. В. Путин провел встречу. Она длилась час.",
     ["МОСКВА, 17 октября. /ТАСС/. Президент РФ В. В. Путин провел встречу.",
      "Она длилась час."]),
    ("Заявление сделал А.Б. Иванов на ул. Ленина в г. Москве. Его поддержали.",
     ["Заявление сделал А.Б. Иванов на ул. Ленина в г. Москве.", "Его поддержали."]),
    ("Это произошло в 2020 г. В Москве шел дождь. В 2019-2020 гг. рост составил 3,5%.",
     ["Это произошло в 2020 г.", "В Москве шел дождь.", "В 2019-2020 гг. рост составил 3,5%."]),
    ("Бюджет составил 5 млн. руб. Дефицит — 1,2 млрд. руб. Кроме того, т.е. по сути, всё.",
     ["Бюджет составил 5 млн. руб.", "Дефицит — 1,2 млрд. руб.",
      "Кроме того, т.е. по сути, всё."]),
    ("Погибли 2 800 человек, 11.200 ранены, и т.д. Спасатели работают.",
     ["Погибли 2 800 человек, 11.200 ранены, и т.д.", "Спасатели работают."]),
    ("Музей им. Пушкина открыт. Население — 11,5 млн. человек, около 3 тыс. семей.",
     ["Музей им. Пушкина открыт.", "Население — 11,5 млн. человек, около 3 тыс. семей."]),
    ("«Мы победим!» — сказал он. «Когда?» — спросили его. Ответа не было…",
     ["«Мы победим!» — сказал он.", "«Когда?» — спросили его.", "Ответа не было…"]),
    ("Глубина снега 15 см. В горах больше, см. таблицу. См. также ст. 5 закона.",
     ["Глубина снега 15 см.", "В горах больше, см. таблицу.", "См. также ст. 5 закона."]),
    ("Он заявил: «Переговоры продолжатся». Встреча назначена на вторник.",
     ["Он заявил: «Переговоры продолжатся».", "Встреча назначена на вторник."]),
])
def test_russian_tricky_patterns(text, expected):
    assert texts(split_sentences(text, "ru")) == expected


def _feed_descriptions() -> list[str]:
    if not UA_FEEDS.exists():
        pytest.skip(f"Cyrillic RSS feeds not found at {UA_FEEDS} (shared corpus absent)")
    import feedparser
    out = []
    for path in sorted(UA_FEEDS.glob("*.xml")):
        for entry in feedparser.parse(str(path)).entries:
            for raw in [entry.get("summary", "")] + [c.get("value", "") for c in
                                                      entry.get("content", [])]:
                text = html.unescape(re.sub(r"<[^>]+>", " ", html.unescape(raw)))
                text = "\n".join(" ".join(line.split()) for line in text.splitlines())
                if re.search("[А-Яа-яІіЇїЄє]", text):
                    out.append(text.strip())
    if not out:
        pytest.skip("no Cyrillic descriptions parsed from the feeds")
    return out


def test_real_cyrillic_feed_text():
    descriptions = _feed_descriptions()
    assert len(descriptions) > 50
    never_final = re.compile(r"(?:^|\s)(?:им|ул|т\.е|[А-ЯЁІЇЄ])\.$")
    total = 0
    for text in descriptions:
        sentences = split_sentences(text, "ru")
        total += len(sentences)
        for s in sentences:
            assert text[s.start:s.end] == s.text
            assert s.text == s.text.strip() and s.text
            assert not never_final.search(s.text), s.text    # no split after "им.", "В."
        for s in sentences[1:]:
            first = s.text[0]
            # never split before a lower-case word (it continues the sentence)
            assert not first.islower(), (s.text, text)
        # a figure with a decimal comma or point is never cut
        joined = " ".join(texts(sentences))
        assert re.findall(r"\d[.,]\d", joined) == re.findall(r"\d[.,]\d", text)
    assert total > len(descriptions)


@pytest.mark.parametrize("text, expected", [
    ("Надо называть вещи своими именами. Вот и называю. Азербайджан при поддержке Турции "
     "напал на Армению", 3),
    ("29 сентября котировки гривни к доллару на межбанке по состоянию на 13:45 установились "
     "на уровне 28,29 - 28,31 гривни.", 1),
    ("Более половины украинцев считают, что войну на Донбассе начала Россия. Больше всего "
     "таких на западе страны, меньше всего - на востоке.", 2),
    ("Коронавирус распространился почти на все страны мира. Люди из разных уголков планеты "
     "оказались на карантине, медики – ищут вакцину против COVID-19", 2),
])
def test_real_feed_sentences_split_as_a_reader_would(text, expected):
    if not any(text[:40] in d for d in _feed_descriptions()):
        pytest.skip("this description is not in the shared feeds")
    assert len(split_sentences(text, "ru")) == expected


# --- sentences: Chinese and Japanese --------------------------------------------------------

ZH = ("新华社北京10月17日电 外交部发言人毛宁17日表示，中方反对一切伤害平民的行为。"
      "“我们呼吁有关各方保持冷静！”她说。目前已有2800人在冲突中死亡，另有1.1万人受伤。"
      "联合国安理会将于明天举行紧急会议？各方仍在磋商。")


def test_chinese_sentences():
    sentences = split_sentences(ZH, "zh")
    assert texts(sentences) == [
        "新华社北京10月17日电 外交部发言人毛宁17日表示，中方反对一切伤害平民的行为。",
        "“我们呼吁有关各方保持冷静！”",        # the closing quote stays with its sentence
        "她说。",
        "目前已有2800人在冲突中死亡，另有1.1万人受伤。",   # "1.1" is not a full stop
        "联合国安理会将于明天举行紧急会议？",
        "各方仍在磋商。",
    ]
    for s in sentences:
        assert ZH[s.start:s.end] == s.text


def test_japanese_sentences_and_script_detection():
    ja = "東京都は17日、新たに2,800人の感染を確認したと発表した。「引き続き注意が必要だ」と述べた。"
    expected = ["東京都は17日、新たに2,800人の感染を確認したと発表した。",
                "「引き続き注意が必要だ」と述べた。"]
    assert texts(split_sentences(ja, "ja")) == expected
    assert texts(split_sentences(ja)) == expected        # detected by script


# --- diffs ----------------------------------------------------------------------------------

def test_word_diff_of_a_revised_figure():
    text = seed_text()
    new = text.replace("2,800", "3,000")
    ops = diff(text, new)
    check_ops(text, new, ops)
    changed = [o for o in ops if o.tag != "equal"]
    assert [(o.tag, o.old_text, o.new_text) for o in changed] == [("replace", "2,800", "3,000")]
    assert text[changed[0].old_start:changed[0].old_end] == "2,800"


def test_diff_units_reconstruct_real_text():
    text = seed_text()
    paragraphs = text.split("\n")
    new = "\n".join(paragraphs[:8] + ["A new paragraph. It has two sentences."] +
                    paragraphs[8:]).replace("conveyed his most sincere", "sent his")
    for by in ("word", "char", "sentence"):
        ops = diff(text, new, by=by)
        check_ops(text, new, ops)
    sentence_ops = [o for o in diff(text, new, by="sentence") if o.tag != "equal"]
    # whole sentences: the edited one and the inserted paragraph
    assert any(o.old_text.startswith("In a phone conversation") for o in sentence_ops)
    assert any("A new paragraph. It has two sentences." in o.new_text for o in sentence_ops)
    char_ops = [o for o in diff("The goverment said.", "The government said.", by="char")
                if o.tag != "equal"]
    assert [(o.tag, o.new_text) for o in char_ops] == [("insert", "n")]


def test_diff_random_edits_reconstruct():
    rng = random.Random(5)
    alphabet = ["a", "b", " ", "\n", ".", ",", "7", "é", "中", "文", "xyz ", "2,800"]
    for _ in range(400):
        old = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        new = list(old)
        for _ in range(rng.randrange(4)):
            at = rng.randrange(len(new) + 1)
            if rng.random() < 0.5:
                new.insert(at, rng.choice(alphabet))
            elif new and at < len(new):
                del new[at]
        new = "".join(new)
        for by in ("word", "char", "sentence"):
            check_ops(old, new, diff(old, new, by=by))
    assert diff("", "") == []
    check_ops("", "abc", diff("", "abc"))
    check_ops("abc", "", diff("abc", ""))


def _random_story(rng: random.Random, vocabulary: list[str], sentences: int) -> str:
    return " ".join(" ".join(rng.choice(vocabulary) for _ in range(rng.randrange(8, 20)))
                    .capitalize() + "." for _ in range(sentences))


def test_rewritten_long_text_still_diffs_exactly():
    """Past the token budget a changed block is cut at tokens found once on each side; with
    none in common it is replaced whole. Either way the ops are exact."""
    rng = random.Random(9)
    vocabulary = [f"w{i}" for i in range(400)]
    old = _random_story(rng, vocabulary, 120)
    new = _random_story(rng, vocabulary, 120)
    ops = diff(old, new)
    check_ops(old, new, ops)
    assert any(o.tag == "equal" for o in ops)           # anchors found and used
    small = ["alpha", "beta", "gamma"]
    old, new = _random_story(rng, small, 150), _random_story(rng, small, 150)
    ops = diff(old, new)
    check_ops(old, new, ops)


def test_chinese_is_diffed_by_characters():
    new = ZH.replace("2800人在冲突中死亡", "3000人在冲突中遇难").replace("反对", "坚决反对")
    for language in ("zh", None):
        ops = diff(ZH, new, language=language)
        check_ops(ZH, new, ops)
        changed = [(o.tag, o.old_text, o.new_text) for o in ops if o.tag != "equal"]
        assert changed == [("insert", "", "坚决"), ("replace", "2800", "3000"),
                           ("replace", "死亡", "遇难")]
    assert tokenize("中方反对ABC 2,800人") == ["中", "方", "反", "对", "ABC", " ", "2,800", "人"]


def test_tokenize_round_trips():
    text = seed_text()
    for by in ("word", "char", "sentence"):
        assert "".join(tokenize(text, by)) == text
    assert tokenize("don't 3.5% U.S.") == ["don't", " ", "3.5", "%", " ", "U", ".", "S", "."]
