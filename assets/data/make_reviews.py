#!/usr/bin/env python3
"""Generate the small product-review task for transfer learning (attnstep transfer).

What it writes (next to this script):

  reviews-en-train.csv  reviews-en-test.csv   (48 and 200 sentences)
  reviews-ko-train.csv  reviews-ko-test.csv

each with the header `text,label`; the labels are `recommend` / `avoid` in
English and 추천 / 비추천 in Korean: would the writer recommend the product?

Why: the study notes say that with a small data set, transfer (a model
pre-trained on a related task) is how performance improves. tiny-en and
tiny-ko were trained on 1600 sentences about films, food, places and people
(make_sentiment.py); this is a new domain, reviews of products (phones,
shoes, lamps, kettles ...), with only 48 training sentences. The labels are
new on purpose: a model trained from tiny-en needs a new classifier, so the
feature-based model is exactly the notes' definition (the pre-trained model's
pooled outputs are the features of a new classifier, which alone is trained).

The sentences are built as make_sentiment.py builds its own, with its
templates and helpers (imported, not copied): sets of four over one product
and one pair of adjectives, e.g.

    the lamp was bright          recommend
    the lamp wasn't bright       avoid
    the lamp was dim             avoid
    the lamp wasn't dim          recommend

so every word is as frequent in both classes within a set, and the label
follows from the adjective's polarity flipped by the negation. Some
adjectives are ones the sentiment data has (fast, quiet, comfortable, 빠르다,
조용하다, 편하다), others are new to it (sturdy, flimsy, bright, dim, sharp,
blurry, 튼튼하다, 허술하다, 밝다, 어둡다, 선명하다). The test sentences come
from (product, adjective pair) combinations the training file does not have;
unlike make_sentiment.py's test files, they may use words the 48 training
sentences never show (the point of transfer: the pre-trained model may know
them). README.md gives the counts.

Deterministic: its own seeded random.Random; re-running it writes
byte-identical files.

Usage: python3 assets/data/make_reviews.py
"""
import os
import random

import make_sentiment as ms
from words import tokens

SEED = 20261129
TARGET = {"train": 48, "test": 200}  # sentences per language and split (sets of four)
HERE = os.path.dirname(os.path.abspath(__file__))
REC, AVOID = ms.POS, ms.NEG
LABELS = {"en": {REC: "recommend", AVOID: "avoid"}, "ko": {REC: "추천", AVOID: "비추천"}}

# ---- English: (product, determiners, (recommended, avoided) adjective pairs)
EN_ITEMS = [
    ("phone", ["the", "this", "my new"], [("fast", "slow"), ("light", "heavy")]),
    ("laptop", ["the", "this", "my new"], [("fast", "slow"), ("light", "heavy"), ("quiet", "noisy")]),
    ("headphones", ["the", "these", "my new"], [("comfortable", "uncomfortable"), ("light", "heavy")]),
    ("shoes", ["the", "these", "my new"], [("comfortable", "uncomfortable"), ("sturdy", "flimsy")]),
    ("backpack", ["the", "this", "my new"], [("sturdy", "flimsy"), ("light", "heavy")]),
    ("lamp", ["the", "this"], [("bright", "dim"), ("sturdy", "flimsy")]),
    ("kettle", ["the", "this", "our new"], [("quiet", "noisy"), ("fast", "slow")]),
    ("chair", ["the", "this", "our new"], [("comfortable", "uncomfortable"), ("sturdy", "flimsy")]),
    ("umbrella", ["the", "this", "my new"], [("sturdy", "flimsy"), ("light", "heavy")]),
    ("keyboard", ["the", "this", "my new"], [("quiet", "noisy"), ("sturdy", "flimsy")]),
    ("screen", ["the", "this"], [("bright", "dim"), ("sharp", "blurry")]),
    ("camera", ["the", "this", "my new"], [("sharp", "blurry"), ("light", "heavy")]),
    ("charger", ["the", "this"], [("fast", "slow"), ("sturdy", "flimsy")]),
    ("towels", ["the", "these"], [("soft", "rough")]),
    ("jacket", ["the", "this", "my new"], [("soft", "rough"), ("light", "heavy")]),
    ("mattress", ["the", "this", "our new"], [("comfortable", "uncomfortable"), ("soft", "hard")]),
    ("tent", ["the", "this", "our new"], [("sturdy", "flimsy"), ("light", "heavy")]),
    ("printer", ["the", "this", "our new"], [("fast", "slow"), ("quiet", "noisy")]),
    ("fan", ["the", "this", "our new"], [("quiet", "noisy")]),
    ("monitor", ["the", "this", "my new"], [("bright", "dim"), ("sharp", "blurry")]),
    ("bike", ["the", "this", "my new"], [("light", "heavy"), ("fast", "slow")]),
    ("sofa", ["the", "this", "our new"], [("comfortable", "uncomfortable"), ("soft", "hard")]),
    ("pillow", ["the", "this", "my new"], [("soft", "hard")]),
    ("watch", ["the", "this", "my new"], [("light", "heavy"), ("sturdy", "flimsy")]),
    ("blender", ["the", "this", "our new"], [("quiet", "noisy"), ("fast", "slow")]),
    ("tablet", ["the", "this", "my new"], [("fast", "slow"), ("light", "heavy")]),
    ("suitcase", ["the", "this", "my new"], [("sturdy", "flimsy"), ("light", "heavy")]),
    ("flashlight", ["the", "this"], [("bright", "dim")]),
]
ms.PLURAL.update({"headphones", "shoes", "towels"})  # ms.be() says were / are for these


def en_candidates(rng):
    out = []
    for head, dets, pairs in EN_ITEMS:
        for pair in pairs:
            for name, fn in (("copula", ms.en_copula), ("really", ms.en_really), ("very/at all", ms.en_very_at_all)):
                out.append((name, (head, pair), lambda fn=fn, h=head, d=dets, p=pair: fn(rng, h, d, p)))
            # "it was a sturdy chair": singular products, adjectives that take "a" (ms.article)
            if head not in ms.PLURAL and not any(a[0] in "aeiou" for a in pair):
                out.append(("a/an", (head, pair), lambda h=head, p=pair: ms.en_noun(rng, h, p)))
    return out


# ---- Korean: the adjectives make_sentiment.py does not conjugate yet, in its KO_ADJ format
# (past form, -지 form, attributive form, natural with the short negation 안)
KO_NEW = {
    "가볍다": ("가벼웠다", "가볍지", "가벼운", True),
    "무겁다": ("무거웠다", "무겁지", "무거운", True),
    "튼튼하다": ("튼튼했다", "튼튼하지", "튼튼한", True),
    "허술하다": ("허술했다", "허술하지", "허술한", False),
    "밝다": ("밝았다", "밝지", "밝은", True),
    "어둡다": ("어두웠다", "어둡지", "어두운", True),
    "선명하다": ("선명했다", "선명하지", "선명한", True),
    "거칠다": ("거칠었다", "거칠지", "거친", True),
}
for _adj, _forms in KO_NEW.items():
    ms.KO_ADJ.setdefault(_adj, _forms)

KO_ITEMS = [
    ("휴대폰", ["이 ", "그 ", "새 "], [("빠르다", "느리다"), ("가볍다", "무겁다")]),
    ("노트북", ["이 ", "그 ", "새 "], [("빠르다", "느리다"), ("가볍다", "무겁다"), ("조용하다", "시끄럽다")]),
    ("이어폰", ["이 ", "그 ", "새 "], [("편하다", "불편하다"), ("가볍다", "무겁다")]),
    ("신발", ["이 ", "그 ", "새 "], [("편하다", "불편하다"), ("튼튼하다", "허술하다")]),
    ("가방", ["이 ", "그 ", "새 "], [("튼튼하다", "허술하다"), ("가볍다", "무겁다")]),
    ("스탠드", ["이 ", "그 "], [("밝다", "어둡다"), ("튼튼하다", "허술하다")]),
    ("주전자", ["이 ", "그 ", "새 "], [("조용하다", "시끄럽다"), ("빠르다", "느리다")]),
    ("의자", ["이 ", "그 ", "새 "], [("편하다", "불편하다"), ("튼튼하다", "허술하다")]),
    ("우산", ["이 ", "그 ", "새 "], [("튼튼하다", "허술하다"), ("가볍다", "무겁다")]),
    ("키보드", ["이 ", "그 ", "새 "], [("조용하다", "시끄럽다"), ("튼튼하다", "허술하다")]),
    ("화면", ["이 ", "그 "], [("밝다", "어둡다"), ("선명하다", "흐리다")]),
    ("카메라", ["이 ", "그 ", "새 "], [("선명하다", "흐리다"), ("가볍다", "무겁다")]),
    ("충전기", ["이 ", "그 "], [("빠르다", "느리다"), ("튼튼하다", "허술하다")]),
    ("수건", ["이 ", "그 "], [("부드럽다", "거칠다")]),
    ("외투", ["이 ", "그 ", "새 "], [("부드럽다", "거칠다"), ("가볍다", "무겁다")]),
    ("매트리스", ["이 ", "그 ", "새 "], [("편하다", "불편하다"), ("부드럽다", "딱딱하다")]),
    ("텐트", ["이 ", "그 ", "새 "], [("튼튼하다", "허술하다"), ("가볍다", "무겁다")]),
    ("프린터", ["이 ", "그 ", "새 "], [("빠르다", "느리다"), ("조용하다", "시끄럽다")]),
    ("선풍기", ["이 ", "그 ", "새 "], [("조용하다", "시끄럽다")]),
    ("모니터", ["이 ", "그 ", "새 "], [("밝다", "어둡다"), ("선명하다", "흐리다")]),
    ("자전거", ["이 ", "그 ", "새 "], [("가볍다", "무겁다"), ("빠르다", "느리다")]),
    ("소파", ["이 ", "그 ", "새 "], [("편하다", "불편하다"), ("부드럽다", "딱딱하다")]),
    ("베개", ["이 ", "그 ", "새 "], [("부드럽다", "딱딱하다")]),
    ("시계", ["이 ", "그 ", "새 "], [("가볍다", "무겁다"), ("튼튼하다", "허술하다")]),
    ("믹서기", ["이 ", "그 ", "새 "], [("조용하다", "시끄럽다"), ("빠르다", "느리다")]),
    ("태블릿", ["이 ", "그 ", "새 "], [("빠르다", "느리다"), ("가볍다", "무겁다")]),
    ("캐리어", ["이 ", "그 ", "새 "], [("튼튼하다", "허술하다"), ("가볍다", "무겁다")]),
    ("손전등", ["이 ", "그 "], [("밝다", "어둡다")]),
]


def ko_candidates(rng):
    out = []
    for noun, dets, pairs in KO_ITEMS:
        for pair in pairs:
            out.append(("안", (noun, pair), lambda n=noun, d=dets, p=pair: ms.ko_short(rng, n, d, p)))
            out.append(("-지 않았다", (noun, pair), lambda n=noun, d=dets, p=pair: ms.ko_long(rng, n, d, p)))
    return out


def build(rng, candidates):
    """Sets of four. The training file: one set for each of a few (product, pair) combinations, the
    templates taking turns. The test file: sets from the other combinations only, each (combination,
    template) at most once, the combinations taking turns."""
    by_key = {}
    for name, key, make in candidates:
        by_key.setdefault(key, []).append((name, make))
    keys = sorted(by_key)
    rng.shuffle(keys)
    result, seen = {}, set()
    n_train = TARGET["train"] // 4
    # a template that does not suit a combination (None) gives way to the key's next one
    plan = {"train": [(k, [by_key[k][(i + j) % len(by_key[k])] for j in range(len(by_key[k]))])
                      for i, k in enumerate(keys[:n_train])],
            "test": [(k, opt) for i in range(4) for k in keys[n_train:] if i < len(by_key[k])
                     for opt in [[by_key[k][i]]]]}
    for split in ("train", "test"):
        rows = []
        for key, options in plan[split]:
            if len(rows) >= TARGET[split]:
                break
            group = None
            for name, make in options:
                group = make()
                if group is not None:
                    break
            if group is None:
                continue
            end = rng.choice(["", "", "", "", ".", "!"])
            if not any(t[-1] in "?.!" for t, _, _ in group):
                group = [(t + end, lab, adj) for t, lab, adj in group]
            texts = [t for t, _, _ in group]
            if len(set(texts)) != len(texts) or any(t in seen for t in texts):
                continue
            if any(not 3 <= ms.words(t) <= 10 for t in texts):
                raise SystemExit(f"make_reviews: bad length in {texts}")
            seen.update(texts)
            rows.extend((t, lab) for t, lab, _ in group)
        if len(rows) != TARGET[split]:
            raise SystemExit(f"make_reviews: {len(rows)} {split} sentences, wanted {TARGET[split]}")
        rng.shuffle(rows)
        result[split] = rows
    return result


def main():
    for lang, cands in (("en", en_candidates), ("ko", ko_candidates)):
        rng = random.Random(f"{SEED}-{lang}")
        splits = build(rng, cands(rng))
        train_words = {w for t, _ in splits["train"] for w in tokens(t)}
        for split, rows in splits.items():
            path = os.path.join(HERE, f"reviews-{lang}-{split}.csv")
            ms.write(path, [(t, LABELS[lang][lab]) for t, lab in rows])
            rec = sum(1 for _, lab in rows if lab == REC)
            toks = [w for t, _ in rows for w in tokens(t)]
            new = sum(1 for w in toks if w not in train_words)
            print(f"{os.path.relpath(path)}: {len(rows)} sentences, {rec} {LABELS[lang][REC]}, "
                  f"{len(rows) - rec} {LABELS[lang][AVOID]}; {new} of {len(toks)} tokens not in the training file")


if __name__ == "__main__":
    main()
