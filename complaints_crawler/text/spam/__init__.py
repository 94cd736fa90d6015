"""Site-independent spam scorer for pages and posts.

`score(text)` measures content features and combines them in a transparent logistic sum (see `model.FEATURES`);
`score_html(html)` renders the page as a browser would and scores its text. The evidence, one module each:

- `doorway`: doorway pages (Ntoulas et al. 2006 compression ratio and top-word share; Gopher repetition rules of
  Rae et al. 2021 over `ngrams`; keyword injection; listicle headings) on texts of 80 tokens and 3 lines or more;
- `helpline` and `short_posts`: phone numbers beside helpline, messenger or call-to-action wording, numbers
  pasted again and again, messenger handles, links, phrases repeated back to back, keyword chains;
- `lexicons`: per-language terms that have no place on a complaint board (gambling, prizes, loan apps, crypto
  "recovery", adult, counterfeit, self-promotion), calls to action, and the stock phrases content-farm articles open
  with;
- `ngram_model` and `long_text_model`: logistic regressions on character n-grams learned on real spam, one of
  English posts, one of long texts and pages in every language (asked only where it could change the verdict);
- `language`: the text's languages against the languages of its site; `tokens`: words and scripts;
- `report`: the expected scripts and languages of a spider's site, and the details a quarantine row keeps.
"""

from complaints_crawler.text.spam.doorway import MIN_REPETITION_TOKENS, PAGE_BYTES, SAMPLE_BYTES
from complaints_crawler.text.spam.model import (
    BIAS,
    DEFAULT_THRESHOLD,
    FEATURES,
    SHORT_POST_CHARS,
    Feature,
    Reason,
    SpamScore,
    measure,
    score,
    score_html,
)
from complaints_crawler.text.spam.tokens import SCRIPTS, TOKEN, scripts

__all__ = [
    "BIAS",
    "DEFAULT_THRESHOLD",
    "FEATURES",
    "MIN_REPETITION_TOKENS",
    "PAGE_BYTES",
    "SAMPLE_BYTES",
    "SCRIPTS",
    "SHORT_POST_CHARS",
    "TOKEN",
    "Feature",
    "Reason",
    "SpamScore",
    "measure",
    "score",
    "score_html",
    "scripts",
]
