"""Waiting for a sweep's Slurm jobs without Slurm's accounting: which ended with a result, which
were lost.

submitit learns a Slurm job's state from `sacct`, which needs the accounting daemon (slurmdbd).
Without it `sacct` fails, submitit logs "Bypassing sacct error", the state stays UNKNOWN, and a
job killed before it wrote its result (scancel, out of memory, time limit, lost node) is waited
for forever. Here a job is judged from what needs no accounting:
- done: submitit's result file (`<job>_result.pkl`, written by the job itself) exists;
- active: `squeue` (the controller's memory) lists it in a state that is not final;
- ended: `squeue` lists it in a final state (CANCELLED, TIMEOUT, OUT_OF_MEMORY, ...) or no
  longer lists it, and there is no result file. A job still ended without a result after
  `grace_s` (a result written at the very end may take a moment to show on a shared
  filesystem) is lost.
When `squeue` itself fails (controller unreachable), every job counts as active: the sweep
waits, as submitit would, rather than rerun jobs that may be running.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

# Slurm job states that are not final (squeue's %T); any other state listed is final.
ACTIVE_STATES = frozenset({
    "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED",
    "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
    "RESV_DEL_HOLD", "SPECIAL_EXIT",
})
POLL_S = float(os.environ.get("ESS_SLURM_POLL_S", "5"))
GRACE_S = float(os.environ.get("ESS_SLURM_GRACE_S", "30"))


class SlurmJob(Protocol):  # what is read of a submitit job
    job_id: str

    @property
    def paths(self): ...


def classify(has_result: bool, state: str | None) -> str:
    """'done', 'active' or 'ended' from the result file and squeue's state (None: not listed)."""
    if has_result:
        return "done"
    if state is not None and state.split()[0].rstrip("+") in ACTIVE_STATES:
        return "active"
    return "ended"


def squeue_states(array_ids: Iterable[str]) -> dict[str, str] | None:
    """squeue's state of every task of the given jobs ("123_4" -> "RUNNING"); None when squeue
    fails. `-t all` keeps finished jobs the controller still remembers (MinJobAge)."""
    command = ["squeue", "--noheader", "--array", "--states=all", "--format=%i %T",
               f"--jobs={','.join(sorted(set(array_ids)))}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("squeue failed (%s): waiting", error)
        return None
    if done.returncode != 0:
        if "Invalid job id" in done.stderr:  # every job asked for is gone from the controller
            return {}
        log.warning("squeue failed (%s): waiting", done.stderr.strip())
        return None
    states = {}
    for line in done.stdout.splitlines():
        job_id, _, state = line.strip().partition(" ")
        if job_id:
            states[job_id] = state.strip()
    return states


def wait_for_jobs(jobs: Sequence[SlurmJob], *, query: Callable = squeue_states,
                  poll_s: float = POLL_S, grace_s: float = GRACE_S,
                  clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep) -> dict[str, str]:
    """Wait until every job is done or lost; returns the lost ones, job id -> how it was seen
    (squeue's final state, or 'no longer listed by squeue')."""
    pending = {job.job_id: job for job in jobs}
    ended_since: dict[str, float] = {}
    lost: dict[str, str] = {}
    while pending:
        states = query(job_id.partition("_")[0] for job_id in pending)
        now = clock()
        for job_id, job in list(pending.items()):
            state = None if states is None else states.get(job_id)
            kind = "active" if states is None else classify(_has_result(job), state)
            if kind == "done":
                del pending[job_id]
            elif kind == "active":
                ended_since.pop(job_id, None)
            elif now - ended_since.setdefault(job_id, now) >= grace_s:
                lost[job_id] = f"squeue: {state}" if state else "no longer listed by squeue"
                del pending[job_id]
        if pending:
            sleep(poll_s)
    return lost


def _has_result(job: SlurmJob) -> bool:
    return Path(job.paths.result_pickle).exists()
