"""Benchmark: coding 100,000 imported texts (keyword rules and model) and retraining the
model on 10,000 confirmed codings. Targets: under 60 s for the 100,000, with memory that
does not grow with the number of texts; under 30 s for the retraining.

The texts are drawn like the labelled set (coding_support/generate.py): tickets, hotel and
diaper comments in English, Chinese, shorthand and mixed, one in ten fitting no topic; half
of them carry a second text (the agent's note).
They go through learning.decide_many in batches of 2,000, as the coding task reads them
from the database; only counts are kept. Baselines from the same run: a plain regex scan
for the same keywords over the same texts (what the import could do without a model), and
fitting the TF-IDF vocabulary alone on the 10,000 codings. Runs are interleaved; medians.

    .venv/bin/python bench/coding_speed.py
"""

import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from coding_support.generate import stream  # noqa: E402
from coding_support.topics import KEYWORDS  # noqa: E402

from coding import learning  # noqa: E402

TEXTS = 100_000
CODINGS = 10_000
BATCH = 2_000
RUNS = 3


def rss_mb():
    """Resident memory now (the peak from getrusage only ever grows)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def code_all(texts, model, threshold):
    """Code every text in batches; returns seconds, counts, and memory at 10k and at the end."""
    coded = {"rule": 0, "model": 0, None: 0}
    memory = {}
    cpu = time.process_time()
    start = time.perf_counter()
    for offset in range(0, len(texts), BATCH):
        for decision in learning.decide_many(
            texts[offset : offset + BATCH], KEYWORDS, model, threshold
        ):
            coded[decision.origin] += 1
        done = offset + BATCH
        if done == 10_000:
            memory[10_000] = (rss_mb(), peak_mb())
    memory[len(texts)] = (rss_mb(), peak_mb())
    memory["cpu"] = time.process_time() - cpu
    return time.perf_counter() - start, coded, memory


def regex_scan(texts):
    """Baseline: one regular expression per topic, searched in each lower-cased text."""
    patterns = [
        (topic, re.compile("|".join(re.escape(k.lower()) for k in words)))
        for topic, words in KEYWORDS.items()
    ]
    start = time.perf_counter()
    hits = 0
    for text in texts:
        lowered = text.lower()
        hits += sum(1 for _, pattern in patterns if pattern.search(lowered))
    return time.perf_counter() - start, hits


def vocabulary_only(examples):
    start = time.perf_counter()
    features = learning._Features.fit([learning.normalise(t) for t, _ in examples], min_df=2)
    features.transform([learning.normalise(t) for t, _ in examples])
    return time.perf_counter() - start


def main():
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    examples = [(t, k or learning.NO_TOPIC) for t, k in stream(CODINGS, seed=2)]
    # Half the tickets carry the agent's note after the customer's words.
    drawn = stream(TEXTS * 3 // 2, seed=3)
    texts = [
        f"{next(drawn)[0]} / {next(drawn)[0]}" if i % 2 else next(drawn)[0] for i in range(TEXTS)
    ]
    print(
        f"{len(examples):,} confirmed codings, {len(texts):,} texts "
        f"(mean {statistics.mean(map(len, texts)):.0f} characters); "
        f"memory before coding {rss_mb():.0f} MB"
    )
    threshold = learning.DEFAULT_THRESHOLD

    train_times, train_cpu, vocab_times, model = [], [], [], None
    for _ in range(RUNS):
        vocab_times.append(vocabulary_only(examples))
        start, cpu = time.perf_counter(), time.process_time()
        model = learning.train(examples, seed=0)
        train_times.append(time.perf_counter() - start)
        train_cpu.append(time.process_time() - cpu)
    size = len(model.dumps())
    print()
    print(f"== retraining on {CODINGS:,} codings (target < 30 s) ==")
    print(
        f"train (measure on a held-back fifth, then refit on all): median "
        f"{statistics.median(train_times):.1f} s, runs "
        f"{', '.join(f'{t:.1f}' for t in train_times)}; processor time median "
        f"{statistics.median(train_cpu):.1f} s; stored model {size / 1e6:.1f} MB"
    )
    print(
        f"baseline, TF-IDF vocabulary fit + transform alone: median "
        f"{statistics.median(vocab_times):.1f} s; ratio "
        f"{statistics.median(train_times) / statistics.median(vocab_times):.1f}x"
    )

    ours, plain, memories, counts = [], [], [], None
    for _ in range(RUNS):
        seconds, _hits = regex_scan(texts)
        plain.append(seconds)
        seconds, counts, memory = code_all(texts, model, threshold)
        ours.append(seconds)
        memories.append(memory)
    median = statistics.median(ours)
    print()
    print(f"== coding {TEXTS:,} texts, rules + model, threshold {threshold} (target < 60 s) ==")
    print(
        f"decide_many in batches of {BATCH:,}: median {median:.1f} s "
        f"({TEXTS / median:,.0f} texts/s), runs {', '.join(f'{t:.1f}' for t in ours)}"
    )
    cpu = statistics.median(m["cpu"] for m in memories)
    print(
        f"processor time of this process: median {cpu:.1f} s (the rest of the wall time is "
        "waiting for a core the machine's other work holds)"
    )
    print(
        f"coded by rule {counts['rule']:,}, by model {counts['model']:,}, queued {counts[None]:,}"
    )
    first = memories[0]
    print(
        f"memory (first run): after 10,000 texts {first[10_000][0]:.0f} MB resident "
        f"(peak {first[10_000][1]:.0f} MB); after {TEXTS:,} texts {first[TEXTS][0]:.0f} MB "
        f"(peak {first[TEXTS][1]:.0f} MB)"
    )
    plain_median = statistics.median(plain)
    print(
        f"baseline, plain regex keyword scan (no model, no language check): median "
        f"{plain_median:.1f} s ({TEXTS / plain_median:,.0f} texts/s); ratio "
        f"{median / plain_median:.1f}x"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
