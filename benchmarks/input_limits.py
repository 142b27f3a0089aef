"""Peak memory and time of validating hostile uploads (zip bombs and friends), before and after caps.

Builds each hostile file in a temporary folder, then validates it with ``planner.check_scenario`` in
a child process per (code tree, file), capped at ``--cap-mib`` of address space and ``--timeout``
seconds so that the old code cannot take the shared machine down. Prints a Markdown table.

    python benchmarks/input_limits.py --before /tmp/h4-old --after .

``--before`` is a checkout of the code to compare against (e.g. ``git archive 37feeef``).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

MIB = 2**20
TINY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tiny"

CHILD = """
import resource, sys, time
start = time.perf_counter()
from planner import check_scenario
try:
    scenario, problems = check_scenario(sys.argv[1])
    outcome = f"{len(problems)} problem(s): " + (str(problems[0])[:70] if problems else "valid")
except MemoryError:
    outcome = "MemoryError"
print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}\\t"
      f"{time.perf_counter() - start:.1f}\\t{outcome}")
"""


def _zip(path: Path, extra: Callable[[zipfile.ZipFile], None]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(TINY.iterdir()):
            if file.name != "history.csv":
                archive.write(file, file.name)
        extra(archive)


def _member(name: str, chunk: bytes, repeat: int, head: bytes = b"") -> Callable[..., None]:
    def write(archive: zipfile.ZipFile) -> None:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(head)
            for _ in range(repeat):
                member.write(chunk)

    return write


def build(folder: Path) -> dict[str, Path]:
    """The hostile files, by a short description."""
    files: dict[str, Path] = {}
    head = b"business,item,date,result\n"
    for label, chunk, repeat in (
        ("12 MiB of newlines in history.csv", b"\n" * MIB, 12),
        ("12 MiB of commas on one line", b"," * MIB, 12),
        ("1 GiB of zeros in history.csv", bytes(MIB), 1024),
    ):
        path = folder / f"{len(files)}.zip"
        _zip(path, _member("history.csv", chunk, repeat, head))
        files[label] = path
    # a workbook whose sheet claims 16,384 columns and has a cell on the last of 1,048,576 rows
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "businesses"
    ws["A1"], ws["A2"], ws["A1048576"] = "id", "b1", "b2"
    buffer = io.BytesIO()
    book.save(buffer)
    src = zipfile.ZipFile(buffer)
    path = folder / "dimension.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(
                    b'<dimension ref="A1:A1048576"', b'<dimension ref="A1:XFD1048576"'
                )
            out.writestr(info, data)
    files["xlsx claiming A1:XFD1048576"] = path
    return files


def measure(tree: Path, file: Path, cap_mib: int, timeout: float) -> str:
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap_mib * MIB, cap_mib * MIB))

    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(file)],
            capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
            env={"PYTHONPATH": str(tree.resolve()), "PATH": "/usr/bin:/bin"}, check=False,
            cwd=tree.resolve(),  # `python -c` puts the working folder first on sys.path
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"| > {cap_mib} or n/a | > {timeout:.0f} (stopped) | did not finish |"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1][:60]
        return f"| ≥ {cap_mib} (cap) | – | failed: {last} |"
    rss, seconds, outcome = done.stdout.strip().split("\t", 2)
    return f"| {rss} | {seconds} | {outcome.replace('|', '/')} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, required=True)
    parser.add_argument("--cap-mib", type=int, default=2048)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
        print("| file | size (KiB) | code | peak RSS (MiB) | seconds | outcome |")
        print("|---|---|---|---|---|---|")
        for label, path in files.items():
            size = path.stat().st_size / 1024
            for name, tree in (("before", args.before), ("after", args.after)):
                row = measure(tree, path, args.cap_mib, args.timeout)
                print(f"| {label} | {size:.1f} | {name} {row}", flush=True)


if __name__ == "__main__":
    main()
