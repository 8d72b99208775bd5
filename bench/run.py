"""Run every benchmark script in bench/ in turn (`make bench`), on PostgreSQL and Redis.

`make bench` expects DATABASE_URL (PostgreSQL) and REDIS_URL: the benches measure the
path a user takes with the shipped settings. Without them it says which benches need
PostgreSQL and skips those, running the rest on the embedded defaults (SQLite, the
filesystem broker). Each script generates its own data set, measures, and prints its
figures next to a same-run baseline, the ratio and the load average. They are not part
of the test run: timings belong here, never in assertions.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Benches whose data generators or baselines use PostgreSQL's SQL (COPY, jsonb,
# make_interval, set-based inserts) or that only mean something there.
NEEDS_POSTGRESQL = {
    "customers_crm.py",
    "customers_import.py",
    "customers_import_background.py",
    "imports_copy.py",
    "objectives_cascade.py",
    "satisfaction_analysis.py",
    "satisfaction_export.py",
    "qms_home.py",
    "satisfaction_submit.py",
    "satisfaction_wave.py",
}
NOT_BENCHES = {"run.py", "__init__.py", "access_sweep_settings.py"}


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in NOT_BENCHES)
    if not scripts:
        print("No benchmark scripts yet.")
        return 0
    database = os.environ.get("DATABASE_URL", "")
    on_postgresql = database.startswith(("postgres://", "postgresql://"))
    on_redis = bool(os.environ.get("REDIS_URL"))
    print(
        f"database: {'PostgreSQL' if on_postgresql else 'SQLite (no DATABASE_URL)'}; "
        f"broker and cache: {'Redis' if on_redis else 'embedded (no REDIS_URL)'}"
    )
    skipped = []
    if not on_postgresql:
        skipped = [p.name for p in scripts if p.name in NEEDS_POSTGRESQL]
        print(
            "These benches need PostgreSQL and are skipped (set DATABASE_URL=postgres://… "
            "and REDIS_URL=redis://… to run them):"
        )
        for name in skipped:
            print(f"  - {name}")
    failed = []
    for script in scripts:
        if script.name in skipped:
            continue
        print(f"\n== {script.name} ==", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(
            f"== {script.name}: {'ok' if code == 0 else f'FAILED ({code})'} "
            f"in {time.monotonic() - started:.0f} s; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            flush=True,
        )
        if code:
            failed.append(script.name)
    print(
        f"\n{len(scripts) - len(skipped) - len(failed)} benches ran, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + (f", {len(skipped)} skipped: they need PostgreSQL" if skipped else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
