"""A local cluster started from a script (the Streamlit app, or pytest after an AppTest) does not
run that script again in its workers."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from planner.cluster import Job, open_cluster, warm_up

pytest.importorskip("distributed")


def test_workers_do_not_rerun_a_script_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``__main__`` a script that fails when run (as app.py does outside Streamlit), a
    1-worker local cluster still starts and runs a job: the worker never executes the script."""
    script = tmp_path / "app_like.py"
    script.write_text("raise SystemExit('this script must not run in a worker')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    with open_cluster(workers=1) as cluster:
        (result,) = cluster.run([Job("warm-up", "t1", warm_up)])
    assert result.ok, result.error
    assert result.value != os.getpid()  # it ran in a worker process
    assert sys.modules["__main__"] is main
