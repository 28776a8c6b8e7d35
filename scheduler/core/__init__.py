"""The pure core of offhours.

Policy model, schedule evaluation, planning, manifest edits and savings maths. Nothing here
does I/O, reads the clock or the environment, or imports git, httpx, kubernetes, structlog or
click (import-linter enforces it): every instant is passed in, every file arrives as text.
"""
