"""Do-not-call registry: import time, batch lookup cost, resident memory and reopening time.

Generates a synthetic national registry (FTC layout: one ``NPA.txt`` file per area code, one
10-digit number per line) in a temporary folder, imports it with ``compliance.dnc``, then
reopens it and checks a batch of numbers (half listed). The files are generated in a child
process, so the peak resident set printed is the import's own. Targets (issue 3): 250 million
numbers imported in at most 10 minutes, at most 1 us per number checked, at most 1.5 GB
resident, and reopening in at most 2 s. The generated files are deleted afterwards (never
committed).

    python -m benchmarks.compliance_dnc [--numbers 250000000] [--area-codes 320]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import numpy.typing as npt
import psutil

from compliance.dnc.build import import_registry
from compliance.dnc.numbers import NPA_SPAN
from compliance.dnc.registry import Registry, registry_path

DATA_DATE = date(2026, 3, 1)


def generate(
    folder: Path, numbers: int, area_codes: int, sample: int, seed: int
) -> tuple[list[Path], npt.NDArray[np.int64], float]:
    """The area-code files, and a sample of the numbers written (listed for sure)."""
    rng = np.random.default_rng(seed)
    npas = np.sort(rng.choice(np.arange(201, 990), size=area_codes, replace=False))
    per, keep = numbers // area_codes, max(1, sample // area_codes)
    paths, kept, t0 = [], [], time.perf_counter()
    for npa in npas.tolist():
        subs = rng.integers(2_000_000, NPA_SPAN, size=per, dtype=np.int64)  # exchange 2-9
        listed = subs + npa * NPA_SPAN
        path = folder / f"{npa}.txt"
        path.write_bytes(_lines(listed))
        paths.append(path)
        kept.append(listed[:keep].copy())  # a slice would keep all of `listed` alive
    return paths, np.concatenate(kept), time.perf_counter() - t0


def _lines(numbers: npt.NDArray[np.int64]) -> bytes:
    """``numbers`` as 10-digit lines, formatted in numpy (no Python object per number)."""
    powers = 10 ** np.arange(9, -1, -1, dtype=np.int64)
    text = np.full((len(numbers), 11), ord("\n"), dtype=np.uint8)
    text[:, :10] = numbers[:, None] // powers % 10 + ord("0")
    return text.tobytes()


def _generate_apart(
    folder: Path, numbers: int, area_codes: int, sample: int, seed: int
) -> tuple[list[Path], npt.NDArray[np.int64], float]:
    """:func:`generate` in a child process, so the import's peak resident set is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(generate, folder, numbers, area_codes, sample, seed).result()


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=250_000_000)
    parser.add_argument("--area-codes", type=int, default=320)
    parser.add_argument("--lookups", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="dnc-bench-"))
    try:
        files, listed, gen_s = _generate_apart(
            root, args.numbers, args.area_codes, args.lookups // 2, args.seed
        )
        size = sum(p.stat().st_size for p in files) / 1e9
        print(
            f"generated {args.numbers:,} numbers in {len(files)} files ({size:.2f} GB) "
            f"in {gen_s:.0f} s (in a child process)"
        )
        data = root / "data"
        before = _rss_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        report = import_registry(
            data, "national", files, now=datetime.now(UTC), data_date=DATA_DATE
        )
        import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
        print(
            f"import: {report.numbers:,} distinct numbers in {report.area_codes} area codes "
            f"in {import_s:.1f} s wall, {import_cpu:.1f} s CPU "
            f"({args.numbers / import_s / 1e6:.2f} M lines/s); peak resident {_rss_peak():.2f} GB "
            f"(before the import {before:.2f} GB); {_load()}"
        )
        for p in files:
            p.unlink()
        _lookup(registry_path(data, "national"), listed, args.lookups, args.seed)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _lookup(path: Path, listed: npt.NDArray[np.int64], lookups: int, seed: int) -> None:
    t0 = time.perf_counter()
    registry = Registry.open(path)
    reopen_s = time.perf_counter() - t0
    opened = _rss()
    rng = np.random.default_rng(seed + 1)
    codes = np.array(registry.meta.area_codes, dtype=np.int64)
    others = lookups - len(listed)
    probe = rng.choice(codes, size=others) * NPA_SPAN + rng.integers(
        2_000_000, NPA_SPAN, size=others
    )
    probe = rng.permutation(np.concatenate([listed, probe]))
    registry.contains_many(probe[:1000])  # page in the header
    t0 = time.process_time()
    hits = registry.contains_many(probe)
    per_ns = (time.process_time() - t0) / len(probe) * 1e9
    print(
        f"reopen: {reopen_s * 1000:.0f} ms (resident {opened:.2f} GB); batch lookup of "
        f"{len(probe):,} numbers: {per_ns:.0f} ns per number ({hits.mean():.1%} listed); "
        f"resident after the lookups {_rss():.2f} GB (mapped registry pages included)"
    )


def _rss() -> float:
    return psutil.Process().memory_info().rss / 1e9


def _rss_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


if __name__ == "__main__":
    main()
