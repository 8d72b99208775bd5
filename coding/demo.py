"""This app's part of the demo organisation: keywords and phrases of the demo topics in
English and Chinese (the customers app made the topics). Loaded after customers and
before research, whose demo then records its tickets and interview notes as texts and
codes them. Idempotent: a second run changes nothing."""

from customers.models import Topic

from .models import TopicKeyword

KEYWORDS = {
    "battery-life": [
        ("battery", "en"),
        ("drains", "en"),
        ("only lasts", "en"),
        ("runs out", "en"),
        ("charge twice", "en"),
        ("续航", "zh"),
        ("掉电快", "zh"),
        ("一天充三次", "zh"),
        ("电池", "zh"),
        ("没电", "zh"),
    ],
    "screen-durability": [
        ("cracked", "en"),
        ("scratch", "en"),
        ("screen broke", "en"),
        ("碎屏", "zh"),
        ("屏幕裂", "zh"),
        ("划痕", "zh"),
    ],
    "charging-port": [
        ("charging port", "en"),
        ("cable loose", "en"),
        ("won't charge", "en"),
        ("充电口", "zh"),
        ("接触不良", "zh"),
    ],
    "software-updates": [
        ("update", "en"),
        ("firmware", "en"),
        ("系统更新", "zh"),
        ("升级", "zh"),
    ],
    "refrigerator-noise": [
        ("noise", "en"),
        ("noisy", "en"),
        ("humming", "en"),
        ("buzzing", "en"),
        ("噪音", "zh"),
        ("嗡嗡", "zh"),
    ],
    "delivery-time": [("delivery", "en"), ("late", "en"), ("送货", "zh"), ("配送", "zh")],
    "diaper-breathability": [
        ("breathe", "en"),
        ("breathable", "en"),
        ("breathability", "en"),
        ("rash", "en"),
        ("airy", "en"),
        ("透气", "zh"),
        ("红屁股", "zh"),
        ("闷", "zh"),
        ("湿疹", "zh"),
    ],
    "diaper-absorbency": [
        ("leak", "en"),
        ("leaks", "en"),
        ("absorb", "en"),
        ("侧漏", "zh"),
        ("吸水", "zh"),
    ],
    "eco-friendly-packaging": [
        ("plastic", "en"),
        ("recyclable", "en"),
        ("packaging", "en"),
        ("塑料", "zh"),
        ("环保", "zh"),
    ],
    "cleanliness": [("dirty", "en"), ("not clean", "en"), ("不干净", "zh")],
    "check-in-wait": [("check-in", "en"), ("key", "en"), ("入住", "zh")],
}


def load(*, stdout) -> int:
    created = 0
    topics = Topic.objects.in_bulk(list(KEYWORDS), field_name="slug")
    for slug, phrases in KEYWORDS.items():
        topic = topics.get(slug)
        if topic is None:
            continue
        for phrase, language in phrases:
            _keyword, was = TopicKeyword.objects.get_or_create(
                topic=topic, phrase=phrase, defaults={"language": language}
            )
            created += int(was)
    if stdout is not None and created:
        stdout.write(f"coding: {created} demo keywords created")
    return created
