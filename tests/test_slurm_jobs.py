"""Lost Slurm jobs are told without accounting (no sacct): from submitit's result files and
squeue's states, after a grace period; a failing squeue makes the sweep wait, not rerun."""

from types import SimpleNamespace

from sim.experiments.slurm_jobs import classify, wait_for_jobs


def _job(tmp_path, job_id):
    return SimpleNamespace(job_id=job_id,
                           paths=SimpleNamespace(result_pickle=tmp_path / f"{job_id}_result.pkl"))


def test_classify():
    assert classify(True, None) == "done"
    assert classify(True, "CANCELLED") == "done"
    assert classify(False, "RUNNING") == "active"
    assert classify(False, "PENDING") == "active"
    assert classify(False, "COMPLETING") == "active"
    assert classify(False, "CANCELLED by 0") == "ended"
    assert classify(False, "OUT_OF_MEMORY") == "ended"
    assert classify(False, "COMPLETED") == "ended"  # finished, but no result: lost
    assert classify(False, None) == "ended"


class FakeCluster:
    """squeue answers scripted poll by poll; the clock advances 10 s per poll; a job's result
    file appears at the poll given."""

    def __init__(self, tmp_path, answers, results_at):
        self.answers, self.results_at, self.tmp_path = answers, results_at, tmp_path
        self.poll, self.asked = 0, []

    def query(self, array_ids):
        self.asked.append(sorted(set(array_ids)))
        for job_id, poll in self.results_at.items():
            if poll == self.poll:
                (self.tmp_path / f"{job_id}_result.pkl").touch()
        answer = self.answers[min(self.poll, len(self.answers) - 1)]
        return answer

    def clock(self):
        return 10.0 * self.poll

    def sleep(self, _seconds):
        self.poll += 1


def test_a_cancelled_job_and_a_vanished_one_are_lost_a_finished_one_is_not(tmp_path):
    jobs = [_job(tmp_path, f"7_{k}") for k in range(3)]
    answers = [
        {"7_0": "RUNNING", "7_1": "RUNNING", "7_2": "PENDING"},
        {"7_0": "RUNNING", "7_1": "CANCELLED by 0", "7_2": "RUNNING"},
        {"7_0": "COMPLETED", "7_1": "CANCELLED by 0"},  # 7_2 no longer listed
    ]
    cluster = FakeCluster(tmp_path, answers, results_at={"7_0": 2})
    lost = wait_for_jobs(jobs, query=cluster.query, grace_s=15, clock=cluster.clock,
                         sleep=cluster.sleep)
    assert lost == {"7_1": "squeue: CANCELLED by 0", "7_2": "no longer listed by squeue"}
    assert cluster.asked[0] == ["7"]  # one squeue call per array, not per task


def test_a_result_that_shows_within_the_grace_period_is_not_lost(tmp_path):
    job = _job(tmp_path, "8_0")
    cluster = FakeCluster(tmp_path, [{"8_0": "RUNNING"}, {}], results_at={"8_0": 2})
    assert wait_for_jobs([job], query=cluster.query, grace_s=30, clock=cluster.clock,
                         sleep=cluster.sleep) == {}


def test_while_squeue_fails_nothing_is_declared_lost(tmp_path):
    job = _job(tmp_path, "9_0")
    cluster = FakeCluster(tmp_path, [None, None, None, None, {"9_0": "RUNNING"}],
                          results_at={"9_0": 6})
    assert wait_for_jobs([job], query=cluster.query, grace_s=15, clock=cluster.clock,
                         sleep=cluster.sleep) == {}
    assert cluster.poll == 6
