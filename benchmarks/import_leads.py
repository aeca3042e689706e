"""Lead import throughput: a generated 1,000,000-row CSV imported into a fresh SQLite database.

The file (in a temporary directory, deleted afterwards) looks like a real export: names, a phone
number in one of several common formats (some with extensions or as spreadsheet floats), e-mail,
address, city, state, ZIP and a custom column, with about 1% duplicates and 1% bad numbers. The
import runs through the same code path as ``dialer leads import``. Prints rows/s and peak RSS.

    python -m benchmarks.import_leads [--rows 1000000] [--seed 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import zipcodes

from campaigns.enums import Purpose
from campaigns.importer import ImportOptions, import_leads
from campaigns.service import CampaignSpec, create_campaign
from dialer.clock import RealClock
from dialer.storage import make_engine, session_factory, upgrade

Ints = npt.NDArray[np.int64]

FIRST = np.array(["Ann", "Bob", "Carla", "Dmitri", "Eve", "Farah", "Gus", "Hiro", "Ines", "José"])
LAST = np.array(["Lee", "Smith", "García", "Nguyen", "O'Brien", "Kowalski", "Okafor", "Berg"])
STREETS = np.array(["Main St", "Oak Ave", "Elm St", "Market St", "2nd Ave", "Lake Dr"])
SOURCES = np.array(["web", "fair", "referral", "partner"])
# NPAs of the contiguous US, Alaska and Hawaii (geographic, in service).
NPAS = np.array([201, 212, 213, 305, 312, 404, 415, 503, 512, 602, 617, 702, 713, 808, 907, 919])


def _formats(npa: Ints, nxx: Ints, line: Ints, rng: np.random.Generator) -> list[str]:
    """Each number in one of eight common spellings (2% with extensions, 2% spreadsheet floats)."""
    kind = rng.choice(8, size=len(npa), p=[0.3, 0.25, 0.15, 0.1, 0.1, 0.06, 0.02, 0.02])
    out = []
    for k, a, b, c in zip(kind.tolist(), npa.tolist(), nxx.tolist(), line.tolist(), strict=True):
        digits = f"{a}{b}{c:04d}"
        spellings = (
            f"({a}) {b}-{c:04d}",
            f"{a}-{b}-{c:04d}",
            digits,
            f"+1 {a} {b} {c:04d}",
            f"{a}.{b}.{c:04d}",
            f"1-{a}-{b}-{c:04d}",
            f"{a}-{b}-{c:04d} x{c % 900 + 100}",
            f"{digits[0]}.{digits[1:]}E9",
        )
        out.append(spellings[k])
    return out


def generate(path: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    zips = [z for z in zipcodes.list_all() if z["timezone"] and z["zip_code_type"] == "STANDARD"]  # type: ignore[no-untyped-call]
    zip_codes = np.array([z["zip_code"] for z in zips])
    zip_states = np.array([z["state"] for z in zips])
    zip_cities = np.array([z["city"] for z in zips])
    block = 100_000
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("First Name,Last Name,Phone Number,E-mail,Address,City,State,Zip,Source\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            npa = rng.choice(NPAS, n)
            nxx = rng.integers(200, 1000, n)
            nxx = np.where((nxx % 100 == 11) | (nxx == 555), 234, nxx)
            line = rng.integers(0, 10_000, n)
            dup = rng.random(n) < 0.01  # reuse the previous row's number
            for arr in (npa, nxx, line):
                arr[1:][dup[1:]] = arr[:-1][dup[1:]]
            phones = _formats(npa, nxx, line, rng)
            bad = np.flatnonzero(rng.random(n) < 0.01)
            for i in bad:
                phones[i] = ("555-1234", "(123) 456-7890", "n/a", "")[i % 4]
            z = rng.integers(0, len(zip_codes), n)
            first, last = rng.choice(FIRST, n), rng.choice(LAST, n)
            house, street = rng.integers(1, 9999, n), rng.choice(STREETS, n)
            source = rng.choice(SOURCES, n)
            lines = [
                f'{f},{la},{p},{f.lower()}.{i}@example.com,"{h} {s}",{c},{st},{zc},{so}\n'
                for i, (f, la, p, h, s, c, st, zc, so) in enumerate(
                    zip(
                        first, last, phones, house, street, zip_cities[z], zip_states[z],
                        zip_codes[z], source, strict=True,
                    ),
                    start,
                )
            ]  # fmt: skip
            fh.writelines(lines)


def run(rows: int, seed: int, workdir: Path) -> None:
    csv_path = workdir / "leads.csv"
    started = time.perf_counter()
    generate(csv_path, rows, seed)
    print(f"generated {rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    for old in workdir.glob("bench.db*"):
        old.unlink()
    engine = make_engine(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(engine)
    clock = RealClock()
    with session_factory(engine).begin() as session:
        spec = CampaignSpec(purpose=Purpose.TELEMARKETING, caller_id="+14155552671")
        create_campaign(session, "Bench", spec, clock.now())
    load_before = os.getloadavg()
    own0, t0, cpu0 = time.process_time(), time.perf_counter(), _cpu()
    summary = import_leads(engine, "Bench", csv_path, ImportOptions(), clock)
    wall, cpu, own = time.perf_counter() - t0, _cpu() - cpu0, time.process_time() - own0
    engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    duplicates, rejected = sum(summary.duplicates.values()), sum(summary.rejected.values())
    print(f"imported {summary.imported:,} leads, {duplicates:,} duplicates, {rejected:,} rejected")
    per_wall, per_cpu = summary.rows / wall, summary.rows / cpu
    print(f"import: {wall:.1f} s wall, {cpu:.1f} s CPU: {own:.1f} s writing (this process), "
          f"{cpu - own:.1f} s preparing (child process)")  # fmt: skip
    print(f"        {per_wall:,.0f} rows/s, {per_cpu:,.0f} rows per CPU-second")
    print(f"peak RSS: {peak_mb:,.0f} MB (writing process, generation included), "
          f"{child_mb:,.0f} MB (preparing process)")  # fmt: skip
    print(f"load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the preparing process)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Work in this directory and keep the files.")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.rows, args.seed, args.keep)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(args.rows, args.seed, Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
