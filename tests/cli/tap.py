"""The checks and TAP output shared by the stdlib test scripts in this folder.

A script calls check(name, condition, *diagnostics) for each assertion and
finish() at the end: it prints the plan, one line per check (with up to
`lines` lines of each diagnostic under a failed one) and exits 1 if any failed.
"""
import sys

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
