"""The PromQL client against a real Prometheus: values, chunking, errors, auth, POST."""

from __future__ import annotations

import base64
import math
import socket
import threading
import urllib.error
import urllib.request
from array import array
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.series import MetricSeries
from scheduler.errors import MetricsUnavailable, QueryError
from scheduler.settings import PrometheusSettings
from scheduler.testing import promserver

T0 = 1711929600.0  # 2024-04-01T00:00:00Z
SECONDS = 11_520  # 3.2 hours of per-second samples: more than 11,000 steps at a 1 s step


def _data() -> list[MetricSeries]:
    times = array("d", [T0 + i for i in range(SECONDS)])
    counter = MetricSeries(
        "x_total", (("a", "1"),), times, array("d", [float(i) for i in range(SECONDS)])
    )
    twin = MetricSeries("y_total", (("a", "1"),), array("d", times[:10]), array("d", range(10)))
    odd = MetricSeries(
        "odd", (("kind", "special"),), array("d", [T0, T0 + 60]), array("d", [math.nan, math.inf])
    )
    return [counter, twin, odd]


@pytest.fixture(scope="module")
def server(prometheus_factory: Callable[..., promserver.PromServer]) -> promserver.PromServer:
    """Prometheus with 3.2 h of a per-second counter and a gauge holding NaN and +Inf."""
    return prometheus_factory("client", _data)


def test_values_parse_nan_and_infinity(
    server: promserver.PromServer, client_for: Callable[..., PrometheusClient]
) -> None:
    """String values "NaN" and "+Inf" become floats; raw samples come back with their times."""
    client = client_for(server.url)
    result = client.instant("odd[2m]", at=T0 + 60)
    [series] = result.series
    assert series.name == "odd"
    assert list(series.times) == [T0, T0 + 60]
    assert math.isnan(series.values[0])
    assert series.values[1] == math.inf


def test_long_ranges_are_split_without_duplicate_boundaries(
    server: promserver.PromServer, client_for: Callable[..., PrometheusClient]
) -> None:
    """11,519 steps become a chunk of exactly 11,000 steps and one of 518; merged, every sample
    appears once, in order."""
    client = client_for(server.url)
    end = T0 + SECONDS - 1
    result = client.range("x_total", start=T0, end=end, step=1)
    [series] = result.series
    assert client.stats.calls == 2
    assert len(series) == SECONDS
    assert list(series.times) == [T0 + i for i in range(SECONDS)]
    assert list(series.values) == [float(i) for i in range(SECONDS)]


def test_the_server_really_rejects_more_than_11000_steps(server: promserver.PromServer) -> None:
    """Without client-side splitting, Prometheus refuses: the limit the chunking respects."""
    settings = PrometheusSettings.model_construct(
        **{
            **PrometheusSettings(url=server.url, retries=0).model_dump(),
            "max_points_per_series": 20_000,
        }
    )
    with PrometheusClient(settings) as client, pytest.raises(QueryError, match="11,000 points"):
        client.range("x_total", start=T0, end=T0 + 11_001, step=1)


def test_rejected_queries_quote_the_server_error(
    server: promserver.PromServer, client_for: Callable[..., PrometheusClient]
) -> None:
    """A parse error (400) and an execution error (422) become QueryError with the server text."""
    client = client_for(server.url)
    with pytest.raises(QueryError) as parse:
        client.instant("sum(x_total", at=T0)
    assert str(parse.value).startswith(f"Prometheus at {server.url} rejected the query: ")
    assert "unclosed left parenthesis" in str(parse.value)
    with pytest.raises(QueryError, match="same labelset"):
        client.instant('sum_over_time({__name__=~"x_total|y_total"}[5m])', at=T0 + 300)


def test_series_label_values_and_build_info(
    server: promserver.PromServer, client_for: Callable[..., PrometheusClient]
) -> None:
    """Series and label values are scoped to a time range (at TSDB block granularity: 2 h for
    backfilled data); build info names the server."""
    client = client_for(server.url)
    assert client.label_values("__name__", start=T0 + 8000, end=T0 + 9000) == ["x_total"]
    assert client.series(["x_total"], start=T0, end=T0 + 60) == [{"__name__": "x_total", "a": "1"}]
    info = client.build_info()
    assert info is not None
    assert info["version"].startswith("2.")


def test_unreachable_server_is_unavailable_after_bounded_retries() -> None:
    """Connection refused on every attempt: MetricsUnavailable after retries, with backoff."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delays: list[float] = []
    settings = PrometheusSettings(
        url=f"http://127.0.0.1:{port}", retries=2, retry_backoff_seconds=0.25
    )
    with (
        PrometheusClient(settings, sleep=delays.append) as client,
        pytest.raises(MetricsUnavailable) as caught,
    ):
        client.instant("up", at=T0)
    assert delays == [0.25, 0.5]
    assert client.stats.http_requests == 3
    assert "(after 3 attempts)" in str(caught.value)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_timeouts_are_explicit_and_end_as_unavailable(silent_port: int) -> None:
    """A server that never answers times out per request and the read fails cleanly."""
    settings = PrometheusSettings(
        url=f"http://127.0.0.1:{silent_port}", retries=1, timeout_seconds=0.2
    )
    with (
        PrometheusClient(settings, sleep=lambda _: None) as client,
        pytest.raises(MetricsUnavailable, match=r"no answer within 0\.2 s"),
    ):
        client.instant("up", at=T0)


class _Gate(BaseHTTPRequestHandler):
    """A reverse proxy under /prom that demands credentials and a tenant header."""

    upstream = ""
    expected_auth = ""
    seen: ClassVar[list[tuple[str, str]]] = []

    def _forward(self) -> None:
        self.seen.append((self.command, self.path))
        if (
            self.headers.get("Authorization") != self.expected_auth
            or self.headers.get("X-Scope-OrgID") != "team-a"
        ):
            self._reply(401, b'{"status":"error","errorType":"unauthorized","error":"no entry"}')
            return
        if not self.path.startswith("/prom/"):
            self._reply(404, b"404 page not found")
            return
        body = (
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "POST"
            else None
        )
        request = urllib.request.Request(
            self.upstream + self.path.removeprefix("/prom"), data=body, method=self.command
        )
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                self._reply(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            self._reply(error.code, error.read())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        """Forward a GET."""
        self._forward()

    def do_POST(self) -> None:
        """Forward a POST."""
        self._forward()

    def log_message(self, format: str, *args: object) -> None:
        """Silence the request log."""


@pytest.fixture
def gate(server: promserver.PromServer) -> Iterator[type[_Gate]]:
    """The authenticating proxy in front of the module's Prometheus, on loopback."""
    handler = type("Gate", (_Gate,), {"upstream": server.url, "seen": []})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=proxy.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    handler.url = f"http://127.0.0.1:{proxy.server_address[1]}"  # type: ignore[attr-defined]
    yield handler
    proxy.shutdown()
    proxy.server_close()
    thread.join()


def test_bearer_token_and_tenant_header_reach_the_server(
    gate: type[_Gate], client_for: Callable[..., PrometheusClient]
) -> None:
    """Authorization: Bearer and X-Scope-OrgID are sent; a path prefix is kept."""
    gate.expected_auth = "Bearer s3cret-token"
    client = client_for(
        f"{gate.url}/prom", bearer_token="s3cret-token", headers={"X-Scope-OrgID": "team-a"}
    )  # type: ignore[attr-defined]
    assert client.instant("x_total", at=T0 + 1).series[0].values[0] == 1.0


def test_basic_auth_from_settings(
    gate: type[_Gate], client_for: Callable[..., PrometheusClient]
) -> None:
    """username/password are sent as HTTP basic auth."""
    gate.expected_auth = "Basic " + base64.b64encode(b"reader:pa55").decode()
    client = client_for(
        f"{gate.url}/prom", username="reader", password="pa55", headers={"X-Scope-OrgID": "team-a"}
    )  # type: ignore[attr-defined]
    assert len(client.label_values("__name__", start=T0, end=T0 + 60)) == 3


def test_rejected_credentials_never_appear_in_messages(
    gate: type[_Gate], client_for: Callable[..., PrometheusClient]
) -> None:
    """401 names the fix; the URL's userinfo and the password are redacted."""
    gate.expected_auth = "Bearer right"
    host = gate.url.removeprefix("http://")  # type: ignore[attr-defined]
    client = client_for(f"http://admin:hunter2@{host}/prom", headers={"X-Scope-OrgID": "team-a"})
    with pytest.raises(QueryError) as caught:
        client.instant("up", at=T0)
    message = str(caught.value)
    assert "hunter2" not in message
    assert "admin" not in message
    assert f"http://***@{host}/prom" in message
    assert "HTTP 401" in message
    assert "bearer_token" in message


def test_long_queries_are_posted_form_encoded(
    gate: type[_Gate], client_for: Callable[..., PrometheusClient]
) -> None:
    """A query longer than a URL should carry is sent as a POST form."""
    gate.expected_auth = "Bearer t"
    client = client_for(f"{gate.url}/prom", bearer_token="t", headers={"X-Scope-OrgID": "team-a"})  # type: ignore[attr-defined]
    long_query = " or ".join(f'x_total{{a="{i}"}}' for i in range(200)) + ' or x_total{a="1"}'
    assert client.instant(long_query, at=T0 + 1).series[0].values[0] == 1.0
    client.instant("x_total", at=T0 + 1)
    methods = [method for method, _ in gate.seen]
    assert methods == ["POST", "GET"]
