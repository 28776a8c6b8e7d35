"""``offhours suggest``: when each workload is idle, from measured activity, as policies.

Pure: activity and power arrive as per-step arrays on regular grids (``adapters.prometheus``
reads them); this package places the steps in local week slots (``weekslots``), finds each
workload's own activity floor (``floor``), the slots idle in every observed week
(``idleness``), turns them into off windows and ``uptime`` lines (``windows``), projects the
energy those windows save with the report's baseline method (``projection``) and groups the
result into policies (``proposal``); ``policyfile``, ``text``, ``markdown`` and ``jsondoc``
write it out. Nothing here reads the clock: the instants are passed in.
"""
