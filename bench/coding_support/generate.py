"""Build the labelled set of the coding benches (bench/coding_labelled.csv), deterministically.

Each text is what a customer wrote or an agent noted, mostly short: the complaint in one of
many phrasings (English, Chinese, agent shorthand, pinyin or mixed), sometimes an opening,
a detail or a closing. Six in ten are drawn from topics.HARD: terse, vague wording whose
words other topics share ("charged twice", "screen freezes since update"). A third mention
another topic in passing - praised, negated ("battery is fine though but ...") or as a
lesser complaint - while the label stays the main one. English words get typos. About one
text in ten fits no topic, some of them vague complaints. Columns: text, topic (empty: no
topic), language, split.

`split` is "train" for the third of the set that plays the confirmed codings and "test"
for the rest. Half of each topic's phrasings never appear in the train part, so most of
the test is worded in ways the model has not seen.

    python bench/coding_support/generate.py        # rewrites bench/coding_labelled.csv
"""

import csv
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from coding_support.topics import DOMAIN, HARD, HARD_NO_TOPIC, NO_TOPIC, PHRASES  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "coding_labelled.csv"
PER_TOPIC = 150
NO_TOPIC_ROWS = 260
HARD_SHARE = 0.6
LANGUAGES = (("en", 0.36), ("sh", 0.2), ("zh", 0.32), ("mix", 0.12))

PRODUCTS = ["X2", "X2 Pro", "Lite 5", "phone", "new phone", "X3"]
OPEN = {
    "en": [
        "",
        "",
        "",
        "Hi, ",
        "Hello, ",
        "Complaint: ",
        "Hi team - ",
        "So ",
        "Honestly ",
        "To whom it may concern, ",
        "ugh, ",
        "Re: order {n}{n}{n}{n} - ",
        "Dear support, ",
    ],
    "sh": [
        "",
        "",
        "WO#{n}{n}{n}{n}{n}: ",
        "cust called - ",
        "inb call: ",
        "chat: ",
        "T2 note: ",
        "CSR: ",
        "email: ",
        "walk-in: ",
    ],
    "zh": [
        "",
        "",
        "",
        "您好，",
        "投诉：",
        "客户反映：",
        "用户来电称",
        "你好，",
        "在线咨询：",
        "差评！",
        "我想反映一下，",
    ],
    "mix": ["", "", "cust 反馈：", "Hi，", "客户说 ", "WO{n}{n}{n}{n}: "],
}
CLOSE = {
    "en": [
        "",
        "",
        "",
        ". Please help.",
        ". Very disappointed.",
        "!!!",
        ". Fix it asap",
        ". thx",
        ". What can I do?",
        ". Not happy.",
        ". Second time this happens.",
        ". Expected better for the price.",
    ],
    "sh": [
        "",
        "",
        "",
        ", adv cust",
        ", esc L2",
        ", FU in 48h",
        ", ticket closed",
        ", pending",
        ", cust ok w/ solution",
        ", cb tmrw",
    ],
    "zh": [
        "",
        "",
        "",
        "，请尽快处理",
        "，太失望了",
        "！！",
        "，谢谢",
        "，怎么办",
        "，希望给个说法",
        "，第二次了",
    ],
    "mix": ["", "", " pls help", "，thx", " asap", "，very 失望"],
}
DETAIL = {
    "phone": {
        "en": [
            "I bought the {p} {d} months ago",
            "it's still under warranty",
            "I use the original cable",
            "I already restarted it",
            "model {p}",
        ],
        "zh": ["买了{d}个月", "还在保修期内", "用的是原装充电器", "已经重启过了", "型号{p}"],
    },
    "hotel": {
        "en": [
            "we stayed {n} nights",
            "room {n}{n}{n}",
            "booked through the app",
            "we're members",
            "it was our anniversary trip",
        ],
        "zh": ["住了{n}晚", "房间号{n}{n}{n}", "在app上订的", "我们是会员", "带着孩子出来玩"],
    },
    "diaper": {
        "en": [
            "baby is {n} months old",
            "we use size L",
            "bought at the supermarket",
            "the night version",
            "second pack like this",
        ],
        "zh": ["宝宝{n}个月", "用的L码", "在超市买的", "夜用款", "第二包了"],
    },
}
ASIDE = {  # a passing mention of another topic (the label stays the main complaint)
    "battery-life": ("battery is fine though", "电池倒是还行"),
    "screen-durability": ("no cracks on the screen", "屏幕没问题"),
    "charging-port": ("charging works fine", "充电正常"),
    "camera": ("camera is ok", "拍照还可以"),
    "software-updates": ("software is up to date", "系统是最新的"),
    "delivery-time": ("delivery was quick", "快递挺快"),
    "staff-attitude": ("the staff were friendly", "服务态度不错"),
    "price-refund": ("not asking for a refund", "不要求退款"),
    "check-in-wait": ("check-in was quick", "入住很快"),
    "cleanliness": ("room was clean", "房间挺干净"),
    "room-noise": ("it was quiet", "晚上很安静"),
    "breakfast": ("breakfast was good", "早餐不错"),
    "diaper-breathability": ("no rash so far", "没起疹子"),
    "diaper-absorbency": ("no leaks", "不漏"),
    "diaper-size": ("size fits", "尺码合适"),
}
KEYS = "qwertyuiopasdfghjklzxcvbnm"
NEIGHBOURS = {c: KEYS[max(0, i - 1)] + KEYS[min(len(KEYS) - 1, i + 1)] for i, c in enumerate(KEYS)}


def fill(text, rng):
    makers = {
        "pct": lambda: str(rng.choice([5, 10, 15, 20, 30, 40, 60, 70, 78, 80, 85])),
        "h": lambda: str(rng.randint(2, 9)),
        "d": lambda: str(rng.randint(2, 14)),
        "p": lambda: rng.choice(PRODUCTS),
        "n": lambda: str(rng.randint(1, 9)),
    }
    return re.sub(r"\{(pct|h|d|p|n)\}", lambda m: makers[m.group(1)](), text)


def typo(word, rng):
    if len(word) < 4 or not word.isascii() or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.55:
        return word[:i] + word[i + 1 :]
    if kind < 0.75:
        return word[:i] + word[i] + word[i:]
    near = NEIGHBOURS.get(word[i].lower(), word[i])
    return word[:i] + rng.choice(near) + word[i + 1 :]


def garble(text, rng):
    """Typos in a few English words, sometimes lowercase or no punctuation."""
    words = text.split(" ")
    for _ in range(rng.choice([1, 1, 2, 3])):
        j = rng.randrange(len(words))
        words[j] = typo(words[j], rng)
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.2:
        text = text.replace(",", "").replace(".", "")
    return text


def compose(topic, phrases, lang, rng):
    core = fill(rng.choice(phrases), rng)
    zh_side = lang in ("zh", "mix")
    opening = fill(rng.choice(OPEN[lang]), rng) if rng.random() < 0.4 else ""
    parts = [opening, core]
    domain = DOMAIN.get(topic) if topic else rng.choice(["phone", "hotel", "diaper"])
    if rng.random() < 0.15:
        detail = fill(rng.choice(DETAIL[domain]["zh" if zh_side else "en"]), rng)
        parts.append(("，" if zh_side else ", ") + detail)
    roll = rng.random()
    if topic and roll < 0.3:
        # Another topic of the same domain in passing: praised or negated ("battery fine
        # but ..."), or a lesser second complaint; the label stays the main complaint.
        others = [t for t, d in DOMAIN.items() if d == domain and t != topic]
        other = rng.choice(others)
        if roll < 0.15:
            en, zh = ASIDE[other]
            if rng.random() < 0.5:
                parts.insert(1, (zh + "，但") if zh_side else (en + " but "))
            else:
                parts.append(("，" + zh) if zh_side else (", " + en))
        else:
            minor = fill(rng.choice(HARD[other]["zh" if zh_side else "en"]), rng)
            parts.append(("，还有点" + minor) if zh_side else (", also a bit of " + minor))
    if rng.random() < 0.4:
        parts.append(fill(rng.choice(CLOSE[lang]), rng))
    text = "".join(parts).strip(" ,")
    if lang in ("en", "sh", "mix") and rng.random() < 0.5:
        text = garble(text, rng)
    if lang == "en" and rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    return text


def pick_language(rng):
    roll, total = rng.random(), 0.0
    for lang, share in LANGUAGES:
        total += share
        if roll < total:
            return lang
    return "en"


def rows_for(topic, table, hard, count, rng):
    unseen = {}
    for lang, phrases in [*table.items(), *(hard or {}).items()]:
        shuffled = list(phrases)
        rng.shuffle(shuffled)
        unseen.setdefault(lang, set()).update(shuffled[: max(1, len(shuffled) // 2)])
    rows = []
    for _ in range(count):
        lang = pick_language(rng)
        phrase = rng.choice(table[lang])
        if hard and rng.random() < HARD_SHARE:
            phrase = rng.choice(hard[lang])
        text = compose(topic, [phrase], lang, rng)
        rows.append((text, topic, lang, phrase in unseen[lang]))
    return rows


def generate(seed=15):
    rng = random.Random(seed)
    rows = []
    for topic, table in PHRASES.items():
        rows += rows_for(topic, table, HARD[topic], PER_TOPIC, rng)
    rows += rows_for("", NO_TOPIC, HARD_NO_TOPIC, NO_TOPIC_ROWS, rng)
    rng.shuffle(rows)
    # One third of each topic is "confirmed codings", drawn from the seen phrasings.
    out = []
    by_topic = {}
    for row in rows:
        by_topic.setdefault(row[1], []).append(row)
    chosen = set()
    for topic, members in by_topic.items():
        seen = [i for i, r in enumerate(rows) if r[1] == topic and not r[3]]
        chosen.update(seen[: round(len(members) / 3)])
    for i, (text, topic, lang, _unseen) in enumerate(rows):
        language = {"sh": "en", "mix": "mixed"}.get(lang, lang)
        out.append((text, topic, language, "train" if i in chosen else "test"))
    return out


def stream(count, seed=1, no_topic_share=0.1):
    """`count` (text, topic) pairs drawn like the labelled set, made one at a time."""
    rng = random.Random(seed)
    topics = list(PHRASES)
    for _ in range(count):
        if rng.random() < no_topic_share:
            topic, table, hard = "", NO_TOPIC, HARD_NO_TOPIC
        else:
            topic = rng.choice(topics)
            table, hard = PHRASES[topic], HARD[topic]
        lang = pick_language(rng)
        phrases = hard[lang] if rng.random() < HARD_SHARE else table[lang]
        yield compose(topic, phrases, lang, rng), topic


def main():
    rows = generate()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic", "language", "split"])
        writer.writerows(rows)
    train = sum(r[3] == "train" for r in rows)
    print(f"{len(rows)} texts ({train} train, {len(rows) - train} test) -> {OUT.name}")


if __name__ == "__main__":
    main()
