"""Benchmark: how well texts are coded to topics, on a labelled set the model did not see.

bench/coding_labelled.csv (built by coding_support/generate.py) holds 2,510 service
tickets, hotel and diaper comments in English, Chinese, agent shorthand, pinyin and mixed
Chinese-English, with typos; one in ten fits no topic. Most texts are short (half of them
four words or fewer); words are shared across topics ("charge" in battery, charging port
and refunds; "screen" in screen and software; "room" in hotel topics); a third of the
texts mention a second topic in passing, praised, negated or as a lesser complaint; vague
texts fit no topic. A third ("train") plays the confirmed codings; the model and the
keyword rules of coding_support/topics.py code the rest ("test"), three quarters of which
are worded in ways the train part never uses.

Printed: accuracy, precision of the automatic codes, coverage (share coded), queue size,
per-topic precision and recall at the chosen threshold, a sweep of thresholds, and the
baselines from the same run: the keyword rules alone, and a plain character n-gram
classifier (no rules) at the same coverage.

The set is built to be about as hard as real exports: the plain classifier reaches
60-70 % precision at 60 % coverage on it (the issue reports about 60 % on real texts).

    .venv/bin/python bench/coding_quality.py
"""

import csv
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from coding_support.topics import KEYWORDS  # noqa: E402

from coding import learning  # noqa: E402

TARGET_PRECISION = 0.85
TARGET_COVERAGE = 0.60


def load():
    with (HERE / "coding_labelled.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    return train, test


def score(decisions, truth):
    coded = [(d.topic, t) for d, t in zip(decisions, truth, strict=True) if d.topic]
    right = sum(topic == t for topic, t in coded)
    queued = len(truth) - len(coded)
    no_topic_queued = sum(1 for d, t in zip(decisions, truth, strict=True) if not d.topic and not t)
    return {
        "coverage": len(coded) / len(truth),
        "precision": right / len(coded) if coded else 0.0,
        "queue": queued,
        "right_outcome": (right + no_topic_queued) / len(truth),
        "coded": len(coded),
    }


def per_topic(decisions, truth):
    lines = []
    for topic in sorted(KEYWORDS):
        coded_as = [t for d, t in zip(decisions, truth, strict=True) if d.topic == topic]
        actual = [d.topic for d, t in zip(decisions, truth, strict=True) if t == topic]
        precision = sum(t == topic for t in coded_as) / len(coded_as) if coded_as else 0.0
        recall = sum(t == topic for t in actual) / len(actual) if actual else 0.0
        lines.append((topic, precision, recall, len(actual), len(coded_as)))
    return lines


def plain_char_model(train_pairs):
    """The baseline the issue names: character n-grams and a linear classifier, no rules."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LogisticRegression(max_iter=500)
    )
    pipe.fit([t for t, _ in train_pairs], [k for _, k in train_pairs])
    return pipe


def coverage_precision(confidence, right, coverage):
    """Precision of the most confident `coverage` share."""
    order = np.argsort(-confidence)
    top = order[: int(round(len(order) * coverage))]
    return float(right[top].mean())


def main():
    train_rows, test_rows = load()
    # The confirmed codings: a topic, or "fits no topic" (dismissed in the queue).
    train_pairs = [(r["text"], r["topic"] or learning.NO_TOPIC) for r in train_rows]
    texts = [r["text"] for r in test_rows]
    truth = [r["topic"] for r in test_rows]
    languages = {}
    for r in test_rows:
        languages[r["language"]] = languages.get(r["language"], 0) + 1
    print(
        f"labelled set: {len(train_rows) + len(test_rows)} texts; confirmed codings "
        f"(train): {len(train_pairs)}, {sum(k == learning.NO_TOPIC for _, k in train_pairs)} "
        f"of them 'fits no topic'; unseen test texts: {len(texts)} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(languages.items()))}; "
        f"{sum(not t for t in truth)} fit no topic)"
    )

    start = time.perf_counter()
    model = learning.train(train_pairs, seed=0)
    print(
        f"trained in {time.perf_counter() - start:.1f} s on {model.n_examples} codings, "
        f"{len(model.topics)} topics; accuracy on its own held-back codings: "
        f"{model.accuracy:.1%}"
    )
    threshold = learning.DEFAULT_THRESHOLD
    print(f"chosen threshold (the portal's default setting): {threshold:.2f}")

    decisions = learning.decide_many(texts, KEYWORDS, model, threshold)
    result = score(decisions, truth)
    suggestions = model.suggest(texts, top=1)
    with_topic = [i for i, t in enumerate(truth) if t]
    top1 = sum(suggestions[i][0][0] == truth[i] for i in with_topic) / len(with_topic)
    by_origin = {}
    for d, t in zip(decisions, truth, strict=True):
        if d.origin:
            n, ok = by_origin.get(d.origin, (0, 0))
            by_origin[d.origin] = (n + 1, ok + (d.topic == t))

    print()
    print(f"== rules + model at threshold {threshold:.2f} (the portal's coding) ==")
    print(f"accuracy (model's first suggestion, texts with a topic): {top1:.1%}")
    print(
        f"automatic codes: {result['coded']} of {len(texts)} = coverage "
        f"{result['coverage']:.1%}, precision {result['precision']:.1%} "
        f"(target >= {TARGET_PRECISION:.0%} at >= {TARGET_COVERAGE:.0%})"
    )
    for origin, (n, ok) in sorted(by_origin.items()):
        print(f"  by {origin}: {n} codes, {ok / n:.1%} right")
    print(f"queue receives: {result['queue']} texts ({result['queue'] / len(texts):.1%})")
    print(
        f"right outcome (right code, or queued when no topic fits): {result['right_outcome']:.1%}"
    )
    print()
    print(f"{'topic':24} {'precision':>9} {'recall':>7} {'texts':>6} {'coded':>6}")
    for topic, precision, recall, support, coded in per_topic(decisions, truth):
        print(f"{topic:24} {precision:9.1%} {recall:7.1%} {support:6d} {coded:6d}")

    print()
    print("== threshold sweep (rules + model) ==")
    print(f"{'threshold':>9} {'coverage':>9} {'precision':>9} {'queue':>6}")
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        r = score(learning.decide_many(texts, KEYWORDS, model, t), truth)
        print(f"{t:9.2f} {r['coverage']:9.1%} {r['precision']:9.1%} {r['queue']:6d}")

    everything = learning.decide_many(texts, KEYWORDS, model, 0.0)
    ranked = np.array([d.confidence if d.topic else -1.0 for d in everything])
    ours_right = np.array(
        [bool(d.topic) and d.topic == t for d, t in zip(everything, truth, strict=True)]
    )
    ours_at_target = coverage_precision(ranked, ours_right, TARGET_COVERAGE)
    print(
        f"rules + model, its {TARGET_COVERAGE:.0%} most confident texts (the threshold that "
        f"codes {TARGET_COVERAGE:.0%}): precision {ours_at_target:.1%}"
    )

    print()
    print("== baselines, same run ==")
    rules_only = score(learning.decide_many(texts, KEYWORDS, None, 1.0), truth)
    print(
        f"keyword rules alone: coverage {rules_only['coverage']:.1%}, "
        f"precision {rules_only['precision']:.1%}"
    )
    topics_only = learning.train([p for p in train_pairs if p[1] != learning.NO_TOPIC])
    without_none = score(learning.decide_many(texts, KEYWORDS, topics_only, threshold), truth)
    print(
        f"trained without the 'fits no topic' codings: coverage {without_none['coverage']:.1%}, "
        f"precision {without_none['precision']:.1%}"
    )
    model_only = score(learning.decide_many(texts, {}, model, threshold), truth)
    print(
        f"this model without rules at {threshold:.2f}: coverage {model_only['coverage']:.1%}, "
        f"precision {model_only['precision']:.1%}"
    )
    plain = plain_char_model([p for p in train_pairs if p[1] != learning.NO_TOPIC])
    proba = plain.predict_proba(texts)
    predicted = plain.classes_[proba.argmax(axis=1)]
    right = np.array([p == t for p, t in zip(predicted, truth, strict=True)])
    confidence = proba.max(axis=1)
    coverage = result["coverage"]
    plain_precision = coverage_precision(confidence, right, coverage)
    print(
        f"plain char n-gram classifier, its {coverage:.1%} most confident texts: "
        f"precision {plain_precision:.1%}; at {TARGET_COVERAGE:.0%} coverage: "
        f"{coverage_precision(confidence, right, TARGET_COVERAGE):.1%}"
    )
    print(
        f"ratio of precision, ours / plain at the same coverage: "
        f"{result['precision'] / plain_precision:.2f}; at {TARGET_COVERAGE:.0%} coverage: "
        f"{ours_at_target / coverage_precision(confidence, right, TARGET_COVERAGE):.2f}"
    )
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
