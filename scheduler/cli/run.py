"""``offhours run``: the daemon (or ``--once``, one cycle for a CronJob or CI).

Every cycle pulls the repository, loads the policies (a broken one is reported and skipped),
plans at now and applies: the same code path as ``offhours apply``. The daemon adds the
schedule (it wakes at each policy's next transition and at least every poll interval),
signals, health and metrics, leader election, and following each push until Flux applied it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import click
import structlog

from scheduler import logs
from scheduler.adapters import kube
from scheduler.adapters.telemetry import Health, Telemetry, TelemetryServer
from scheduler.cli import common
from scheduler.core.planner import Plan
from scheduler.daemon import Daemon, DaemonTiming, install_signal_handlers
from scheduler.reconcile import CycleReport, Reconciler
from scheduler.reconcile.estimates import WattsAvoided
from scheduler.reconcile.fluxfollow import ClusterFlux
from scheduler.reconcile.workspace import Workspace
from scheduler.settings import Settings

__all__ = ["command"]

_log = structlog.get_logger("scheduler.cli.run")


def _settings(
    *,
    repo: str | None,
    branch: str | None,
    policies_dir: Path | None,
    poll_interval: float | None,
    listen: str | None,
) -> Settings:
    settings = common.with_overrides(
        common.load_settings(), repo=repo, branch=branch, policies=policies_dir
    )
    update: dict[str, object] = {}
    if poll_interval is not None:
        update["poll_interval_seconds"] = poll_interval
    if listen is not None:
        update["listen_address"] = listen
    return settings.model_copy(update={"daemon": settings.daemon.model_copy(update=update)})


def _print_once(report: CycleReport) -> None:
    for change in report.changes:
        click.echo(
            f"{change.action} {change.target} {change.field}: {change.before} -> {change.after}"
        )
    for line in (*report.held, *report.refused):
        click.echo(line)
    state = "pushed" if report.pushed else "committed locally" if report.commit else "no changes"
    click.echo(f"cycle done: {state}{f' ({report.commit[:12]})' if report.commit else ''}")


def _needs_cluster(settings: Settings) -> bool:
    return settings.daemon.leader_election or bool(settings.kube.git_repository)


def _serve(settings: Settings, stack: ExitStack) -> None:
    telemetry = Telemetry()
    health = Health(stale_after_seconds=max(120.0, 3 * settings.daemon.poll_interval_seconds))
    server = TelemetryServer(
        address=settings.daemon.listen_address,
        telemetry=telemetry,
        health=health,
        clock=lambda: datetime.now(UTC).timestamp(),
    )
    server.start()
    stack.callback(server.stop)
    stop = threading.Event()
    install_signal_handlers(stop)
    flux, elector = None, None
    if _needs_cluster(settings):
        api = stack.enter_context(kube.connect(settings.kube))
        cluster = kube.KubeCluster(api, namespaces=settings.kube.namespaces)
        flux = ClusterFlux(
            cluster,
            settings=settings,
            on_applied=telemetry.flux_apply_lag.observe,
            timeout=settings.daemon.flux_follow_timeout_seconds,
            telemetry=telemetry,
        )
        if settings.daemon.leader_election:
            elector = _start_election(api, settings, stop=stop, stack=stack)
    reconciler = Reconciler(
        settings,
        flux=flux,
        settle_seconds=settings.daemon.flux_settle_seconds,
        watts=_watts(settings),
    )
    daemon = Daemon(
        cycle=reconciler,
        telemetry=telemetry,
        health=health,
        timing=DaemonTiming(poll_interval=settings.daemon.poll_interval_seconds),
        clock=lambda: datetime.now(UTC),
        elector=elector,
    )
    daemon.run(stop)


def _watts(settings: Settings) -> Callable[[Workspace, Plan], Mapping[str, float]] | None:
    """The estimated-watts-avoided source when a Prometheus is configured."""
    if not settings.prometheus.url:
        return None
    estimate = WattsAvoided(settings)
    return lambda ws, plan: estimate(ws, plan, now=datetime.now(UTC))


def _start_election(
    api: kube.KubeApi, settings: Settings, *, stop: threading.Event, stack: ExitStack
) -> kube.LeaderElector:
    d = settings.daemon
    elector = kube.LeaderElector(
        api,
        namespace=d.lease_namespace,
        name=d.lease_name,
        identity=d.identity,
        lease_duration=d.lease_duration_seconds,
    )
    thread = threading.Thread(
        target=elector.run, args=(stop,), kwargs={"retry_period": 2.0}, daemon=True
    )
    thread.start()
    stack.callback(thread.join, 10)
    return elector


@click.command("run")
@common.repo_option
@click.option("--branch", default=None, help="Branch to commit to [default: the current one].")
@common.policies_option
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds between repo pulls [60].",
)
@click.option(
    "--listen", default=None, help="Address of /metrics, /healthz, /readyz [0.0.0.0:8080]."
)
@click.option("--once", is_flag=True, help="Run one cycle and exit (for a CronJob or CI).")
def command(
    *,
    repo: str | None,
    branch: str | None,
    policies_dir: Path | None,
    poll_interval: float | None,
    listen: str | None,
    once: bool,
) -> None:
    """Run the scheduler: commit each policy's transitions as they come, until stopped.

    Settings come from OFFHOURS_* environment variables; the options override them. SIGTERM
    finishes the current cycle (never half a commit) and exits.
    """
    settings = _settings(
        repo=repo,
        branch=branch,
        policies_dir=policies_dir,
        poll_interval=poll_interval,
        listen=listen,
    )
    logs.configure(fmt=settings.logging.format, level=settings.logging.level)
    _log.info("daemon.settings", **settings.redacted())
    if once:
        _print_once(
            Reconciler(settings, settle_seconds=settings.daemon.flux_settle_seconds)(
                common.now_utc()
            )
        )
        return
    with ExitStack() as stack:
        _serve(settings, stack)
    sys.exit(0)
