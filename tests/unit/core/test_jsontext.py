"""Indented JSON written by ``jsontext`` is the text ``json.dumps(indent=2)`` writes, and the
preview's JSON and UTC instants are unchanged by their faster writers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bench.bench_preview import START, generate
from scheduler.core import preview
from scheduler.core.energy.forecast import WeeklyForecast
from scheduler.core.instants import format_utc, to_datetime
from scheduler.core.jsontext import Rows, indented
from scheduler.core.policy import load_policies
from scheduler.core.preview.savings import PolicySavings
from scheduler.core.workloads import WorkloadRef

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=3)
    ),
    max_leaves=20,
)


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@given(VALUES)
def test_indented_is_json_dumps_with_indent_2(value: Any) -> None:
    """Any JSON value (unicode, escapes, NaN, empty containers, non-string keys) is written
    exactly as ``json.dumps(value, indent=2, ensure_ascii=False)``."""
    assert indented(value) == dumps(value)


@given(
    st.lists(st.text(), min_size=1, max_size=3, unique=True).flatmap(
        lambda keys: st.tuples(
            st.just(tuple(keys)),
            st.lists(st.tuples(*(st.text() for _ in keys)), max_size=5),
        )
    )
)
def test_rows_are_written_as_their_list_of_objects(table: tuple[tuple[str, ...], Any]) -> None:
    """``Rows`` inside a document read as the list of objects they stand for (keys with
    ``%`` or quotes included)."""
    keys, rows = table
    found = Rows(keys, rows)
    assert indented({"a": [found, 1]}) == dumps({"a": [found.dicts(), 1]})


@given(
    st.integers(int(datetime(1, 1, 2, tzinfo=UTC).timestamp()), 253402214400) | st.floats(-1e6, 4e9)
)
def test_format_utc_is_unchanged(instant: float) -> None:
    """The cached ``format_utc`` writes what ``strftime`` of the whole second writes."""
    expected = to_datetime(int(instant // 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert format_utc(instant) == format_utc(instant) == expected


def test_the_preview_json_is_json_dumps_of_its_document() -> None:
    """``render_json`` of generated policies over a month, with targets and a savings
    estimate for some, is ``json.dumps(to_document(...), indent=2)`` plus a newline."""
    load = load_policies([("p.yaml", generate(60))], now=START.timestamp())
    assert not load.errors
    start = START.timestamp()
    result = preview.build(load.policies, start=start, end=start + 31 * 86400)
    first, second = (p.name for p in load.policies[:2])
    forecast = WeeklyForecast(None, 3600.0, 1800.0, 0.0, 12.5, 10.0, 15.0)
    result = preview.Preview(
        result.start,
        result.end,
        result.policies,
        targets={first: (WorkloadRef("Deployment", "dev", "web"),), second: ()},
        savings=(PolicySavings(first, 1, 1, forecast, 31 * 86400, 14 * 86400.0),),
    )
    expected = dumps(preview.to_document(result)) + "\n"
    assert '"savingsEstimate"' in expected
    assert '"targets"' in expected
    assert preview.render_json(result) == expected
