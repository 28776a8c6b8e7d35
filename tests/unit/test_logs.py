"""structlog is configured when it is first imported, so commands that never log skip it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
#: Configures, then imports structlog (as the first module that logs would) and logs twice.
PROBE = """\
import sys
from scheduler import logs
logs.configure_when_loaded(level="warning")
assert "structlog" not in sys.modules
import structlog
assert structlog.__spec__.loader is structlog.__loader__
assert type(structlog.__loader__).__module__ != "scheduler.logs"
log = structlog.get_logger("probe")
log.info("probe.hidden")
log.warning("probe.shown", answer=42)
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_configuration_waits_for_the_first_import_of_structlog() -> None:
    """Configured before structlog is loaded, the first import applies the level and the JSON
    lines on stderr (not a terminal), and the module keeps its own loader."""
    done = run(PROBE)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "probe.hidden" not in done.stderr
    assert '"event": "probe.shown"' in done.stderr
    assert '"answer": 42' in done.stderr


def test_a_loaded_structlog_is_configured_at_once() -> None:
    """With structlog already imported the configuration applies immediately, and a later
    call replaces a pending one."""
    code = PROBE.replace(
        'logs.configure_when_loaded(level="warning")\nassert "structlog" not in sys.modules\n'
        "import structlog\n",
        'logs.configure_when_loaded(level="debug")\n'
        'logs.configure_when_loaded(level="warning")\n'
        "import structlog\n"
        'logs.configure_when_loaded(level="error")\n',
    )
    done = run(code)
    assert done.returncode == 0, done.stderr
    assert "probe." not in done.stderr
