"""Train the spam filter's learned parts on the dev split of the real corpus; write ngram_model.json,
long_text_model.json and combiner.json.

    pip install -e ".[train]" && python benchmarks/train_spam_model.py

1. The character n-gram model (complaints_crawler.text.spam.ngram_model): logistic regression (L1, so few n-grams
   keep a weight) on the presence of character n-grams, rows scaled to unit length, classes weighted to balance,
   trained on the dev posts the model reads (mostly ASCII letters; pages are scored as pages, which it does not
   read). C is chosen by cross-validation over dev grouped by source domain: the smallest C within C_TOLERANCE of the
   best average precision.
2. The long-text model (complaints_crawler.text.spam.long_text_model): logistic regression (L2) on TF-IDF weighted
   counts of the same character n-grams (sublinear term frequency, rows scaled to unit length; the LONG_VOCABULARY
   n-grams most frequent in at least LONG_MIN_DF texts), classes weighted to balance, trained on the long dev texts
   (LONG_TEXT_WORDS tokens or more) in every language, C LONG_C.
3. The combiner: logistic regression over the short-post evidence (each feature's hinge activation, see
   model.FEATURES), the doorway-page and language evidence added with their hand-set weights. The bias stays at BIAS
   (a text without evidence scores 0.02, as a page does), weights are kept at or above zero, so each still reads as
   evidence of spam, and at most -BIAS (CAPS: less for what must not flag a text alone); classes are weighted to
   balance; the L2 strength is chosen by cross-validation grouped by source domain: the best F1 among those whose
   false-positive rate stays within MAX_FPR. The n-gram model's value on a dev text is the one a model trained
   without that text's domain gives (out of fold), so the combiner does not trust it more than it earns; the same
   holds for the long-text model.

Only dev texts are read.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GroupKFold, cross_val_predict, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import Normalizer  # noqa: E402

from complaints_crawler.text.spam import long_text_model, model, ngram_model  # noqa: E402

CORPUS = ROOT / "fixtures" / "spam" / "real" / "corpus.jsonl"
PACKAGE = Path(model.__file__).parent
# Learned: the short-post evidence. Hand-set: doorway pages (few in dev) and the language checks (dev spam from
# GitHub has no site language, so dev cannot tell what a mismatch is worth).
LEARNED = (
    "helpline_numbers",
    "number_prominence",
    "topic_terms",
    "topic_share",
    "strong_terms",
    "calls_to_action",
    "contact_handles",
    "links",
    "link_share",
    "sms_offer",
    "repeated_phrases",
    "keyword_chain",
    "glued_words",
    "decoration",
    "ngram_model",
    "long_text_model",
    "article_boilerplate",
    *model.PAGE_FEATURES.values(),
)
# Steps of about 1.5-2x where the choice falls (from round 13 on: with steps of 3x, the rule jumped from just over the
# false-positive bound to well under it).
L2_GRID = (0.00003, 0.0001, 0.0002, 0.0003, 0.0005, 0.0007, 0.001, 0.002, 0.003, 0.01, 0.03)
BIAS = -4.0
MAX_FPR = 0.01
# The n-gram model learns the wording of the domains it saw: out of fold it calls masked business replies and
# five-word praise spam. Below -BIAS, it never flags a text alone.
MAX_NGRAM_WEIGHT = 3.0
# No other piece of evidence flags a text alone before it is at full strength (its hinge's high end).
MAX_WEIGHT = -BIAS
# The share of words in off-topic terms counts every occurrence: a complaint that names the loan app it complains
# about in every sentence has a share too. At most half of -BIAS: it adds to other evidence, as the n-gram model.
MAX_TOPIC_SHARE_WEIGHT = 2.0
# Distinct off-topic terms alone never flag a text either: news and fact-checks about lottery scams or satta matka
# name three of them in a paragraph (four of the five held-out v4 false positives, now in dev). With other evidence,
# the share of the words they fill included, they do.
MAX_TOPIC_TERMS_WEIGHT = 3.5
# Nor do links: a complaint links its evidence (screenshots, order pages), and a sentence glued to the next one
# ("bad.In my phone") reads as a domain.
MAX_LINKS_WEIGHT = 3.5
# Terms of the strong categories (adult, crypto recovery, pharmacy, carding, self-promotion) add to their count as
# off-topic terms: two of them flag a text (2.3 + 2.5), one needs other evidence. Uncapped, the combiner gives them
# 4.0: out-of-fold F1 0.813 with 11 false positives, against 0.812 with 10 at 2.5.
MAX_STRONG_TERMS_WEIGHT = 2.5
# The long-text model reads the wording of pages from domains it saw: out of fold it gives bbb.org complaints 0.7-0.8.
# Half of -BIAS: it adds to other evidence (on dev v9, out-of-fold F1 0.776 with 12 false positives without it, 0.786
# with 13 at 2.0, 0.792 with 16 at 3.5); the scorer asks for it only where it can change the verdict.
MAX_LONG_TEXT_WEIGHT = 2.0
# Stock phrases of articles: advice pages and explainers use some of them too. At most half of -BIAS.
MAX_BOILERPLATE_WEIGHT = 2.0
CAPS = {
    "article_boilerplate": MAX_BOILERPLATE_WEIGHT,
    "ngram_model": MAX_NGRAM_WEIGHT,
    "long_text_model": MAX_LONG_TEXT_WEIGHT,
    "topic_share": MAX_TOPIC_SHARE_WEIGHT,
    "topic_terms": MAX_TOPIC_TERMS_WEIGHT,
    "links": MAX_LINKS_WEIGHT,
    "strong_terms": MAX_STRONG_TERMS_WEIGHT,
}
FOLDS = 5
C_GRID = (10.0, 30.0, 100.0, 300.0)
C_TOLERANCE = 0.02  # in cross-validated average precision
# Chosen on dev v9 by the combiner's out-of-fold F1 (C 3: 0.777, C 10: 0.786, both with 13 false positives); the
# model's own average precision barely tells them apart.
LONG_C = 10.0
LONG_MIN_DF = 3
LONG_VOCABULARY = 20_000
Record = dict[str, Any]


def is_post(record: Record) -> bool:
    """Whether the crawler would score this text as a post (a page's text is scored as a page: the n-gram model,
    trained on posts, does not read it)."""
    return record["kind"] != "page"


def ngram_pipeline(c: float) -> Pipeline:
    return make_pipeline(
        CountVectorizer(analyzer=ngram_model.ngrams, binary=True),
        Normalizer(),
        LogisticRegression(l1_ratio=1.0, solver="liblinear", C=c, class_weight="balanced", random_state=0),
    )


def choose_c(pipeline: Any, grid: tuple[float, ...], texts: list[str], labels: list[int], groups: list[str]) -> float:
    """The smallest C within C_TOLERANCE of the best cross-validated average precision (folds grouped by domain):
    they barely tell the larger ones apart, and a model fitted closer is more sure of wording it never saw."""
    folds = GroupKFold(FOLDS)
    precision = {
        c: cross_val_score(pipeline(c), texts, labels, groups=groups, cv=folds, scoring="average_precision").mean()
        for c in grid
    }
    return min(c for c in grid if precision[c] >= max(precision.values()) - C_TOLERANCE)


def out_of_fold(pipeline: Pipeline, texts: list[str], labels: list[int], groups: list[str]) -> np.ndarray:
    return np.asarray(
        cross_val_predict(pipeline, texts, labels, groups=groups, cv=GroupKFold(FOLDS), method="predict_proba")[:, 1]
    )


def train_ngram(dev: list[Record]) -> dict[str, float]:
    """Fit and write the n-gram model; return its out-of-fold probability for each dev text it reads (by id)."""
    read = [
        r
        for r in dev
        if is_post(r) and len(r["text"]) <= ngram_model.MAX_TEXT_CHARS and ngram_model.reads(r["text"].lower())
    ]
    texts = [r["text"] for r in read]
    labels = [int(r["label"] == "spam") for r in read]
    groups = [r["source_domain"] for r in read]
    best = choose_c(ngram_pipeline, C_GRID, texts, labels, groups)
    predicted = out_of_fold(ngram_pipeline(best), texts, labels, groups)
    fitted = ngram_pipeline(best).fit(texts, labels)
    vectorizer, regression = fitted.steps[0][1], fitted.steps[2][1]
    weights = {
        g: round(float(w), 4) for g, w in zip(vectorizer.get_feature_names_out(), regression.coef_[0], strict=True) if w
    }
    data = {
        "trained_on": "dev split of fixtures/spam/real/corpus.jsonl",
        "C": best,
        "bias": round(float(regression.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
    }
    (PACKAGE / ngram_model.MODEL_FILE).write_text(
        json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    print(f"n-gram model: C {best}, {len(weights)} n-grams weighted, trained on {len(read)} dev texts")
    return {r["id"]: float(p) for r, p in zip(read, predicted, strict=True)}


def long_text_pipeline(c: float) -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(
            analyzer=long_text_model.grams, sublinear_tf=True, min_df=LONG_MIN_DF, max_features=LONG_VOCABULARY
        ),
        LogisticRegression(C=c, max_iter=3000, class_weight="balanced"),
    )


def train_long_text(dev: list[Record]) -> dict[str, float]:
    """Fit and write the long-text model; return its out-of-fold probability for each long dev text (by id)."""
    read = [r for r in dev if not is_post(r) or model.reads_long_text(model.measure(r["text"])[0])]
    texts = [r["text"] for r in read]
    labels = [int(r["label"] == "spam") for r in read]
    groups = [r["source_domain"] for r in read]
    predicted = out_of_fold(long_text_pipeline(LONG_C), texts, labels, groups)
    fitted = long_text_pipeline(LONG_C).fit(texts, labels)
    vectorizer, regression = fitted.steps[0][1], fitted.steps[1][1]
    table = zip(vectorizer.get_feature_names_out(), vectorizer.idf_, regression.coef_[0], strict=True)
    data = {
        "trained_on": "dev split of fixtures/spam/real/corpus.jsonl",
        "C": LONG_C,
        "bias": round(float(regression.intercept_[0]), 4),
        "grams": {g: [round(float(idf), 3), round(float(w), 3)] for g, idf, w in sorted(table)},
    }
    (PACKAGE / long_text_model.MODEL_FILE).write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"long-text model: C {LONG_C}, {len(data['grams'])} n-grams, trained on {len(read)} dev texts")
    return {r["id"]: float(p) for r, p in zip(read, predicted, strict=True)}


def evidence(
    dev: list[Record], ngram_oof: dict[str, float], long_text_oof: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Per dev text: the activations of the LEARNED features, and the hand-set evidence (contributions) of the rest."""
    activations, offsets = [], []
    for r in dev:
        values, _ = model.measure(r["text"], None, r["site_languages"], page=not is_post(r))
        if "ngram_model" in values:
            values["ngram_model"] = ngram_oof[r["id"]]
        if r["id"] in long_text_oof:
            values["long_text_model"] = long_text_oof[r["id"]]
        row = [model.hinge_activation(name, values[name]) if name in values else 0.0 for name in LEARNED]
        fixed = sum(
            f.weight * model.hinge_activation(name, values[name])
            for name, f in model.FEATURES.items()
            if name not in LEARNED and name in values
        )
        activations.append(row)
        offsets.append(fixed)
    return np.array(activations), np.array(offsets)


def fit_combiner(x: np.ndarray, offset: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Non-negative weights minimising the class-balanced logistic loss (bias BIAS) plus l2 * |weights|^2."""
    sample = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = BIAS + x @ w + offset
        p = 1 / (1 + np.exp(-z))
        value = float(np.sum(sample * (np.logaddexp(0, z) - y * z)) / len(y) + l2 * w @ w)
        return value, x.T @ (sample * (p - y) / len(y)) + 2 * l2 * w

    bounds = [(0.0, CAPS.get(name, MAX_WEIGHT)) for name in LEARNED[: x.shape[1]]]
    result = minimize(loss, np.ones(x.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(result.x)


def choose_l2(x: np.ndarray, offset: np.ndarray, y: np.ndarray, groups: list[str]) -> float:
    """The L2 strength with the best F1 at the default threshold over folds grouped by source domain, among those
    whose false-positive rate is at most MAX_FPR (the lowest rate when none is)."""

    def figures(l2: float) -> tuple[bool, float]:
        flagged = np.zeros(len(y), bool)
        for train, test in GroupKFold(FOLDS).split(x, y, groups):
            flagged[test] = BIAS + x[test] @ fit_combiner(x[train], offset[train], y[train], l2) + offset[test] >= 0
        tp, fp = int(np.sum(flagged & (y == 1))), int(np.sum(flagged & (y == 0)))
        f1 = 2 * tp / (int(flagged.sum()) + int(y.sum()))
        print(f"  l2 {l2}: out-of-fold F1 {f1:.3f}, false positives {fp}")
        return fp <= MAX_FPR * int((y == 0).sum()), f1 if fp <= MAX_FPR * int((y == 0).sum()) else -fp

    return max(L2_GRID, key=figures)


def main() -> None:
    warnings.simplefilter("ignore")  # folds without spam, and scikit-learn deprecation notices
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    dev = [r for r in records if r["split"] == "dev"]
    x, offset = evidence(dev, train_ngram(dev), train_long_text(dev))
    y = np.array([int(r["label"] == "spam") for r in dev])
    l2 = choose_l2(x, offset, y, [r["source_domain"] for r in dev])
    weights = fit_combiner(x, offset, y, l2)
    data = {
        "trained_on": "dev split of fixtures/spam/real/corpus.jsonl",
        "l2": l2,
        "bias": BIAS,
        "weights": {name: round(float(w), 4) for name, w in zip(LEARNED, weights, strict=True)},
    }
    (PACKAGE / model.COMBINER_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"combiner: l2 {l2}, bias {data['bias']}, weights {data['weights']}")


if __name__ == "__main__":
    main()
