"""Run every benchmark script in bench/ in turn (`make bench`).

Each script generates its own data set, measures, and prints its figures. They are not
part of the test run: timings belong here, never in assertions.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in {"run.py", "__init__.py"})
    if not scripts:
        print("No benchmark scripts yet.")
        return 0
    failed = 0
    for script in scripts:
        print(f"== {script.name} ==", flush=True)
        failed += subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
