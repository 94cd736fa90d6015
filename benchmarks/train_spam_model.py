"""Train the spam filter's n-gram model on the dev split of the real corpus; write ngram_model.json.

    python benchmarks/train_spam_model.py

Logistic regression (L1, so few n-grams keep a weight) on the presence of character n-grams
(complaints_crawler.text.spam.ngram_model.ngrams), rows scaled to unit length, classes weighted to balance.
C is chosen by cross-validation over dev grouped by source domain. Only dev texts are read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import warnings  # noqa: E402

from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GroupKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import Normalizer  # noqa: E402

from complaints_crawler.text.spam import ngram_model  # noqa: E402

CORPUS = ROOT / "fixtures" / "spam" / "real" / "corpus.jsonl"


def main() -> None:
    warnings.simplefilter("ignore")  # folds without spam, and scikit-learn deprecation notices
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    dev = [r for r in records if r["split"] == "dev"]
    texts = [r["text"] for r in dev]
    labels = [int(r["label"] == "spam") for r in dev]
    groups = [r["source_domain"] for r in dev]

    def pipeline(c: float) -> object:
        return make_pipeline(
            CountVectorizer(analyzer=ngram_model.ngrams, binary=True), Normalizer(),
            LogisticRegression(l1_ratio=1.0, solver="liblinear", C=c, class_weight="balanced"),
        )

    best = max((10.0, 30.0, 100.0, 300.0), key=lambda c: cross_val_score(
        pipeline(c), texts, labels, groups=groups, cv=GroupKFold(5), scoring="average_precision").mean())
    model = pipeline(best)
    model.fit(texts, labels)  # type: ignore[attr-defined]
    vectorizer, _, regression = model.steps[0][1], model.steps[1][1], model.steps[2][1]  # type: ignore[attr-defined]
    weights = {g: round(float(w), 4) for g, w in zip(vectorizer.get_feature_names_out(), regression.coef_[0], strict=True) if w}
    out = {"trained_on": "dev split of fixtures/spam/real/corpus.jsonl", "C": best, "bias": round(float(regression.intercept_[0]), 4),
           "weights": dict(sorted(weights.items()))}
    model_path = Path(ngram_model.__file__).with_name(ngram_model.MODEL_FILE)
    model_path.write_text(json.dumps(out, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"C {best}: {len(weights)} n-grams weighted, written to {model_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
