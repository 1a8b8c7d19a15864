#!/usr/bin/env python3
"""--snapshot FILE.svg [--view V] [--step N] [--size WxH] and the S key
(stdlib only, TAP output).

Usage: test_snapshot.py ATTNSTEP_BINARY SOURCE_ROOT

The SVG must parse as XML, hold the sentence's tokens, put every glyph on
its cell (a Hangul syllable two cells wide), carry the screen's colours,
and read, cell for cell, like the same screen in tmux (the same drawing
code). rsvg-convert (librsvg2-bin) renders it to a PNG of 9×18 pixels a
cell, with ink in both cells of a Hangul syllable. Bad arguments exit 2
(1 for a file that cannot be written) with one line saying why. In tmux, S
writes attnstep-001.svg, then 002, into the current folder and says so.
Checks that need rsvg-convert or tmux are skipped without them.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

from tap import check, finish, hangul, svg_grid, tmux_tools, width

sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
if len(sys.argv) != 3:
    sys.stderr.write("usage: test_snapshot.py ATTNSTEP_BINARY SOURCE_ROOT\n")
    sys.exit(2)
BIN = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
MODELS = os.path.join(ROOT, "assets", "models")
TINY_EN, TINY_KO, RANDOM_EN = (os.path.join(MODELS, m) for m in ("tiny-en", "tiny-ko", "random-en"))
TMP = tempfile.mkdtemp(prefix="attnstep-snapshot-")
SVG = "{http://www.w3.org/2000/svg}"
CW, CH = 9, 18  # a cell, in SVG units and PNG pixels
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANGUAGE", "NO_COLOR", "ATTNSTEP_MODEL", "TMUX",
                    "TMUX_PANE", "COLUMNS", "LINES")}
ENV["LANG"] = "C.UTF-8"
RSVG = shutil.which("rsvg-convert")
TMUX = shutil.which("tmux")


def run(args, cwd=None):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env=ENV, cwd=cwd, stdin=subprocess.DEVNULL,
                       timeout=120)
    return r.returncode, r.stdout, r.stderr


def path(name):
    return os.path.join(TMP, name)


def snap(name, *args):
    """Runs --snapshot into TMP/name; returns (rc, stdout, stderr, file)."""
    f = path(name)
    rc, out, err = run(["--snapshot", f, *args])
    return rc, out, err, f


def grid(f):
    return svg_grid(f, CW, CH)


def tspans(root, row):
    """(x, glyph, font-size) of every glyph on a row, left to right."""
    out = []
    for t in root.iter(SVG + "text"):
        if int(float(t.get("y")) // CH) == row:
            out += [(float(s.get("x")), s.text, s.get("font-size")) for s in t.iter(SVG + "tspan")]
    return sorted(out)


def tokens_of(model, sentence, lang=None):
    out = path("export-%d" % len(os.listdir(TMP)))
    args = (["--lang", lang] if lang else []) + ["--model", model, "--export", out, "--", *sentence.split()]
    rc, _, err = run(args)
    if rc:
        raise RuntimeError(err)
    with open(os.path.join(out, "tokens.csv"), encoding="utf-8", newline="") as fh:
        return [r["token"] for r in csv.DictReader(fh)], out


def status_numbers(line):
    m = re.search(r"step (\d+)/(\d+)", line)
    return (int(m.group(1)), int(m.group(2))) if m else None


def png_pixels(f):
    """A PNG's size and its rows of (r, g, b) (8-bit RGB or RGBA, not interlaced)."""
    with open(f, "rb") as fh:
        data = fh.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h = int.from_bytes(ihdr[0:4], "big"), int.from_bytes(ihdr[4:8], "big")
    depth, ctype, interlace = ihdr[8], ihdr[9], ihdr[12]
    assert depth == 8 and ctype in (2, 6) and not interlace, "PNG kind %d/%d/%d" % (depth, ctype, interlace)
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        ft, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def render(f):
    png = f[:-4] + ".png"
    r = subprocess.run([RSVG, f, "-o", png], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stderr, png


def ink(rows, x0, x1, y0, y1, bg):
    """Pixels in the box that are not the background."""
    return sum(1 for y in range(y0, y1) for x in range(x0, x1) if max(abs(a - b) for a, b in zip(rows[y][x], bg)) > 40)


def one_line(err):
    return err.count("\n") == 2 and err.startswith("attnstep: ") and "attnstep --help" in err.splitlines()[1]


# ---- the default model, plain ------------------------------------------------

rc, out, err, f = snap("default.svg")
check("--snapshot FILE.svg with no terminal: exit 0, one line naming the file and the size",
      rc == 0 and out == "attnstep: wrote %s (the screen at 120×36 cells)\n" % f and err == "", rc, out, err)
rows, root = grid(f)
check("it parses as XML: an <svg> of 120×36 cells of 9×18 (1080×648)",
      root.tag == SVG + "svg" and root.get("width") == "1080" and root.get("height") == "648"
      and root.get("viewBox") == "0 0 1080 648", root.attrib)
fonts = root.get("font-family", "")
check("the font list has a monospace font with box drawing and ones with Hangul, then monospace",
      fonts.startswith("'DejaVu Sans Mono'") and "Noto Sans Mono CJK KR" in fonts and "NanumGothicCoding" in fonts
      and fonts.endswith("monospace"), fonts)
check("nothing else is left in the folder (the temporary file was renamed)",
      sorted(os.listdir(TMP)) == ["default.svg"], os.listdir(TMP))
toks, exported = tokens_of(TINY_EN, "the movie was not good")
check("the title row holds the sentence's tokens (%s) after the model's name" % " ".join(toks),
      rows[0].startswith(" attnstep · tiny-en · " + " ".join(toks) + " ") and rows[0].endswith("bidirectional"),
      rows[0])
text = "".join(root.itertext())
check("every token is in the SVG's text", all(t in text for t in toks), toks)
check("the status line is the last row: stage 1, step 1",
      rows[-1].startswith(" stage 1/") and status_numbers(rows[-1])[0] == 1, rows[-1])
rects = [(r.get("x"), r.get("y"), r.get("width"), r.get("fill")) for r in root.iter(SVG + "rect")]
check("the screen's colours: the title bar on xterm colour 24 (#005f87), the status line on 236 (#303030)",
      ("0", "0", "1080", "#005f87") in rects and ("0", str(35 * CH), "1080", "#303030") in rects, rects[:6])
bold = [t for t in root.iter(SVG + "text") if t.get("font-weight") == "bold" and float(t.get("y")) < CH]
check("the title's bold text is bold and white (231)", bold and bold[0].get("fill") == "#ffffff",
      [t.attrib for t in bold])
xs = [x for x, _, _ in tspans(root, 0)]
check("each glyph of the title row sits on its own cell (x a multiple of 9, one glyph a cell)",
      all(x % CW == 0 for x in xs) and len(set(xs)) == len(xs), xs[:20])

# ---- each view, and the step as the status line counts it --------------------

rc, out, err, f = snap("heat-first.svg", "--view", "heatmap")
steps = status_numbers(grid(f)[0][-1])[1] if rc == 0 else 0
rc, out, err, f = snap("heat.svg", "--view", "heatmap", "--step", str(steps))
rows, root = grid(f)
check("--view heatmap --step %d (the last): the status line says step %d/%d" % (steps, steps, steps),
      rc == 0 and status_numbers(rows[-1]) == (steps, steps), rows[-1], err)
rc, out, err, f = snap("heat-last.svg", "--view", "heatmap", "--step", "last")
check("--step last is the view's last step (the same picture as --step %d)" % steps,
      rc == 0 and grid(f)[0] == rows, err)
with open(os.path.join(exported, "head1_weights.csv"), encoding="utf-8", newline="") as fh:
    w_the = [float(v) for v in list(csv.reader(fh))[1][1:]]
row_the = next((r for r in rows if r.split()[:1] == ["the"] and re.search(r"\.\d\d", r)), "")
shown = [float(v) for v in re.findall(r"\d*\.\d+", row_the)]
check("the heatmap's row 'the' shows head 1's weights (head1_weights.csv) to 2 decimals",
      len(shown) == len(w_the) and all(abs(a - b) <= 0.0051 for a, b in zip(shown, w_the)), row_the, w_the)
heat_fills = {r.get("fill") for r in root.iter(SVG + "rect")}
check("heat cells are filled with the heat scale's colours (xterm 53 #5f005f, 220 #ffd700)",
      "#5f005f" in heat_fills and "#ffd700" in heat_fills, sorted(heat_fills))
rc, out, err, f = snap("pipe.svg", "--view", "pipeline", "--step", "30")
rows, _ = grid(f)
check("--view pipeline --step 30: step 30 on the status line, a stage heading",
      rc == 0 and status_numbers(rows[-1])[0] == 30 and any(r.startswith(" ── Stage ") for r in rows), rows[-1], err)
n_random = len(tokens_of(RANDOM_EN, "the movie was not good")[0])
rc, out, err, f = snap("compare.svg", "--view", "compare", "--step", "3", "--model", RANDOM_EN)
rows, _ = grid(f)
check("--view compare --step 3 (random-en): 'word 3/%d' on the status line, RNN and attention side by side"
      % n_random, rc == 0 and rows[-1].startswith(" word 3/%d " % n_random) and any("RNN" in r and "ttention" in r for r in rows[:4]),
      rows[:4], rows[-1], err)
rc, out, err, f = snap("training.svg", "--view", "training")
rows, _ = grid(f)
m = re.match(r" snapshot (\d+)/(\d+) ", rows[-1] if rows else "")
check("--view training: the last snapshot by default (the trained model)",
      rc == 0 and m and m.group(1) == m.group(2) and int(m.group(2)) > 1, rows[-1:], err)
rc, out, err, f = snap("training1.svg", "--view", "training", "--step", "1")
rows, _ = grid(f)
check("--view training --step 1: snapshot 1, the random start", rc == 0 and rows[-1].startswith(" snapshot 1/"),
      rows[-1:], err)
rc, out, err, f = snap("small.svg", "--size", "64x18", "--causal", "--granularity", "stage")
rows, root = grid(f)
check("--size 64x18 (the minimum) with --causal and --granularity stage: 576×324, 'causal' in the title, "
      "'stage' on the status line",
      rc == 0 and root.get("width") == "576" and root.get("height") == "324" and "causal" in rows[0]
      and " stage " in rows[-1] and len(rows) == 18, rows[0], rows[-1], err)
rc0, _, _, f0 = snap("set0.svg", "--view", "heatmap", "--step", str(steps))
rc1, _, err, f1 = snap("set1.svg", "--view", "heatmap", "--step", str(steps), "--set", "w_q[0,0]=9")
check("--set changes what the snapshot shows (W_Q[0,0] = 9: other weights in the heatmap)",
      rc0 == 0 and rc1 == 0 and grid(f0)[0] != grid(f1)[0], err)
rc, out, err = run(["--snapshot", path("print.svg"), "--print"])
check("--snapshot with --print: the file and the walk-through", rc == 0 and os.path.exists(path("print.svg"))
      and out.count("Stage ") > 10, out[-300:], err)
rc, out, err, f = snap("escape.svg", "--model", RANDOM_EN, "--", "a", "<b>", "&", "c")
rows, _ = grid(f) if rc == 0 else ([""], None)
check("XML's special characters are escaped: a sentence with <b> and & parses and reads back as typed",
      rc == 0 and " a < b > & c " in rows[0], rows[:1], err)

# ---- Korean ---------------------------------------------------------------------

rc, out, err = run(["--lang", "ko", "--model", TINY_KO, "--snapshot", path("ko.svg")])
rows, root = grid(path("ko.svg"))
check("--lang ko: the line after writing is Korean", rc == 0 and hangul(out) and "ko.svg" in out, out, err)
glyphs = tspans(root, 0)
wide = [(x, g, fs) for x, g, fs in glyphs if hangul(g)]
pairs = list(zip(wide, wide[1:]))
check("tiny-ko's title: Hangul syllables two cells wide (x of a syllable and the next one in a word 18 apart)",
      wide and any(b[0] - a[0] == 2 * CW for a, b in pairs) and all(b[0] - a[0] >= 2 * CW for a, b in pairs),
      wide[:8])
line0 = rows[0]
title_ok = hangul(line0)
col = 0
for ch in line0:  # every glyph's x is the display width of what comes before it
    if ch.strip():
        x = next((x for x, g, _ in glyphs if g == ch and int(x // CW) == col), None)
        title_ok &= x is not None
    col += width(ch)
check("every glyph of the Korean title is at the column its display width puts it", title_ok, line0)
check("a Hangul glyph is centred in its two cells (x = 9·col + 0.5, at 17 units)",
      all(x % CW == 0.5 and fs == "17" for x, _, fs in wide), wide[:4])
check("the Korean status line is on the last row", rows[-1].startswith(" 단계 1/"), rows[-1])

# ---- rendered by rsvg-convert ---------------------------------------------------------

if RSVG:
    rc, err, png = render(path("default.svg"))
    w, h, px = png_pixels(png) if rc == 0 else (0, 0, [])
    check("rsvg-convert renders the default snapshot: a PNG of 120×36 cells (1080×648)", (w, h) == (1080, 648),
          err, (w, h))
    rc, err, png = render(path("small.svg"))
    w2, h2, _ = png_pixels(png) if rc == 0 else (0, 0, [])
    check("and --size 64x18 to 576×324", (w2, h2) == (576, 324), err)
    check("the title bar is #005f87 and the page #1c1c1c in the picture",
          px and px[2][500] == (0x00, 0x5f, 0x87) and px[300][1070] == (0x1c, 0x1c, 0x1c), px and px[2][500])
    rc, err, png = render(path("ko.svg"))
    _, _, kpx = png_pixels(png) if rc == 0 else (0, 0, [])
    x0 = int(wide[0][0] // CW) * CW if wide else 0
    left, right = (ink(kpx, x0, x0 + CW, 0, CH, (0x00, 0x5f, 0x87)),
                   ink(kpx, x0 + CW, x0 + 2 * CW, 0, CH, (0x00, 0x5f, 0x87))) if kpx else (0, 0)
    check("the first Hangul syllable of the title is drawn (a font has Hangul) across both its cells "
          "(ink: %d and %d pixels)" % (left, right), left > 10 and right > 10)
    rc, err, png = render(path("heat.svg"))
    check("rsvg-convert renders each view", rc == 0 and all(
        render(path(n))[0] == 0 for n in ("pipe.svg", "compare.svg", "training.svg")), err)
else:
    check("rsvg-convert renders the snapshots # SKIP rsvg-convert (librsvg2-bin) is not installed", True)

# ---- bad arguments ------------------------------------------------------------------

for args, code, want in [
        (["--size", "50x10"], 2, "attnstep: --size must be between 64x18 and 1000x500, not 50x10"),
        (["--size", "wide"], 2, "attnstep: --size takes a size like 120x36, not 'wide'"),
        (["--size", "120x"], 2, "attnstep: --size takes a size like 120x36, not '120x'"),
        (["--view", "graph"], 2, "attnstep: --view must be pipeline, heatmap, compare, training or generate, not 'graph'"),
        (["--step", "0"], 2, "attnstep: --step must be between 1 and %d in this view for this sentence, not 0" % steps),
        (["--view", "heatmap", "--step", str(steps + 1)], 2,
         "attnstep: --step must be between 1 and %d in this view for this sentence, not %d" % (steps, steps + 1)),
        (["--view", "compare", "--step", "9", "--model", RANDOM_EN], 2,
         "attnstep: --step must be between 0 and %d in this view for this sentence, not 9" % n_random),
        (["--step", "two"], 2, "attnstep: --step needs a whole number, not 'two'"),
        (["--bench"], 2, "attnstep: --snapshot and --bench cannot be used together")]:
    rc, out, err = run(["--snapshot", path("bad.svg"), *args])
    check("--snapshot %s: exit %d, '%s'" % (" ".join(args), code, want[10:]),
          rc == code and err.splitlines()[:1] == [want] and one_line(err) and not os.path.exists(path("bad.svg")),
          rc, err)
rc, out, err = run(["--view", "heatmap"])
check("--view without --snapshot: exit 2, saying it goes with --snapshot",
      rc == 2 and err.startswith("attnstep: --view, --step and --size go with --snapshot FILE.svg\n"), rc, err)
rc, out, err = run(["--lang", "ko", "--snapshot", path("bad.svg"), "--size", "10x10"])
check("--lang ko: the size error is Korean", rc == 2 and hangul(err.splitlines()[0]) and "10x10" in err, err)
nodir = os.path.join(TMP, "no-such-dir", "x.svg")
rc, out, err = run(["--snapshot", nodir])
check("a folder that does not exist: exit 1, 'attnstep: FILE: No such file or directory'",
      rc == 1 and err == "attnstep: %s: No such file or directory\n" % nodir and out == "", rc, err)
os.mkdir(path("adir"))
before = sorted(os.listdir(TMP))
rc, out, err = run(["--snapshot", path("adir")])
check("FILE is a folder: exit 1, one line naming it, and no temporary file left",
      rc == 1 and err.startswith("attnstep: %s: " % path("adir")) and err.count("\n") == 1
      and sorted(os.listdir(TMP)) == before, rc, err, sorted(set(os.listdir(TMP)) - set(before)))


# ---- the same screen as in the terminal, and the S key (tmux) -----------------------

SOCKET = "attnstep-snap-%d" % os.getpid()
tmux, capture, wait = tmux_tools(SOCKET, ENV, wait_timeout=8.0)


def pane(name, args, cwd, w=100, h=30):
    cmd = ["env", "TERM=tmux-256color", BIN, *args]
    tmux("new-session", "-d", "-s", name, "-x", str(w), "-y", str(h), "-c", cwd, *cmd)
    return "=%s:" % name


def keys(target, *k):
    tmux("send-keys", "-t", target, *k)


def diff(a, b):
    return ["%d: %r\n   %r" % (i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y][:4] + (
        ["%d rows against %d" % (len(a), len(b))] if len(a) != len(b) else [])


if TMUX:
    try:
        tmux("new-session", "-d", "-s", "anchor", "-x", "100", "-y", "30", "cat", ";",
             "set-option", "-g", "remain-on-exit", "on")
        for n, (args, keyseq, view_args, what) in enumerate([
                ([], [], [], "the pipeline's first screen (tiny-en)"),
                ([], ["v", "G"], ["--view", "heatmap", "--step", str(steps)], "the heatmap at the last step"),
                (["--lang", "ko", "--model", TINY_KO], [], [], "tiny-ko's first screen in Korean")]):
            t = pane("same%d" % n, args, TMP)
            screen = wait(t, lambda s: len(s) == 30 and s[-1].startswith((" stage 1/", " 단계 1/")))
            for k in keyseq:
                keys(t, k)
            if keyseq:
                screen = wait(t, lambda s: status_numbers(s[-1] if s else "") == (steps, steps))
            rc, out, err = run([*args, "--snapshot", path("same%d.svg" % n), "--size", "100x30", *view_args])
            rows, _ = grid(path("same%d.svg" % n)) if rc == 0 else ([], None)
            check("--snapshot --size 100x30 reads cell for cell like the screen in tmux: %s" % what,
                  rc == 0 and rows == screen, err, *diff(rows, screen))
            tmux("kill-session", "-t", "=same%d" % n)

        cwd = tempfile.mkdtemp(prefix="attnstep-S-")
        t = pane("S", [], cwd)
        first = wait(t, lambda s: len(s) == 30 and s[-1].startswith(" stage 1/"))
        keys(t, "S")
        said = wait(t, lambda s: any("attnstep-001.svg" in line for line in s))
        msg = " ".join(l.strip() for l in said[-4:-1])
        check("S says it wrote attnstep-001.svg in the current folder",
              "wrote the screen to attnstep-001.svg in the current folder" in msg, *said[-4:])
        f1 = os.path.join(cwd, "attnstep-001.svg")
        rows, _ = grid(f1) if os.path.exists(f1) else ([], None)
        check("attnstep-001.svg is the screen as it was, without the message", rows == first, *diff(rows, first))
        keys(t, "S")
        said = wait(t, lambda s: any("attnstep-002.svg" in line for line in s))
        check("S again: attnstep-002.svg, the first free number",
              sorted(os.listdir(cwd)) == ["attnstep-001.svg", "attnstep-002.svg"], os.listdir(cwd), *said[-4:])
        tmux("kill-session", "-t", "=S")
        t = pane("Sko", ["--lang", "ko"], cwd)
        wait(t, lambda s: len(s) == 30 and s[-1].startswith(" 단계 1/"))
        keys(t, "S")
        said = wait(t, lambda s: any("attnstep-003.svg" in line for line in s))
        msg = " ".join(l.strip() for l in said[-4:-1])
        check("--lang ko: S says so in Korean (attnstep-003.svg)", "attnstep-003.svg" in msg and hangul(msg)
              and os.path.exists(os.path.join(cwd, "attnstep-003.svg")), *said[-4:])
        shutil.rmtree(cwd, ignore_errors=True)
    finally:
        tmux("kill-server")
else:
    check("the snapshot reads like the screen in tmux, and S writes attnstep-001.svg # SKIP tmux is not installed",
          True)

shutil.rmtree(TMP, ignore_errors=True)
finish()
