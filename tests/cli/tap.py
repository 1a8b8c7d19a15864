"""The checks and TAP output shared by the stdlib test scripts in this folder.

A script calls check(name, condition, *diagnostics) for each assertion and
finish() at the end: it prints the plan, one line per check (with up to
`lines` lines of each diagnostic under a failed one) and exits 1 if any failed.
hangul() and width() are the two questions the Korean tests ask of text.
"""
import sys
import unicodedata

results = []


def check(name, cond, *diag):
    results.append((name, bool(cond), diag))


def finish(lines=8):
    print("1..%d" % len(results))
    for i, (name, ok, diag) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            for d in diag:
                for line in str(d).splitlines()[:lines]:
                    print("# " + line)
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


def hangul(text):
    """Whether text has a Hangul syllable."""
    return any("\uac00" <= c <= "\ud7a3" for c in text)


def width(s):
    """Display cells, as a terminal counts them: wide glyphs 2, combining marks 0."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in s)
