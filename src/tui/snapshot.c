/* snapshot.c — the screen as SVG. Nothing here draws the views: app_draw()
 * fills curses' stdscr as it does for the terminal, and this file reads the
 * cells back (glyph, attributes, colour pair) and writes each as SVG on a
 * grid of monospace cells, so a slide never drifts from the screen. */
#include "snapshot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "term.h"
#include "theme.h"

/* The cell grid in SVG units (px). DejaVu Sans Mono at 15.5 px is 18 px
 * from ascent to descent, so box-drawing lines meet from row to row; its
 * advance (9.3 px) is set to the 9 px grid glyph by glyph. */
#define CELL_W 9
#define CELL_H 18
#define FONT_PX 15.5
#define BASELINE 14.4 /* DejaVu Sans Mono's ascent, 0.928 em */
/* A wide glyph (1 em in the CJK fonts) a little larger, to fill its two
 * cells as a terminal's would, and centred in them. */
#define WIDE_PX 17
#define WIDE_DX ((2 * CELL_W - WIDE_PX) / 2.0)

/* Monospace fonts that have box drawing first, then ones that have Hangul. */
static const char font_stack[] = "'DejaVu Sans Mono', 'Noto Sans Mono CJK KR', 'Noto Sans Mono CJK', "
                                 "'NanumGothicCoding', 'D2Coding', 'Noto Sans CJK KR', monospace";

/* Where curses says "the terminal's default": a dark terminal's colours. */
#define DEFAULT_FG 0xd0d0d0u
#define DEFAULT_BG 0x1c1c1cu

struct cell {
    wchar_t ch[CCHARW_MAX + 1]; /* the glyph and its combining marks; empty when blank */
    unsigned fg, bg;            /* 0xRRGGBB as shown, after reverse and dim */
    int bold, under;
    int wide;                   /* takes this cell and the next */
    int cont;                   /* the second cell of the wide glyph before it */
};

/* xterm's 256 colours: 16 system colours, a 6×6×6 cube, 24 greys. */
static unsigned xterm_rgb(int c)
{
    static const unsigned sys[16] = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
                                     0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
    static const unsigned level[6] = {0, 95, 135, 175, 215, 255};
    if (c < 16)
        return sys[c < 0 ? 0 : c];
    if (c < 232) {
        c -= 16;
        return level[c / 36] << 16 | level[c / 6 % 6] << 8 | level[c % 6];
    }
    unsigned g = 8 + 10 * (unsigned)(c > 255 ? 23 : c - 232);
    return g << 16 | g << 8 | g;
}

/* a and b mixed channel by channel, t of the way to b. */
static unsigned mix(unsigned a, unsigned b, double t)
{
    unsigned out = 0;
    for (int s = 0; s <= 16; s += 8) {
        double x = (double)(a >> s & 0xff) * (1 - t) + (double)(b >> s & 0xff) * t;
        out |= (unsigned)(x + 0.5) << s;
    }
    return out;
}

static int glyph_width(wchar_t c)
{
    int w = wcwidth(c); /* what curses went by */
    return w >= 0 ? w : utf8_cp_width((uint32_t)c);
}

static void read_cell(int y, int x, struct cell *c)
{
    cchar_t cc;
    attr_t at = 0;
    short pair = 0;
    memset(c, 0, sizeof *c);
    if (mvwin_wch(stdscr, y, x, &cc) == ERR || getcchar(&cc, c->ch, &at, &pair, NULL) == ERR)
        c->ch[0] = 0;
    short f = -1, b = -1;
    if (pair > 0 && pair_content(pair, &f, &b) == ERR)
        f = b = -1;
    c->bold = (at & A_BOLD) != 0;
    c->under = (at & A_UNDERLINE) != 0;
    if (c->bold && f >= 0 && f < 8)
        f = (short)(f + 8); /* xterm shows bold system colours bright */
    c->fg = f >= 0 ? xterm_rgb(f) : DEFAULT_FG;
    c->bg = b >= 0 ? xterm_rgb(b) : DEFAULT_BG;
    if (at & (A_REVERSE | A_STANDOUT)) {
        unsigned t = c->fg;
        c->fg = c->bg;
        c->bg = t;
    }
    if (at & A_DIM)
        c->fg = mix(c->fg, c->bg, 0.45);
    if ((at & A_INVIS) || (c->ch[0] != 0 && c->ch[0] < 0x20) || c->ch[0] == L' ')
        c->ch[0] = 0;
}

/* The screen's cells, row-major; the cell after a wide glyph is marked as
 * its continuation (curses reports the same glyph there again). */
static struct cell *read_screen(int w, int h)
{
    struct cell *cells = calloc((size_t)w * (size_t)h, sizeof *cells);
    if (!cells)
        return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            struct cell *c = &cells[(size_t)y * (size_t)w + (size_t)x];
            read_cell(y, x, c);
            if (c->ch[0] && glyph_width(c->ch[0]) == 2 && x + 1 < w) {
                c->wide = 1;
                read_cell(y, ++x, c + 1);
                c[1].cont = 1;
                c[1].ch[0] = 0;
            }
        }
    return cells;
}

/* ---- SVG ----------------------------------------------------------------- */

/* One code point as XML text: escaped, UTF-8, and "?" for what XML cannot hold. */
static void put_xml(FILE *f, wchar_t wc)
{
    unsigned long c = (unsigned long)wc;
    if (c == '&') { fputs("&amp;", f); return; }
    if (c == '<') { fputs("&lt;", f); return; }
    if (c == '>') { fputs("&gt;", f); return; }
    if (c < 0x20 || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF || c > 0x10FFFF)
        c = '?';
    if (c < 0x80) {
        fputc((int)c, f);
    } else if (c < 0x800) {
        fputc((int)(0xC0 | c >> 6), f);
        fputc((int)(0x80 | (c & 0x3F)), f);
    } else if (c < 0x10000) {
        fputc((int)(0xE0 | c >> 12), f);
        fputc((int)(0x80 | (c >> 6 & 0x3F)), f);
        fputc((int)(0x80 | (c & 0x3F)), f);
    } else {
        fputc((int)(0xF0 | c >> 18), f);
        fputc((int)(0x80 | (c >> 12 & 0x3F)), f);
        fputc((int)(0x80 | (c >> 6 & 0x3F)), f);
        fputc((int)(0x80 | (c & 0x3F)), f);
    }
}

static int same_style(const struct cell *a, const struct cell *b)
{
    return a->fg == b->fg && a->bold == b->bold;
}

/* The glyphs of row y from column x0 to x1 (exclusive) in one <text>, each
 * in a <tspan> at its own cell (renderers such as librsvg take only the
 * first of a list of x, and a fallback font's advance is not the grid's);
 * the blanks between them as spaces, so the text reads as words when copied. */
static void put_text(FILE *f, const struct cell *row, int y, int x0, int x1)
{
    const struct cell *s = &row[x0];
    fprintf(f, "<text y=\"%g\" fill=\"#%06x\"%s>", y * CELL_H + BASELINE, s->fg, s->bold ? " font-weight=\"bold\"" : "");
    for (int x = x0; x < x1; x++) {
        const struct cell *c = &row[x];
        if (c->cont)
            continue;
        if (!c->ch[0]) {
            fputc(' ', f);
            continue;
        }
        if (c->wide)
            fprintf(f, "<tspan x=\"%g\" font-size=\"%d\">", x * CELL_W + WIDE_DX, WIDE_PX);
        else
            fprintf(f, "<tspan x=\"%d\">", x * CELL_W);
        for (int k = 0; k < CCHARW_MAX && c->ch[k]; k++)
            put_xml(f, c->ch[k]);
        fputs("</tspan>", f);
    }
    fputs("</text>\n", f);
}

static void put_row(FILE *f, const struct cell *row, int y, int w)
{
    /* Backgrounds, one rectangle per run of one colour (the page has the default). */
    for (int x = 0; x < w;) {
        int e = x + 1;
        while (e < w && row[e].bg == row[x].bg)
            e++;
        if (row[x].bg != DEFAULT_BG)
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n", x * CELL_W, y * CELL_H,
                    (e - x) * CELL_W, CELL_H, row[x].bg);
        x = e;
    }
    /* Underlines, one line per run of one colour. */
    for (int x = 0; x < w;) {
        if (!row[x].under) {
            x++;
            continue;
        }
        int e = x + 1;
        while (e < w && row[e].under && row[e].fg == row[x].fg)
            e++;
        fprintf(f, "<rect x=\"%d\" y=\"%g\" width=\"%d\" height=\"1\" fill=\"#%06x\"/>\n", x * CELL_W,
                y * CELL_H + BASELINE + 2, (e - x) * CELL_W, row[x].fg);
        x = e;
    }
    /* Text, one element per run of one style (blanks between do not break a run). */
    int start = -1, end = -1; /* the open run: its first glyph, after its last */
    for (int x = 0; x < w; x++) {
        const struct cell *c = &row[x];
        if (c->cont || !c->ch[0])
            continue;
        if (start >= 0 && !same_style(&row[start], c)) {
            put_text(f, row, y, start, end);
            start = -1;
        }
        if (start < 0)
            start = x;
        end = x + 1;
    }
    if (start >= 0)
        put_text(f, row, y, start, end);
}

static void put_svg(FILE *f, const struct cell *cells, int w, int h)
{
    int pw = w * CELL_W, ph = h * CELL_H;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"%s\" font-size=\"%g\" xml:space=\"preserve\">\n",
            pw, ph, pw, ph, font_stack, FONT_PX);
    fprintf(f, "<!-- attnstep: a %d×%d screen, one cell %d×%d -->\n", w, h, CELL_W, CELL_H);
    fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n", pw, ph, DEFAULT_BG);
    for (int y = 0; y < h; y++)
        put_row(f, cells + (size_t)y * (size_t)w, y, w);
    fputs("</svg>\n", f);
}

int snapshot_write_screen(const char *path, struct error *err)
{
    int w = COLS, h = LINES;
    struct cell *cells = read_screen(w, h);
    if (!cells)
        return error_file(err, path, "%s", _("out of memory"));
    /* A temporary name in the same folder, renamed when complete: a reader
     * never sees half a picture, and a failure leaves any old file as it was. */
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) {
        free(cells);
        return error_file(err, path, "%s", _("out of memory"));
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        free(cells);
        return error_file(err, path, "%s", strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask); /* as any new file, not mkstemp's 0600 */
    put_svg(f, cells, w, h);
    free(cells);
    int bad = ferror(f);
    int e = bad ? EIO : 0;
    if (fclose(f) && !bad) {
        bad = 1;
        e = errno;
    }
    if (!bad && rename(tmp, path)) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        unlink(tmp);
        free(tmp);
        return error_file(err, path, "%s", strerror(e));
    }
    free(tmp);
    return 0;
}

/* ---- off-screen, and the S key ------------------------------------------ */

static int usage(const char *msg)
{
    fprintf(stderr, "attnstep: %s\n%s\n", msg, _("Try 'attnstep --help' for more information."));
    return 2;
}

int snapshot_run(struct app *a, const char *path, int view, long step, int w, int h)
{
    char msg[512];
    if (w < APP_MIN_W || h < APP_MIN_H || w > SNAPSHOT_MAX_W || h > SNAPSHOT_MAX_H) {
        /* TRANSLATORS: a usage error after "attnstep: "; the smallest and largest --size, then the size given. */
        snprintf(msg, sizeof msg, _("--size must be between %dx%d and %dx%d, not %dx%d"), APP_MIN_W, APP_MIN_H,
                 SNAPSHOT_MAX_W, SNAPSHOT_MAX_H, w, h);
        return usage(msg);
    }
    if (view >= 0 && view < VIEW_COUNT) /* an index of app_views, from app_view_find */
        a->view = (enum view)view;
    if (step >= 0) {
        /* The numbers the status line shows: step s/S, word k/N, snapshot k/n. */
        long lo = 1, hi = a->lesson.n_steps;
        if (a->view == VIEW_COMPARE)
            lo = 0, hi = a->trace.N;
        else if (a->view == VIEW_TRAINING && app_history(a)) /* the snapshots, read as the view opens */
            return fprintf(stderr, "attnstep: %s\n", a->hist_error), 1;
        else if (a->view == VIEW_TRAINING)
            hi = a->hist.n_snapshots;
        else if (a->view == VIEW_GENERATE)
            lo = 0, hi = SNAPSHOT_MAX_GENERATE; /* words generated greedily (fewer when <eos> comes) */
        if (hi < lo) {
            /* TRANSLATORS: a usage error after "attnstep: ": --step in the training view of a model saved
               without training snapshots. */
            return usage(_("--step: this model has no training snapshots to show (the training view shows none)"));
        }
        if (step == LONG_MAX)
            step = hi;
        if (step < lo || step > hi) {
            /* TRANSLATORS: a usage error after "attnstep: "; the first and last step of the view, as its
               status line counts them (steps, words read or snapshots), then the step given. */
            snprintf(msg, sizeof msg, _("--step must be between %ld and %ld in this view for this sentence, not %ld"),
                     lo, hi, step);
            return usage(msg);
        }
        if (a->view == VIEW_COMPARE)
            a->cmp_t = (int)step;
        else if (a->view == VIEW_TRAINING)
            a->hist_i = (int)step - 1;
        else if (a->view == VIEW_GENERATE)
            a->gen_opts = (struct app_gen_opts){(int)step, 0.0, 0, a->gen_opts.seed};
        else
            app_goto(a, step - 1);
    }
    struct term t;
    int rc = 0;
    if (term_offscreen(&t, w, h, NULL, msg, sizeof msg)) {
        fprintf(stderr, "attnstep: --snapshot: %s\n", msg); /* msg is translated */
        rc = 1;
    } else {
        widgets_utf8 = t.utf8;
        theme_init(&t);
        app_draw(a);
        struct error err;
        if (snapshot_write_screen(path, &err)) {
            fprintf(stderr, "attnstep: %s\n", err.msg);
            rc = 1;
        }
        term_done();
    }
    if (rc == 0) {
        fputs("attnstep: ", stdout);
        /* TRANSLATORS: --snapshot's line after "attnstep: ": the SVG file written, then the screen's size
           in cells (columns×rows). */
        printf(_("wrote %s (the screen at %d×%d cells)"), path, w, h);
        putchar('\n');
    }
    return rc;
}

void snapshot_key(struct app *a)
{
    char name[32];
    struct stat st;
    int n = 1;
    for (; n <= 999; n++) {
        snprintf(name, sizeof name, "attnstep-%03d.svg", n);
        if (lstat(name, &st) && errno == ENOENT)
            break;
    }
    if (n > 999) {
        /* TRANSLATORS: the message line after S when every name is taken. */
        snprintf(a->message, sizeof a->message, "%s", _("S: attnstep-001.svg to attnstep-999.svg all exist in "
                 "this folder; move them away to write more"));
        return;
    }
    /* The screen as it is, without the message this key is about to leave. */
    a->message[0] = '\0';
    app_draw(a);
    struct error err;
    if (snapshot_write_screen(name, &err))
        /* TRANSLATORS: the message line after S when the file cannot be written; %s is "FILE: reason". */
        snprintf(a->message, sizeof a->message, _("S: cannot write the snapshot: %s"), err.msg);
    else
        /* TRANSLATORS: the message line after S; %s is the file's name (attnstep-001.svg). */
        snprintf(a->message, sizeof a->message, _("wrote the screen to %s in the current folder (an SVG picture)"),
                 name);
}
