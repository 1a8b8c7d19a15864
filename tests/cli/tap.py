"""The checks and TAP output shared by the stdlib test scripts in this folder.

A script calls check(name, condition, *diagnostics) for each assertion and
finish() at the end: it prints the plan, one line per check (with up to
`lines` lines of each diagnostic under a failed one) and exits 1 if any failed.
hangul() and width() are the two questions the Korean tests ask of text;
run_attnstep() runs the binary the same way for every script that needs it;
regenerates() checks that a data generator rewrites its shipped files.
tmux_tools() gives a screen test its tmux, capture and wait on a socket of its own;
svg_grid() reads a --snapshot SVG back as the screen's rows; write_csv() writes a
test's data file.
"""
import csv
import filecmp
import os
import shutil
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET

LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "LC_CTYPE")

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


def run_attnstep(binary, args, lang="en", cwd=None, timeout=120):
    """binary --lang lang ARGS with C.UTF-8, no locale or model from the caller's
    environment and no input; returns (status, stdout, stderr) as text."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS and k != "ATTNSTEP_MODEL"}
    env["LANG"] = "C.UTF-8"
    r = subprocess.run([binary, "--lang", lang, *args], capture_output=True, timeout=timeout, env=env, cwd=cwd,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.decode("utf-8", errors="replace"), r.stderr.decode("utf-8", errors="replace")


def regenerates(data, script, names, tmp):
    """Runs a copy of data/script in tmp (a generator writes next to itself, and
    imports words.py from there); returns (whether it wrote every one of names
    byte for byte as data holds it, the end of its stderr)."""
    for name in (script, "words.py"):
        shutil.copy(os.path.join(data, name), tmp)
    r = subprocess.run([sys.executable, "-B", os.path.join(tmp, script)], capture_output=True, timeout=120)
    same = r.returncode == 0 and all(filecmp.cmp(os.path.join(tmp, n), os.path.join(data, n), shallow=False)
                                     for n in names)
    return same, r.stderr.decode()[-300:]


def tmux_tools(socket, env, wait_timeout):
    """tmux(*args) on its own server (socket), capture(target) as a list of lines without trailing
    blanks, and wait(target, pred, timeout=wait_timeout): the screen once pred holds and two captures
    50 ms apart agree, else the last one."""
    def tmux(*args):
        return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                              timeout=20, env=env).stdout

    def capture(target):
        lines = tmux("capture-pane", "-p", "-t", target).split("\n")
        return [l.rstrip() for l in (lines[:-1] if lines and lines[-1] == "" else lines)]

    def wait(target, pred, timeout=wait_timeout):
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            s = capture(target)
            if pred(s) and s == last:
                return s
            last = s
            time.sleep(0.05)
        return last or []
    return tmux, capture, wait


def svg_grid(f, cw=9, ch=18):
    """A --snapshot SVG (cells of cw x ch units) read back as the screen: its rows of text, a wide glyph
    in its first cell and "" in the second, each row right-trimmed; and the SVG's root element."""
    root = ET.parse(f).getroot()
    w, h = int(root.get("width")) // cw, int(root.get("height")) // ch
    rows = [[" "] * w for _ in range(h)]
    for t in root.iter("{http://www.w3.org/2000/svg}text"):
        r = int(float(t.get("y")) // ch)
        for s in t.iter("{http://www.w3.org/2000/svg}tspan"):
            c = int(float(s.get("x")) // cw)
            rows[r][c] = s.text
            if unicodedata.east_asian_width(s.text[0]) in "WF":
                rows[r][c + 1] = ""
    return ["".join(r).rstrip() for r in rows], root


def write_csv(directory, name, rows, header=("text", "label")):
    """directory/name as a UTF-8 CSV: the header (none if None), then rows; returns its path."""
    path = os.path.join(directory, name)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if header:
            w.writerow(header)
        w.writerows(rows)
    return path
