"""Telling the Kepler generations apart, from metric names and build versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.core.kepler import schema
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.series import MetricSeries
from scheduler.testing import recordings

DATA = Path(__file__).resolve().parents[3] / "data" / "kepler"


def _names(series: list[MetricSeries]) -> set[str]:
    return {s.name for s in series}


def _recorded_names() -> dict[str, set[str]]:
    feb = set()
    for path in (DATA / "kms-kind-2023-02-09-csv").glob("*.csv.gz"):
        feb |= _names(recordings.load_pandas_csv(path))
    sep = _names(
        recordings.load_query_range_dump(DATA / "kms-coremark-2023-09-22-queryrange.json.gz")
    )
    dec = _names(recordings.load_query_range_dump(DATA / "kms-idle-2023-12-13-queryrange.json.gz"))
    with (DATA / "flux-gitopscon2022-kepler-early-api-responses.json").open() as handle:
        entries = json.load(handle)["entries"]
    oct22 = {
        r["metric"]["__name__"]
        for e in entries
        if e.get("response")
        for r in e["response"]["data"]["result"]
        if "__name__" in r["metric"]
    }
    return {"feb2023": feb, "sep2023": sep, "dec2023": dec, "oct2022": oct22}


@pytest.mark.parametrize(
    ("recording", "expected"),
    [
        ("feb2023", KeplerSchema.V0_7),
        ("sep2023", KeplerSchema.V0_7),
        ("dec2023", KeplerSchema.V0_7),
        ("oct2022", KeplerSchema.V0_3),
    ],
)
def test_recordings_are_detected(recording: str, expected: KeplerSchema) -> None:
    """Each real recording is recognised from its metric names alone."""
    detection = schema.detect(_recorded_names()[recording])
    assert schema.choose_schema(detection, None) is expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"kepler_pod_cpu_joules_total", "kepler_build_info"}, (KeplerSchema.V0_10,)),
        ({"kepler_container_joules_total"}, (KeplerSchema.V0_7,)),
        ({"kepler_container_package_joules_total"}, (KeplerSchema.V0_7,)),
        ({"pod_total_energy_millijoule"}, (KeplerSchema.V0_3,)),
        (
            {"kepler_pod_cpu_joules_total", "kepler_container_joules_total"},
            (KeplerSchema.V0_10, KeplerSchema.V0_7),
        ),
        ({"kube_pod_owner"}, ()),
    ],
    ids=["0.10", "0.7-total", "0.7-components", "0.3", "upgrade", "none"],
)
def test_detect_lists_present_schemas_newest_first(
    names: set[str], expected: tuple[KeplerSchema, ...]
) -> None:
    """During an upgrade both generations are present; the newest comes first."""
    assert schema.detect(names).present == expected


def test_override_must_have_data() -> None:
    """--kepler-schema picks an older generation only if it has data in the window."""
    detection = schema.detect({"kepler_pod_cpu_joules_total", "kepler_container_joules_total"})
    assert schema.choose_schema(detection, KeplerSchema.V0_7) is KeplerSchema.V0_7
    with pytest.raises(schema.NoKeplerData, match=r"--kepler-schema 0\.3 was requested"):
        schema.choose_schema(detection, KeplerSchema.V0_3)


def test_no_kepler_metrics_is_reported() -> None:
    """Without any probe metric the error names what was looked for."""
    with pytest.raises(schema.NoKeplerData, match="kepler_pod_cpu_joules_total"):
        schema.choose_schema(schema.detect({"up"}), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v0.7.3", (0, 7, 3)),
        ("0.10.2", (0, 10, 2)),
        ("release-0.7.12-dirty", (0, 7, 12)),
        ("v0.9", (0, 9, 0)),
        ("unknown", None),
    ],
)
def test_parse_version(text: str, expected: tuple[int, int, int] | None) -> None:
    """Build-info versions in the spellings Kepler releases used."""
    assert schema.parse_version(text) == expected


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        (["v0.7.3"], True),
        (["v0.7.3", "0.7.3"], True),
        (["v0.7.4"], False),
        ([], False),
        (["v0.7.3", "v0.7.4"], None),
    ],
    ids=["bug", "bug-twice", "fixed", "unknown", "mixed"],
)
def test_millijoule_bug_only_in_v073(versions: list[str], expected: bool | None) -> None:
    """v0.7.3 exported kepler_container_joules_total in mJ; mixed fleets are ambiguous."""
    assert schema.millijoule_bug(versions) is expected
