"""The thresholds of art. 278 as a table: every matter type at every boundary, in integers."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liulin.votes.rules import APPROVAL, QUORUM, Figures, Matter, decide, format_area, parse_area

SPECIAL = {Matter.RAISE_FUND, Matter.REBUILD, Matter.COMMON_PARTS}


def figures(total, voted, yes):
    """The same share on both measures (area in cm² and heads)."""
    return Figures(total_area=total * 100, total_owners=total, voted_area=voted * 100, voted_owners=voted,
                   yes_area=yes * 100, yes_owners=yes)


def test_the_table_names_the_law():
    assert {m: QUORUM[m].fraction for m in Matter} == dict.fromkeys(Matter, Fraction(2, 3))
    assert all(QUORUM[m].inclusive for m in Matter)
    for matter in Matter:
        bound = APPROVAL[matter]
        if matter in SPECIAL:
            assert (bound.fraction, bound.inclusive) == (Fraction(3, 4), True), matter
        else:
            assert (bound.fraction, bound.inclusive) == (Fraction(1, 2), False), matter


# (total, voted, quorate?) around exactly two thirds of 300.
QUORUM_CASES = [(300, 199, False), (300, 200, True), (300, 201, True), (3, 2, True), (3, 1, False)]


@pytest.mark.parametrize("matter", list(Matter))
@pytest.mark.parametrize(("total", "voted", "quorate"), QUORUM_CASES)
def test_quorum_is_two_thirds_inclusive(matter, total, voted, quorate):
    decision = decide(matter, figures(total, voted, voted))
    assert decision.quorate is quorate
    assert decision.passed is quorate  # everyone who voted agreed


# (voted, yes) -> passed, for each kind of matter; voted = 200 of 300 (quorate).
APPROVAL_CASES = {
    "special": [(200, 149, False), (200, 150, True), (200, 151, True), (4, 3, True), (4, 2, False)],
    "ordinary": [(200, 100, False), (200, 101, True), (200, 99, False), (2, 1, False), (3, 2, True)],
}


@pytest.mark.parametrize("matter", list(Matter))
@pytest.mark.parametrize("case", range(5))
def test_approval_at_its_boundary(matter, case):
    voted, yes, passed = APPROVAL_CASES["special" if matter in SPECIAL else "ordinary"][case]
    total = voted  # everyone took part: the quorum holds
    assert decide(matter, figures(total, voted, yes)).passed is passed


@pytest.mark.parametrize("matter", list(Matter))
def test_both_measures_must_hold(matter):
    # Agreeing by area but not by heads (one big owner), and the other way round.
    big_owner = Figures(total_area=1000, total_owners=10, voted_area=1000, voted_owners=10, yes_area=900, yes_owners=1)
    many_small = Figures(total_area=1000, total_owners=10, voted_area=1000, voted_owners=10, yes_area=100, yes_owners=9)
    assert not decide(matter, big_owner).passed
    assert not decide(matter, many_small).passed
    quorate_by_area_only = Figures(total_area=300, total_owners=300, voted_area=299, voted_owners=199, yes_area=299, yes_owners=199)
    assert not decide(matter, quorate_by_area_only).quorate


def test_nothing_never_passes():
    assert not decide(Matter.OTHER, Figures(0, 0, 0, 0, 0, 0)).passed


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_bounds_agree_with_exact_fractions(whole, part):
    part = min(part, whole)
    share = Fraction(part, whole)
    assert QUORUM[Matter.OTHER].met(part, whole) is (share >= Fraction(2, 3))
    assert APPROVAL[Matter.REBUILD].met(part, whole) is (share >= Fraction(3, 4))
    assert APPROVAL[Matter.OTHER].met(part, whole) is (share > Fraction(1, 2))


def test_areas_are_exact():
    assert parse_area("89.5") == 895000
    assert parse_area("120.37") == 1203700
    assert format_area(1203700) == "120.37"
    for bad in ("", "-1", "1.2.3", "abc", "1e3", "1.00001"):
        with pytest.raises(ValueError):
            parse_area(bad)
