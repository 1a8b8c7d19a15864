"""attnstep's word tokenizer (src/core/tokenizer.c, lowercasing on), for the data scripts: split at
whitespace, lowercase ASCII letters, each ASCII punctuation mark a token of its own."""

PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def tokens(text):
    out = []
    for word in text.split():
        cur = ""
        for ch in word:
            if ch in PUNCT:
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(ch)
            else:
                cur += ch.lower() if "A" <= ch <= "Z" else ch
        if cur:
            out.append(cur)
    return out
