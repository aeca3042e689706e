"""Do-not-call registry: import time, batch lookup cost, resident memory and reopening time.

Generates a synthetic national registry (FTC layout: one ``NPA.txt`` file per area code, one
10-digit number per line) in a temporary folder, imports it with ``compliance.dnc``, then
reopens it and checks a batch of numbers (half listed). Targets (issue 3): 250 million numbers
imported in at most 10 minutes, at most 1 us per number checked, at most 1.5 GB resident, and
reopening in at most 2 s. The generated files are deleted afterwards (never committed).

    python -m benchmarks.compliance_dnc [--numbers 250000000] [--area-codes 320]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import UTC, date, datetime
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
        path.write_text("\n".join(map(str, listed.tolist())) + "\n")
        paths.append(path)
        kept.append(listed[:keep])
    return paths, np.concatenate(kept), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=250_000_000)
    parser.add_argument("--area-codes", type=int, default=320)
    parser.add_argument("--lookups", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="dnc-bench-"))
    try:
        files, listed, gen_s = generate(
            root, args.numbers, args.area_codes, args.lookups // 2, args.seed
        )
        size = sum(p.stat().st_size for p in files) / 1e9
        print(
            f"generated {args.numbers:,} numbers in {len(files)} files ({size:.2f} GB) "
            f"in {gen_s:.0f} s"
        )
        data = root / "data"
        t0 = time.perf_counter()
        report = import_registry(
            data, "national", files, now=datetime.now(UTC), data_date=DATA_DATE
        )
        import_s = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(
            f"import: {report.numbers:,} distinct numbers in {report.area_codes} area codes "
            f"in {import_s:.1f} s ({args.numbers / import_s / 1e6:.2f} M lines/s); "
            f"peak resident {peak:.2f} GB"
        )
        for p in files:
            p.unlink()
        t0 = time.perf_counter()
        registry = Registry.open(registry_path(data, "national"))
        reopen_s = time.perf_counter() - t0
        rng = np.random.default_rng(args.seed + 1)
        codes = np.array(registry.meta.area_codes, dtype=np.int64)
        others = args.lookups - len(listed)
        probe = rng.choice(codes, size=others) * NPA_SPAN + rng.integers(
            2_000_000, NPA_SPAN, size=others
        )
        probe = rng.permutation(np.concatenate([listed, probe]))
        registry.contains_many(probe[:1000])  # page in the header
        t0 = time.process_time()
        hits = registry.contains_many(probe)
        per_ns = (time.process_time() - t0) / len(probe) * 1e9
        rss = psutil.Process().memory_info().rss / 1e9
        print(
            f"reopen: {reopen_s * 1000:.0f} ms; batch lookup of {len(probe):,} numbers: "
            f"{per_ns:.0f} ns per number ({hits.mean():.1%} listed); resident now {rss:.2f} GB"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
