#!/usr/bin/env python3
"""Writes negation-en.csv and negation-ko.csv: a test set with the negation
("not", "안") near the end of the sentence or far from it (issue 13).

Each sentence is a subject, a judgement and, after the negation, 0 to 8 more
words that do not change the sentiment.  English puts them after the
adjective ("the movie was not good that day in town"); Korean, whose verb comes
last, moves the subject after the verb ("안 재미있었다, 어제 친구랑 같이 본 그
영화는": right dislocation, as in speech).  The distance of a sentence is the
number of words after the negation word (punctuation not counted): 1, 3, 5, 7
or 9.  Every negated sentence has a control, the same sentence without the
negation and with the opposite label, so a model that ignores the negation
gets half of each distance's sentences wrong.

The header is text,label (usable as `attnstep train --test`); the distance is
recomputed from the text by negation_distance.py, which imports sentences().
Deterministic: no random numbers.  Usage: python3 assets/data/make_negation.py
"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# (subject, copula, positive adjective, negative adjective)
EN_SUBJECTS = [("the movie", "was"), ("the cake", "was"), ("this book", "was"), ("the hotel", "was"),
               ("the show", "was"), ("my room", "was")]
EN_PAIRS = [("good", "bad"), ("interesting", "boring"), ("nice", "terrible")]
# words after the adjective: 0, 2, 4, 6, 8
EN_TAILS = ["", "that day", "that day in town", "that day in town last week",
            "that day in town last week with friends"]

# (subject with its topic particle, the participle that fits it, (positive, negative) predicates)
KO_SUBJECTS = [("그 영화는", "본", [("재미있었다", "지루했다"), ("좋았다", "나빴다")]),
               ("그 강의는", "들은", [("재미있었다", "지루했다"), ("좋았다", "나빴다")]),
               ("그 책은", "읽은", [("재미있었다", "지루했다"), ("좋았다", "나빴다")]),
               ("그 공연은", "본", [("재미있었다", "지루했다"), ("좋았다", "나빴다")]),
               ("그 케이크는", "먹은", [("맛있었다", "비쌌다"), ("좋았다", "나빴다")])]
# the words before the participle in the dislocated subject: 0, 2, 4 ("," not counted)
KO_FILLERS = ["", "어제 친구랑", "지난주 토요일에 친구랑 같이"]

LABELS = {"en": ("positive", "negative"), "ko": ("긍정", "부정")}


def words_after(text, neg):
    """Words after the first negation word (punctuation-only words not counted)."""
    ws = text.split()
    i = ws.index(neg)
    return sum(1 for w in ws[i + 1:] if any(c.isalnum() for c in w))


def sentences(lang):
    """[(text, label, distance, negated)]: each negated sentence followed by its control."""
    pos, neg = LABELS[lang]
    out = []
    if lang == "en":
        for subj, cop in EN_SUBJECTS:
            for good, bad in EN_PAIRS:
                for tail in EN_TAILS:
                    for adj, plain in ((good, pos), (bad, neg)):
                        t = " ".join(x for x in (subj, cop, "not", adj, tail) if x)
                        c = " ".join(x for x in (subj, cop, adj, tail) if x)
                        d = words_after(t, "not")
                        out.append((t, neg if plain == pos else pos, d, True))
                        out.append((c, plain, d, False))
        return out
    for subj, part, pairs in KO_SUBJECTS:
        for good, bad in pairs:
            for adj, plain in ((good, pos), (bad, neg)):
                flipped = neg if plain == pos else pos
                # late: the subject first, 안 right before the verb (distance 1)
                forms = [("%s 안 %s" % (subj, adj), "%s %s" % (subj, adj))]
                # early: the verb first, then the subject, longer and longer (distance 3, 5, 7 ... 9)
                for filler in KO_FILLERS:
                    noun = " ".join(x for x in (filler, part, subj) if x) if filler else subj
                    forms.append(("안 %s , %s" % (adj, noun), "%s , %s" % (adj, noun)))
                forms.append(("안 %s , 지난주 토요일에 학교 앞에서 친구랑 같이 %s %s" % (adj, part, subj),
                              "%s , 지난주 토요일에 학교 앞에서 친구랑 같이 %s %s" % (adj, part, subj)))
                for t, c in forms:
                    d = words_after(t, "안")
                    out.append((t, flipped, d, True))
                    out.append((c, plain, d, False))
    return out


def main():
    for lang in ("en", "ko"):
        path = os.path.join(HERE, "negation-%s.csv" % lang)
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", "label"])
            for text, label, _, _ in sentences(lang):
                w.writerow([text, label])
        print("wrote %s" % path)


if __name__ == "__main__":
    main()
