"""How many CPUs this process may run on: what its thread pools are sized by."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs of this process's affinity mask (`taskset`, a container's cpuset), not the
    machine's: threads beyond them only take turns on the same cores, and switch between them."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1
