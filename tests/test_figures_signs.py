"""A figure's sign and its superscript digits are part of the figure: "0.5%" → "−0.5%" is a
number change (never cosmetic), "10²" is neither "102" nor "10³". Hyphens inside words and
ranges ("COVID-19", "2019-2020") are not signs."""
from __future__ import annotations

import pytest

from archive.edits import compute_change
from archive.edits_rules import changed_figures, cosmetic_key, figures, mask_figures


def version(n: int, text: str, title: str = "Prices in May") -> dict:
    return {"version": n, "title": title, "text": text, "language": "en",
            "modified_at": f"2024-05-0{n}T10:00:00Z"}


def classes(old_text: str, new_text: str, **kw) -> list[dict]:
    return compute_change(version(1, old_text, **kw), version(2, new_text, **kw)).classes


@pytest.mark.parametrize("new", ["−0.5%", "-0.5%", "+0.5%", "–0.5%"])
def test_a_sign_added_is_a_number_change_with_old_and_new(new):
    got = classes("Consumer prices rose 0.5% in May.", f"Consumer prices rose {new} in May.")
    assert got == [{"class": "number", "detail": "percentage", "old": "0.5%", "new": new}]


def test_a_sign_flipped_or_dropped_is_a_number_change():
    assert classes("The index moved -1.2 points.", "The index moved +1.2 points.") == [
        {"class": "number", "detail": "figure", "old": "-1.2", "new": "+1.2"}]
    assert classes("Output fell −3% on the year.", "Output fell 3% on the year.") == [
        {"class": "number", "detail": "percentage", "old": "−3%", "new": "3%"}]
    # a sign in the headline is a headline figure too
    got = classes("Same body.", "Same body.", title="Inflation at 0.5%")
    assert got == []
    old, new = version(1, "Body.", "Inflation at 0.5%"), version(2, "Body.", "Inflation at −0.5%")
    rows = compute_change(old, new).classes
    assert {"class": "number", "detail": "percentage (headline)", "old": "0.5%",
            "new": "−0.5%"} in rows
    assert rows[0]["class"] == "headline"


def test_the_typography_of_a_sign_is_cosmetic():
    # U+2212, an en dash and a hyphen-minus are the same minus sign
    assert cosmetic_key("fell −0.5%") == cosmetic_key("fell -0.5%") == cosmetic_key("fell –0.5%")
    got = classes("Prices fell −0.5% in May.", "Prices fell -0.5% in May.")
    assert [r["class"] for r in got] == ["cosmetic"]
    assert changed_figures("fell −0.5% and then 2%", "fell -0.5% and then 3%") == [
        ("percentage", "2%", "3%")]


def test_hyphens_in_words_and_ranges_are_not_signs():
    text = "In 2019-2020 COVID-19 cases rose by 5-7% in pages 10-12."
    assert [m.group() for m in figures(text)] == ["2019", "2020", "19", "5", "7%", "10", "12"]
    assert all(m.group("sign") is None for m in figures(text))
    # a dash style change inside a range or a name stays cosmetic, as before
    got = classes("Data for 2019-2020 show COVID-19 fell.", "Data for 2019–2020 show COVID–19 fell.")
    assert got == [{"class": "cosmetic", "detail": "body: dash/hyphen", "old": None, "new": None}]
    # a range that changes is a figure change of its end, not a sign
    assert changed_figures("Up 5-7% on the year.", "Up 5-8% on the year.") == [
        ("percentage", "7%", "8%")]
    # signs after an opening bracket or a space count; a spaced dash does not
    assert [m.group() for m in figures("a change (-3) then - 4 and +5")] == ["-3", "4", "+5"]


def test_superscript_digits_are_figures_of_their_own():
    assert cosmetic_key("an area of 10² km") != cosmetic_key("an area of 102 km")
    assert cosmetic_key("an area of 10² km") != cosmetic_key("an area of 10³ km")
    assert [m.group() for m in figures("an area of 10² km and 10⁻³ g")] == ["10²", "10⁻³"]
    assert mask_figures("10² km") == "# km"
    assert classes("The crater covers 10² km.", "The crater covers 10³ km.") == [
        {"class": "number", "detail": "figure", "old": "10²", "new": "10³"}]
    assert classes("The crater covers 10² km.", "The crater covers 102 km.") == [
        {"class": "number", "detail": "figure", "old": "10²", "new": "102"}]
    # a unit's superscript written plainly is still cosmetic
    assert cosmetic_key("covers 40 km²") == cosmetic_key("covers 40 km2")
