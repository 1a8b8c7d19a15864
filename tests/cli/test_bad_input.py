#!/usr/bin/env python3
"""End-to-end tests of attnstep on BAD input (plus a few good-input controls).

Usage: python3 tests/cli/test_bad_input.py ATTNSTEP_BINARY

Python 3 standard library only.  Output is TAP ("1..N", "ok K - desc",
"not ok K - desc" followed by "# " diagnostic lines); the exit status is 1
if any case failed, 0 otherwise.

Every case works in a fresh temporary directory: it writes a small VALID
model bundle there (d_model 4, n_heads 2, biases, 7 tokens), breaks exactly
one thing, and runs the binary (with a 10 s timeout) as

    attnstep --model DIR --print -- the movie was great

For a bad bundle the binary must exit with status exactly 1 (not 0, not a
signal), print exactly one non-empty line on stderr that starts with
"attnstep: " and names the broken file (DIR + "/" + file name, DIR spelled
as given on the command line), and print no sanitizer / crash text.  Where
the location is determinate the line must start "attnstep: PATH:LINE:".

Line layout of the base bundle (line 1 is the header where there is one):

  config.csv   1 key,value  2 d_model  3 n_heads  4 positional  5 lowercase
               6 name  7 description
  vocab.csv    1 header  2 <unk>  3 movie  4 the  5 was  6 great  7 bad  8 not
  w_*.csv      lines 1..4 = rows 1..4 (no header)
  b_*.csv      line 1
"""

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback

TIMEOUT = 10.0          # seconds per run
QUICK = 3.0             # "refused quickly" budget for the absurd d_model case
KEEP_BYTES = 4 << 20    # how much of stdout/stderr is kept in memory
FORBIDDEN = [b"Sanitizer", b"runtime error", b"Segmentation"]
SENTENCE = ["the", "movie", "was", "great"]

D = 4
CONFIG_ROWS = [
    ["key", "value"],
    ["d_model", "4"],
    ["n_heads", "2"],
    ["positional", "sinusoidal"],
    ["lowercase", "1"],
    ["name", "bad-input-base"],
    ["description", "base bundle of test_bad_input.py"],
]
CONFIG_LINE = {row[0]: i + 1 for i, row in enumerate(CONFIG_ROWS)}
TOKENS = ["<unk>", "movie", "the", "was", "great", "bad", "not"]
VOCAB_LINE = {tok: i + 2 for i, tok in enumerate(TOKENS)}
WEIGHTS = ["w_q", "w_k", "w_v", "w_o"]
BIASES = ["b_q", "b_k", "b_v", "b_o"]


def fmt(x):
    return "%.2f" % (round(x, 2) + 0.0)


def base_rows():
    """filename -> list of rows (lists of str) of the valid base bundle."""
    files = {"config.csv": [list(r) for r in CONFIG_ROWS]}
    vocab = [["token"] + ["e%d" % j for j in range(D)]]
    for i, tok in enumerate(TOKENS):
        vocab.append([tok] + [fmt(((i * 5 + j * 3) % 11 - 5) / 10.0)
                              for j in range(D)])
    files["vocab.csv"] = vocab
    for k, w in enumerate(WEIGHTS):
        files[w + ".csv"] = [[fmt(((k + 1) * (i * D + j) % 9 - 4) / 8.0)
                              for j in range(D)] for i in range(D)]
    for k, b in enumerate(BIASES):
        files[b + ".csv"] = [[fmt(((k + j) % 5 - 2) / 20.0) for j in range(D)]]
    return files


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def render(rows, bom=False, crlf=False, quote_all=False, spaces=False):
    """CSV text of rows in the requested spreadsheet-ish style."""
    out = []
    for row in rows:
        cells = []
        for cell in row:
            text = cell
            if spaces and is_number(cell):
                text = " " + text + " "
            if quote_all:
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        out.append(",".join(cells))
    eol = "\r\n" if crlf else "\n"
    text = eol.join(out) + eol
    return ("\ufeff" if bom else "") + text


def write_bundle(model, **style):
    os.makedirs(model)
    for name, rows in base_rows().items():
        with open(os.path.join(model, name), "w", encoding="utf-8",
                  newline="") as f:
            f.write(render(rows, **style))


# ------------------------------------------------------------ file editing
def read_lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")[:-1]


def write_lines(path, lines):
    with open(path, "wb") as f:
        f.write(b"".join(enc(l) + b"\n" for l in lines))


def enc(x):
    return x if isinstance(x, bytes) else x.encode("utf-8")


def set_line(path, lineno, text):
    lines = read_lines(path)
    lines[lineno - 1] = enc(text)
    write_lines(path, lines)


def del_line(path, lineno):
    lines = read_lines(path)
    del lines[lineno - 1]
    write_lines(path, lines)


def add_line(path, text):
    lines = read_lines(path)
    lines.append(enc(text))
    write_lines(path, lines)


def set_cell(path, lineno, col, value):
    """Replace field number col (1-based) of line lineno.  Returns the
    1-based character column where that field starts."""
    lines = read_lines(path)
    fields = lines[lineno - 1].split(b",")
    fields[col - 1] = enc(value)
    lines[lineno - 1] = b",".join(fields)
    write_lines(path, lines)
    return len(b",".join(fields[:col - 1])) + (1 if col > 1 else 0) + 1


def set_config(path, key, value):
    set_line(path, CONFIG_LINE[key], key + "," + value)


def set_raw(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ------------------------------------------------------------ running
class Result:
    pass


def scan(fobj):
    """Read a capture file: keep the first KEEP_BYTES, look for forbidden
    text in all of it, check UTF-8 validity of all of it."""
    import codecs
    fobj.seek(0)
    keep = bytearray()
    found = set()
    total = 0
    tail = b""
    dec = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    while True:
        chunk = fobj.read(1 << 20)
        if not chunk:
            break
        total += len(chunk)
        if len(keep) < KEEP_BYTES:
            keep += chunk[:KEEP_BYTES - len(keep)]
        window = tail + chunk
        for bad in FORBIDDEN:
            if bad in window:
                found.add(bad.decode())
        tail = window[-64:]
        if utf8_ok:
            try:
                dec.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
    if utf8_ok:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    return bytes(keep), total, found, utf8_ok


def run(args, cwd=None, timeout=TIMEOUT):
    r = Result()
    r.args = args
    r.cwd = cwd
    r.timeout = timeout
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        # own session, so that a timeout kills whatever the binary started
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, cwd=cwd, start_new_session=True)
        try:
            r.rc = p.wait(timeout=timeout)
            r.timed_out = False
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            p.wait()
            r.rc = None
            r.timed_out = True
        r.elapsed = time.monotonic() - t0
        r.stdout, r.stdout_len, f1, r.stdout_utf8 = scan(out)
        r.stderr, r.stderr_len, f2, _ = scan(err)
        r.forbidden = sorted(f1 | f2)
    return r


def show_arg(a):
    if isinstance(a, bytes):
        try:
            return shlex.quote(a.decode("utf-8"))
        except UnicodeDecodeError:
            return "$'" + "".join(
                chr(c) if 32 <= c < 127 and c not in (39, 92) else "\\x%02x" % c
                for c in a) + "'"
    return shlex.quote(a)


def show_cmd(args, limit=600):
    text = " ".join(show_arg(a) for a in args)
    if len(text) > limit:
        text = text[:limit] + " ... (%d args)" % len(args)
    return text


def excerpt(data, total, limit=1500):
    text = data[:limit].decode("utf-8", "backslashreplace")
    if total > limit:
        text += "\n... (%d bytes in all)" % total
    return text


def diagnostics(r, problems):
    lines = list(problems)
    if r is not None:
        lines.append("command: " + show_cmd(r.args))
        if r.cwd:
            lines.append("cwd: " + r.cwd)
        if r.timed_out:
            lines.append("exit code: none (killed after %.0f s timeout)" % r.timeout)
        elif r.rc < 0:
            lines.append("exit code: %d (killed by signal %d)" % (r.rc, -r.rc))
        else:
            lines.append("exit code: %d" % r.rc)
        lines.append("elapsed: %.2f s" % r.elapsed)
        lines.append("stderr:")
        lines.extend("  " + l for l in excerpt(r.stderr, r.stderr_len).split("\n"))
        lines.append("stdout:")
        lines.extend("  " + l for l in excerpt(r.stdout, r.stdout_len, 800).split("\n"))
    return lines


# ------------------------------------------------------------ checks
def stderr_line(r, problems):
    """The single stderr line, or None (problems appended)."""
    text = r.stderr.decode("utf-8", "replace")
    if r.stderr_len == 0:
        problems.append("stderr is empty (expected exactly one line)")
        return None
    if not text.endswith("\n"):
        problems.append("stderr does not end with a newline")
    body = text[:-1] if text.endswith("\n") else text
    if "\n" in body:
        problems.append("stderr has %d lines (expected exactly one); "
                        "checking the first non-blank one"
                        % (body.count("\n") + 1))
        body = next((l for l in body.split("\n") if l.strip()), "")
    if not body.strip():
        problems.append("stderr line is blank")
        return None
    return body


def no_crash(r, problems):
    if r.timed_out:
        problems.append("timed out after %.0f s" % r.timeout)
    elif r.rc < 0:
        problems.append("killed by signal %d" % -r.rc)
    if r.forbidden:
        problems.append("output contains " + ", ".join(repr(f) for f in r.forbidden))


def check_error(r, path=None, line=None, prefix_re=None):
    """Bad-input contract: exit 1, one 'attnstep: ' line naming path;
    if line is given, the line starts 'attnstep: PATH:LINE:'."""
    problems = []
    no_crash(r, problems)
    if not r.timed_out and r.rc != 1:
        problems.append("exit code %s, expected exactly 1" % r.rc)
    msg = stderr_line(r, problems)
    if msg is not None:
        if not msg.startswith("attnstep: "):
            problems.append("stderr line does not start with 'attnstep: '")
        if path is not None and path not in msg:
            problems.append("stderr line does not contain the path %r" % path)
        if path is not None and line is not None:
            want = "attnstep: %s:%d:" % (path, line)
            if not msg.startswith(want):
                problems.append("stderr line does not start with %r" % want)
        if prefix_re is not None and not re.match(prefix_re, msg):
            problems.append("stderr line does not match /%s/" % prefix_re)
    return problems


def check_ok(r, mentions=()):
    problems = []
    no_crash(r, problems)
    if not r.timed_out and r.rc != 0:
        problems.append("exit code %s, expected 0" % r.rc)
    if r.rc == 0:
        out = r.stdout.decode("utf-8", "replace")
        for word in mentions:
            if word not in out:
                problems.append("stdout does not mention %r" % word)
    return problems


def check_error_or_ok(r):
    """Either a clean one-line refusal (exit 1) or success (exit 0) with
    non-empty, valid UTF-8 output; never a crash."""
    problems = []
    no_crash(r, problems)
    if r.timed_out or r.rc < 0:
        return problems
    if r.rc == 1:
        msg = stderr_line(r, problems)
        if msg is not None and not msg.startswith("attnstep: "):
            problems.append("stderr line does not start with 'attnstep: '")
    elif r.rc == 0:
        if r.stdout_len == 0:
            problems.append("exit 0 but stdout is empty")
        if not r.stdout_utf8:
            problems.append("exit 0 but stdout is not valid UTF-8")
    else:
        problems.append("exit code %d, expected 1 (refusal) or 0 (success)" % r.rc)
    return problems


def check_usage(r):
    problems = []
    no_crash(r, problems)
    if not r.timed_out and r.rc != 2:
        problems.append("exit code %s, expected 2 (usage error)" % r.rc)
    return problems


# ------------------------------------------------------------ cases
CASES = []


def case(desc):
    def deco(fn):
        CASES.append((desc, fn))
        return fn
    return deco


def model_case(desc, fname, line=None):
    """A bad-bundle case: fn(model_dir, file_path) breaks the bundle and
    may return an extra regex that the stderr line must match."""
    def deco(breaker):
        def fn(binary, tmp):
            model = os.path.join(tmp, "model")
            write_bundle(model)
            path = model + "/" + fname
            extra = breaker(model, path)
            r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
            prefix_re = None
            if extra is not None:
                prefix_re = re.escape("attnstep: " + path) + extra
            return r, check_error(r, path, line, prefix_re)
        CASES.append((desc, fn))
        return breaker
    return deco


# --- weight matrices
@model_case("ragged row in w_q.csv (row 3 has 3 fields) -> w_q.csv:3:", "w_q.csv", 3)
def _(model, path):
    set_line(path, 3, b",".join(read_lines(path)[2].split(b",")[:3]))


@case("ragged row, model given as relative path 'model' -> model/w_q.csv:3:")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    path = os.path.join(model, "w_q.csv")
    set_line(path, 3, b",".join(read_lines(path)[2].split(b",")[:3]))
    r = run([binary, "--model", "model", "--print", "--"] + SENTENCE, cwd=tmp)
    return r, check_error(r, "model/w_q.csv", 3)


@case("ragged row, model under a long (~630 char) path -> full PATH/w_q.csv:3:")
def _(binary, tmp):
    # well under PATH_MAX; the message must still carry the whole path
    model = os.path.join(tmp, *(["d" * 100] * 6), "model")
    os.makedirs(os.path.dirname(model))
    write_bundle(model)
    path = model + "/w_q.csv"
    set_line(path, 3, b",".join(read_lines(path)[2].split(b",")[:3]))
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    return r, check_error(r, path, 3)


@case("non-numeric cell 'abc' in w_k.csv row 2 col 3 -> w_k.csv:2:COL:")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    path = model + "/w_k.csv"
    col = set_cell(path, 2, 3, "abc")
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    problems = check_error(r, path, 2,
                           re.escape("attnstep: " + path + ":2:") + r"[0-9]+:")
    note = "(field starts at character column %d of line 2)" % col
    return r, problems + [note] if problems else problems


for _val in ["nan", "inf", "-Infinity", "1e39"]:
    def _mk(val):
        @model_case("%s as a cell in w_v.csv row 4 -> w_v.csv:4:" % val, "w_v.csv", 4)
        def _(model, path):
            set_cell(path, 4, 2, val)
    _mk(_val)


@model_case("empty cell in w_o.csv row 2 -> w_o.csv:2:", "w_o.csv", 2)
def _(model, path):
    set_cell(path, 2, 3, "")


@model_case("w_q.csv with 5 rows (expected 4) -> w_q.csv:5:", "w_q.csv", 5)
def _(model, path):
    add_line(path, "0.10,0.20,0.30,0.40")


@model_case("w_q.csv with 3 rows (expected 4) -> names w_q.csv", "w_q.csv")
def _(model, path):
    del_line(path, 4)


@model_case("w_q.csv with 5 columns in every row -> w_q.csv:1:", "w_q.csv", 1)
def _(model, path):
    write_lines(path, [l + b",0.50" for l in read_lines(path)])


@model_case("b_q.csv with 3 numbers -> b_q.csv:1:", "b_q.csv", 1)
def _(model, path):
    set_line(path, 1, b",".join(read_lines(path)[0].split(b",")[:3]))


# --- recurrent weights (RNN and LSTM files, d_hidden 3 in these cases)
DH = 3


def add_recurrent(model, skip=(), d_hidden=True):
    """Gives the base bundle an RNN and an LSTM of width DH, less the files in skip."""
    grids = {"rnn_w_xh.csv": (D, DH), "rnn_w_hh.csv": (DH, DH), "rnn_b.csv": (1, DH),
             "lstm_w_x.csv": (D, 4 * DH), "lstm_w_h.csv": (DH, 4 * DH), "lstm_b.csv": (1, 4 * DH)}
    for name, (rows, cols) in grids.items():
        if name in skip:
            continue
        write_lines(os.path.join(model, name),
                    [",".join(fmt(((i * cols + j) % 7 - 3) / 10.0) for j in range(cols)).encode()
                     for i in range(rows)])
    if d_hidden:
        add_line(os.path.join(model, "config.csv"), "d_hidden,%d" % DH)


@case("a bundle with a valid RNN and LSTM loads, and --export writes rnn_h.csv, lstm_c.csv, influence.csv")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    add_recurrent(model)
    out = os.path.join(tmp, "out")
    r = run([binary, "--model", model, "--export", out, "--"] + SENTENCE)
    problems = check_ok(r)
    for f in ("rnn_h.csv", "lstm_c.csv", "influence.csv"):
        if not os.path.exists(os.path.join(out, f)):
            problems.append("no %s in the export" % f)
    return r, problems


@model_case("rnn_w_xh.csv without rnn_w_hh.csv -> names rnn_w_hh.csv", "rnn_w_hh.csv")
def _(model, path):
    add_recurrent(model, skip=("rnn_w_hh.csv",))


@model_case("LSTM files but no d_hidden in config.csv -> config.csv, the line after the last (not 0)",
            "config.csv", len(CONFIG_ROWS) + 1)
def _(model, path):
    add_recurrent(model, d_hidden=False)


@model_case("rnn_w_xh.csv with 5 rows (d_model 4) -> rnn_w_xh.csv:5:", "rnn_w_xh.csv", 5)
def _(model, path):
    add_recurrent(model)
    add_line(path, "0.10,0.20,0.30")


@model_case("lstm_w_h.csv rows of 3 numbers (expected 4·d_hidden = 12) -> lstm_w_h.csv:1:", "lstm_w_h.csv", 1)
def _(model, path):
    add_recurrent(model)
    write_lines(path, [b",".join(l.split(b",")[:3]) for l in read_lines(path)])


@model_case("lstm_b.csv with a non-number on line 1 -> lstm_b.csv:1:", "lstm_b.csv", 1)
def _(model, path):
    add_recurrent(model)
    set_cell(path, 1, 2, "x")


@model_case("d_hidden 0 -> config.csv, its line", "config.csv", len(CONFIG_ROWS) + 1)
def _(model, path):
    add_recurrent(model, d_hidden=False)
    add_line(path, "d_hidden,0")


# --- encoder block and classifier (format v2): d_ff 5, two classes
FF = 5


def add_encoder(model, skip=(), keys=("d_ff,5", "activation,relu", "labels,negative;positive")):
    grids = {"ln1_gamma.csv": (1, D), "ln1_beta.csv": (1, D), "w_ff1.csv": (D, FF), "b_ff1.csv": (1, FF),
             "w_ff2.csv": (FF, D), "b_ff2.csv": (1, D), "ln2_gamma.csv": (1, D), "ln2_beta.csv": (1, D),
             "w_cls.csv": (D, 2), "b_cls.csv": (1, 2)}
    for name, (rows, cols) in grids.items():
        if name not in skip:
            write_lines(os.path.join(model, name),
                        [",".join(fmt(((i * cols + j) % 5 - 2) / 10.0 + (1.0 if "gamma" in name else 0.0))
                                  for j in range(cols)).encode() for i in range(rows)])
    for k in keys:
        add_line(os.path.join(model, "config.csv"), k)


@case("a v2 bundle (encoder + classifier) loads and --print ends on a prediction")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    add_encoder(model)
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    problems = check_ok(r)
    if b"prediction: " not in r.stdout:
        problems.append("no prediction in the walk-through")
    return r, problems


@model_case("encoder files without w_ff2.csv -> names w_ff2.csv", "w_ff2.csv")
def _(model, path):
    add_encoder(model, skip=("w_ff2.csv",))


@model_case("encoder files but no labels in config.csv -> config.csv, the line after the last",
            "config.csv", len(CONFIG_ROWS) + 2)
def _(model, path):
    add_encoder(model, keys=("d_ff,5",))


@model_case("labels with one class only -> config.csv, its line", "config.csv", len(CONFIG_ROWS) + 3)
def _(model, path):
    add_encoder(model, keys=("d_ff,5", "activation,relu", "labels,positive"))


@model_case("labels given twice in the list -> config.csv, its line", "config.csv", len(CONFIG_ROWS) + 3)
def _(model, path):
    add_encoder(model, keys=("d_ff,5", "activation,relu", "labels,good;bad;good"))


@model_case("activation tanh -> config.csv, its line", "config.csv", len(CONFIG_ROWS) + 2)
def _(model, path):
    add_encoder(model, keys=("d_ff,5", "activation,tanh", "labels,negative;positive"))


@model_case("norm_eps -1 -> config.csv, its line", "config.csv", len(CONFIG_ROWS) + 4)
def _(model, path):
    add_encoder(model, keys=("d_ff,5", "activation,relu", "labels,negative;positive", "norm_eps,-1"))


@model_case("w_cls.csv with 3 columns for 2 labels -> w_cls.csv:1:", "w_cls.csv", 1)
def _(model, path):
    add_encoder(model)
    write_lines(path, [l + b",0.10" for l in read_lines(path)])


@model_case("empty (0-byte) w_q.csv -> w_q.csv:1:1:", "w_q.csv", 1)
def _(model, path):
    set_raw(path, b"")
    return r":1:1:"


@model_case("binary w_k.csv (NUL and control bytes on line 2) -> w_k.csv:2:",
            "w_k.csv", 2)
def _(model, path):
    lines = read_lines(path)
    set_raw(path, lines[0] + b"\n" + b"0.1,\x00\x01\x02\xff\xfe\x7f,0.3\x00,0.4\n"
            + b"\x00" * 16 + b"\n" + lines[3] + b"\n")


@model_case("missing w_v.csv -> names w_v.csv", "w_v.csv")
def _(model, path):
    os.remove(path)


@case("missing model directory -> names the directory")
def _(binary, tmp):
    model = os.path.join(tmp, "no-such-model")
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    return r, check_error(r, model)


# --- vocab
@model_case("vocab.csv header with only e0..e2 -> vocab.csv:1:", "vocab.csv", 1)
def _(model, path):
    set_line(path, 1, "token,e0,e1,e2")


@model_case("vocab.csv row 'great' with a non-number embedding -> vocab.csv:6:",
            "vocab.csv", VOCAB_LINE["great"])
def _(model, path):
    set_cell(path, VOCAB_LINE["great"], 3, "zero")


@model_case("vocab.csv without <unk> -> names vocab.csv", "vocab.csv")
def _(model, path):
    del_line(path, VOCAB_LINE["<unk>"])


@model_case("duplicate token 'the' (second occurrence on line 5) -> vocab.csv:5:",
            "vocab.csv", 5)
def _(model, path):
    assert VOCAB_LINE["the"] < 5
    set_cell(path, 5, 1, "the")


@model_case("unclosed quote in vocab.csv starting on line 3 -> vocab.csv:3:",
            "vocab.csv", 3)
def _(model, path):
    line = read_lines(path)[2]
    assert line.startswith(b"movie,")
    set_line(path, 3, b'"' + line)


@model_case("invalid UTF-8 byte in vocab token on line 7 -> vocab.csv:7:",
            "vocab.csv", 7)
def _(model, path):
    set_cell(path, 7, 1, b"caf\xe9")


# --- config
@model_case("config n_heads 0 -> config.csv:3:", "config.csv", CONFIG_LINE["n_heads"])
def _(model, path):
    set_config(path, "n_heads", "0")


@model_case("config n_heads 3 (does not divide d_model 4) -> config.csv:3:",
            "config.csv", CONFIG_LINE["n_heads"])
def _(model, path):
    set_config(path, "n_heads", "3")


@model_case("config d_model -4 -> config.csv:2:", "config.csv", CONFIG_LINE["d_model"])
def _(model, path):
    set_config(path, "d_model", "-4")


@case("config d_model 100000000 -> config.csv:2:, refused in under %.0f s" % QUICK)
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    path = model + "/config.csv"
    set_config(path, "d_model", "100000000")
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    problems = check_error(r, path, CONFIG_LINE["d_model"])
    if not r.timed_out and r.elapsed >= QUICK:
        problems.append("took %.2f s (budget %.0f s): not refused before allocating"
                        % (r.elapsed, QUICK))
    return r, problems


@model_case("config d_model 'four' -> config.csv:2:", "config.csv", CONFIG_LINE["d_model"])
def _(model, path):
    set_config(path, "d_model", "four")


@model_case("config unknown key 'd_modle' (added on line 8) -> config.csv:8:",
            "config.csv", len(CONFIG_ROWS) + 1)
def _(model, path):
    add_line(path, "d_modle,4")


@model_case("config positional 'cosine' -> config.csv:4:", "config.csv",
            CONFIG_LINE["positional"])
def _(model, path):
    set_config(path, "positional", "cosine")


@model_case("config lowercase 'yes' -> config.csv:5:", "config.csv",
            CONFIG_LINE["lowercase"])
def _(model, path):
    set_config(path, "lowercase", "yes")


@model_case("config without d_model -> config.csv, the line after the last", "config.csv", len(CONFIG_ROWS))
def _(model, path):
    del_line(path, CONFIG_LINE["d_model"])


# --- tokenizer.csv (subword merges; every merge's result a vocabulary row)
PIECES = ["th", "##ov", "##ie"]  # results of t,h / o,v / i,e; "the" is already a row


def add_tokenizer(model, rows=("left,right", "t,h", "th,e", "o,v", "i,e")):
    """Gives the base bundle tokenizer.csv (rows as lines) and the pieces its merges make."""
    write_lines(os.path.join(model, "tokenizer.csv"), list(rows))
    for k, tok in enumerate(PIECES):
        add_line(os.path.join(model, "vocab.csv"),
                 tok + "," + ",".join(fmt(((k + j) % 7 - 3) / 10.0) for j in range(D)))


@case("GOOD: a bundle with tokenizer.csv: pieces in --print and tokens.csv (position,token,id,word), "
      "tokenizer.csv in the export")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    add_tokenizer(model)
    out = os.path.join(tmp, "export")
    r = run([binary, "--model", model, "--print", "--export", out, "--", "the", "movie"])
    problems = check_ok(r, mentions=["##ov", "##ie"])
    want = "position,token,id,word\n0,the,2,0\n1,m,0,1\n2,##ov,8,1\n3,##ie,9,1\n"
    try:
        with open(os.path.join(out, "tokens.csv"), encoding="utf-8") as f:
            got = f.read()
        if got != want:
            problems.append("tokens.csv is %r, expected %r" % (got, want))
        with open(os.path.join(out, "tokenizer.csv"), encoding="utf-8") as f:
            if f.read() != "left,right\nt,h\nth,e\no,v\ni,e\n":
                problems.append("the export's tokenizer.csv differs from the bundle's")
    except OSError as e:
        problems.append(str(e))
    return r, problems


@model_case("tokenizer.csv header 'left,rite' -> tokenizer.csv:1:", "tokenizer.csv", 1)
def _(model, path):
    add_tokenizer(model, ("left,rite", "t,h"))


@model_case("tokenizer.csv ragged row (3 fields) -> tokenizer.csv:3:", "tokenizer.csv", 3)
def _(model, path):
    add_tokenizer(model, ("left,right", "t,h", "th,e,x"))


@model_case("tokenizer.csv empty piece -> tokenizer.csv:2:3:", "tokenizer.csv", 2)
def _(model, path):
    add_tokenizer(model, ("left,right", "t,", "th,e"))
    return re.escape(":2:3: ")


@model_case("tokenizer.csv the merge t,h twice -> tokenizer.csv:4:", "tokenizer.csv", 4)
def _(model, path):
    add_tokenizer(model, ("left,right", "t,h", "th,e", "t,h"))


@model_case("tokenizer.csv merge w,a whose result wa is not in vocab.csv -> tokenizer.csv:3:",
            "tokenizer.csv", 3)
def _(model, path):
    add_tokenizer(model, ("left,right", "t,h", "w,a"))


@model_case("tokenizer.csv piece written with ## -> tokenizer.csv:2:", "tokenizer.csv", 2)
def _(model, path):
    add_tokenizer(model, ("left,right", "o,##v"))


# --- sentence
def sentence_case(desc, words):
    @case(desc)
    def _(binary, tmp):
        model = os.path.join(tmp, "model")
        write_bundle(model)
        r = run([binary, "--model", model, "--print"] + words)
        return r, check_error(r)


sentence_case("empty sentence \"\" -> exit 1, one line", [""])
sentence_case("blank sentence \"   \" -> exit 1, one line", ["   "])


@case("invalid UTF-8 in the sentence (b'caf\\xe9') -> clean exit 1 or exit 0")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    r = run([os.fsencode(binary), b"--model", os.fsencode(model), b"--print",
             b"--", b"the", b"caf\xe9"])
    return r, check_error_or_ok(r)


@case("sentence of 3000 tokens -> clean exit 1 or exit 0, within %.0f s" % TIMEOUT)
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    words = [SENTENCE[i % len(SENTENCE)] for i in range(3000)]
    r = run([binary, "--model", model, "--print", "--"] + words)
    return r, check_error_or_ok(r)


# --- command line
@case("unknown option --bogus -> exit 2")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    r = run([binary, "--model", model, "--print", "--bogus", "--"] + SENTENCE)
    return r, check_usage(r)


@case("--granularity weird -> exit 2")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    r = run([binary, "--model", model, "--print", "--granularity", "weird",
             "--"] + SENTENCE)
    return r, check_usage(r)


KEEP_NAME = "keep.txt"
KEEP_TEXT = b"precious, do not overwrite\n"


def export_target(tmp):
    out = os.path.join(tmp, "out")
    os.makedirs(out)
    keep = os.path.join(out, KEEP_NAME)
    with open(keep, "wb") as f:
        f.write(KEEP_TEXT)
    old = os.stat(keep)
    os.utime(keep, ns=(old.st_atime_ns, old.st_mtime_ns - 10 ** 9))
    return out, keep, os.stat(keep).st_mtime_ns


@case("--export into an existing non-empty directory without --force -> exit 1, "
      "existing file untouched")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    out, keep, mtime = export_target(tmp)
    r = run([binary, "--model", model, "--print", "--export", out, "--"] + SENTENCE)
    problems = check_error(r, out)
    if not os.path.exists(keep):
        problems.append("existing file %s was removed" % KEEP_NAME)
    else:
        with open(keep, "rb") as f:
            if f.read() != KEEP_TEXT:
                problems.append("existing file %s was modified" % KEEP_NAME)
        if os.stat(keep).st_mtime_ns != mtime:
            problems.append("existing file %s had its mtime changed" % KEEP_NAME)
    if os.path.exists(os.path.join(out, "tokens.csv")):
        problems.append("tokens.csv was written despite the refusal")
    return r, problems


@case("--export into an existing non-empty directory with --force -> exit 0, "
      "tokens.csv written")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    out, keep, mtime = export_target(tmp)
    r = run([binary, "--model", model, "--print", "--export", out, "--force",
             "--"] + SENTENCE)
    problems = check_ok(r)
    if not os.path.isfile(os.path.join(out, "tokens.csv")):
        problems.append("%s/tokens.csv does not exist (dir holds: %s)"
                        % (out, sorted(os.listdir(out))))
    return r, problems


# --- special files and long values (refused before reading, whole values parsed)
@model_case("config.csv is a FIFO -> refused at once, not a hang", "config.csv")
def _(model, path):
    os.remove(path)
    os.mkfifo(path)  # run()'s timeout kills the binary if it waits for a writer


@case("config.csv is a symlink to /dev/zero -> refused within %.0f s" % QUICK)
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    path = model + "/config.csv"
    os.remove(path)
    os.symlink("/dev/zero", path)
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    problems = check_error(r, path)
    if r.elapsed > QUICK:
        problems.append("took %.1f s (it reads the device instead of refusing it)" % r.elapsed)
    return r, problems


@model_case("d_model 4, 70 spaces, then 'junk' -> config.csv:2: (the whole value is read)",
            "config.csv", CONFIG_LINE["d_model"])
def _(model, path):
    set_config(path, "d_model", "4" + " " * 70 + "junk")


@case("a cell of 100 Korean syllables in w_k.csv -> w_k.csv:2:, quoted in part, valid UTF-8")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    path = model + "/w_k.csv"
    set_cell(path, 2, 3, "a" + "영" * 100)  # an odd byte count before the cut
    r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
    problems = check_error(r, path, 2)
    try:
        if "영..." not in r.stderr.decode("utf-8"):
            problems.append("the cell is not quoted in part, ending in '...'")
    except UnicodeDecodeError as e:
        problems.append("stderr is not valid UTF-8: %s" % e)
    return r, problems


@model_case("labels with a line break (hand-written) -> config.csv, its line", "config.csv",
            len(CONFIG_ROWS) + 3)
def _(model, path):
    add_encoder(model, keys=("d_ff,5", "activation,relu", '"labels","nega\ntive;positive"'))


@case("stray entries in snapshots/ -> the model is used, a warning names each")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    snaps = os.path.join(model, "snapshots")
    os.makedirs(os.path.join(snaps, "epoch-0020"))
    os.makedirs(os.path.join(snaps, "epoch-99999999999999999999"))
    with open(os.path.join(snaps, "notes.txt"), "w") as f:
        f.write("x\n")
    r = run([binary, "--model", model, "--bench", "64x18", "--"] + SENTENCE)
    problems = []
    no_crash(r, problems)
    if r.rc != 0:
        problems.append("exit code %s, expected 0" % r.rc)
    err = r.stderr.decode("utf-8", "replace")
    for name in ("epoch-0020", "epoch-99999999999999999999", "notes.txt"):
        if "attnstep: warning: %s/%s: ignored" % (snaps, name) not in err:
            problems.append("no warning for %s" % name)
    return r, problems


# --- train: every label it accepts loads back exactly; the others are refused first
def write_data(tmp, labels):
    data = os.path.join(tmp, "data.csv")
    words = ["good", "bad", "fine", "dull", "great", "poor"]
    with open(data, "w", encoding="utf-8", newline="") as f:
        f.write("text,label\n")
        for i, label in enumerate(labels):
            f.write("%s movie,\"%s\"\n" % (words[i % len(words)], label.replace('"', '""')))
    return data


def train(binary, tmp, labels):
    out = os.path.join(tmp, "trained")
    r = run([binary, "train", write_data(tmp, labels), "--out", out, "--epochs", "1", "--d-model", "4",
             "--heads", "1", "--d-ff", "4"], timeout=60)
    return r, out


for _labels in (["a;b", "neg"], ["a,b", "c\\d", "say \"hi\""], ["x" * 3000, "y" * 3000], ["영화 좋음", "a\\;b"]):
    def _mk(labels):
        @case("train with labels %r -> exit 0, and the model loads with them" % [l[:12] for l in labels])
        def _(binary, tmp):
            r, out = train(binary, tmp, labels)
            problems = check_ok(r)
            if problems:
                return r, problems
            r = run([binary, "--model", out, "--print", "--"] + SENTENCE)
            problems = check_ok(r)
            text = r.stdout.decode("utf-8", "replace")
            shown = [l for l in labels if "prediction: " + l + "," in text]
            if r.rc == 0 and not shown:
                problems.append("the prediction names none of the labels")
            return r, problems
    _mk(_labels)

for _labels, _line, _what in ((["pos", "two\nlines"], 3, "control character"), (["pos", "   "], 3, "only spaces"),
                              ([" pos", "neg"], 2, "space"), (["pos", "a\tb"], 3, "control character"),
                              (["pos", "pos"], 2, "at least two classes")):
    def _mk(labels, line, what):
        @case("train with labels %r -> exit 1, data.csv:%d:, before training" % (labels, line))
        def _(binary, tmp):
            r, out = train(binary, tmp, labels)
            problems = check_error(r, os.path.join(tmp, "data.csv"), line)
            if what not in r.stderr.decode("utf-8", "replace"):
                problems.append("the message does not say %r" % what)
            if os.path.exists(out):
                problems.append("a model was written")
            return r, problems
    _mk(_labels, _line, _what)


# --- good input (controls)
def good_style_case(desc, **style):
    @case(desc)
    def _(binary, tmp):
        model = os.path.join(tmp, "model")
        write_bundle(model, **style)
        r = run([binary, "--model", model, "--print", "--"] + SENTENCE)
        return r, check_ok(r, mentions=SENTENCE)


good_style_case("GOOD: base bundle loads, --print mentions the tokens")
good_style_case("GOOD: BOM + CRLF + every field quoted", bom=True, crlf=True,
                quote_all=True)
good_style_case("GOOD: BOM + CRLF + spaces around (unquoted) numbers", bom=True,
                crlf=True, spaces=True)
good_style_case("GOOD: BOM + CRLF + spaces around numbers + every field quoted "
                "(e.g. \" 0.25 \")", bom=True, crlf=True, quote_all=True,
                spaces=True)


@case("GOOD: sentence with unknown words -> exit 0")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    r = run([binary, "--model", model, "--print", "--", "the", "zebra",
             "xylophoned", "movie"])
    return r, check_ok(r, mentions=["the", "movie"])


@case("GOOD: --export of the base bundle writes tokens.csv, x.csv, "
      "head1_weights.csv, output.csv")
def _(binary, tmp):
    model = os.path.join(tmp, "model")
    write_bundle(model)
    out = os.path.join(tmp, "export")
    r = run([binary, "--model", model, "--print", "--export", out, "--"] + SENTENCE)
    problems = check_ok(r)
    held = sorted(os.listdir(out)) if os.path.isdir(out) else None
    for name in ["tokens.csv", "x.csv", "head1_weights.csv", "output.csv"]:
        if not os.path.isfile(os.path.join(out, name)):
            problems.append("%s missing from the export (dir holds: %s)"
                            % (name, held))
    return r, problems


# ------------------------------------------------------------ main
def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: %s ATTNSTEP_BINARY\n" % argv[0])
        return 2
    binary = os.path.abspath(argv[1])
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("Bail out! %s is not an executable file" % binary)
        return 1
    print("1..%d" % len(CASES))
    failed = 0
    for k, (desc, fn) in enumerate(CASES, 1):
        r = None
        with tempfile.TemporaryDirectory(prefix="attnstep-bad-") as tmp:
            try:
                r, problems = fn(binary, tmp)
            except Exception:
                problems = ["test script error:"] + \
                    traceback.format_exc().rstrip().split("\n")
        if problems:
            failed += 1
            print("not ok %d - %s" % (k, desc))
            for line in diagnostics(r, problems):
                print("# " + line)
        else:
            print("ok %d - %s" % (k, desc))
        sys.stdout.flush()
    if failed:
        print("# %d of %d failed" % (failed, len(CASES)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
