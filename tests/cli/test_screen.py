#!/usr/bin/env python3
"""End-to-end tests of the full-screen view, driving the real binary in tmux
(stdlib only, TAP output).

Usage: test_screen.py ATTNSTEP_BINARY SOURCE_ROOT

Every test starts attnstep in its own pane of a private tmux server
(tmux -L attnstep-test-<pid>), 100x30, LANG=C.UTF-8 TERM=tmux-256color,
without ATTNSTEP_MODEL, sends keys and reads the screen back with
capture-pane, polling every 50 ms until what it waits for appears.
Exits 77 (skipped) when tmux is not installed.
"""
import csv
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from tap import width  # noqa: F401  (display cells; the screen suites import it from here)

# The descriptions and screens are UTF-8 whatever the runner's locale.
sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
if len(sys.argv) != 3:
    sys.stderr.write("usage: test_screen.py ATTNSTEP_BINARY SOURCE_ROOT\n")
    sys.exit(2)
BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
if not shutil.which("tmux"):
    sys.stderr.write("test_screen.py: tmux is not installed; skipping the screen tests\n")
    sys.exit(77)
_v = re.match(r"tmux (?:next-)?(\d+)\.(\d+)", subprocess.run(["tmux", "-V"], capture_output=True,
                                                             text=True).stdout)
if _v and (int(_v.group(1)), int(_v.group(2))) < (3, 0):
    sys.stderr.write("test_screen.py: tmux %s.%s is older than 3.0 (needed: new-session with an argument list, "
                     "resize-window); skipping the screen tests\n" % _v.groups())
    sys.exit(77)

SOCKET = "attnstep-test-%d" % os.getpid()
W, H = 100, 30
POLL = 0.05
WAIT = 5.0
TMP = tempfile.mkdtemp(prefix="attnstep-screen-")
KOREAN = os.path.join(ROOT, "tests", "data", "bundles", "korean")
# The screens counted here (20 stages, 100 steps) are random-en's: the tests pin it.
PINNED = os.path.join(ROOT, "assets", "models", "random-en")
TINY_EN = os.path.join(ROOT, "assets", "models", "tiny-en")
DEFAULT_TOKENS = "the movie was not good"
SHADES = "░▒▓█"
STATUS_RE = re.compile(r"^ stage (\d+)/(\d+) (.*?) │ step (\d+)/(\d+) │ (.*?) │ (cell|row|stage) │ causal (on|off)(?: |$)")

results = []


class Fail(Exception):
    """A failed check inside a test: the message and the screen to show."""

    def __init__(self, msg, screen=None):
        super().__init__(msg)
        self.screen = screen


# ---- tmux ------------------------------------------------------------------

# tmux itself runs without a surrounding tmux's variables (no nesting warnings).
TMUX_ENV = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}


def tmux(*args, check=True):
    r = subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args],
                       capture_output=True, text=True, timeout=20, env=TMUX_ENV)
    if check and r.returncode != 0:
        raise Fail("tmux %s failed (%d): %s" % (" ".join(args[:3]), r.returncode, r.stderr.strip()))
    return r.stdout


def pane_env(extra=None, unset=()):
    """The env(1) prefix every pane runs attnstep through."""
    cmd = ["env", "-u", "LC_ALL", "-u", "LC_CTYPE"]
    for name in ("NO_COLOR",) + tuple(unset):
        if not (extra and name in extra):
            cmd += ["-u", name]
    cmd += ["LANG=C.UTF-8", "TERM=tmux-256color", "ATTNSTEP_MODEL=" + PINNED]
    for k, v in (extra or {}).items():
        cmd.append("%s=%s" % (k, v))
    return cmd


_sessions = 0


class Pane:
    """One session with one pane running argv (a list) at W x H."""

    def __init__(self, argv, w=W, h=H):
        global _sessions
        _sessions += 1
        self.name = "t%d" % _sessions
        tmux("new-session", "-d", "-s", self.name, "-x", str(w), "-y", str(h), *argv)
        self.target = "=%s:" % self.name

    def close(self):
        tmux("kill-session", "-t", "=" + self.name, check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.target]
        if escapes:
            args.insert(1, "-e")
        return tmux(*args)

    def keys(self, *keys):
        """Named tmux keys (Right, BSpace, Home, Tab, Escape, C-c...)."""
        tmux("send-keys", "-t", self.target, *keys)

    def text(self, s):
        """Literal characters, one key each as the program reads them."""
        tmux("send-keys", "-t", self.target, "-l", s)

    def fmt(self, f):
        return tmux("display-message", "-p", "-t", self.target, f).strip()

    def dead(self):
        return self.fmt("#{pane_dead}") == "1"

    def wait(self, what, timeout=WAIT, escapes=False, msg=None):
        """Polls until what (a string, or a function of the screen) holds;
        returns the screen, or raises Fail with the last screen."""
        pred = (lambda s: what in s) if isinstance(what, str) else what
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen(escapes)
            if pred(s):
                return s
            if self.dead():
                s = self.screen(escapes)
                if pred(s):
                    return s
                raise Fail("the program in the pane exited (status %s) before %s" % (
                    self.fmt("#{pane_dead_status}") or "?",
                    msg or ("%r appeared" % what if isinstance(what, str) else "the expected screen")), s)
            if time.monotonic() > deadline:
                raise Fail(msg or "timed out waiting for %r" % (what if isinstance(what, str) else "a screen"),
                           s)
            time.sleep(POLL)

    def settle(self, what=None, timeout=WAIT, escapes=False):
        """Waits for what, then until two captures 50 ms apart agree."""
        s = self.wait(what, timeout, escapes) if what is not None else self.screen(escapes)
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(POLL)
            t = self.screen(escapes)
            ok = what is None or (what in t if isinstance(what, str) else what(t))
            if t == s and ok:
                return t
            if time.monotonic() > deadline:
                raise Fail("the screen did not settle", t)
            s = t


def attnstep(*args, extra=None, w=W, h=H):
    return Pane(pane_env(extra) + [BIN, *args], w, h)


def shell(script, w=W, h=H):
    return Pane(["sh", "-c", script], w, h)


def shell_cmd(*args, extra=None):
    return " ".join(shlex.quote(a) for a in pane_env(extra) + [BIN, *args])


# ---- screen helpers ------------------------------------------------------

def cells(line, c0, c1):
    """The characters of line in display columns [c0, c1) (a wide glyph only when whole inside)."""
    out, col = [], 0
    for ch in line:
        cw = width(ch)
        if col >= c0 and col + cw <= c1:
            out.append(ch)
        col += cw
    return "".join(out)


def message(screen):
    """The message line(s) above the status line ('▸ …'), joined, or ''."""
    lines = split_lines(screen)[:-1]
    out = []
    for line in reversed(lines):
        out.insert(0, line.strip())
        if line.startswith(" ▸ "):
            return " ".join(out)[2:]
        if len(out) > 3:
            break
    return ""


def split_lines(screen):
    lines = screen.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def status(screen):
    """The parsed status line (the last line of the screen), or raises."""
    lines = split_lines(screen)
    last = lines[-1] if lines else ""
    m = STATUS_RE.match(last)
    if not m:
        raise Fail("no status line on the last line: %r" % last, screen)
    return {"stage": int(m.group(1)), "stages": int(m.group(2)), "title": m.group(3),
            "step": int(m.group(4)), "steps": int(m.group(5)), "heads": m.group(6),
            "gran": m.group(7), "causal": m.group(8), "line": last}


def has_status(**want):
    def pred(screen):
        try:
            st = status(screen)
        except Fail:
            return False
        return all(st[k] == v for k, v in want.items())
    return pred


def expect(cond, msg, screen=None):
    if not cond:
        raise Fail(msg, screen)


SGR_RE = re.compile(r"\x1b\[([0-9;:]*)m")


def colour_codes(screen):
    """Every colour-setting SGR parameter in a capture -e screen (39/49, the
    default colours, are not colours)."""
    found = []
    for m in SGR_RE.finditer(screen):
        params = [p for p in re.split(r"[;:]", m.group(1))]
        i = 0
        while i < len(params):
            p = params[i]
            if p in ("38", "48", "58"):
                found.append(m.group(0))
                break
            if p.isdigit() and (30 <= int(p) <= 37 or 40 <= int(p) <= 47 or 90 <= int(p) <= 97
                                or 100 <= int(p) <= 107):
                found.append(m.group(0))
                break
            i += 1
    return found


def children(pid):
    """Pids whose parent is pid (Linux /proc, else pgrep)."""
    if os.path.isdir("/proc"):
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if fields and int(fields[1]) == pid:
                out.append(int(d))
        return out
    r = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(x) for x in r.stdout.split()]


def wait_file(path, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            time.sleep(POLL)  # let the writer finish the line
            with open(path, encoding="utf-8", errors="replace") as f:
                data = f.read()
            if data.endswith("\n"):
                return data
        time.sleep(POLL)
    return None


def tmpfile(name):
    return os.path.join(TMP, name)


# ---- tests ---------------------------------------------------------------

def test(desc):
    def register(fn):
        results.append((desc, fn))
        return fn
    return register


FIRST = "Stage 1/20 · Tokens"


def first_screen(p):
    return p.settle(lambda s: FIRST in s and "step 1/100" in s and "→ or space: next step" in s)


@test("first screen: title with the default model and tokens, Stage 1/20 · Tokens, step 1/100, the start hint")
def t_first():
    with attnstep() as p:
        s = first_screen(p)
        lines = split_lines(s)
        expect(len(lines) == H, "the screen has %d lines, not %d" % (len(lines), H), s)
        title = lines[0]
        expect(title.startswith(" attnstep · random-en · " + DEFAULT_TOKENS), "title bar: %r" % title, s)
        expect(title.rstrip().endswith("bidirectional"), "title bar does not end in 'bidirectional'", s)
        expect("── Stage 1/20 · Tokens ──" in s, "no stage heading", s)
        st = status(s)
        expect(st["line"].startswith(" stage 1/20 Tokens │ step 1/100 │ 2 heads │ row │ causal off "),
               "status line: %r" % st["line"], s)
        for tok in DEFAULT_TOKENS.split():
            expect(any(l.split()[1:2] == [tok] for l in lines[3:12] if len(l.split()) >= 2),
                   "token %r not listed in the token panel" % tok, s)


@test("7 steps forward (l, space, Right) then 7 back (h, BSpace, Left) give exactly the first screen")
def t_back_and_forth():
    with attnstep() as p:
        first = first_screen(p)
        forward = ["l", "Space", "Right", "l", "Space", "Right", "l"]
        back = ["h", "BSpace", "Left", "h", "BSpace", "Left", "h"]
        for k in forward:
            p.keys(k)
        mid = p.settle(has_status(step=8))
        expect("step 1/100" not in mid and "→ or space: next step" not in mid, "still on the first step", mid)
        for k in back:
            p.keys(k)
        again = p.settle(has_status(step=1))
        expect(again == first, "the screen after 7 forward and 7 back differs from the first screen:\n"
               + diff(first, again), again)


def diff(a, b):
    out = []
    for i, (x, y) in enumerate(zip(split_lines(a), split_lines(b))):
        if x != y:
            out.append("line %d was: %r" % (i + 1, x))
            out.append("line %d now: %r" % (i + 1, y))
    la, lb = len(split_lines(a)), len(split_lines(b))
    if la != lb:
        out.append("%d lines before, %d after" % (la, lb))
    return "\n".join(out)


@test("End (and G) reach Stage 20/20 · Output projection, step 100/100; Home (and g) return to step 1/100")
def t_home_end():
    with attnstep() as p:
        first = first_screen(p)
        p.keys("End")
        s = p.settle(has_status(step=100))
        expect("── Stage 20/20 · Output projection" in s, "no Output projection heading at End", s)
        expect(status(s)["line"].startswith(" stage 20/20 Output projection │ step 100/100 "),
               "status at End: %r" % status(s)["line"], s)
        p.keys("Home")
        s = p.settle(has_status(step=1))
        expect(s == first, "Home does not give the first screen again:\n" + diff(first, s), s)
        p.text("G")
        s = p.settle(has_status(step=100))
        expect("Stage 20/20 · Output projection" in s, "G does not reach the last stage", s)
        p.text("g")
        s = p.settle(has_status(step=1))
        expect(FIRST in s, "g does not return to the first stage", s)


@test("] three times shows Stage 4/20 (Input x = embedding + position); [ goes back to Stage 3/20 and 1/20")
def t_stages():
    with attnstep() as p:
        first_screen(p)
        p.text("]]]")
        s = p.settle(has_status(stage=4))
        expect("── Stage 4/20 · Input x = embedding + position" in s, "no Stage 4/20 heading", s)
        expect(status(s)["step"] == 16, "stage 4 does not start at step 16: %r" % status(s)["line"], s)
        p.text("[")
        s = p.settle(has_status(stage=3))
        expect("── Stage 3/20 · Positional encoding" in s, "[ does not show Stage 3/20", s)
        p.text("[[")
        s = p.settle(has_status(stage=1))
        expect(FIRST in s and status(s)["step"] == 1, "[ twice more does not reach stage 1 step 1", s)
        # Within a stage, [ first goes to the stage's start.
        p.text("]]ll")
        s = p.settle(has_status(stage=3, step=13))
        p.text("[")
        s = p.settle(has_status(stage=3, step=11))


STAGE_NAMES = ["Tokens", "Embeddings", "Positional encoding", "Input x = embedding + position"] + [
    n for _ in range(2) for n in ("Queries", "Keys", "Values", "Scores", "Scaled scores",
                                  "Attention weights (softmax)", "Head output")] + [
    "Concatenate the heads", "Output projection"]


@test("] walks the 20 stages in order with their names, 5 steps each")
def t_stage_names():
    with attnstep() as p:
        first_screen(p)
        for i, name in enumerate(STAGE_NAMES):
            if i:
                p.text("]")
            head = ""
            if 4 <= i < 18:
                head = " · head %d of 2" % (1 + (i - 4) // 7)
            s = p.settle(lambda s, i=i: "── Stage %d/20 · " % (i + 1) in s)
            expect("── Stage %d/20 · %s%s ──" % (i + 1, name, head) in s,
                   "stage %d is not %r%s" % (i + 1, name, head), s)
            expect(status(s)["step"] == 5 * i + 1, "stage %d starts at step %d" % (i + 1, status(s)["step"]), s)


@test("Tab cycles the granularity row → stage → cell → row, staying in the same stage")
def t_tab():
    with attnstep() as p:
        first_screen(p)
        p.text("]]]]]]]ll")  # stage 8 (Scores, head 1), its third row
        s = p.settle(has_status(stage=8, step=38))
        for gran, steps in (("stage", 20), ("cell", None), ("row", 100)):
            p.keys("Tab")
            s = p.settle(has_status(gran=gran))
            st = status(s)
            expect(st["stage"] == 8 and st["stages"] == 20 and st["title"] == "Scores",
                   "after Tab to %s the stage is %r" % (gran, st["line"]), s)
            expect("── Stage 8/20 · Scores · head 1 of 2" in s, "heading changed with Tab to " + gran, s)
            if steps:
                expect(st["steps"] == steps, "%s granularity has %d steps, not %d" % (gran, st["steps"], steps), s)
            else:
                expect(st["steps"] > 100, "cell granularity has only %d steps" % st["steps"], s)


@test("v shows the heatmap in colour (48;5) with Attention weights · head 1 of 2; 2 → head 2, 0 → mean of 2 heads")
def t_heatmap():
    with attnstep() as p:
        first_screen(p)
        p.text("Gv")
        s = p.settle("── Attention weights · head 1 of 2")
        e = p.screen(escapes=True)
        expect("\x1b[48;5;" in e or re.search(r"\x1b\[[0-9;]*48;5;", e), "no 256-colour backgrounds", e)
        expect(re.search(r"A\[\w+,\w+\] = \d\.\d+", s), "no A[query,key] = value line", s)
        expect(re.search(r"0\.00 +1\.00", s), "no legend 0.00 … 1.00", s)
        lines = split_lines(s)
        for tok in DEFAULT_TOKENS.split():
            expect(any(l.replace("▶", " ").split()[:1] == [tok] for l in lines[5:10]),
                   "no heatmap row for %r" % tok, s)
        p.text("2")
        s = p.settle("── Attention weights · head 2 of 2")
        p.text("0")
        s = p.settle("── Attention weights · mean of 2 heads")
        expect("(mean of the heads)" in s, "the value line does not say it is the mean", s)
        p.text("1")
        p.settle("── Attention weights · head 1 of 2")
        p.text("s")
        s = p.settle("── Scaled scores · head 1 of 2")
        expect(re.search(r"S'\[\w+,\w+\] = -?\d", s), "no S'[q,k] = value line", s)
        p.text("s")
        p.settle("── Attention weights · head 1 of 2")
        p.text("v")
        p.settle("── RNN versus transformer")
        p.text("v")
        p.settle("── Training: watching attention learn")
        p.text("v")  # v cycles pipeline → heatmap → compare → training → pipeline
        s = p.settle("── Stage 20/20 · Output projection")


@test("NO_COLOR=1: no colour escapes in either view, shade glyphs ░▒▓█ in the heatmap")
def t_no_color():
    with attnstep(extra={"NO_COLOR": "1"}) as p:
        first_screen(p)
        e = p.screen(escapes=True)
        c = colour_codes(e)
        expect(not c, "colour escapes on the first screen: %r" % sorted(set(c))[:8], e)
        p.text("G")
        p.settle(has_status(step=100))
        e = p.screen(escapes=True)
        c = colour_codes(e)
        expect(not c, "colour escapes at the last step: %r" % sorted(set(c))[:8], e)
        p.text("v")
        s = p.settle("── Attention weights · head 1 of 2")
        e = p.screen(escapes=True)
        c = colour_codes(e)
        expect(not c, "colour escapes in the heatmap: %r" % sorted(set(c))[:8], e)
        rows = [l for l in split_lines(s)[5:10] if l.split()[:1] and l.split()[0] in DEFAULT_TOKENS.split()]
        expect(len(rows) == 5, "heatmap rows not found", s)
        expect(all(any(ch in r for ch in SHADES) for r in rows), "a heatmap row without shade glyphs", s)
        expect(not re.search(r"\.\d\d", "".join(rows)), "numbers instead of shades in the heatmap", s)


@test("Korean model and sentence: tokens intact in the title, the token panel and the heatmap labels")
def t_korean():
    toks = "영화가 정말 좋지 않았다".split()
    with attnstep("--model", KOREAN, *toks) as p:
        s = p.settle(lambda s: "Stage 1/19 · Tokens" in s and "step 1/76" in s)
        lines = split_lines(s)
        expect(lines[0].startswith(" attnstep · korean · " + " ".join(toks)), "title: %r" % lines[0], s)
        for tok in toks:
            expect(any(l.split()[1:2] == [tok] for l in lines[3:12] if len(l.split()) >= 2),
                   "token %r not in the token panel" % tok, s)
        expect(all(width(l) <= W for l in lines), "a line wider than %d cells" % W, s)
        p.text("G")
        p.settle(has_status(step=76))
        p.text("v")
        s = p.settle("── Attention weights · head 1 of 2")
        lines = split_lines(s)
        for tok in toks:
            expect(any(l.replace("▶", " ").split()[:1] == [tok] for l in lines[5:9]),
                   "no heatmap row label %r" % tok, s)
        header = lines[4]
        for tok in toks:
            # column labels may be cut to the cell width, but never mid-character
            expect(tok[:2] in header, "no column label for %r in %r" % (tok, header), s)
        expect(all(width(l) <= W for l in lines), "a line wider than %d cells" % W, s)


@test("resize to 30×8 says 'terminal too small'; back to 100×30 restores the screen exactly")
def t_resize():
    with attnstep() as p:
        first_screen(p)
        p.text("]]]]]]]l")
        before = p.settle(has_status(stage=8, step=37))
        tmux("resize-window", "-t", p.target, "-x", "30", "-y", "8")
        s = p.settle("terminal too small")
        expect(p.fmt("#{window_width}x#{window_height}") == "30x8", "the window did not shrink", s)
        tmux("resize-window", "-t", p.target, "-x", str(W), "-y", str(H))
        after = p.settle(has_status(stage=8, step=37))
        expect(after == before, "the screen after growing back differs:\n" + diff(before, after), after)


@test("below 64×18 (63×30, 100×17) the full message 'terminal too small (need 64×18)' shows; 64×18 is enough")
def t_too_small_edges():
    with attnstep() as p:
        first_screen(p)
        for w, h in ((63, 30), (100, 17)):
            tmux("resize-window", "-t", p.target, "-x", str(w), "-y", str(h))
            s = p.settle("now %d×%d" % (w, h))
            expect("terminal too small (need 64×18)" in s, "no whole 'terminal too small' message", s)
        tmux("resize-window", "-t", p.target, "-x", "64", "-y", "18")
        s = p.settle(has_status(step=1))
        expect("terminal too small" not in s and FIRST in s, "64×18 is not drawn normally", s)
        expect(all(width(l) <= 64 for l in split_lines(s)), "a line wider than 64 cells at 64×18", s)


@test("at 30 columns the 'terminal too small' message wraps onto two whole lines")
def t_too_small_30():
    with attnstep(w=30, h=8) as p:
        s = p.settle("terminal too small")
        lines = [l.strip() for l in split_lines(s)]
        expect("terminal too small" in lines and "(need 64×18)" in lines and "now 30×8" in lines,
               "the message is cut or garbled: %r" % [l for l in lines if l], s)


@test("q quits with exit status 0")
def t_quit():
    out = tmpfile("quit-exit")
    with shell("%s; echo EXIT=$? > %s" % (shell_cmd(), shlex.quote(out))) as p:
        first_screen(p)
        p.text("q")
        data = wait_file(out)
        expect(data is not None, "attnstep did not exit after q", p.screen())
        expect(data.strip() == "EXIT=0", "exit status: %r" % data.strip(), p.screen())


def signal_test(tag, how, signum):
    """Runs attnstep between two `stty -a`, stops it with how(pane, pid) and
    checks the terminal settings are as before and the exit status is
    128 + signum, as for any program a signal stopped."""
    before, after, ex = tmpfile(tag + "-before"), tmpfile(tag + "-after"), tmpfile(tag + "-exit")
    script = "trap : INT; stty -a > %s; %s; echo EXIT=$? > %s; stty -a > %s" % (
        shlex.quote(before), shell_cmd("--granularity", "row"), shlex.quote(ex), shlex.quote(after))
    with shell(script) as p:
        first_screen(p)
        sh_pid = int(p.fmt("#{pane_pid}"))
        kids = [k for k in children(sh_pid) if os.path.realpath("/proc/%d/exe" % k) == os.path.realpath(BIN)] \
            if os.path.isdir("/proc") else children(sh_pid)
        expect(len(kids) == 1, "attnstep's pid not found under sh %d: %r" % (sh_pid, children(sh_pid)), p.screen())
        pid = kids[0]
        how(p, pid)
        data = wait_file(after)
        expect(data is not None, "attnstep did not exit (or sh did not go on) after %s" % tag, p.screen())
        code = open(ex).read().strip()
        expect(code == "EXIT=%d" % (128 + signum), "exit status after %s: %r, not %d (128 + signal %d)"
               % (tag, code, 128 + signum, signum), p.screen())
        b = open(before).read()
        expect(b == data, "stty -a differs before and after %s:\nbefore: %s\nafter:  %s"
               % (tag, b.strip(), data.strip()), p.screen())
        try:
            os.kill(pid, 0)
            alive = True
        except OSError:
            alive = False
        expect(not alive, "attnstep (pid %d) still running" % pid, p.screen())


@test("SIGTERM: attnstep exits 143 (128+15) and stty -a is the same before and after")
def t_sigterm():
    signal_test("SIGTERM", lambda p, pid: os.kill(pid, signal.SIGTERM), signal.SIGTERM)


@test("SIGHUP: attnstep exits 129 (128+1) and stty -a is the same before and after")
def t_sighup():
    signal_test("SIGHUP", lambda p, pid: os.kill(pid, signal.SIGHUP), signal.SIGHUP)


@test("Ctrl-C (send-keys C-c): attnstep exits 130 (128+2) and stty -a is the same before and after")
def t_ctrl_c():
    signal_test("C-c", lambda p, pid: p.keys("C-c"), signal.SIGINT)


@test("m switches the causal mask: causal (decoder) in the title, causal on, 22 stages with Causal mask; m again undoes it")
def t_causal():
    with attnstep() as p:
        first_screen(p)
        p.text("m")
        s = p.settle(has_status(causal="on"))
        lines = split_lines(s)
        expect(lines[0].rstrip().endswith("causal (decoder)"), "title: %r" % lines[0], s)
        expect("Stage 1/22 · Tokens" in s and status(s)["stages"] == 22, "stage count not /22", s)
        p.text("]]]]]]]]]")  # stage 10: the causal mask of head 1
        s = p.settle(has_status(stage=10))
        expect("── Stage 10/22 · Causal mask · head 1 of 2" in s, "stage 10/22 is not the causal mask", s)
        p.text("m")
        s = p.settle(has_status(causal="off"))
        expect(split_lines(s)[0].rstrip().endswith("bidirectional") and status(s)["stages"] == 20,
               "m again does not go back to bidirectional /20", s)
        expect("Stage 9/20 · Scaled scores · head 1 of 2" in s, "leaving the mask does not stay at Scaled scores", s)


@test("--causal starts with the mask: 22 stages, Causal mask after each Scaled scores")
def t_causal_option():
    with attnstep("--causal") as p:
        s = p.settle(has_status(stage=1, stages=22))
        expect(split_lines(s)[0].rstrip().endswith("causal (decoder)"), "title", s)
        for stage, name in ((9, "Scaled scores · head 1"), (10, "Causal mask · head 1"),
                            (17, "Scaled scores · head 2"), (18, "Causal mask · head 2")):
            p.keys("Home")
            p.settle(has_status(step=1))
            p.text("]" * (stage - 1))
            s = p.settle(has_status(stage=stage))
            expect("── Stage %d/22 · %s" % (stage, name) in s, "stage %d is not %s" % (stage, name), s)


@test("? shows the help overlay (Keys, next step); Esc closes it and the screen is as before")
def t_help():
    with attnstep() as p:
        first_screen(p)
        p.text("]]]]]]]]]l")
        before = p.settle(has_status(stage=10, step=47))
        p.text("?")
        s = p.settle(lambda s: "Keys" in s and "next step" in s and "Esc closes" in s)
        p.keys("Escape")
        after = p.settle(lambda s: "Esc closes" not in s)
        expect(after == before, "the screen after Esc differs:\n" + diff(before, after), after)
        p.text("?")
        p.settle("Esc closes")
        p.text("?")
        after = p.settle(lambda s: "Esc closes" not in s)
        expect(after == before, "? again does not close the help the same way:\n" + diff(before, after), after)


@test("--autoplay 0.1 advances by itself to at least step 5 within 3 s; p pauses")
def t_autoplay():
    with attnstep("--autoplay", "0.1") as p:
        p.wait(has_status(stage=1))
        s = p.wait(lambda s: has_status()(s) and status(s)["step"] >= 5, timeout=3.0)
        expect("playing" in split_lines(s)[0], "the title does not say it is playing", s)
        p.text("p")
        s = p.wait(lambda s: "playing" not in split_lines(s)[0])
        s = p.settle(None)
        step = status(s)["step"]
        time.sleep(0.4)
        s = p.screen()
        expect(status(s)["step"] == step, "still advancing after p (%d → %d)" % (step, status(s)["step"]), s)


@test("p plays from the first screen; + and - report the speed")
def t_play_keys():
    with attnstep() as p:
        first_screen(p)
        p.text("+")
        s = p.settle("autoplay: 0.5 s per step")
        p.text("+++")
        s = p.settle("autoplay: 0.062 s per step")
        p.text("p")
        s = p.wait(lambda s: has_status()(s) and status(s)["step"] >= 5, timeout=3.0)
        p.text("p-")
        p.settle("autoplay: 0.12 s per step")


WALK_HEAD = "attnstep — self-attention, one number at a time"


@test("stdout piped (in a pane, stdin a terminal): the plain walk-through, no escape bytes, same as a plain run")
def t_piped():
    out, done = tmpfile("piped.txt"), tmpfile("piped-done")
    with shell("%s | cat > %s; echo done > %s" % (shell_cmd(), shlex.quote(out), shlex.quote(done))) as p:
        flag = wait_file(done, timeout=10)
        expect(flag is not None, "the piped run did not finish", p.screen())
    with open(out, "rb") as f:
        data = f.read()
    expect(data.startswith(WALK_HEAD.encode()), "starts with %r" % data[:80])
    expect(b"\x1b" not in data, "escape bytes at offset %d" % data.find(b"\x1b"))
    env = {k: v for k, v in os.environ.items() if k not in ("ATTNSTEP_MODEL", "NO_COLOR", "LC_ALL", "LC_CTYPE")}
    env.update(LANG="C.UTF-8", TERM="tmux-256color", ATTNSTEP_MODEL=PINNED)
    r = subprocess.run([BIN], stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=30)
    expect(r.returncode == 0 and r.stdout == data, "a plain subprocess run (rc %d, %d bytes) differs from the pane's "
           "(%d bytes)" % (r.returncode, len(r.stdout), len(data)))


LONG = " ".join(["the", "movie", "was", "not", "good"] * 17)


def check_long(s, where):
    lines = split_lines(s)
    expect(len(lines) == H, "%s: %d lines" % (where, len(lines)), s)
    wide = [(i + 1, width(l)) for i, l in enumerate(lines) if width(l) > W]
    expect(not wide, "%s: lines wider than %d cells: %r" % (where, W, wide), s)
    expect(lines[0].startswith(" attnstep · random-en · the movie was") and
           lines[0].rstrip().endswith("bidirectional"), "%s: title %r" % (where, lines[0]), s)
    st = status(s)
    expect(st["steps"] == 1700 and st["heads"] in ("2 heads", "head 1/2", "head 2/2"),
           "%s: status %r" % (where, st["line"]), s)


@test("85 tokens: title, status line and every line within 100 cells in the pipeline and heatmap views")
def t_long():
    with attnstep(LONG) as p:
        s = p.settle(lambda s: has_status(step=1)(s) and FIRST in s)
        check_long(s, "first step")
        p.text("]]]]]]]]]ll")  # attention weights of head 1
        s = p.settle(has_status(stage=10, step=9 * 85 + 3))
        check_long(s, "attention weights")
        p.text("v")
        s = p.settle("── Attention weights · head 1 of 2")
        check_long(s, "heatmap, attention weights")
        expect("showing rows" in s, "no panning note for 85 rows", s)
        p.text("vvvG")  # through the compare and training views back to the pipeline
        s = p.settle(has_status(step=1700))
        check_long(s, "last step")
        expect("Stage 20/20 · Output projection" in s, "no last stage heading", s)
        p.text("v")
        s = p.settle("── Attention weights · head 1 of 2")
        check_long(s, "heatmap, last step")
        e = p.screen(escapes=True)
        expect("48;5;" in e, "no colour cells in the long heatmap", e)


def heat_cell_xy(s, row_tok, col_tok, toks):
    """Screen (x, y) of heatmap cell (row_tok, col_tok): the column label's
    first cell and the row label's line."""
    lines = split_lines(s)
    header = lines[4]
    # key labels are left-aligned at the start of each cell
    xs = [m.start() for m in re.finditer(r"\S+", header)]
    labels = header.split()
    if labels != [t[:len(l)] for t, l in zip(toks, labels)]:
        raise Fail("unexpected heatmap column labels %r" % labels, s)
    x = xs[toks.index(col_tok)] + 1
    y = next(i for i, l in enumerate(lines) if i > 4 and l.replace("▶", " ").split()[:1] == [row_tok])
    return x, y


def click(p, x, y):
    """An X10 mouse press and release at 0-based (x, y)."""
    for button in (0, 3):
        p.text("\x1b[M" + chr(32 + button) + chr(32 + x + 1) + chr(32 + y + 1))


@test("mouse: a click on a heatmap cell jumps to the step that computes it (X10 press/release via send-keys)")
def t_mouse_heatmap():
    toks = DEFAULT_TOKENS.split()
    with attnstep() as p:
        first_screen(p)
        expect(p.fmt("#{mouse_standard_flag}") == "1", "attnstep did not turn on mouse reporting", p.screen())
        p.text("]]]]]]]]]")  # stage 10: attention weights, head 1
        s = p.settle(has_status(stage=10))
        first = status(s)["step"]
        p.text("Gv")
        s = p.settle("── Attention weights · head 1 of 2")
        x, y = heat_cell_xy(s, "was", "not", toks)
        click(p, x, y)
        s = p.settle(has_status(step=first + 2))
        expect("A[was,not] = " in s, "the selected cell is not A[was,not]", s)
        expect(status(s)["stage"] == 10, "not in stage 10", s)
        p.text("2")
        s = p.settle("head 2 of 2")
        x, y = heat_cell_xy(s, "good", "the", toks)
        click(p, x, y)
        s = p.settle(has_status(stage=17, step=first + 35 + 4))
        expect("A[good,the]" in s, "the selected cell is not A[good,the]", s)


@test("mouse: a click on a cell of the result matrix in the pipeline view jumps to the step of that row")
def t_mouse_pipeline():
    with attnstep() as p:
        first_screen(p)
        p.text("]]]]]]]")  # stage 8: scores of head 1, Q · Kᵀ = S
        s = p.settle(has_status(stage=8))
        first = status(s)["step"]
        lines = split_lines(s)
        # the column header of S is the line after the panel titles; S is the last panel
        hy = next(i for i, l in enumerate(lines) if l.rstrip().endswith(" S") and " Q " in l + " ")
        header = lines[hy + 1]
        x = header.rfind("was") + 1
        y = next(i for i, l in enumerate(lines) if i > hy + 1 and l.split()[:1] == ["good"])
        expect(x > header.rfind("d3"), "cannot place the S columns in %r" % header, s)
        click(p, x, y)
        s = p.settle(has_status(step=first + 4))
        expect("S[good] = " in s, "the formula is not about S[good]", s)
        # a model weight is not computed: clicking one says so
        p.text("]]]]]]]]]]]]")  # stage 20: output projection, C · W_O
        s = p.settle(has_status(stage=20))
        lines = split_lines(s)
        ty = next(i for i, l in enumerate(lines) if "W_O" in l)
        wx = lines[ty].find("W_O")
        click(p, wx + 8, ty + 3)
        s = p.settle("is a weight of the model: given")


def exported(name, *args):
    """attnstep --export of the default sentence; returns {file: rows}."""
    d = tmpfile("export-" + name)
    subprocess.run([BIN, *args, "--export", d], check=True, capture_output=True,
                   env=dict(os.environ, ATTNSTEP_MODEL=PINNED))
    def read(f):
        with open(os.path.join(d, f), newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))
    return read


def screen_grid(s, first_line, n_rows):
    """Rows of a matrix on screen after the line that holds first_line: {label: [cells]}."""
    lines = split_lines(s)
    start = next(i for i, l in enumerate(lines) if first_line in l)
    return [l.replace("▶", " ").split() for l in lines[start + 1:start + 1 + n_rows]]


@test("every number on screen equals the exported one: heatmap cells of both heads and the Scores panel")
def t_numbers_match_export():
    read = exported("numbers")
    toks = DEFAULT_TOKENS.split()
    with attnstep() as p:
        first_screen(p)
        p.text("Gv")
        for head in (1, 2):
            p.text(str(head))
            s = p.settle("── Attention weights · head %d of 2" % head)
            rows = screen_grid(s, "row = a query word", len(toks) + 1)[1:]
            want = read("head%d_weights.csv" % head)[1:]
            expect(len(rows) == len(want) and all(len(r) == len(toks) + 1 for r in rows),
                   "cannot read %d heatmap rows of %d cells" % (len(want), len(toks)), s)
            for got, ref in zip(rows, want):
                expect(got[0] == ref[0], "row label %r, exported %r" % (got[0], ref[0]), s)
                for cell, value in zip(got[1:], ref[1:]):
                    expect(abs(float(cell) - float(value)) <= 0.005 + 1e-9,
                           "head %d %s: screen %s, export %s" % (head, ref[0], cell, value), s)
        # The pipeline view's Scores stage (head 1), fully revealed: its last step.
        p.text("vvv1g")
        p.settle("Stage 1/20")
        for _ in range(7):
            p.text("]")
        p.settle("Stage 8/20 · Scores")
        for _ in range(4):
            p.text("l")
        s = p.settle("step 40/100")
        lines = split_lines(s)
        header = next(i for i, l in enumerate(lines) if l.strip().startswith("Q") and "S" in l)
        want = {r[0]: r[1:] for r in read("head1_scores.csv")[1:]}
        for l in lines[header + 2:header + 2 + len(toks)]:
            cells = l.split()[-(len(toks) + 1):]
            label, nums = cells[0], cells[1:]
            expect(label in want and len(nums) == len(toks), "cannot read the S panel row %r" % l, s)
            for cell, value in zip(nums, want[label]):
                expect(abs(float(cell) - float(value)) <= 0.005 + 1e-9,
                       "S[%s]: screen %s, export %s" % (label, cell, value), s)


@test("--compare: the RNN reads one word per step, attention takes one parallel step; influence equals the export")
def t_compare():
    read = exported("compare")
    toks = DEFAULT_TOKENS.split()
    with attnstep("--compare") as p:
        s = p.settle("── RNN versus transformer")
        expect("sequential step 0 of 5" in s and "not started" in s, "not at the start", s)
        p.keys("Right", "Right", "Right")
        s = p.settle("sequential step 3 of 5")
        expect("1 parallel step" in s, "attention is not done in one step", s)
        expect("word 3/5" in s, "the status line does not count words", s)
        p.text("G")
        s = p.settle("sequential step 5 of 5")
        rows = {r[0]: r[1:] for r in read("influence.csv")[1:]}
        lines = split_lines(s)
        start = next(i for i, l in enumerate(lines) if "How much each word still matters" in l)
        shown = [l for l in lines[start + 2:start + 2 + len(toks)]]
        expect(len(shown) == len(toks), "no influence row per word", s)
        for k, (tok, line) in enumerate(zip(toks, shown)):
            nums = re.findall(r"(\d[\d.]*(?:e-?\d+)?)\s+(\d+)", line)
            expect(line.split()[0] == tok and len(nums) == 3, "cannot read the influence row %r" % line, s)
            for (value, path), model in zip(nums, ("rnn", "lstm", "attention")):
                ref = float(rows[model][k])
                expect(abs(float(value) - ref) <= 0.051 * ref, "%s influence of %s: screen %s, export %s" % (
                    model, tok, value, ref), s)
                want_path = 1 if model == "attention" else len(toks) - 1 - k
                expect(int(path) == want_path, "%s path of %s: %s, expected %d" % (model, tok, path, want_path), s)
        p.text("g")
        p.settle("sequential step 0 of 5")
        p.text("v")
        s = p.settle("── Training: watching attention learn")
        expect("no training history" in " ".join(s.split()), "random-en has no history: the view should say so", s)
        p.text("v")
        p.settle("── Stage 1/20 · Tokens")


@test("--compare with a model without recurrent weights says what is missing and how to make it")
def t_compare_missing():
    with attnstep("--model", os.path.join(ROOT, "tests", "data", "bundles", "bias-crlf"), "--compare",
                  "the", "movie") as p:
        s = p.settle("── RNN versus transformer")
        flat = " ".join(s.split())
        expect("no RNN weights" in flat and "--d-hidden" in flat, "no explanation of what is missing", s)
        expect("(not in this model)" in s, "the influence columns do not say the models are missing", s)


@test("r switches the pipeline between the attention, RNN and LSTM lessons")
def t_lessons():
    with attnstep() as p:
        first_screen(p)
        p.text("r")
        s = p.settle("RNN: read the next word")
        expect("Stage 1/16" in s and "step 1/16" in s, "not the RNN lesson's first step", s)
        p.keys("Right")
        s = p.settle("RNN: mix the word with the memory")
        expect("a[the] = e[the]·W_xh" in " ".join(s.split()), "no pre-activation formula", s)
        p.text("r")
        s = p.settle("LSTM: read the next word")
        p.keys("Right")
        s = p.settle("LSTM: the gates")
        p.text("r")
        p.settle("── Stage 1/20 · Tokens")


@test("training view: tiny-en's snapshots from random start to trained, curves, and R retrains live")
def t_training_view():
    with attnstep("--model", TINY_EN, "the", "movie", "was", "not", "good") as p:
        p.settle("── Stage 1/29 · Tokens")
        p.text("vvv")
        s = p.settle("── Training: watching attention learn · epoch 20 of 20")
        flat = " ".join(s.split())
        expect("negative" in s and "99.99%" in s, "no confident prediction at the end", s)
        with open(os.path.join(TINY_EN, "training.csv"), encoding="utf-8") as f:
            last = f.read().split()[-1].split(",")  # epoch,loss,train_accuracy,test_accuracy
        figures = "accuracy: train %.0f%% test %.0f%%" % (100 * float(last[2]), 100 * float(last[3]))
        expect("loss" in s and figures in flat, "no curves with their figures (%s)" % figures, s)
        expect("W_Q" in s and "W_K" in s and "W_V" in s, "no projections", s)
        p.text("g")
        s = p.settle("epoch 0 of 20 (snapshot 1 of")
        expect("Random start" in s, "epoch 0 is not narrated as the random start", s)
        p.keys("Right")
        p.settle("epoch 1 of 20")
        p.text("R")
        s = p.wait("retrained from random", timeout=20)
        expect("epoch 20 of 20" in s, "the live run did not reach the last epoch", s)


@test("training view on tiny-ko: the narration names a word of the Korean sentence, no English example")
def t_training_view_korean():
    toks = "그 미술관 진짜 재미없지".split()
    with attnstep("--model", os.path.join(ROOT, "assets", "models", "tiny-ko"), *toks) as p:
        p.settle("── Stage 1/29 · Tokens")
        p.text("vvv")
        p.settle("── Training: watching attention learn · epoch 20 of 20")
        p.text("g")
        p.settle("epoch 0 of 20 (snapshot 1 of")
        p.keys("Right", "Right", "Right")
        s = p.settle("epoch 3 of 20")
        flat = " ".join(s.split())
        named = re.search(r'attends most to "([^"]+)"', flat)
        # a piece of a word ("##없" of 재미없지) with subwords
        expect(named and any(named.group(1).replace("##", "", 1) in t for t in toks),
               "the narration does not name a word (or piece) of the sentence", s)
        expect('"not"' not in flat and '"good"' not in flat, "an English example on the Korean model", s)
        expect("coin toss" not in flat, "a coin toss beside a confident prediction", s)


@test("n picks the next example sentence from assets/sentences.csv in every view (not the one shown); N goes back")
def t_next_sentence():
    with attnstep() as p:
        first_screen(p)
        p.text("n")
        s = p.settle(lambda s: not split_lines(s)[0].startswith(" attnstep · random-en · the movie was not good ")
                     and "step 1/" in s)
        expect("Stage 1/" in s and "example 2 of" in s, "a new sentence should start at its first step", s)
        p.text("N")
        p.settle(lambda s: split_lines(s)[0].startswith(" attnstep · random-en · the movie was not good"))


@test("without --model and ATTNSTEP_MODEL the default is the trained tiny-en")
def t_default_model():
    with Pane(["env", "-u", "ATTNSTEP_MODEL", "-u", "LC_ALL", "-u", "LC_CTYPE", "-u", "NO_COLOR", "LANG=C.UTF-8",
               "TERM=tmux-256color", BIN], W, H) as p:
        s = p.settle("── Stage 1/29 · Tokens")
        # tiny-en cuts "movie" into mov ##ie
        expect(re.match(r" attnstep · tiny-en · the mov(ie| ##ie) was not good", split_lines(s)[0]), "title", s)


@test("an unknown TERM is reported and the plain walk-through is printed instead")
def t_bad_term():
    err, status = tmpfile("bad-term-err"), tmpfile("bad-term-exit")
    with shell("TERM=no-such-terminal %s 2> %s; echo EXIT=$? > %s; sleep 30" % (
            shlex.quote(BIN), shlex.quote(err), shlex.quote(status))) as p:
        code = wait_file(status)
        s = p.screen()
        with open(err, encoding="utf-8") as f:
            msg = f.read()
        expect(code is not None and code.strip() == "EXIT=0", "exit status %r" % code, s)
        expect(msg.startswith("attnstep: TERM 'no-such-terminal' is not a terminal type this machine knows"),
               "stderr: %r" % msg, s)
        expect("── Stage" in s and "\x1b" not in p.screen(escapes=False), "no plain walk-through", s)


@test("heatmap: the ▶ 'being computed' mark only shows in attention stages (not at Output projection when N = d_model)")
def t_heat_marker():
    # 8 tokens = d_model 8 of the default model: the Output projection result is 8×8.
    with attnstep("one two three four five six seven eight") as p:
        p.settle(has_status(step=1))
        p.text("Gv")
        s = p.settle("── Attention weights · head 1 of 2")
        expect("▶" not in s, "a query row is marked ▶ as being computed at the Output projection stage", s)


# ---- main ----------------------------------------------------------------

def main():
    t0 = time.monotonic()
    print("1..%d" % len(results))
    failed = 0
    socket_path = None

    def on_term(sig, frame):  # meson's timeout: still kill the server
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        # An anchor session keeps the server and its options; panes stay
        # after their program exits so nothing is lost to a race.
        tmux("new-session", "-d", "-s", "anchor", "-x", str(W), "-y", str(H), "cat", ";",
             "set-option", "-g", "remain-on-exit", "on", ";",
             "set-option", "-g", "history-limit", "0")
        socket_path = tmux("display-message", "-p", "-t", "=anchor:", "#{socket_path}").strip()
        for k, (desc, fn) in enumerate(results, 1):
            start = time.monotonic()
            try:
                fn()
                ok, diag, screen = True, None, None
            except Fail as e:
                ok, diag, screen = False, str(e), e.screen
            except Exception as e:  # a broken test is a failure too
                ok, diag, screen = False, "%s: %s" % (type(e).__name__, e), None
            took = time.monotonic() - start
            print("%s %d - %s" % ("ok" if ok else "not ok", k, desc))
            if not ok:
                failed += 1
                for line in diag.split("\n"):
                    print("# " + line)
                if screen is not None:
                    print("# screen:")
                    for line in split_lines(screen.replace("\x1b", "\\e")):
                        print("# |" + line)
            print("# %.2f s" % took)
            sys.stdout.flush()
    finally:
        tmux("kill-server", check=False)
        if socket_path and os.path.basename(socket_path) == SOCKET:
            try:
                os.unlink(socket_path)  # tmux leaves the socket file behind
            except OSError:
                pass
        shutil.rmtree(TMP, ignore_errors=True)
    print("# %d of %d failed, %.1f s" % (failed, len(results), time.monotonic() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
