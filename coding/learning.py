"""Coding free text to topics: keyword rules, a learned classifier and clustering.

Pure machine learning, no Django: the `coding` app's services and tasks call these
functions with plain strings and dictionaries.

- `match_keywords` applies a topic's keywords and phrases (English with word boundaries
  and simple plural/-ed/-ing forms, Chinese as substrings).
- `train` learns from confirmed codings. Features are TF-IDF English word uni- and
  bigrams plus character one- to three-grams (they read Chinese without a word
  segmenter and survive typos and shorthand); a multinomial logistic regression gives
  the confidences, calibrated by a temperature fitted on held-back codings. A share of
  the codings is held back (stratified) to measure accuracy, then the model is refitted
  on all of them.
- `decide` / `decide_many` combine both: one unambiguous rule match codes the text, else
  the model codes above the threshold, else the text goes to the queue. A keyword only
  mentioned in passing - negated or praised ("no leaks", "breakfast was good",
  "not asking for a refund", "快递挺快", "不要求退款") - does not count as a match there.
  Texts in other languages are coded by rule only.
- `cluster` groups texts that fit no topic, with their most typical words.
- `TrainedModel.dumps` writes a plain format (a JSON header and numpy arrays, no pickle),
  signed with an HMAC so that a file changed by anyone else does not load.

Typical use:

    model = train(pairs)                         # (text, topic key); NO_TOPIC for "none"
    data = model.dumps(secret=key)               # key: bytes the portal keeps secret
    model = TrainedModel.loads(data, secret=key)  # ModelLoadError: code by rules only
    decisions = decide_many(texts, keywords, model, DEFAULT_THRESHOLD)
    groups = cluster(uncoded_texts)              # candidate new topics, biggest first
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import json
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import ComplementNB

MAX_CHARS = 2000
"""Texts are cut to this many characters for the model (the text itself is kept whole)."""

FORMAT_VERSION = 1
MAGIC = b"QMSCODE"
DEFAULT_SECRET = b"qms-coding-model"
BATCH = 4096
"""decide_many vectorises this many texts at a time, so memory does not grow with input."""

DEFAULT_THRESHOLD = 0.7
"""The model codes a text when its confidence reaches this; below, the text is queued.
On the bench's labelled set this codes about two thirds of the texts, nine in ten right."""

NO_TOPIC = "-"
"""The topic key of a confirmed coding that says: this text fits none of the topics."""

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class ModelLoadError(Exception):
    """The stored model is damaged, signed with another key or of an incompatible version."""


# --- text ---------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u1100-\u11ff]")
_LATIN = re.compile(r"[a-z]")
_OTHER_LETTER = re.compile(r"[^\W\d_a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z][a-z']*")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Frequent function words: enough to tell English from other languages in Latin script.
_EN_WORDS = _wordset(
    "the a an and or but is are was were be been it its this that to of in on at for with "
    "my me i you he she we they not no after before when so very too can cant can't does "
    "doesn't did didn't have has had just only will would from up down out all any again "
    "phone battery screen room staff please still also than then there here what why"
)
_FOREIGN_WORDS = _wordset(
    "der die das und ist nicht mit ein eine ich sie es zu auf den dem des von "
    "le la les et est une un pas avec je il elle pour dans des du au sur que qui "
    "el los las y es una por con para del se lo muy pero como "
    "il di che non per una sono della gli "
    "não com uma para os as muito mas "
    "het een niet voor met zijn"
)


def normalise(text: str) -> str:
    """Lowercase, fold full-width forms (NFKC), collapse spaces, cut to MAX_CHARS."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).lower()
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


def detect_language(text: str) -> str:
    """ "zh" when the text has Chinese characters (mixed Chinese-English included), "en"
    for English, "other" for other scripts and Latin-script texts in other languages."""
    text = normalise(text)
    cjk = len(_CJK.findall(text))
    if _KANA_HANGUL.search(text):
        return "other"
    latin = len(_LATIN.findall(text))
    other = len(_OTHER_LETTER.findall(text))
    if cjk and cjk * 4 >= other:
        return "zh"
    if other > latin * 0.2 or not latin:
        return "other"
    words = _WORD.findall(text)
    english = sum(w in _EN_WORDS for w in words)
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    if foreign > english and foreign >= 2:
        return "other"
    return "en"


# --- keyword rules ------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9\u00c0-\u024f]+")
_MAX_PHRASE = 4


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude English stem, applied alike to keywords and texts: drains, drained and
    draining match drain; batteries matches battery; charging matches charge."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith(("ed", "es")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


class _Rules:
    """Keywords compiled for matching. English (and other Latin-script) keywords match
    whole words and phrases, by stem, across spaces and hyphens ("check-in", "check in",
    "checkin"); keywords with Chinese characters match as substrings."""

    def __init__(self, frozen: tuple[tuple[str, tuple[str, ...]], ...]):
        self.phrases: dict[str, set[str]] = {}
        self.substrings: dict[str, set[str]] = {}
        self.longest = 1
        for topic, words in frozen:
            for keyword in words:
                keyword = normalise(keyword)
                if not keyword:
                    continue
                if _CJK.search(keyword) or not _TOKEN.search(keyword):
                    self.substrings.setdefault(keyword, set()).add(topic)
                    continue
                stems = [_stem(t) for t in _TOKEN.findall(keyword)][:_MAX_PHRASE]
                self.phrases.setdefault(" ".join(stems), set()).add(topic)
                if len(stems) > 1:  # "check in" also as "checkin"
                    joined = _stem("".join(_TOKEN.findall(keyword)))
                    self.phrases.setdefault(joined, set()).add(topic)
                self.longest = max(self.longest, len(stems))

    def match(self, normalised: str, passing: bool = True) -> list[str]:
        """The topics whose keywords occur; with passing=False, leaves out keywords only
        mentioned in passing - negated or praised ("no leaks", "breakfast was good",
        "not asking for a refund", "快递挺快", "不要求退款")."""
        found: set[str] = set()
        if self.phrases:
            tokens = _TOKEN.findall(normalised)
            stems = [_stem(t) for t in tokens]
            phrases = self.phrases
            for n in range(1, self.longest + 1):
                for i in range(len(stems) - n + 1):
                    topics = phrases.get(" ".join(stems[i : i + n]) if n > 1 else stems[i])
                    if topics and (passing or not _passing_en(tokens, i, i + n)):
                        found |= topics
        for keyword, topics in self.substrings.items():
            start = normalised.find(keyword)
            while start >= 0:
                if passing or not _passing_zh(normalised, start, start + len(keyword)):
                    found |= topics
                    break
                start = normalised.find(keyword, start + 1)
        return sorted(found)


_NEGATORS = frozenset(("no", "not", "never", "without", "nothing"))
_NEGATED_WISH = frozenset(("asking", "ask", "need", "want", "wanting", "requesting"))
_COPULAS = frozenset(("is", "was", "are", "were", "works", "worked", "seems", "looks", "went"))
_PRAISE = _wordset("fine ok okay good great quick fast nice friendly lovely perfect clean quiet")
_ZH_PRAISE = (
    "合适",
    "不错",
    "还行",
    "挺好",
    "很好",
    "正常",
    "没问题",
    "挺快",
    "很快",
    "干净",
    "可以",
)
_ZH_NEGATED = ("不要求", "不需要", "不用", "没有", "不想")


def _passing_en(tokens: list[str], start: int, end: int) -> bool:
    before = tokens[max(0, start - 3) : start]
    if before and before[-1] in _NEGATORS:  # "no leaks", "not noisy"
        return True
    if any(t in _NEGATORS for t in before) and any(t in _NEGATED_WISH for t in before):
        return True  # "not asking for a refund", "no need for a refund"
    after = tokens[end : end + 2]
    if after and after[0] in _PRAISE and after[0] not in ("quick", "fast"):
        return True  # "battery fine", "camera ok"
    return len(after) == 2 and after[0] in _COPULAS and after[1] in _PRAISE


def _passing_zh(normalised: str, start: int, end: int) -> bool:
    after = normalised[end : end + 4]
    before = normalised[max(0, start - 3) : start]
    return any(after.startswith(w) or after[1:].startswith(w) for w in _ZH_PRAISE) or any(
        before.endswith(w) for w in _ZH_NEGATED
    )


@functools.lru_cache(maxsize=64)
def _compile_rules(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> _Rules:
    return _Rules(frozen)


def _rules(keywords: dict[str, list[str]]) -> _Rules:
    frozen = tuple((topic, tuple(words or ())) for topic, words in sorted((keywords or {}).items()))
    return _compile_rules(frozen)


def _match(normalised: str, rules: _Rules, passing: bool = True) -> list[str]:
    return rules.match(normalised, passing) if normalised else []


def match_keywords(text: str, keywords: dict[str, list[str]]) -> list[str]:
    """The topic keys whose keywords or phrases occur in the text (sorted by key)."""
    return _match(normalise(text), _rules(keywords))


# --- features -----------------------------------------------------------------------

WORD_NGRAMS = (1, 2)
CHAR_ANALYZER = "char"
CHAR_NGRAMS = (1, 3)
REGULARISATION = 20.0
MAX_ITER = 200
_WORD_TOKENS = r"(?u)\b[a-z][a-z0-9']+\b"


def _word_vectorizer(**kwargs) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word",
        token_pattern=_WORD_TOKENS,
        ngram_range=WORD_NGRAMS,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
        **kwargs,
    )


def _char_vectorizer(**kwargs) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=CHAR_ANALYZER,
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
        **kwargs,
    )


_BITS = 21  # every Unicode code point fits in 21 bits; three fit in one uint64


def _gram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    keys = codes[: len(codes) - n + 1].copy()
    for j in range(1, n):
        keys <<= np.uint64(_BITS)
        keys |= codes[j : len(codes) - n + 1 + j]
    return keys


class _CharGrams:
    """The character TF-IDF of a fitted vectoriser, computed with numpy: the texts of a
    batch become one array of code points and every one-, two- and three-character run a
    64-bit key looked up in the sorted vocabulary. Gives what the vectoriser's own
    transform gives (it counts in Python, n-gram by n-gram), many times faster."""

    def __init__(self, vectorizer: TfidfVectorizer):
        self.ns = range(vectorizer.ngram_range[0], vectorizer.ngram_range[1] + 1)
        self.width = len(vectorizer.vocabulary_)
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        keys, columns = [], []
        for term, column in vectorizer.vocabulary_.items():
            if 1 <= len(term) <= 3 and "\x00" not in term:
                codes = np.frombuffer(term.encode("utf-32-le"), dtype=np.uint32)
                keys.append(int(_gram_keys(codes.astype(np.uint64), len(term))[0]))
                columns.append(column)
        order = np.argsort(np.array(keys, dtype=np.uint64))
        self.keys = np.array(keys, dtype=np.uint64)[order]
        self.columns = np.array(columns, dtype=np.int64)[order]

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        from sklearn.preprocessing import normalize

        joined = "\x00".join(texts) + "\x00"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        separator = codes == 0
        document = np.cumsum(separator) - separator
        rows, cols = [], []
        for n in self.ns:
            if len(codes) < n or not len(self.keys):
                continue
            keys = _gram_keys(codes, n)
            valid = ~separator[: len(keys)].copy()
            for j in range(1, n):
                valid &= ~separator[j : len(keys) + j]
            where = np.flatnonzero(valid)
            keys = keys[where]
            found = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            hit = self.keys[found] == keys
            rows.append(document[where[hit]])
            cols.append(self.columns[found[hit]])
        rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        counts = sparse.coo_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(texts), self.width)
        ).tocsr()
        counts.sum_duplicates()
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= self.idf[counts.indices]
        return normalize(counts).astype(np.float32)


class _Features:
    """Word and character TF-IDF side by side, rebuildable from plain data."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer):
        self.word = word
        self.char = char
        self._fast_char = None

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 1) -> _Features:
        built = []
        for factory in (_word_vectorizer, _char_vectorizer):
            try:
                built.append(factory(min_df=min_df).fit(texts))
            except ValueError:  # nothing left after pruning, or no English word at all
                try:
                    built.append(factory().fit(texts))
                except ValueError:  # a placeholder term no text produces
                    built.append(factory(vocabulary=["\x00\x00\x00"]).fit(["\x00\x00\x00"]))
        return cls(*built)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.transform(texts), self.char_transform(texts)], format="csr")

    def char_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if self.char.analyzer != "char" or any("\x00" in t for t in texts):
            return self.char.transform(texts)
        if self._fast_char is None:
            self._fast_char = _CharGrams(self.char)
        return self._fast_char.transform(texts)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {}
        arrays = {}
        for name, vec in (("word", self.word), ("char", self.char)):
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            meta[name] = vocab
            arrays[f"{name}_idf"] = vec.idf_.astype(np.float64)
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> _Features:
        built = {}
        for name, factory in (("word", _word_vectorizer), ("char", _char_vectorizer)):
            vocab = meta[name]
            idf = arrays[f"{name}_idf"]
            if not isinstance(vocab, list) or len(vocab) != len(idf):
                raise ModelLoadError("The model's vocabulary does not match its weights.")
            vec = factory(vocabulary={term: i for i, term in enumerate(vocab)})
            vec.idf_ = idf
            built[name] = vec
        return cls(built["word"], built["char"])


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


# --- the model ----------------------------------------------------------------------


@dataclass
class TrainedModel:
    """A classifier learned from confirmed codings; plain arrays, no pickled objects."""

    topics: list[str]
    n_examples: int
    accuracy: float | None
    metrics: dict
    features: _Features = field(repr=False)
    coef: np.ndarray = field(repr=False)
    intercept: np.ndarray = field(repr=False)
    temperature: float = 1.0
    classes: list[str] | None = field(default=None, repr=False)
    """The rows of `coef`: the topics, and NO_TOPIC when it was trained with texts that
    fit no topic."""

    def __post_init__(self):
        if self.classes is None:
            self.classes = list(self.topics)
        self._no_topic = self.classes.index(NO_TOPIC) if NO_TOPIC in self.classes else None

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability of each class (columns in `classes` order), per text."""
        normalised = [normalise(t) for t in texts]
        return self._probabilities(normalised)

    def _probabilities(self, normalised: Sequence[str]) -> np.ndarray:
        if not len(normalised):
            return np.zeros((0, len(self.classes)))
        X = self.features.transform(normalised)
        scores = np.asarray(X @ self.coef.T, dtype=np.float64) + self.intercept
        return _softmax(scores / self.temperature)

    def suggest(self, texts: list[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """Per text, the `top` likeliest topics with their confidence, best first."""
        return [self._ranked(row, top) for row in self.probabilities(texts)]

    def _ranked(self, row: np.ndarray, top: int = 3) -> list[tuple[str, float]]:
        order = [i for i in np.argsort(-row)[: top + 1] if i != self._no_topic][:top]
        return [(self.classes[i], round(float(row[i]), 4)) for i in order]

    # -- storage --

    def dumps(self, secret: bytes = DEFAULT_SECRET) -> bytes:
        """The model as bytes: magic, version, HMAC-SHA256, then JSON header + arrays."""
        vocab_meta, arrays = self.features.state()
        header = {
            "version": FORMAT_VERSION,
            "topics": self.topics,
            "classes": self.classes,
            "n_examples": self.n_examples,
            "accuracy": self.accuracy,
            "metrics": self.metrics,
            "temperature": self.temperature,
            "vocabulary": vocab_meta,
        }
        arrays = dict(arrays, coef=self.coef.astype(np.float32), intercept=self.intercept)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        head = json.dumps(header, ensure_ascii=False).encode()
        body = len(head).to_bytes(8, "big") + head + buffer.getvalue()
        mac = hmac.new(secret, body, hashlib.sha256).digest()
        return MAGIC + FORMAT_VERSION.to_bytes(2, "big") + mac + body

    @classmethod
    def loads(cls, data: bytes, secret: bytes = DEFAULT_SECRET) -> TrainedModel:
        """Read what `dumps` wrote; raises ModelLoadError for anything else."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ModelLoadError("A stored model is bytes.")
        data = bytes(data)
        start = len(MAGIC) + 2 + 32
        if len(data) < start + 8 or not data.startswith(MAGIC):
            raise ModelLoadError("This is not a stored coding model.")
        version = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 2], "big")
        if version != FORMAT_VERSION:
            raise ModelLoadError(
                f"The stored model has format {version}; this version reads {FORMAT_VERSION}."
            )
        mac, body = data[len(MAGIC) + 2 : start], data[start:]
        if not hmac.compare_digest(mac, hmac.new(secret, body, hashlib.sha256).digest()):
            raise ModelLoadError("The stored model is damaged or was not written by the portal.")
        try:
            size = int.from_bytes(body[:8], "big")
            header = json.loads(body[8 : 8 + size].decode())
            with np.load(io.BytesIO(body[8 + size :]), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            features = _Features.from_state(header["vocabulary"], arrays)
            topics = list(header["topics"])
            classes = list(header.get("classes") or topics)
            coef = arrays["coef"]
            intercept = arrays["intercept"].astype(np.float64)
            n_features = len(features.word.vocabulary) + len(features.char.vocabulary)
            if coef.shape != (len(classes), n_features) or intercept.shape != (len(classes),):
                raise ModelLoadError("The model's weights do not fit its topics.")
            return cls(
                topics=topics,
                n_examples=int(header["n_examples"]),
                accuracy=header["accuracy"],
                metrics=header["metrics"],
                features=features,
                coef=coef,
                intercept=intercept,
                temperature=float(header.get("temperature", 1.0)),
                classes=classes,
            )
        except ModelLoadError:
            raise
        except (KeyError, ValueError, TypeError, OSError, UnicodeDecodeError) as exc:
            raise ModelLoadError(f"The stored model cannot be read: {exc}") from exc


def _classifier(seed: int) -> LogisticRegression:
    return LogisticRegression(
        C=REGULARISATION, max_iter=MAX_ITER, tol=1e-3, random_state=seed, warm_start=True
    )


def _weights(clf: LogisticRegression, n_classes: int, n_features: int):
    coef = np.zeros((n_classes, n_features), dtype=np.float32)
    intercept = np.zeros(n_classes)
    if len(clf.classes_) == 2:  # binary: scikit-learn keeps one row, for the second class
        coef[clf.classes_[1]] = clf.coef_[0]
        intercept[clf.classes_[1]] = clf.intercept_[0]
    else:
        coef[clf.classes_] = clf.coef_
        intercept[clf.classes_] = clf.intercept_
    missing = np.setdiff1d(np.arange(n_classes), clf.classes_)
    intercept[missing] = -1e3
    return coef, intercept


NB_SMOOTHING = 0.3
NB_WEIGHT = 1.0
"""The logistic regression's weights get the complement naive Bayes log-probabilities
added (centred over the classes, times NB_WEIGHT): one linear model that leans on the
words a topic's texts share, which holds up better on wordings the codings lack."""


def _naive_bayes(X, labels: np.ndarray, n_classes: int) -> np.ndarray:
    nb = ComplementNB(alpha=NB_SMOOTHING).fit(X, labels)
    logp = nb.feature_log_prob_ - nb.feature_log_prob_.mean(axis=0)
    weights = np.zeros((n_classes, X.shape[1]), dtype=np.float32)
    weights[nb.classes_] = NB_WEIGHT * logp
    return weights


def _fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that makes the held-back confidences honest (least log loss)."""
    best, best_loss = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)):
        p = _softmax(scores / t)
        loss = -np.mean(np.log(p[np.arange(len(labels)), labels] + 1e-12))
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


def evaluate(topics: Sequence[str], probabilities: np.ndarray, labels: Sequence[int]) -> dict:
    """Accuracy, per-topic precision and recall, and coverage/precision per threshold."""
    labels = np.asarray(labels)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    right = predicted == labels
    per_topic = {}
    for i, topic in enumerate(topics):
        if topic == NO_TOPIC:
            continue
        chosen = predicted == i
        actual = labels == i
        per_topic[topic] = {
            "precision": float(right[chosen].mean()) if chosen.any() else None,
            "recall": float(right[actual].mean()) if actual.any() else None,
            "support": int(actual.sum()),
        }
    thresholds = {}
    no_topic = list(topics).index(NO_TOPIC) if NO_TOPIC in topics else -1
    for threshold in THRESHOLDS:
        coded = (confidence >= threshold) & (predicted != no_topic)
        thresholds[f"{threshold:.1f}"] = {
            "coverage": float(coded.mean()) if len(coded) else 0.0,
            "precision": float(right[coded].mean()) if coded.any() else None,
        }
    return {
        "accuracy": float(right.mean()) if len(right) else None,
        "held_back": int(len(labels)),
        "per_topic": per_topic,
        "thresholds": thresholds,
    }


def train(examples: list[tuple[str, str]], *, seed: int = 0, holdout: float = 0.2) -> TrainedModel:
    """Learn from (text, topic_key) pairs. Holds back a stratified share to measure the
    accuracy and calibrate the confidences, then refits on all of them.

    Texts confirmed as fitting no topic can be given with the topic key NO_TOPIC: the
    model learns them too, never suggests NO_TOPIC, and leaves such texts to the queue.
    Needs at least two topics; raises ValueError otherwise."""
    pairs = [(normalise(text), topic) for text, topic in examples if topic]
    pairs = [(text, topic) for text, topic in pairs if text]
    classes = sorted({topic for _, topic in pairs})
    topics = [c for c in classes if c != NO_TOPIC]
    if len(topics) < 2:
        raise ValueError("Training needs confirmed codings of at least two topics.")
    index = {topic: i for i, topic in enumerate(classes)}
    texts = [text for text, _ in pairs]
    labels = np.array([index[topic] for _, topic in pairs])
    counts = np.bincount(labels, minlength=len(classes))

    # The vocabulary is read from all texts; terms only the held-back texts have get no
    # weight in the measuring fit, so the measurement stays honest.
    features = _Features.fit(texts, min_df=2 if len(texts) >= 2000 else 1)
    X = features.transform(texts)
    clf = _classifier(seed)
    accuracy = None
    metrics: dict = {}
    temperature = 1.0
    n_test = int(round(len(texts) * holdout))
    if n_test >= len(classes) and counts.min() >= 2 and len(texts) - n_test >= len(classes):
        train_idx, test_idx = train_test_split(
            np.arange(len(texts)), test_size=n_test, stratify=labels, random_state=seed
        )
        clf.fit(X[train_idx], labels[train_idx])
        coef, intercept = _weights(clf, len(classes), X.shape[1])
        coef += _naive_bayes(X[train_idx], labels[train_idx], len(classes))
        scores = np.asarray(X[test_idx] @ coef.T, dtype=np.float64) + intercept
        temperature = _fit_temperature(scores, labels[test_idx])
        metrics = evaluate(classes, _softmax(scores / temperature), labels[test_idx])
        accuracy = metrics["accuracy"]
        if len(clf.classes_) != len(classes):
            clf = _classifier(seed)  # cannot start from a fit that lacked a class
    clf.fit(X, labels)  # all codings; starts from the measuring fit's weights
    coef, intercept = _weights(clf, len(classes), X.shape[1])
    coef += _naive_bayes(X, labels, len(classes))
    return TrainedModel(
        topics=topics,
        classes=classes,
        n_examples=len(texts),
        accuracy=accuracy,
        metrics=metrics,
        features=features,
        coef=coef,
        intercept=intercept,
        temperature=temperature,
    )


# --- deciding -----------------------------------------------------------------------


@dataclass
class Decision:
    """How one text is coded: `topic` None means it goes to the queue. `origin` is "rule",
    "model" or None; `suggestions` are the likeliest topics, best first."""

    topic: str | None
    confidence: float
    origin: str | None
    suggestions: list[tuple[str, float]]
    language: str = "en"


RULE_OVERRULED_BELOW = 0.05
"""A single rule match does not code the text when the model is sure (above the threshold)
of another topic and gives the rule's topic less than this: a passing or negated mention
("breakfast was fine, but the room was dirty") is not the text's topic."""


def _combine(
    matched: list[str],
    language: str,
    row: np.ndarray | None,
    model: TrainedModel | None,
    threshold: float,
) -> Decision:
    if language == "other" or row is None or model is None:
        row = None
        ranked: list[tuple[str, float]] = []
        best, confidence, topics = None, 0.0, []
    else:
        ranked = model._ranked(row)
        topics = model.classes
        top = int(row.argmax())
        best, confidence = topics[top], float(row[top])
        if best == NO_TOPIC:  # the model says: fits no topic
            best, confidence = None, ranked[0][1] if ranked else 0.0
    suggestions = list(ranked)
    known = {t for t, _ in ranked}
    for topic in matched:
        if topic not in known:
            suggestions.append((topic, 1.0 if len(matched) == 1 else 0.0))
    if len(matched) == 1:
        rule = matched[0]
        overruled = (
            row is not None
            and best != rule
            and float(row.max()) >= threshold
            and rule in topics  # a topic newer than the model: its rules stand
            and row[topics.index(rule)] < RULE_OVERRULED_BELOW
        )
        if not overruled:
            suggestions.sort(key=lambda s: (s[0] != rule, -s[1]))
            return Decision(rule, 1.0, "rule", suggestions, language)
    if best is not None and confidence >= threshold:
        return Decision(best, confidence, "model", suggestions, language)
    return Decision(None, confidence, None, suggestions, language)


def decide(
    text: str,
    keywords: dict[str, list[str]],
    model: TrainedModel | None,
    threshold: float,
) -> Decision:
    """Code one text: a single rule match codes it ("rule"); otherwise the model codes it
    when its confidence reaches the threshold ("model"); otherwise topic None (queue).
    Texts in other languages are coded by rule only."""
    return decide_many([text], keywords, model, threshold)[0]


def decide_many(
    texts: Iterable[str],
    keywords: dict[str, list[str]],
    model: TrainedModel | None,
    threshold: float,
) -> list[Decision]:
    """`decide` for many texts, vectorised in batches of BATCH texts."""
    rules = _rules(keywords)
    decisions: list[Decision] = []
    batch: list[str] = []
    for text in texts:
        batch.append(text or "")
        if len(batch) >= BATCH:
            decisions.extend(_decide_batch(batch, rules, model, threshold))
            batch = []
    if batch:
        decisions.extend(_decide_batch(batch, rules, model, threshold))
    return decisions


def _decide_batch(texts, rules, model, threshold) -> list[Decision]:
    normalised = [normalise(t) for t in texts]
    languages = [detect_language(t) for t in normalised]
    matched = [_match(t, rules, passing=False) for t in normalised]
    rows: list = [None] * len(texts)
    if model is not None:
        todo = [i for i, t in enumerate(normalised) if t and languages[i] != "other"]
        if todo:
            probabilities = model._probabilities([normalised[i] for i in todo])
            for i, row in zip(todo, probabilities, strict=True):
                rows[i] = row
    return [
        _combine(matched[i], languages[i], rows[i], model, threshold) for i in range(len(texts))
    ]


# --- new topics ---------------------------------------------------------------------


@dataclass
class Group:
    """Texts that belong together: their positions in the input, typical terms, size."""

    indices: list[int]
    top_terms: list[str]
    size: int


_STOP = _wordset(
    "the a an and or but is are was were be been it its this that to of in on at for with "
    "my me i you he she we they not no after before when so very too can does did have has "
    "had just only will would from up out all any again than then there here what why how "
    "our your their them his her am do don't doesn't didn't can't won't it's i'm also get "
    "got one two day days said says dear hi hello please help thanks thx want"
)
_ZH_STOP = set("的了是我在有不也都就和很吗吧呢啊这那个一给太到几么什怎得着过还又呀哦嘛被把让您你")


def _terms(text: str) -> set[str]:
    """Readable terms: English words and Chinese two-character runs (most Chinese words
    have two characters)."""
    terms = {w for w in _WORD.findall(text) if len(w) > 2 and w not in _STOP}
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if gram[0] not in _ZH_STOP and gram[-1] not in _ZH_STOP:
                terms.add(gram)
    return terms


def _top_terms(members: list[set[str]], everyone: dict[str, int], total: int, n=5):
    counts: dict[str, int] = {}
    for terms in members:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    size = len(members)
    scored = sorted(
        (
            (round(count / size - everyone[term] / total, 3), count, everyone[term], term)
            for term, count in counts.items()
            if count >= 2 or size < 3
        ),
        reverse=True,
    )
    chosen: list[str] = []
    for _score, _count, _overall, term in scored:
        # Chinese runs overlap ("尽快", "快处", "处理"): keep one of each
        if any(term in other or other in term for other in chosen) or (
            _CJK.match(term) and any(set(term) & set(other) for other in chosen)
        ):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def cluster(texts: list[str], *, max_groups: int = 12, seed: int = 0) -> list[Group]:
    """Group texts by their word and character features; biggest group first.

    The number of groups (2 to max_groups) is the one whose groups are best separated
    (silhouette). Texts are grouped by how they are written: the same complaint in English
    and in Chinese usually lands in two groups."""
    from threadpoolctl import threadpool_limits

    # k-means' worker threads only fight each other on a small, busy machine
    with threadpool_limits(limits=1):
        return _cluster(texts, max_groups, seed)


def _cluster(texts: list[str], max_groups: int, seed: int) -> list[Group]:
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import normalize

    normalised = [normalise(t) for t in texts]
    keep = [i for i, t in enumerate(normalised) if t]
    if not keep:
        return []
    if len(keep) < 3 or max_groups < 2:
        groups = [keep]
        labels = np.zeros(len(keep), dtype=int)
    else:
        docs = [normalised[i] for i in keep]
        X = _Features.fit(docs, min_df=2 if len(docs) >= 200 else 1).transform(docs)
        # Latent semantic analysis: a hundred dense dimensions, where texts that share
        # words and character runs lie close together; fast to group.
        dims = min(100, X.shape[0] - 1, X.shape[1] - 1)
        if dims >= 2:
            X = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(X)
        else:
            X = X.toarray()
        X = normalize(X)
        sample = np.random.default_rng(seed).permutation(len(keep))[:2000]
        best, best_score, labels = None, -1.0, np.zeros(len(keep), dtype=int)
        for k in range(2, min(max_groups, len(keep) - 1) + 1):
            if len(keep) > 5000:
                km = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=2048)
            else:
                km = KMeans(n_clusters=k, random_state=seed, n_init=3)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # duplicate texts: fewer distinct groups
                found = km.fit_predict(X)
            if len(set(found[sample])) < 2:
                continue
            score = silhouette_score(X[sample], found[sample])
            if score > best_score:
                best, best_score, labels = k, score, found
        if best is None:
            labels = np.zeros(len(keep), dtype=int)
        groups = [[keep[j] for j in np.flatnonzero(labels == g)] for g in sorted(set(labels))]
    term_sets = {i: _terms(normalised[i]) for i in keep}
    everyone: dict[str, int] = {}
    for terms in term_sets.values():
        for term in terms:
            everyone[term] = everyone.get(term, 0) + 1
    result = [
        Group(
            indices=members,
            top_terms=_top_terms([term_sets[i] for i in members], everyone, len(keep)),
            size=len(members),
        )
        for members in groups
    ]
    result.sort(key=lambda g: (-g.size, g.indices[0]))
    return result
