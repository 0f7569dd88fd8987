"""The fixture class, scored: planted pairs on top, independent ones below the threshold, stubs never."""

from __future__ import annotations

import itertools

import pytest

from class_fixture import INDEPENDENT, PLANTED, STUBS

from grader.similarity.collect import from_gradebook
from grader.similarity.evidence import Wrong
from grader.similarity.score import THRESHOLD, Subject, score


def scored(graded_class, target):
    _, gradebook = graded_class
    return score(list(from_gradebook(gradebook, target)))


def names(pair) -> tuple[str, str]:
    return tuple(sorted((pair.a.student, pair.b.student)))


def test_the_planted_pairs_rank_on_top_and_are_flagged(graded_class, target):
    result = scored(graded_class, target)
    top = {names(p) for p in result.pairs[:len(PLANTED)]}
    assert top == PLANTED
    assert all(p.flagged for p in result.pairs[:len(PLANTED)])


def test_no_independent_pair_reaches_the_threshold(graded_class, target):
    result = scored(graded_class, target)
    independent = {tuple(sorted(p)) for p in itertools.combinations(INDEPENDENT, 2)} - PLANTED
    assert independent
    assert all(p.score < THRESHOLD for p in result.pairs if names(p) in independent)
    assert [names(p) for p in result.pairs if p.flagged and names(p) not in PLANTED] == []


def test_the_untouched_stub_has_nothing_to_compare_and_is_never_in_a_pair(graded_class, target):
    subjects = {s.student: s for s in from_gradebook(graded_class[1], target)}
    assert all(subjects[name].units == {} and subjects[name].wrong == {} for name in STUBS)
    assert not [p for p in scored(graded_class, target).pairs if STUBS & set(names(p))]


def test_the_reworded_shared_mistake_is_found_by_its_wrong_outputs(graded_class, target):
    [pair] = [p for p in scored(graded_class, target).pairs if names(p) == ("fay", "gus")]
    assert pair.code < THRESHOLD <= pair.score  # the code alone would not have raised it
    assert {s.check for s in pair.shared} >= {"adam_update", "adam_trajectory"}
    assert all(s.count == 2 and s.functions == ("adam",) and s.mistake is None for s in pair.shared)


def test_copies_match_in_every_function_however_they_were_disguised(graded_class, target):
    pairs = {names(p): p for p in scored(graded_class, target).pairs}
    for planted in (("bo", "hal"), ("di", "jon")):  # renamed; renamed with a function moved
        assert {u.name: u.similarity for u in pairs[planted].units} == dict.fromkeys(
            ("adam", "rmsprop", "sgd", "sgd_momentum"), 1.0)
    reordered = {u.name: u.similarity for u in pairs[("cy", "ivy")].units}  # reordered, comments, dead code
    assert reordered["rmsprop"] > 0.8 and reordered["adam"] > 0.7


def _subject(i: int, units: dict[str, set[int]], wrong=None) -> Subject:
    return Subject(f"s{i}", f"s{i}", "class", {u: frozenset(h) for u, h in units.items()}, wrong or {})


def test_a_form_most_of_the_class_shares_weighs_nothing():
    common = set(range(10))  # everyone's one-line sgd
    subjects = [_subject(i, {"sgd": common, "adam": {1000 * i + k for k in range(20)}}) for i in range(40)]
    assert score(subjects).pairs == []


def test_a_wrong_value_many_students_return_is_no_evidence_but_a_rare_one_is():
    common = {"adam_update": Wrong("aaaa", ("adam",))}
    rare = {"rmsprop_update": Wrong("bbbb", ("rmsprop",))}
    subjects = [_subject(i, {}, dict(common)) for i in range(40)]
    subjects[3].wrong.update(rare)
    subjects[17].wrong.update(rare)
    [pair] = score(subjects).pairs
    assert {pair.a.key, pair.b.key} == {"s3", "s17"} and [s.check for s in pair.shared] == ["rmsprop_update"]


def test_a_shared_known_mistake_counts_for_less_than_an_unknown_one():
    def pair_score(mistake):
        subjects = [_subject(i, {}) for i in range(20)]
        for i in (0, 1):
            subjects[i].wrong["adam_update"] = Wrong("cccc", ("adam",), mistake)
        return score(subjects).pairs[0].output

    assert pair_score("adam_no_bias_correction") < pair_score(None)


def _copies(pairs: int, others: int = 30) -> list[Subject]:
    """Pair k (students 2k and 2k + 1) shares 20 - 3k of its 20 adam fingerprints; the others share none."""
    subjects = []
    for k in range(pairs):
        own = [100_000 * k + f for f in range(20)]
        subjects.append(_subject(2 * k, {"adam": set(own)}))
        subjects.append(_subject(2 * k + 1, {"adam": set(own[:20 - 3 * k]) | {-100_000 * k - f for f in range(3 * k)}}))
    return subjects + [_subject(1000 + i, {"adam": {10_000_000 * (i + 1) + f for f in range(20)}}) for i in range(others)]


def test_only_the_best_pairs_are_held_and_every_flagged_pair_is_counted():
    everything = score(_copies(5))
    assert len(everything.pairs) == 5 and everything.flagged == sum(p.flagged for p in everything.pairs) >= 3
    held = score(_copies(5), keep=2)
    assert [(p.a.key, p.b.key, p.score) for p in held.pairs] == [(p.a.key, p.b.key, p.score)
                                                                 for p in everything.pairs[:2]]
    assert held.flagged == everything.flagged and held.candidates == everything.candidates == 5


def test_the_index_is_on_disk_only_while_scoring_even_when_reading_fails(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    score(_copies(2))
    assert list(tmp_path.iterdir()) == []

    def failing():
        yield from _copies(2)
        raise OSError("the disk went away")

    with pytest.raises(OSError, match="went away"):
        score(failing())
    assert list(tmp_path.iterdir()) == []


def test_the_class_is_added_before_earlier_terms():
    earlier = Subject("2025/s0", "s0", "2025", {"adam": frozenset(range(20))})
    with pytest.raises(ValueError, match="before those of --against"):
        score([earlier, _subject(1, {"adam": set(range(20))})])
