#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, from Debian's packages, and the project's resilient
# submitit Slurm launcher on it (docs/cluster.md). From scratch, as root, from the project root
# with the project's Python (the `cluster` extra installed):
#
#     bash benchmarks/slurm_check.sh            # KEEP=1 leaves the daemons running
#
# It installs slurm-wlm and munge if missing (apt-get), writes a private slurm.conf (no
# accounting: no slurmdbd, so `sacct` fails) under $WORK, starts munged, slurmctld and slurmd,
# and checks, printing one PASS or FAIL line each:
#   1. the node is up (sinfo);
#   2. a sweep (tiny territory, 2 arms x 2 seeds) on resilient_submitit_slurm gives the same
#      output checksums as on the joblib launcher;
#   3. a resume of that complete sweep submits no Slurm job;
#   4. a sweep whose running job is killed (scancel) records that run as lost (WorkerDied) and
#      ends, without sacct;
#   5. its resume submits only that run, and the outputs equal the joblib launcher's;
#   6. a tiny policy design (python -m sim.design, issue 19) on resilient_submitit_slurm gives
#      the same runs (output checksums) and tables as on resilient_joblib;
#   7. the design run again after losing its record of the measures reads them back from its
#      sweeps and submits no Slurm job;
#   8. the same design with one running job cancelled (scancel) ends, exit 1, naming the lost
#      run and the design's own resume command;
#   9. that command, run as printed, submits only the lost run, and the design's tables are
#      byte for byte the uninterrupted joblib design's (its runs' outputs equal too).
# Then it stops the daemons it started (by their PID files). Exit status: 0 when all pass.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/ess-slurm-check}
PYTHON=${PYTHON:-python}
HOST=$(hostname -s)
FAILED=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILED=1; }

if [ "$(id -u)" != 0 ]; then echo "FAIL: run as root (daemons, apt-get)"; exit 1; fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "installing slurm-wlm and munge (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge \
        >/dev/null || { echo "FAIL: apt-get install slurm-wlm munge"; exit 1; }
fi

rm -rf "$WORK"
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/sweeps"
MEMORY_MB=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
cat >"$WORK/slurm.conf" <<EOF
ClusterName=esscheck
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=300
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$MEMORY_MB State=UNKNOWN
PartitionName=check Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$WORK/slurm.conf"

# munged: Debian's package made the key; the socket directory is made here (no systemd).
mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
MUNGE_PID=/run/munge/munged.pid
if [ -s "$MUNGE_PID" ] && kill -0 "$(cat "$MUNGE_PID")" 2>/dev/null; then
    STARTED_MUNGE=0  # somebody else's munged: used, not stopped
else
    runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID" && STARTED_MUNGE=1 ||
        { echo "FAIL: munged does not start"; exit 1; }
fi

stop_daemons() {
    [ "${KEEP:-0}" = 1 ] && { echo "daemons left running (KEEP=1); SLURM_CONF=$SLURM_CONF"; return; }
    for pid_file in "$WORK/slurmd.pid" "$WORK/slurmctld.pid"; do
        [ -s "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null
    done
    [ "$STARTED_MUNGE" = 1 ] && [ -s "$MUNGE_PID" ] && kill "$(cat "$MUNGE_PID")" 2>/dev/null
    sleep 2
}
trap stop_daemons EXIT

/usr/sbin/slurmctld -i || { echo "FAIL: slurmctld does not start ($WORK/slurmctld.log)"; exit 1; }
/usr/sbin/slurmd -N "$HOST" || { echo "FAIL: slurmd does not start ($WORK/slurmd.log)"; exit 1; }
for _ in $(seq 60); do
    [ "$(sinfo --noheader --format=%t 2>/dev/null)" = idle ] && break
    sleep 1
done
if [ "$(sinfo --noheader --format=%t 2>/dev/null)" = idle ]; then
    pass "one-node Slurm up: $(sinfo --noheader --format='%P %D node(s) %t %c CPUs')"
else
    fail "the node is not idle after 60 s: $(sinfo 2>&1 | tail -1)"; exit 1
fi
if sacct --noheader >/dev/null 2>&1; then
    echo "note: sacct answers here; the checks below do not use it anyway"
else
    echo "note: sacct fails here (no accounting): lost jobs must be told without it"
fi

cd "$ROOT" || exit 1
SWEEP=(territory=tiny horizon_months=6 arm=baseline,land_trust seed=0,1
       hydra.callbacks.experiment.report=false)
SLURM=(hydra/launcher=resilient_submitit_slurm hydra.launcher.partition=check
       hydra.launcher.timeout_min=20 hydra.launcher.cpus_per_task=1 hydra.launcher.mem_gb=2)
export ESS_SLURM_POLL_S=2 ESS_SLURM_GRACE_S=10

run_sweep() {  # run_sweep <folder> <log> [overrides...]: the exit status of the sweep
    local folder=$1 log=$2; shift 2
    timeout 1200 "$PYTHON" -m sim.experiments "${SWEEP[@]}" "$@" "hydra.sweep.dir=$folder" \
        >"$log" 2>&1
}
submitted() {  # the Slurm jobs (array tasks) submitted for a sweep folder, ever
    find "$1/.submitit" -name '*_submitted.pkl' 2>/dev/null | wc -l
}
same_outputs() {  # same_outputs <sweep> <sweep>: every run complete, equal output checksums
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
from pathlib import Path
def checksums(sweep):
    out = {}
    for manifest in sorted((Path(sweep) / "runs").rglob("manifest.json")):
        record = json.loads(manifest.read_text())
        out[str(manifest.parent.relative_to(sweep))] = (record["status"], record["checksums"])
    return out
a, b = checksums(sys.argv[1]), checksums(sys.argv[2])
ok = len(a) == 4 and a == b and all(status == "complete" for status, _ in a.values())
print(f"{len(a)} runs, {len(b)} runs, equal: {a == b}")
sys.exit(0 if ok else 1)
EOF
}

REFERENCE=$WORK/sweeps/joblib
run_sweep "$REFERENCE" "$WORK/joblib.log" hydra/launcher=joblib hydra.launcher.n_jobs=2 ||
    fail "joblib reference sweep (exit $?; $WORK/joblib.log)"

ON_SLURM=$WORK/sweeps/slurm
if run_sweep "$ON_SLURM" "$WORK/slurm.log" "${SLURM[@]}" &&
        detail=$(same_outputs "$REFERENCE" "$ON_SLURM"); then
    pass "sweep on Slurm ($(submitted "$ON_SLURM") jobs) = joblib launcher's outputs ($detail)"
else
    fail "sweep on Slurm differs from joblib's or failed (${detail:-}; $WORK/slurm.log)"
fi

before=$(submitted "$ON_SLURM")
if run_sweep "$ON_SLURM" "$WORK/slurm_resume.log" "${SLURM[@]}" &&
        [ "$(submitted "$ON_SLURM")" = "$before" ]; then
    pass "resume of a complete sweep submits no job ($(grep -c ' skipped ' \
        "$WORK/slurm_resume.log") runs skipped)"
else
    fail "resume of a complete sweep submitted $(( $(submitted "$ON_SLURM") - before )) job(s)"
fi

# scancel the first array task seen running, polling every 0.2 s at most $1 times; print its id
cancel_first_running() {
    local task=""
    for _ in $(seq "$1"); do
        task=$(squeue --noheader --array --states=RUNNING --format=%i 2>/dev/null | head -1)
        [ -n "$task" ] && break
        sleep 0.2
    done
    [ -n "$task" ] && scancel "$task"
    echo "$task"
}

KILLED=$WORK/sweeps/killed
run_sweep "$KILLED" "$WORK/killed.log" "${SLURM[@]}" &
sweep_pid=$!
victim=$(cancel_first_running 600)  # its run takes seconds: poll fast
wait "$sweep_pid"
killed_status=$?
lost=$("$PYTHON" - "$KILLED" <<'EOF'
import json, sys
from pathlib import Path
for status in sorted(Path(sys.argv[1], "runs").rglob("status.json")):
    record = json.loads(status.read_text())
    if record.get("status") != "complete":
        print(status.parent.relative_to(sys.argv[1]), "|", record.get("error", "")[:160])
EOF
)
if [ -n "$victim" ] && [ "$killed_status" = 1 ] &&
        [ "$(printf '%s\n' "$lost" | grep -c 'ended without a result')" = 1 ]; then
    pass "scancel $victim: the sweep ended (exit $killed_status: a run failed) with that run lost: $lost"
else
    fail "scancel ${victim:-<no running task seen>}: exit $killed_status (1 wanted), lost runs:" \
        "${lost:-none} ($WORK/killed.log)"
fi

before=$(submitted "$KILLED")
if run_sweep "$KILLED" "$WORK/killed_resume.log" "${SLURM[@]}" &&
        [ "$(( $(submitted "$KILLED") - before ))" = 1 ] &&
        detail=$(same_outputs "$REFERENCE" "$KILLED"); then
    pass "resume submitted only the lost run (1 job; 3 skipped) and outputs = joblib's ($detail)"
else
    fail "resume after scancel: $(( $(submitted "$KILLED") - before )) job(s) submitted," \
        "${detail:-outputs not compared} ($WORK/killed_resume.log)"
fi

# A tiny design: one batch (the baseline and at most two packages, one seed, 3 months); the
# robustness grid is the central condition, already run.
DESIGN=("model_overrides=[territory=tiny,horizon_months=3]" "space.levers=[reserved_markets]"
        "space.intensity=[0,1]" "space.start_months=[0]" "space.targets=[all,rural]"
        search.population=2 search.generations=1 "seeds=[0]" robustness.candidates=1
        "robustness.scenarios=[central]" robustness.parameter_samples=0 "robustness.seeds=[0]"
        budget_eur_per_year=1e9)
run_design() {  # run_design <folder> <log> [settings...]: the exit status of the design
    local folder=$1 log=$2; shift 2
    timeout 1200 "$PYTHON" -m sim.design "${DESIGN[@]}" "$@" "out=$folder" >"$log" 2>&1
}
same_design() {  # same_design <design> <design>: equal run checksums and tables, all complete
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
from pathlib import Path
def runs(design):
    return {str(m.parent.relative_to(design)): (r["status"], r["checksums"])
            for m in sorted(Path(design, "sweeps").glob("*/runs/*/*/manifest.json"))
            if (r := json.loads(m.read_text()))}
def tables(design):
    return {p.name: p.read_bytes() for p in sorted(Path(design, "tables").iterdir())}
a, b = runs(sys.argv[1]), runs(sys.argv[2])
ok = len(a) >= 2 and a == b and all(s == "complete" for s, _ in a.values())
same = tables(sys.argv[1]) == tables(sys.argv[2])
print(f"{len(a)} runs, {len(b)} runs, equal: {a == b}; tables equal: {same}")
sys.exit(0 if ok and same else 1)
EOF
}
design_jobs() {  # the Slurm jobs submitted for a design's sweeps, ever
    find "$1/sweeps" -path '*/.submitit/*' -name '*_submitted.pkl' 2>/dev/null | wc -l
}
DESIGN_JOBLIB=$WORK/designs/joblib
DESIGN_SLURM=$WORK/designs/slurm
run_design "$DESIGN_JOBLIB" "$WORK/design_joblib.log" launcher=resilient_joblib \
    "launcher_overrides=[hydra.launcher.n_jobs=1]" &  # the reference, beside the Slurm one
reference_pid=$!
SLURM_DESIGN="launcher_overrides=[hydra.launcher.partition=check,hydra.launcher.timeout_min=20,hydra.launcher.cpus_per_task=1,hydra.launcher.mem_gb=2]"
run_design "$DESIGN_SLURM" "$WORK/design_slurm.log" launcher=resilient_submitit_slurm \
    "$SLURM_DESIGN"
on_slurm=$?
wait "$reference_pid" || fail "design on resilient_joblib (exit $?; $WORK/design_joblib.log)"
detail=""
if [ "$on_slurm" = 0 ] && detail=$(same_design "$DESIGN_JOBLIB" "$DESIGN_SLURM"); then
    pass "design on Slurm ($(design_jobs "$DESIGN_SLURM") jobs) = on joblib ($detail)"
else
    fail "design on Slurm differs from joblib's or failed (${detail:-}; $WORK/design_slurm.log)"
fi
before=$(design_jobs "$DESIGN_SLURM")
rm -f "$DESIGN_SLURM/evaluations.jsonl" "$DESIGN_SLURM/study.journal"
detail=""
if run_design "$DESIGN_SLURM" "$WORK/design_resume.log" launcher=resilient_submitit_slurm \
        "$SLURM_DESIGN" && [ "$(design_jobs "$DESIGN_SLURM")" = "$before" ] &&
        ! grep -q '^batch:' "$WORK/design_resume.log" &&
        detail=$(same_design "$DESIGN_JOBLIB" "$DESIGN_SLURM"); then
    pass "design resumed from its sweeps: no job submitted, same tables ($detail)"
else
    fail "design resume submitted $(( $(design_jobs "$DESIGN_SLURM") - before )) job(s)" \
        "(${detail:-}; $WORK/design_resume.log)"
fi

# The same design with one running Slurm job cancelled (scancel): the design ends (exit 1) naming
# the lost run and its own resume command; that command submits only the lost run, and the
# tables are byte for byte those of the uninterrupted design on resilient_joblib.
DESIGN_KILLED=$WORK/designs/killed
run_design "$DESIGN_KILLED" "$WORK/design_killed.log" launcher=resilient_submitit_slurm \
    "$SLURM_DESIGN" &
design_pid=$!
victim=$(cancel_first_running 1500)  # batches start after the search's setup
wait "$design_pid"
killed_status=$?
said=$(tail -1 "$WORK/design_killed.log")
resume=${said##*resume the design (finished runs are read back, not run again): }
if [ -n "$victim" ] && [ "$killed_status" = 1 ] && [ "$resume" != "$said" ] &&
        printf '%s' "$said" | grep -q 'runs did not complete (arm=d[0-9a-f]* seed=0 failed' &&
        [ ! -e "$DESIGN_KILLED/tables" ]; then
    pass "scancel $victim under a design: exit 1, the lost run and the design's resume named"
else
    fail "scancel ${victim:-<no running task seen>} under a design: exit $killed_status (1" \
        "wanted): $said ($WORK/design_killed.log)"
fi
same_design_tables() {  # <design> <design>: same tables (bytes), same runs by arm and seed
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
from pathlib import Path
import pandas as pd
def runs(design):  # a lost run runs again in a batch of its own: its `sweep` label differs
    out = {}
    for m in sorted(Path(design, "sweeps").glob("*/runs/*/*/manifest.json")):
        r = json.loads(m.read_text())
        if r["status"] == "complete":
            out["/".join(m.parent.parts[-2:])] = [r["checksums"]["summary.json"]] + [
                pd.util.hash_pandas_object(pd.read_parquet(m.parent / name).drop(
                    columns="sweep"), index=False).tolist()
                for name in sorted(r["checksums"]) if name.endswith(".parquet")]
    return out
def tables(design):
    return {p.name: p.read_bytes() for p in sorted(Path(design, "tables").iterdir())}
a, b = runs(sys.argv[1]), runs(sys.argv[2])
same = tables(sys.argv[1]) == tables(sys.argv[2])
print(f"{len(a)} runs, {len(b)} runs, equal: {a == b}; {len(tables(sys.argv[1]))} tables "
      f"equal: {same}")
sys.exit(0 if len(a) >= 2 and a == b and same else 1)
EOF
}
before=$(design_jobs "$DESIGN_KILLED")
detail=""
if [ -n "$victim" ] && [ "$resume" != "$said" ] &&
        eval "set -- $resume" && [ "$1 $2 $3" = "python -m sim.design" ] && shift &&
        timeout 1200 "$PYTHON" "$@" >"$WORK/design_killed_resume.log" 2>&1 &&
        [ "$(( $(design_jobs "$DESIGN_KILLED") - before ))" = 1 ] &&
        detail=$(same_design_tables "$DESIGN_JOBLIB" "$DESIGN_KILLED"); then
    pass "the design's resume command submitted only the lost run (1 job); tables = joblib's" \
        "($detail)"
else
    fail "design resume after scancel: $(( $(design_jobs "$DESIGN_KILLED") - before )) job(s)" \
        "submitted, ${detail:-tables not compared} ($WORK/design_killed_resume.log)"
fi

[ "$FAILED" = 0 ] && echo "ALL PASS" || echo "SOME FAILED"
exit "$FAILED"
