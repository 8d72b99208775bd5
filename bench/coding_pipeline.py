"""Coding imported tickets at scale, Django side: record the texts of N tickets (the
import's bulk path), code them (keyword rules, then the model), retrain on 10,000
confirmed codings. A throwaway test database; prints figures, asserts nothing.

    .venv/bin/python bench/coding_pipeline.py                  # SQLite, 100,000 texts
    DATABASE_URL=postgres://... .venv/bin/python bench/coding_pipeline.py
    BENCH_TEXTS=20000 .venv/bin/python bench/coding_pipeline.py

Baseline from the same run: the same texts coded by the rules alone (no model), and the
first fifth of the texts, so the ratio shows what the model adds and that time grows
linearly while peak memory does not grow with the number of texts.
"""

import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

TEXTS = int(os.environ.get("BENCH_TEXTS", "100000"))
TRAIN = int(os.environ.get("BENCH_TRAIN", "10000"))

PHRASES = {
    "battery": (
        [
            "battery drains by noon",
            "phone dies before lunch",
            "only lasts half a day",
            "batt dead fast",
            "charge twice a day",
            "power gone after 3 hours",
        ],
        ["续航太差", "掉电快", "一天充三次", "电池不耐用", "中午就没电了"],
        ["battery", "drains", "续航", "掉电快"],
    ),
    "screen": (
        [
            "screen cracked after a drop",
            "glass shattered",
            "display has lines",
            "scratches on the screen",
            "touch not responding",
        ],
        ["屏幕裂了", "碎屏", "屏幕划痕", "显示屏有绿线"],
        ["cracked", "碎屏", "屏幕裂"],
    ),
    "port": (
        [
            "charging port loose",
            "cable falls out",
            "won't charge unless i wiggle",
            "usb socket broken",
        ],
        ["充电口接触不良", "充不进电", "插头松动"],
        ["charging port", "充电口"],
    ),
    "update": (
        [
            "after the update it is slow",
            "update failed twice",
            "firmware reset my settings",
            "apps crash since upgrade",
        ],
        ["系统更新以后很卡", "升级失败", "更新后闪退"],
        ["update", "系统更新"],
    ),
    "delivery": (
        ["delivery was late", "parcel arrived three days late", "courier never came"],
        ["送货太慢", "快递迟到三天", "配送延误"],
        ["delivery", "送货"],
    ),
    "noise": (
        ["fridge humming at night", "loud buzzing noise", "compressor rattles"],
        ["冰箱噪音很大", "晚上嗡嗡响", "声音太吵"],
        ["noise", "噪音"],
    ),
}
FILLER = ["pls help", "cust angry", "asap", "again", "since monday", "X2 pro", "客户很不满", "急"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentence(rng: random.Random, topic: str) -> str:
    english, chinese, _keywords = PHRASES[topic]
    pool = english if rng.random() < 0.6 else chinese
    words = rng.choice(pool)
    if rng.random() < 0.2 and len(words) > 6:  # a typo
        cut = rng.randrange(1, len(words) - 1)
        words = words[:cut] + words[cut + 1 :]
    if rng.random() < 0.5:
        words = f"{words} {rng.choice(FILLER)}"
    return words


def main():
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run():
    from coding import services
    from coding.models import Coding, Text, TopicKeyword
    from customers.models import Customer, Topic
    from research.models import Ticket

    rng = random.Random(15)
    topics = {}
    for key, (_en, _zh, keywords) in PHRASES.items():
        topics[key] = Topic.objects.create(name=f"Bench {key}", slug=f"bench-{key}")
        for phrase in keywords:
            TopicKeyword.objects.create(topic=topics[key], phrase=phrase)
    customer = Customer.objects.create(external_ref="BENCH-1", name="Bench customer")
    keys = list(PHRASES)
    weights = [1 / (k + 1) for k in range(len(keys))]
    now = timezone.now()
    labels = []
    started = time.perf_counter()
    for offset in range(0, TEXTS, 5000):
        batch = []
        for n in range(offset, min(offset + 5000, TEXTS)):
            key = rng.choices(keys, weights)[0]
            labels.append(key)
            batch.append(
                Ticket(
                    external_id=f"BC-{n:07d}",
                    customer=customer,
                    description=sentence(rng, key),
                    opened_at=now,
                )
            )
        Ticket.objects.bulk_create(batch, batch_size=2000)
    print(f"generated {TEXTS:,} tickets in {time.perf_counter() - started:.1f} s")

    from research.imports import record_ticket_texts

    started = time.perf_counter()
    record_ticket_texts()
    print(f"record the texts of {TEXTS:,} tickets: {time.perf_counter() - started:.1f} s")

    # People confirmed TRAIN texts (a person's coding = a training example).
    ticket_ids = list(Ticket.objects.order_by("id").values_list("id", flat=True)[:TRAIN])
    text_ids = dict(Text.objects.filter(object_id__in=ticket_ids).values_list("object_id", "id"))
    Coding.objects.bulk_create(
        [
            Coding(
                text_id=text_ids[pk],
                topic=topics[labels[i]],
                origin=Coding.Origin.PERSON,
                confirmed_at=now,
            )
            for i, pk in enumerate(ticket_ids)
        ],
        batch_size=2000,
    )
    Text.objects.filter(id__in=text_ids.values()).update(status=Text.Status.CODED)
    started = time.perf_counter()
    version = services.model_train()
    print(
        f"retrain on {version.n_examples:,} confirmed codings: "
        f"{time.perf_counter() - started:.1f} s (accuracy on held-back {version.accuracy:.3f})"
    )
    version.is_active = False
    version.save(update_fields=["is_active"])

    to_code = Text.objects.filter(status=Text.Status.PENDING).count()
    fifth = to_code // 5

    def reset():
        Coding.objects.exclude(origin=Coding.Origin.PERSON).delete()
        Text.objects.exclude(status=Text.Status.CODED).update(status=Text.Status.PENDING)
        Text.objects.filter(codings__isnull=True, status=Text.Status.CODED).update(
            status=Text.Status.PENDING
        )

    started = time.perf_counter()
    services.code_pending()
    rules_only = time.perf_counter() - started
    print(f"baseline: code {to_code:,} texts by the rules alone: {rules_only:.1f} s")

    services.model_activate(version=version)
    services._loaded.clear()
    reset()
    memory = peak_mb()
    started = time.perf_counter()
    services.code_pending(limit=fifth)
    part = time.perf_counter() - started
    memory_part = peak_mb()
    services.code_pending()
    whole = time.perf_counter() - started
    memory_whole = peak_mb()
    coded = Text.objects.filter(status=Text.Status.CODED).count() - TRAIN
    queued = Text.objects.filter(status=Text.Status.QUEUED).count()
    by_model = Coding.objects.filter(origin=Coding.Origin.MODEL).count()
    print(
        f"rules + model: first {fifth:,} texts {part:.1f} s, all {to_code:,} texts "
        f"{whole:.1f} s ({to_code / whole:,.0f} texts/s; {whole / rules_only:.2f}x the rules alone)"
    )
    print(
        f"  coded {coded:,} ({by_model:,} by the model), queue {queued:,}; "
        f"peak memory before {memory:.0f} MB, after a fifth {memory_part:.0f} MB, "
        f"after all {memory_whole:.0f} MB"
    )
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared)")


if __name__ == "__main__":
    main()
