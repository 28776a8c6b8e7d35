"""The client's envelope handling and retries, at the transport level (httpx.MockTransport).

Responses are Prometheus 2.42 envelopes: recorded answers (the 2022 Flux notes) and the error
texts measured against Prometheus 2.42 (``shared/design/kepler.md`` section 3a).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from scheduler.adapters.prometheus.client import PrometheusClient, redact_url
from scheduler.errors import ConfigError, MetricsUnavailable, QueryError, SchedulerError
from scheduler.settings import PrometheusSettings
from scheduler.testing import recordings

DATA = Path(__file__).resolve().parent.parent / "data" / "kepler"
URL = "http://prometheus.test:9090"
TOO_MANY_POINTS = {
    "status": "error",
    "errorType": "bad_data",
    "error": "exceeded maximum resolution of 11,000 points per timeseries. "
    "Try decreasing the query resolution (?step=XX)",
}
Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, **settings: object) -> tuple[PrometheusClient, list[float]]:
    delays: list[float] = []
    config = PrometheusSettings.model_validate({"url": URL, "retries": 3, **settings})
    return PrometheusClient(
        config, transport=httpx.MockTransport(handler), sleep=delays.append
    ), delays


def _sequence(*responses: httpx.Response) -> Handler:
    remaining = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        return remaining.pop(0)

    return handler


def _recorded_flux() -> dict[str, object]:
    entries = recordings.load_instant_responses(
        DATA / "flux-gitopscon2022-kepler-early-api-responses.json"
    )
    return next(envelope for query, envelope in entries if "pkg" in query and "sum" not in query)


def test_recorded_vector_parses_into_series() -> None:
    """The recorded 2022 answer: four Flux controller series, values as floats, time kept."""
    client, _ = _client(lambda request: httpx.Response(200, json=_recorded_flux()))
    result = client.instant("pod_curr_energy_in_pkg_millijoule", at=1666394247.901)
    assert result.result_type == "vector"
    values = {s.label_map["pod_name"].split("-")[0]: s.values[0] for s in result.series}
    assert values == {"helm": 73.0, "kustomize": 68.0, "notification": 118.0, "source": 108.0}
    assert {s.times[0] for s in result.series} == {1666394247.901}


def test_5xx_is_retried_with_exponential_backoff() -> None:
    """503 twice, then success: two retries at 0.5 s and 1 s."""
    ok = httpx.Response(
        200, json={"status": "success", "data": {"resultType": "vector", "result": []}}
    )
    client, delays = _client(_sequence(httpx.Response(503), httpx.Response(502), ok))
    assert client.instant("up", at=0).series == []
    assert delays == [0.5, 1.0]
    assert client.stats.retries == 2


def test_429_honours_retry_after() -> None:
    """A rate-limited answer waits as long as Retry-After asks (capped at 10 s)."""
    ok = httpx.Response(
        200, json={"status": "success", "data": {"resultType": "vector", "result": []}}
    )
    client, delays = _client(_sequence(httpx.Response(429, headers={"Retry-After": "3"}), ok))
    client.instant("up", at=0)
    assert delays == [3.0]


def test_retries_are_bounded() -> None:
    """Always 503 with a timeout envelope: retries + 1 attempts, then MetricsUnavailable."""
    body = {
        "status": "error",
        "errorType": "timeout",
        "error": "query timed out in expression evaluation",
    }
    client, delays = _client(lambda request: httpx.Response(503, json=body), retries=2)
    with pytest.raises(MetricsUnavailable) as caught:
        client.instant("up", at=0)
    assert str(caught.value) == (
        f"Prometheus at {URL} is unavailable: HTTP 503: query timed out in expression "
        "evaluation (after 3 attempts)"
    )
    assert len(delays) == 2


def test_error_envelope_becomes_query_error() -> None:
    """400 bad_data: the server's text after "rejected the query:", never retried."""
    client, delays = _client(lambda request: httpx.Response(400, json=TOO_MANY_POINTS))
    with pytest.raises(QueryError) as caught:
        client.instant("rate(x[5m])", at=0)
    message = str(caught.value)
    assert message.startswith(
        f"Prometheus at {URL} rejected the query: exceeded maximum resolution"
    )
    assert "(bad_data; query 'rate(x[5m])')" in message
    assert delays == []


def test_error_envelope_with_status_200_is_rejected() -> None:
    """Some proxies answer 200 with status error: still a QueryError."""
    body = {
        "status": "error",
        "errorType": "execution",
        "error": "vector cannot contain metrics with the same labelset",
    }
    client, _ = _client(lambda request: httpx.Response(200, json=body))
    with pytest.raises(QueryError, match="same labelset"):
        client.instant("x", at=0)


def test_warnings_are_surfaced() -> None:
    """Envelope warnings reach the result and the client's warning list, once each."""
    body = {
        "status": "success",
        "data": {"resultType": "matrix", "result": []},
        "warnings": ["remote read: store gateway 2 unavailable, partial data"],
    }
    client, _ = _client(lambda request: httpx.Response(200, json=body))
    result = client.range("x", start=0, end=60, step=30)
    client.range("x", start=0, end=60, step=30)
    assert result.warnings == ("remote read: store gateway 2 unavailable, partial data",)
    assert client.warnings == ["remote read: store gateway 2 unavailable, partial data"]


def test_html_instead_of_the_api_is_a_clear_error() -> None:
    """A login page answering 200 is reported as not being the Prometheus API."""
    client, _ = _client(
        lambda request: httpx.Response(
            200, text="<!DOCTYPE html><title>Sign in</title>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(QueryError, match=r"did not answer .* with the Prometheus API"):
        client.instant("up", at=0)


def test_404_suggests_the_api_root() -> None:
    """A wrong base path says which URL shape is expected."""
    client, _ = _client(lambda request: httpx.Response(404, text="404 page not found"))
    with pytest.raises(QueryError, match=r"is http://prometheus\.test:9090 the API root"):
        client.label_values("__name__")


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.WriteTimeout("slow"),
        httpx.PoolTimeout("slow"),
        httpx.ReadError("reset"),
        httpx.WriteError("broken pipe"),
        httpx.CloseError("close"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.LocalProtocolError("bad"),
        httpx.ProxyError("proxy"),
        httpx.UnsupportedProtocol("ftp"),
        httpx.DecodingError("gzip"),
        httpx.TooManyRedirects("loop"),
        httpx.InvalidURL("bad"),
        httpx.StreamConsumed(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_no_httpx_exception_escapes(error: Exception) -> None:
    """Every httpx failure leaves the adapter as a SchedulerError chained to the original."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    client, _ = _client(handler, retries=1)
    with pytest.raises(SchedulerError) as caught:
        client.instant("up", at=0)
    assert not isinstance(caught.value, httpx.HTTPError)
    assert caught.value.__cause__ is error
    assert isinstance(caught.value, (MetricsUnavailable, ConfigError))


def test_secrets_are_scrubbed_from_messages() -> None:
    """A server echoing the bearer token gets it replaced by *** in our message."""
    body = {
        "status": "error",
        "errorType": "bad_data",
        "error": "token tok-123 is not allowed here",
    }
    client, _ = _client(lambda request: httpx.Response(400, json=body), bearer_token="tok-123")
    with pytest.raises(QueryError) as caught:
        client.instant("up", at=0)
    assert "tok-123" not in str(caught.value)
    assert "token *** is not allowed" in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"url": None}, "no Prometheus URL"),
        ({"url": URL, "bearer_token": "t", "username": "u"}, "either prometheus.bearer_token"),
        ({"url": URL, "ca_file": "/nonexistent/ca.pem"}, "cannot load the Prometheus TLS files"),
    ],
    ids=["no-url", "two-auths", "missing-ca"],
)
def test_unusable_settings_are_config_errors(settings: dict[str, object], match: str) -> None:
    """Settings that cannot work fail before any request, as ConfigError (exit 2)."""
    with pytest.raises(ConfigError, match=match):
        PrometheusClient(PrometheusSettings.model_validate(settings))


def test_post_is_form_encoded_for_long_queries() -> None:
    """Queries longer than ~1.5 kB go as application/x-www-form-urlencoded POST bodies."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"status": "success", "data": {"resultType": "vector", "result": []}}
        )

    client, _ = _client(handler)
    client.instant("x" * 2000, at=0)
    client.instant("x", at=0)
    assert [r.method for r in seen] == ["POST", "GET"]
    assert seen[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert json.dumps(dict(httpx.QueryParams(seen[0].content.decode())))[:30].startswith(
        '{"query": "xxxx'
    )


def test_redact_url_hides_userinfo_only() -> None:
    """Credentials in a URL are replaced; host, port and path stay readable."""
    assert (
        redact_url("https://u:p@mimir.example:8080/prometheus")
        == "https://***@mimir.example:8080/prometheus"
    )
    assert redact_url("http://prometheus:9090") == "http://prometheus:9090"
