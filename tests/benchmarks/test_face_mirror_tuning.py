"""benchmarks/face_mirror_tuning.summarize: each rule variant counts what it would fill."""

from __future__ import annotations

from benchmarks import face_mirror_tuning as tuning


def _piece(label: str, kind: str, lighter: bool, outer: float, asymmetry: float = 0.9) -> dict:
    return {
        "label": label,
        "pixels": 5,
        "kind": kind,
        "lighter": lighter,
        "evidence": 0.7,
        "asymmetry": asymmetry,
        "span": [0.3, outer, 0.1],
    }


def test_summarize_counts_fills_per_variant_and_marks_the_shipped_one() -> None:
    found = [
        ("a", _piece("damage", "spot", True, 0.5)),  # filled by every variant but 0.95
        ("b:clean", _piece("clean", "spot", False, 0.5)),  # a mole: only when any spot counts
        ("c", _piece("damage", "line", False, 1.1)),  # far out: only outer >= 1.2
        ("c", _piece("false", "line", True, 0.5, asymmetry=0.75)),  # only asymmetry 0.7
    ]
    rows, notes = tuning.summarize(found, photos=3)
    assert "3 caltech photos" in notes and "2 of them damage" in notes
    by = {
        (r["evidence_at_least"], r["asymmetry_at_least"], r["outer_at_most"], r["spots"]): r
        for r in rows
    }
    assert len(by) == len(rows) == 3 * 4 * 4 * 2
    shipped = [r for r in rows if r["shipped"]]
    assert len(shipped) == 1 and shipped[0]["spots"] == "lighter"
    row = by[(0.6, 0.8, 0.85, "lighter")]
    assert (row["damage_pieces_filled"], row["clean_photos_touched"]) == (1, 0)
    row = by[(0.6, 0.8, 0.85, "any")]
    assert (row["damage_pieces_filled"], row["clean_pieces_filled"]) == (1, 1)
    assert by[(0.6, 0.8, 1.2, "lighter")]["damage_pieces_filled"] == 2
    assert by[(0.6, 0.7, 0.85, "lighter")]["false_alarms_on_damaged"] == 1
    assert by[(0.6, 0.95, float("inf"), "any")]["damage_pixels_filled"] == 0
    assert by[(0.7, 0.8, 0.85, "lighter")]["damage_pixels_filled"] == 5
