"""NAF sections as code ranges (the SQL filter) and as `section_of` (the counts) agree."""

import re

from hypothesis import given
from hypothesis import strategies as st

from ptce.actors import naf

codes = st.one_of(
    st.from_regex(r"\A[0-9]{2}\.[0-9]{2}[A-Z]\Z"),
    st.text(alphabet="0123456789AZ.:", max_size=6),
)


@given(codes)
def test_a_code_is_in_the_range_of_its_section_only(code):
    # The directory's filter: the code's range, and two digits first.
    inside = [
        letter
        for letter in naf.SECTIONS
        if naf.division_bounds(letter)[0] <= code < naf.division_bounds(letter)[1]
        and re.match(r"[0-9][0-9]", code)
    ]
    found = naf.section_of(code)
    assert inside == ([found] if found else [])


def test_the_last_section_holds_division_99_only():
    assert naf.division_bounds("U") == ("99", "9:")
    assert naf.section_of("99.00Z") == "U"
    assert naf.section_of("A1") is None
