"""Coding free text to topics: keyword rules, a learned classifier and clustering.

Pure machine learning, no Django: the `coding` app's services and tasks call these
functions with plain strings and dictionaries.

- `match_keywords` applies a topic's keywords and phrases (English with word boundaries
  and simple plural/-ed/-ing forms, Chinese as substrings).
- `train` learns from confirmed codings. Features are TF-IDF English word uni- and
  bigrams plus character n-grams inside words (they read Chinese without a word
  segmenter and survive typos and shorthand); a multinomial logistic regression gives
  the confidences, calibrated by a temperature fitted on held-back codings. A share of
  the codings is held back (stratified) to measure accuracy, then the model is refitted
  on all of them.
- `decide` / `decide_many` combine both: one unambiguous rule match codes the text, else
  the model codes above the threshold, else the text goes to the queue. Texts in other
  languages are coded by rule only.
- `cluster` groups texts that fit no topic, with their most typical words.
- `TrainedModel.dumps` writes a plain format (a JSON header and numpy arrays, no pickle),
  signed with an HMAC so that a file changed by anyone else does not load.
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

MAX_CHARS = 2000
"""Texts are cut to this many characters for the model (the text itself is kept whole)."""

FORMAT_VERSION = 1
MAGIC = b"QMSCODE"
DEFAULT_SECRET = b"qms-coding-model"
BATCH = 4096
"""decide_many vectorises this many texts at a time, so memory does not grow with input."""

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


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _keyword_pattern(keyword: str) -> str | None:
    keyword = normalise(keyword)
    if not keyword:
        return None
    parts = []
    for piece in re.split(r"([ \-])", keyword):
        if piece in (" ", "-"):
            parts.append(r"[ \-]?")
        elif piece:
            parts.append(re.escape(piece))
    body = "".join(parts)
    if keyword[-1].isascii() and keyword[-1].isalpha() and len(keyword) > 2:
        # simple English forms: drain/drains/drained/draining, charge/charges/charging,
        # battery/batteries
        stem = keyword.rsplit(" ", 1)[-1]
        if stem.endswith("e"):
            body = body[:-1] + "(?:e|es|ed|ing)"
        elif stem.endswith("y") and len(stem) > 3 and stem[-2] not in "aeiou":
            body = body[:-1] + "(?:y|ies|ied|ying)"
        else:
            body += "(?:s|es|ed|ing)?"
    left = r"(?<![a-z0-9])" if _is_ascii_alnum(keyword[0]) else ""
    right = r"(?![a-z0-9])" if _is_ascii_alnum(keyword[-1]) else ""
    return left + body + right


@functools.lru_cache(maxsize=64)
def _compile_rules(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> list:
    rules = []
    for topic, words in frozen:
        patterns = sorted({p for p in map(_keyword_pattern, words) if p}, key=len, reverse=True)
        if patterns:
            rules.append((topic, re.compile("|".join(patterns))))
    return rules


def _rules(keywords: dict[str, list[str]]) -> list:
    frozen = tuple((topic, tuple(words or ())) for topic, words in sorted((keywords or {}).items()))
    return _compile_rules(frozen)


def _match(normalised: str, rules: list) -> list[str]:
    if not normalised:
        return []
    return [topic for topic, pattern in rules if pattern.search(normalised)]


def match_keywords(text: str, keywords: dict[str, list[str]]) -> list[str]:
    """The topic keys whose keywords or phrases occur in the text (sorted by key)."""
    return _match(normalise(text), _rules(keywords))


# --- features -----------------------------------------------------------------------

_WORD_TOKENS = r"(?u)\b[a-z][a-z0-9']+\b"


def _word_vectorizer(**kwargs) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="word",
        token_pattern=_WORD_TOKENS,
        ngram_range=(1, 2),
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
        **kwargs,
    )


def _char_vectorizer(**kwargs) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 3),
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
        **kwargs,
    )


class _Features:
    """Word and character TF-IDF side by side, rebuildable from plain data."""

    def __init__(self, word: TfidfVectorizer, char: TfidfVectorizer):
        self.word = word
        self.char = char

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 1) -> _Features:
        word = _word_vectorizer(min_df=min_df)
        char = _char_vectorizer(min_df=min_df)
        try:
            word.fit(texts)
        except ValueError:  # no English word at all
            word = _word_vectorizer(vocabulary=["battery"]).fit(["battery"])
        char.fit(texts)
        return cls(word, char)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

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

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability of each topic (columns in `topics` order), per text."""
        normalised = [normalise(t) for t in texts]
        return self._probabilities(normalised)

    def _probabilities(self, normalised: Sequence[str]) -> np.ndarray:
        if not len(normalised):
            return np.zeros((0, len(self.topics)))
        X = self.features.transform(normalised)
        scores = np.asarray(X @ self.coef.T, dtype=np.float64) + self.intercept
        return _softmax(scores / self.temperature)

    def suggest(self, texts: list[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """Per text, the `top` likeliest topics with their confidence, best first."""
        return [self._ranked(row, top) for row in self.probabilities(texts)]

    def _ranked(self, row: np.ndarray, top: int = 3) -> list[tuple[str, float]]:
        order = np.argsort(-row)[:top]
        return [(self.topics[i], round(float(row[i]), 4)) for i in order]

    # -- storage --

    def dumps(self, secret: bytes = DEFAULT_SECRET) -> bytes:
        """The model as bytes: magic, version, HMAC-SHA256, then JSON header + arrays."""
        vocab_meta, arrays = self.features.state()
        header = {
            "version": FORMAT_VERSION,
            "topics": self.topics,
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
            coef = arrays["coef"]
            intercept = arrays["intercept"].astype(np.float64)
            n_features = len(features.word.vocabulary) + len(features.char.vocabulary)
            if coef.shape != (len(topics), n_features) or intercept.shape != (len(topics),):
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
            )
        except ModelLoadError:
            raise
        except (KeyError, ValueError, TypeError, OSError, UnicodeDecodeError) as exc:
            raise ModelLoadError(f"The stored model cannot be read: {exc}") from exc


def _fit(texts: list[str], labels: np.ndarray, n_topics: int, seed: int):
    features = _Features.fit(texts, min_df=2 if len(texts) >= 2000 else 1)
    X = features.transform(texts)
    clf = LogisticRegression(C=20.0, max_iter=300, tol=1e-3, random_state=seed)
    clf.fit(X, labels)
    coef = np.zeros((n_topics, X.shape[1]), dtype=np.float32)
    intercept = np.zeros(n_topics)
    if n_topics == 2:  # binary: scikit-learn keeps one row, for the second class
        coef[1] = clf.coef_[0]
        intercept[1] = clf.intercept_[0]
    else:
        coef[clf.classes_] = clf.coef_
        intercept[clf.classes_] = clf.intercept_
        intercept[np.setdiff1d(np.arange(n_topics), clf.classes_)] = -1e3
    return features, coef, intercept


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
        chosen = predicted == i
        actual = labels == i
        per_topic[topic] = {
            "precision": float(right[chosen].mean()) if chosen.any() else None,
            "recall": float(right[actual].mean()) if actual.any() else None,
            "support": int(actual.sum()),
        }
    thresholds = {}
    for threshold in THRESHOLDS:
        coded = confidence >= threshold
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

    Needs at least two topics; raises ValueError otherwise."""
    pairs = [(normalise(text), topic) for text, topic in examples if topic]
    pairs = [(text, topic) for text, topic in pairs if text]
    topics = sorted({topic for _, topic in pairs})
    if len(topics) < 2:
        raise ValueError("Training needs confirmed codings of at least two topics.")
    index = {topic: i for i, topic in enumerate(topics)}
    texts = [text for text, _ in pairs]
    labels = np.array([index[topic] for _, topic in pairs])
    counts = np.bincount(labels, minlength=len(topics))

    accuracy = None
    metrics: dict = {}
    temperature = 1.0
    n_test = int(round(len(texts) * holdout))
    if n_test >= len(topics) and counts.min() >= 2 and len(texts) - n_test >= len(topics):
        train_idx, test_idx = train_test_split(
            np.arange(len(texts)), test_size=n_test, stratify=labels, random_state=seed
        )
        features, coef, intercept = _fit(
            [texts[i] for i in train_idx], labels[train_idx], len(topics), seed
        )
        X_test = features.transform([texts[i] for i in test_idx])
        scores = np.asarray(X_test @ coef.T, dtype=np.float64) + intercept
        temperature = _fit_temperature(scores, labels[test_idx])
        metrics = evaluate(topics, _softmax(scores / temperature), labels[test_idx])
        accuracy = metrics["accuracy"]
    features, coef, intercept = _fit(texts, labels, len(topics), seed)
    return TrainedModel(
        topics=topics,
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


def _combine(
    matched: list[str],
    language: str,
    ranked: list[tuple[str, float]] | None,
    threshold: float,
) -> Decision:
    ranked = ranked or []
    if language == "other":
        ranked = []
    suggestions = list(ranked)
    for topic in matched:
        if topic not in dict(suggestions):
            suggestions.append((topic, 1.0 if len(matched) == 1 else 0.0))
    if len(matched) == 1:
        suggestions.sort(key=lambda s: (s[0] != matched[0], -s[1]))
        return Decision(matched[0], 1.0, "rule", suggestions, language)
    if ranked and ranked[0][1] >= threshold:
        return Decision(ranked[0][0], ranked[0][1], "model", suggestions, language)
    return Decision(None, ranked[0][1] if ranked else 0.0, None, suggestions, language)


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
    matched = [_match(t, rules) for t in normalised]
    ranked: list = [None] * len(texts)
    if model is not None:
        todo = [i for i, t in enumerate(normalised) if t and languages[i] != "other"]
        if todo:
            probabilities = model._probabilities([normalised[i] for i in todo])
            for i, row in zip(todo, probabilities, strict=True):
                ranked[i] = model._ranked(row)
    return [_combine(matched[i], languages[i], ranked[i], threshold) for i in range(len(texts))]


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
    "got one two day days said says"
)
_ZH_STOP = set("的了是我在有不也都就和很吗吧呢啊这那个一")


def _terms(text: str) -> set[str]:
    """Readable terms: English words and Chinese two- and three-character runs."""
    terms = {w for w in _WORD.findall(text) if len(w) > 2 and w not in _STOP}
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        for n in (2, 3):
            for i in range(len(run) - n + 1):
                gram = run[i : i + n]
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
            (round(count / size - everyone.get(term, 0) / total, 3), count, len(term), term)
            for term, count in counts.items()
            if count >= 2 or size < 3
        ),
        reverse=True,
    )
    chosen: list[str] = []
    for _score, _count, _length, term in scored:
        if any(term in other or other in term for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def cluster(texts: list[str], *, max_groups: int = 12, seed: int = 0) -> list[Group]:
    """Group texts by their word and character features; biggest group first."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
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
        features = _Features.fit(docs)
        X = normalize(features.transform(docs))
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
            score = silhouette_score(X[sample], found[sample], metric="cosine")
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
