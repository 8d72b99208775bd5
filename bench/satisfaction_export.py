"""Benchmark: the response export of about 1,000,000 answers as XLSX and as CSV, built
the way the Celery task builds it (`services.export_build`: rows read with iterator(),
written to a temporary file, saved to storage). Prints rows per second, the file size
and the peak memory of the process (resource.getrusage). Each format runs in its own
process, so each peak is its own. Uses the answers of the analysis benchmark (generated
once, reused).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_c \\
        .venv/bin/python bench/satisfaction_export.py
"""

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from satisfaction_support.answers import SURVEY_CODE, ensure_answers  # noqa: E402
from satisfaction_support.common import setup  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_one(format: str) -> int:
    """Child process: build one export of the benchmark survey and print its figures."""
    settings = setup()
    from satisfaction import services
    from satisfaction.models import ResponseExport
    from surveys.models import Survey

    survey = Survey.objects.get(code=SURVEY_CODE)
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        before = peak_mb()
        # The row export_request would write, without kicking a worker through the broker.
        export = ResponseExport.objects.create(survey=survey, format=format, language="en")
        start = time.perf_counter()
        built = services.export_build(export_id=export.pk)
        seconds = time.perf_counter() - start
        export.refresh_from_db()
        size = export.file.size if built else 0
        if not built:
            print(f"{format}: FAILED: {export.error}")
        else:
            print(
                f"{format}: {export.row_count:,} rows in {seconds:.1f} s = "
                f"{export.row_count / seconds:,.0f} rows/s, file {size / 2**20:.0f} MB, "
                f"peak memory {peak_mb():.0f} MB (process {before:.0f} MB before the export)"
            )
        ResponseExport.objects.filter(pk=export.pk).delete()
    return 0 if built else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        return build_one(sys.argv[2])
    settings = setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
        return 1
    print(f"database: {settings.DATABASES['default']['NAME']}")
    _survey, answers = ensure_answers()
    print(f"answers in the survey: {answers:,}")
    failed = 0
    for format in ("xlsx", "csv"):
        failed += subprocess.call([sys.executable, __file__, "--one", format]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
