"""hypatia.distributed across processes: tests/mpi/worker.py run under `mpirun -np 2
--oversubscribe` on this machine (shared memory and loopback only) and alone. The test
command's "Distributed" stage runs this file (scripts/run_tests.sh)."""
import os
import shutil
import subprocess
import sys
import time

import pytest

import hypatia.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker.py")
MPIRUN = shutil.which("mpirun")

pytestmark = [
    pytest.mark.skipif(not dist.available(), reason="hypatia built without MPI"),
    pytest.mark.skipif(MPIRUN is None, reason="mpirun not installed (apt-get install openmpi-bin)"),
]


def env():
    e = dict(os.environ)
    # CI runs as root, which mpirun refuses unless both of these are set; one machine, no
    # network: shared memory between ranks, loopback for the launcher; one thread per rank.
    e.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
             OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none",
             OMPI_MCA_oob_tcp_if_include="lo", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
             OMPI_MCA_rmaps_base_oversubscribe="1")
    e.pop("HYPATIA_DISTRIBUTED", None)
    return e


def mpirun(case, n=2, timeout=120, extra_env=None):
    """Runs the worker case on n ranks; returns (exit status, combined output, seconds)."""
    e = env()
    e.update(extra_env or {})
    cmd = [MPIRUN, "-np", str(n), "--oversubscribe"]
    for k in ("PYTHONPATH", "WORKER_TIMEOUT", "HYPATIA_DISTRIBUTED_TIMEOUT", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        if k in e:
            cmd += ["-x", k]
    t0 = time.monotonic()
    p = subprocess.run(cmd + [sys.executable, WORKER, case], env=e, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - t0


@pytest.mark.parametrize("case", ["train_dense", "train_sparse_gather", "train_sparse_dense"])
def test_two_ranks_match_one_process_on_the_whole_batch(case):
    rc, out, _ = mpirun(case)
    assert rc == 0, out
    assert "OK train rank 0 of 2" in out and "OK train rank 1 of 2" in out, out


def test_same_program_runs_as_one_process_without_mpirun():
    e = env()
    p = subprocess.run([sys.executable, WORKER, "train_dense"], env=e, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "OK train rank 0 of 1" in p.stdout


def test_sparse_allreduce_both_paths_against_dense():
    rc, out, _ = mpirun("sparse_allreduce")
    assert rc == 0, out
    assert out.count("OK sparse_allreduce") == 2, out


def test_a_rank_that_raises_ends_the_job():
    rc, out, secs = mpirun("raise", extra_env={"WORKER_TIMEOUT": "30"})
    assert rc != 0, out
    assert "[distributed] rank 1 of 2 raised RuntimeError: worker rank 1 fails on purpose" in out, out
    assert "finished (unexpected)" not in out
    assert secs < 25, f"took {secs:.1f} s: the excepthook's MPI_Abort should end the job at once"


def test_a_rank_that_dies_ends_the_job():
    rc, out, secs = mpirun("die", extra_env={"WORKER_TIMEOUT": "30"})
    assert rc != 0, out
    assert "finished (unexpected)" not in out
    assert secs < 25, out


def test_a_stalled_rank_times_out_and_leaves_the_survivors_parameters_unchanged():
    rc, out, secs = mpirun("stall", extra_env={"WORKER_TIMEOUT": "3"})
    assert rc != 0, out
    assert "SURVIVOR rank 0" in out and "did not complete an allreduce within 3 s" in out, out
    assert "OK survivor: shared values unchanged" in out, out
    assert secs < 40, out


def test_mismatched_parameter_shapes_fail_at_start_up():
    rc, out, _ = mpirun("mismatch")
    assert rc != 0, out
    assert ("[distributed.function] parameter 'W' (#0) is a (5,) float64 tensor on rank 0 but a (6,) "
            "float64 tensor on rank 1") in out, out
    assert "not detected" not in out


def test_debian_sections_demo_runs_distributed():
    demo = os.path.join(HERE, "..", "..", "examples", "debian_sections.py")
    e = env()
    cmd = [MPIRUN, "-np", "2", "--oversubscribe"] + (["-x", "PYTHONPATH"] if "PYTHONPATH" in e else [])
    p = subprocess.run(cmd + [sys.executable, demo, "--distributed", "1"], env=e, capture_output=True, text=True,
                       timeout=300)
    out = p.stdout + p.stderr
    if "no package lists found" in out:
        pytest.skip("no apt package lists on this machine (run apt-get update)")
    assert p.returncode == 0, out
    assert "distributed: 2 ranks" in out and "held-out accuracy" in out, out
    assert out.count("epoch  0") == 1, out  # rank 0 alone reports
