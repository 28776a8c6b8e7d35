"""The HTTP client for any PromQL endpoint (Prometheus, Thanos, Mimir, VictoriaMetrics).

Owns every request offhours sends to a metrics store: the standard HTTP API only
(``/api/v1/query``, ``/api/v1/query_range``, ``/api/v1/series``, ``/api/v1/label/<name>/values``,
optionally ``/api/v1/status/buildinfo``), explicit timeouts, bounded retries with exponential
backoff on timeouts, connection failures, 429 and 5xx, bearer/basic auth, extra headers such as
``X-Scope-OrgID``, a custom CA and client certificates, and POST form encoding for long queries.

Range queries are split client-side so that no request asks for more than
``max_points_per_series`` steps (Prometheus rejects ``(end - start) / step > 11000``); chunks
never share a boundary sample.

Errors leave as ``scheduler.errors``: ``QueryError`` when the server rejects a query (its
``error`` text is quoted), ``MetricsUnavailable`` when it cannot be reached or keeps failing,
``ConfigError`` for unusable settings. No httpx exception crosses this module, and no message
carries credentials (URL userinfo is redacted, tokens and passwords are scrubbed).
"""

from __future__ import annotations

import contextlib
import math
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import structlog

from scheduler.adapters.prometheus import responses
from scheduler.core.series import MetricSeries
from scheduler.errors import ConfigError, MetricsUnavailable, QueryError
from scheduler.settings import PrometheusSettings

__all__ = ["PrometheusClient", "RequestStats", "redact_url"]

log = structlog.get_logger(__name__)

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_POST_ABOVE_CHARS = 1500
_MAX_BACKOFF_SECONDS = 10.0
_EXCERPT = 200


def redact_url(url: str) -> str:
    """``url`` without credentials: ``https://user:pw@host/x`` becomes ``https://***@host/x``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _excerpt(text: str, limit: int = _EXCERPT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass
class RequestStats:
    """What the client sent: logical calls, HTTP attempts (retries included) and retries."""

    calls: int = 0
    http_requests: int = 0
    retries: int = 0


def _ssl_context(settings: PrometheusSettings) -> ssl.SSLContext | bool:
    if settings.ca_file is None and settings.client_cert_file is None:
        return True
    try:
        context = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None
        )
        if settings.client_cert_file is not None:
            context.load_cert_chain(
                str(settings.client_cert_file),
                str(settings.client_key_file) if settings.client_key_file else None,
            )
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the Prometheus TLS files: {exc}") from exc
    return context


def _auth(settings: PrometheusSettings) -> tuple[httpx.Auth | None, dict[str, str]]:
    headers = dict(settings.headers)
    if settings.bearer_token is not None and settings.username is not None:
        raise ConfigError(
            "set either prometheus.bearer_token or prometheus.username/password, not both"
        )
    if settings.bearer_token is not None:
        headers["Authorization"] = f"Bearer {settings.bearer_token.get_secret_value()}"
        return None, headers
    if settings.username is not None:
        password = settings.password.get_secret_value() if settings.password else ""
        return httpx.BasicAuth(settings.username, password), headers
    return None, headers


def _seconds(value: float) -> str:
    return repr(float(value))


class PrometheusClient:
    """Queries one PromQL endpoint; use as a context manager or call ``close()``."""

    def __init__(
        self,
        settings: PrometheusSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.url:
            raise ConfigError(
                "no Prometheus URL: pass --prometheus or set OFFHOURS_PROMETHEUS__URL"
            )
        self._settings = settings
        self._sleep = sleep
        self.url = redact_url(settings.url.rstrip("/"))
        self._secrets = self._collect_secrets(settings)
        self.stats = RequestStats()
        self.warnings: list[str] = []
        auth, headers = _auth(settings)
        try:
            self._http = httpx.Client(
                base_url=settings.url.rstrip("/") + "/",
                auth=auth,
                headers=headers,
                verify=_ssl_context(settings),
                timeout=httpx.Timeout(settings.timeout_seconds),
                transport=transport,
                follow_redirects=True,
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise ConfigError(f"invalid Prometheus URL {self.url}: {self._scrub(exc)}") from exc

    @classmethod
    def from_url(cls, url: str, **settings: Any) -> PrometheusClient:
        """A client for ``url`` with default settings, overridden by keyword arguments."""
        return cls(PrometheusSettings.model_validate({"url": url, **settings}))

    @staticmethod
    def _collect_secrets(settings: PrometheusSettings) -> tuple[str, ...]:
        found = [s.get_secret_value() for s in (settings.bearer_token, settings.password) if s]
        try:
            password = urlsplit(settings.url or "").password
        except ValueError:
            password = None
        if password:
            found.append(password)
        return tuple(s for s in found if s)

    def _scrub(self, value: object) -> str:
        text = str(value)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    @property
    def range_chunk_steps(self) -> int:
        """Grid steps per range query for energy reads (``range_chunk_steps`` setting)."""
        return self._settings.range_chunk_steps

    # -- transport -----------------------------------------------------------------------
    def _send(self, path: str, params: Sequence[tuple[str, str]]) -> httpx.Response:
        encoded = urlencode(params)
        post = len(encoded) > _POST_ABOVE_CHARS and "/label/" not in path
        attempts = self._settings.retries + 1
        reason = ""
        cause: Exception | None = None
        for attempt in range(attempts):
            self.stats.http_requests += 1
            response: httpx.Response | None = None
            try:
                response = self._attempt(path, params, encoded=encoded, post=post)
            except httpx.TimeoutException as exc:
                reason, cause = f"no answer within {self._settings.timeout_seconds:g} s", exc
            except httpx.UnsupportedProtocol as exc:
                raise ConfigError(f"invalid Prometheus URL {self.url}: {self._scrub(exc)}") from exc
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: {self._scrub(exc) or 'connection failed'}"
                cause = exc
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                raise MetricsUnavailable(
                    f"Prometheus at {self.url} could not be queried: {self._scrub(exc)}"
                ) from exc
            if response is not None:
                if response.status_code not in _RETRY_STATUS:
                    return response
                reason, cause = f"HTTP {response.status_code}: {self._error_text(response)}", None
            if attempt + 1 < attempts:
                self.stats.retries += 1
                delay = self._backoff(attempt, response)
                log.warning("prometheus.retry", url=self.url, path=path, reason=reason, delay=delay)
                self._sleep(delay)
        raise MetricsUnavailable(
            f"Prometheus at {self.url} is unavailable: {reason} (after {attempts} attempts)"
        ) from cause

    def _attempt(
        self, path: str, params: Sequence[tuple[str, str]], *, encoded: str, post: bool
    ) -> httpx.Response:
        if post:
            return self._http.post(
                path,
                content=encoded.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        return self._http.get(path, params=list(params))

    def _backoff(self, attempt: int, response: httpx.Response | None) -> float:
        delay = float(self._settings.retry_backoff_seconds * (2**attempt))
        if response is not None:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(response.headers.get("Retry-After", "0")))
        return min(delay, _MAX_BACKOFF_SECONDS)

    def _error_text(self, response: httpx.Response) -> str:
        try:
            envelope = responses.decode(response.text)
        except (responses.MalformedResponse, httpx.HTTPError, UnicodeDecodeError):
            return self._scrub(_excerpt(response.text or response.reason_phrase))
        return self._scrub(envelope.get("error") or response.reason_phrase)

    def _rejected(self, response: httpx.Response, what: str, *, noun: str) -> QueryError:
        status = response.status_code
        if status in {401, 403}:
            detail = (
                f"HTTP {status} {response.reason_phrase}: {self._error_text(response)}; "
                "check prometheus.bearer_token, username/password or headers"
            )
        elif status == 404:
            detail = (
                f"HTTP 404 for {response.request.url.path}: is {self.url} the API root "
                "(e.g. http://prometheus:9090, or https://mimir.example/prometheus)?"
            )
        else:
            detail = self._error_text(response)
            try:
                error_type = responses.decode(response.text).get("errorType")
            except (responses.MalformedResponse, UnicodeDecodeError):
                error_type = None
            detail += f" ({error_type or f'HTTP {status}'}; {what})"
        return QueryError(f"Prometheus at {self.url} rejected the {noun}: {detail}")

    def _envelope(self, response: httpx.Response, what: str) -> responses.Envelope:
        if response.status_code >= 300:
            raise self._rejected(response, what, noun=what)
        try:
            return responses.decode(response.text)
        except (responses.MalformedResponse, UnicodeDecodeError) as exc:
            raise QueryError(
                f"Prometheus at {self.url} did not answer with the Prometheus API "
                f"({response.headers.get('content-type', '?')}: {_excerpt(response.text, 80)}): "
                f"{exc}"
            ) from exc

    # -- queries -------------------------------------------------------------------------
    def _query(
        self, path: str, params: list[tuple[str, str]], promql: str
    ) -> responses.QueryResult:
        self.stats.calls += 1
        params.append(("timeout", f"{int(self._settings.timeout_seconds * 1000)}ms"))
        response = self._send(path, params)
        what = f"query {_excerpt(promql, 120)!r}"
        if response.status_code >= 300:
            raise self._rejected(response, what, noun="query")
        try:
            envelope, result = responses.decode_query(response.text)
        except (responses.MalformedResponse, UnicodeDecodeError) as exc:
            raise QueryError(
                f"Prometheus at {self.url} did not answer {what} with the Prometheus API: {exc}"
            ) from exc
        if result is None:
            error = self._scrub(envelope.get("error") or "unknown error")
            raise QueryError(
                f"Prometheus at {self.url} rejected the query: {error} "
                f"({envelope.get('errorType', '?')}; {what})"
            )
        self._note_warnings(result.warnings)
        return result

    def _note_warnings(self, warnings: Sequence[str]) -> None:
        for warning in warnings:
            if warning not in self.warnings:
                self.warnings.append(warning)
                log.warning("prometheus.warning", url=self.url, warning=warning)

    def instant(self, promql: str, *, at: float) -> responses.QueryResult:
        """Evaluate ``promql`` at ``at`` (Unix seconds) via ``/api/v1/query``."""
        return self._query("api/v1/query", [("query", promql), ("time", _seconds(at))], promql)

    def range_chunks(
        self, promql: str, *, start: float, end: float, step: float
    ) -> Iterator[responses.QueryResult]:
        """``/api/v1/query_range`` over ``[start, end]``, one result per chunk of at most
        ``max_points_per_series`` steps; consecutive chunks share no evaluation time."""
        if not step > 0 or not math.isfinite(step):
            raise ValueError(f"step must be a positive number of seconds, got {step!r}")
        if end < start:
            raise ValueError(f"end {end!r} is before start {start!r}")
        steps = math.floor((end - start) / step + 1e-9)
        limit = self._settings.max_points_per_series
        first = 0
        while first <= steps:
            last = min(steps, first + limit)
            params = [
                ("query", promql),
                ("start", _seconds(start + first * step)),
                ("end", _seconds(start + last * step)),
                ("step", _seconds(step)),
            ]
            yield self._query("api/v1/query_range", params, promql)
            first = last + 1

    def range(self, promql: str, *, start: float, end: float, step: float) -> responses.QueryResult:
        """``range_chunks`` merged into one series per label set."""
        merged: dict[tuple[str, tuple[tuple[str, str], ...]], MetricSeries] = {}
        warnings: list[str] = []
        for chunk in self.range_chunks(promql, start=start, end=end, step=step):
            warnings += [w for w in chunk.warnings if w not in warnings]
            for series in chunk.series:
                key = (series.name, series.labels)
                known = merged.get(key)
                if known is None:
                    merged[key] = series
                    continue
                last = known.times[-1] if len(known) else -math.inf
                for t, v in zip(series.times, series.values, strict=True):
                    if t > last:
                        known.times.append(t)
                        known.values.append(v)
        return responses.QueryResult("matrix", list(merged.values()), tuple(warnings))

    def series(self, matchers: Sequence[str], *, start: float, end: float) -> list[dict[str, str]]:
        """Label sets of the series matching any of ``matchers`` in ``[start, end]``."""
        self.stats.calls += 1
        params = [("match[]", m) for m in matchers]
        params += [("start", _seconds(start)), ("end", _seconds(end))]
        envelope = self._envelope(self._send("api/v1/series", params), "series request")
        self._check(envelope, "series request")
        return list(responses.iter_label_sets(envelope))

    def label_values(
        self,
        label: str,
        *,
        matchers: Sequence[str] = (),
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]:
        """Values of ``label`` on series matching ``matchers`` in ``[start, end]``."""
        self.stats.calls += 1
        params = [("match[]", m) for m in matchers]
        if start is not None:
            params.append(("start", _seconds(start)))
        if end is not None:
            params.append(("end", _seconds(end)))
        path = f"api/v1/label/{label}/values"
        envelope = self._envelope(self._send(path, params), "label request")
        self._check(envelope, "label request")
        return [str(v) for v in envelope.get("data") or ()]

    def build_info(self) -> Mapping[str, str] | None:
        """``/api/v1/status/buildinfo`` (version, revision...), or None if the store lacks it."""
        self.stats.calls += 1
        response = self._send("api/v1/status/buildinfo", [])
        if response.status_code >= 400:
            return None
        try:
            data = responses.decode(response.text).get("data")
        except (responses.MalformedResponse, UnicodeDecodeError):
            return None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None

    def _check(self, envelope: responses.Envelope, what: str) -> None:
        if envelope["status"] != "success":
            error = self._scrub(envelope.get("error") or "unknown error")
            raise QueryError(f"Prometheus at {self.url} rejected the {what}: {error}")
        self._note_warnings([str(w) for w in envelope.get("warnings") or ()])

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
