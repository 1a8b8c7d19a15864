/* The generation view (language models, bundle task,lm): the model writes
 * one word at a time. Left, the masked attention weights of a head as a
 * lower triangle that grows one row per generated word, the newest row (the
 * query of the last word) against the keys already cached; right, the next
 * word's most likely candidates as bars at the current temperature and
 * top-k. Enter accepts the next word, ← removes it again exactly.
 *
 * The words are kept in a decoder with a key/value cache (decode.h): adding a
 * word computes its rows only, removing it restores the state. The random
 * stream's state is kept per generated position, so stepping back and
 * sampling again draws the same words, and the words agree with what
 * --print --generate prints for the same options (decode_generate's rule:
 * T = 0 takes the argmax and draws nothing; else one decode_uniform per word). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attnstep/decode.h"
#include "attnstep/i18n.h"
#include "attnstep/utf8.h"
#include "theme.h"

#define GEN_BARS 12 /* candidates shown at most */

/* As app.c's: a msgid with a context (xgettext knows the keyword). */
#define pgettext(ctx, msgid) gen_pgettext(ctx "\004" msgid, msgid)

static const char *gen_pgettext(const char *ctx_msgid, const char *msgid)
{
    const char *t = gettext(ctx_msgid);
    return t == ctx_msgid ? msgid : t;
}

struct gen_state {
    struct decode dec;
    const struct bundle *model; /* what dec was built for */
    const char *sentence;
    int stale;       /* the model changed (an edit): rebuild dec with the same words */
    int n_prompt;    /* tokens of the prompt (never removed) */
    int sample;      /* 0: greedy (argmax), 1: sample */
    double T;
    int top_k;       /* 0: every word */
    uint64_t seed;
    uint64_t *rng;   /* (cap + 1) rng[g]: the stream's state before generated word g */
    int *gen_ids;    /* (cap) the generated words, to rebuild dec after an edit */
    int cap;
    double *probs;   /* (V) the distribution at T, top-k, for the last position */
    int top[GEN_BARS], n_top;
    int cached_n, cached_k;
    double cached_T;
    int failed;      /* out of memory: say so instead of drawing */
};

static int generated(const struct gen_state *g)
{
    return g->dec.n - g->n_prompt;
}

static void gen_free(struct gen_state *g)
{
    if (!g)
        return;
    decode_free(&g->dec);
    free(g->rng);
    free(g->gen_ids);
    free(g->probs);
    free(g);
}

/* Room for generated word k (and the stream state after it). */
static int reserve(struct gen_state *g, int k)
{
    if (k < g->cap)
        return 0;
    int cap = g->cap ? g->cap * 2 : 64;
    while (cap <= k)
        cap *= 2;
    uint64_t *rng = realloc(g->rng, ((size_t)cap + 1) * sizeof *rng);
    if (!rng)
        return -1;
    g->rng = rng;
    int *ids = realloc(g->gen_ids, (size_t)cap * sizeof *ids);
    if (!ids)
        return -1;
    g->gen_ids = ids;
    g->cap = cap;
    return 0;
}

/* The prompt (and the words generated so far, after an edit) into the cache. */
static int fill(struct gen_state *g, const struct app *a, int keep)
{
    struct error err;
    decode_free(&g->dec);
    memset(&g->dec, 0, sizeof g->dec);
    if (decode_init(&g->dec, a->model, &err))
        return -1;
    for (int i = 0; i < a->trace.N; i++)
        if (decode_push(&g->dec, a->trace.ids[i], &err))
            return -1;
    g->n_prompt = a->trace.N;
    for (int k = 0; k < keep; k++)
        if (decode_push(&g->dec, g->gen_ids[k], &err))
            return -1;
    g->model = a->model;
    g->sentence = a->sentence;
    g->stale = 0;
    g->cached_n = -1;
    return 0;
}

/* The distribution and its top candidates for the state as it is (cached:
 * a frame does not recompute it). */
static void distribution(struct gen_state *g)
{
    if (g->cached_n == g->dec.n && !(g->cached_T < g->T || g->cached_T > g->T) && g->cached_k == g->top_k)
        return;
    int V = g->dec.V;
    if (decode_distribution(g->probs, decode_logits(&g->dec, g->dec.n - 1), V, g->T, g->top_k)) {
        g->failed = 1;
        return;
    }
    g->n_top = 0;
    for (int v = 0; v < V; v++) { /* insertion into the few largest: O(V · GEN_BARS) */
        if (g->probs[v] <= 0.0)
            continue;
        int i = g->n_top < GEN_BARS ? g->n_top++ : GEN_BARS;
        if (i == GEN_BARS && g->probs[v] <= g->probs[g->top[GEN_BARS - 1]])
            continue;
        if (i == GEN_BARS)
            i = GEN_BARS - 1;
        while (i > 0 && g->probs[g->top[i - 1]] < g->probs[v]) {
            g->top[i] = g->top[i - 1];
            i--;
        }
        g->top[i] = v;
    }
    g->cached_n = g->dec.n;
    g->cached_T = g->T;
    g->cached_k = g->top_k;
}

/* Whether the next word is drawn (else the argmax): decode_generate's rule. */
static int draws(const struct gen_state *g)
{
    return g->sample && g->T > 0.0;
}

/* The word Enter would add now, and the draw that chooses it (-1: none). */
static int next_word(struct gen_state *g, double *u)
{
    const double *logits = decode_logits(&g->dec, g->dec.n - 1);
    *u = -1.0;
    if (!draws(g))
        return decode_argmax(logits, g->dec.V);
    distribution(g);
    uint64_t state = g->rng[generated(g)];
    *u = decode_uniform(&state);
    return decode_pick(g->probs, g->dec.V, *u);
}

static int ended(const struct gen_state *g)
{
    return generated(g) > 0 && g->gen_ids[generated(g) - 1] == g->model->eos_id;
}

/* Enter: the next word joins the sentence. */
static int accept(struct gen_state *g, struct error *err)
{
    int k = generated(g);
    if (reserve(g, k + 1))
        return error_set(err, "%s", _("out of memory"));
    double u;
    int id = next_word(g, &u);
    uint64_t state = g->rng[k];
    if (u >= 0.0)
        decode_uniform(&state); /* one draw used */
    if (decode_push(&g->dec, id, err))
        return -1;
    g->gen_ids[k] = id;
    g->rng[k + 1] = state;
    return 0;
}

static void pop(struct gen_state *g)
{
    if (generated(g) > 0)
        decode_pop(&g->dec);
}

/* The state for the model and sentence shown, built when first needed. */
static struct gen_state *gen_get(struct app *a)
{
    struct gen_state *g = a->gen;
    if (g && !g->failed && (g->model != a->model || g->sentence != a->sentence)) {
        gen_free(g); /* another sentence or model: start from its prompt */
        g = a->gen = NULL;
    }
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g)
            return NULL;
        a->gen = g;
        g->probs = malloc((size_t)(a->trace.V > 0 ? a->trace.V : 1) * sizeof *g->probs);
        g->sample = a->gen_opts.temperature > 0.0;
        g->T = a->gen_opts.temperature > 0.0 ? a->gen_opts.temperature : 1.0;
        g->top_k = a->gen_opts.top_k;
        g->seed = a->gen_opts.seed;
        if (!g->probs || reserve(g, 0) || fill(g, a, 0)) {
            g->failed = 1;
            return g;
        }
        g->rng[0] = g->seed;
        struct error err;
        /* --generate N: the N words already there, as --print writes them */
        for (int k = 0; k < a->gen_opts.n && !ended(g); k++)
            if (accept(g, &err)) {
                g->failed = 1;
                break;
            }
        a->gen_opts.n = 0; /* once: a new sentence starts from its prompt */
        return g;
    }
    if (g->stale && !g->failed && fill(g, a, generated(g) > 0 ? generated(g) : 0))
        g->failed = 1;
    return g;
}

/* ---- drawing ------------------------------------------------------------- */

/* T with one decimal at least ("1.0", "0.75"). */
static const char *t_text(double T, char *buf, size_t size)
{
    snprintf(buf, size, "%.2f", T);
    size_t n = strlen(buf);
    if (n > 3 && buf[n - 1] == '0')
        buf[n - 1] = '\0';
    return buf;
}

static const char *token(const struct gen_state *g, int i)
{
    return i < g->n_prompt ? NULL : g->model->vocab[g->dec.ids[i]];
}

/* Position i's token as the screen shows it: the prompt as typed (an unknown
 * word keeps its surface form), a generated word as the vocabulary has it. */
static const char *word(const struct app *a, const struct gen_state *g, int i)
{
    const char *t = token(g, i);
    return t ? t : a->trace.tokens[i];
}

/* Weight of key j for query i in the head shown (the mean of the heads: -1). */
static double weight(const struct app *a, const struct gen_state *g, int i, int j)
{
    if (a->head >= 0 && a->head < g->dec.H)
        return decode_weights(&g->dec, i, a->head)[j];
    double s = 0;
    for (int h = 0; h < g->dec.H; h++)
        s += decode_weights(&g->dec, i, h)[j];
    return s / g->dec.H;
}

/* The sentence so far on one line: its end in sight, the prompt plain, the
 * generated words marked, then "▸ ?" for the word to come. */
static void draw_sentence(const struct app *a, const struct gen_state *g, int y, int w)
{
    const char *more = widgets_utf8 ? "…" : "...";
    const char *next = widgets_utf8 ? " ▸ ?" : " > ?";
    int room = w - utf8_width(next) - 4, first = g->dec.n, used = 0;
    while (first > 0) { /* from the end: only what fits is measured */
        int tw = utf8_width(word(a, g, first - 1)) + 1;
        if (used + tw > room)
            break;
        used += tw;
        first--;
    }
    int x = 1;
    if (first > 0)
        x += draw_text(y, x, 2, more, theme_attr(ROLE_DIM));
    for (int i = first; i < g->dec.n; i++) {
        attr_t at = i < g->n_prompt ? theme_attr(ROLE_NORMAL) : theme_attr(ROLE_CHANGED);
        if (i == g->n_prompt && i > first) /* where the prompt ends and the model's words begin */
            x += draw_text(y, x, w - x, "+", theme_attr(ROLE_CHANGED)) + 1;
        x += draw_text(y, x, w - x, word(a, g, i), at) + 1;
    }
    if (!ended(g))
        draw_text(y, x - 1, w - x + 1, next, theme_attr(ROLE_KEY));
}

#define KEY_COLS 512 /* key columns drawn at most (a 2-cell column each: wider than any terminal) */

/* Key j's column width when words may take up to cap cells (a number needs 5: "0.43" and a space). */
static int key_w(const struct app *a, const struct gen_state *g, int j, int cap)
{
    int need = utf8_width(word(a, g, j)) + 1;
    return need < 5 ? 5 : need > cap ? cap : need;
}

/* The masked weights as a lower triangle: the last rows and keys that fit,
 * the newest row (the last word's query) marked. */
static void draw_triangle(const struct app *a, const struct gen_state *g, int y, int x, int w, int h)
{
    int n = g->dec.n;
    char title[160], head[48], buf[64];
    if (a->head >= 0)
        /* TRANSLATORS: fills "weights, %s" in the generation view: the head shown, of how many. */
        snprintf(head, sizeof head, _("head %d/%d"), a->head + 1, g->dec.H);
    else
        /* TRANSLATORS: fills "weights, %s" in the generation view when 0 shows the mean of the heads. */
        snprintf(head, sizeof head, "%s", _("mean of the heads"));
    /* TRANSLATORS: the generation view, the title over the triangle of weights (rows: each word's query,
       columns: the keys); %s is "head 1/2" or "mean of the heads". Cut with "…" when narrow. */
    snprintf(title, sizeof title, _("Masked attention weights, %s"), head);
    draw_text_cut(y, x, w, title, theme_attr(ROLE_PANEL));
    int lw = 2, cw;
    int rows = h - 2; /* title, key labels */
    if (rows < 1)
        return;
    int r0 = n > rows ? n - rows : 0;
    for (int i = r0; i < n; i++) {
        int tw = utf8_width(word(a, g, i));
        lw = tw > lw ? tw : lw;
    }
    lw = lw > 10 ? 10 : lw;
    int avail = w - (lw + 2) - 1;
    cw = avail >= n * 5 || avail / 5 >= 8 ? 5 : 2; /* numbers while enough keys fit, else colour */
    /* Every key fits: each column as wide as its word needs (5 to 11 cells), the widest ones narrowed
       first when the words together do not fit. kx[j]: where key j's column ends. */
    int kx[KEY_COLS + 1], cap = 0;
    if (n > 0 && n <= KEY_COLS && avail >= n * 5)
        for (int c = 11; c >= 5 && !cap; c--) {
            kx[0] = 0;
            for (int j = 0; j < n; j++)
                kx[j + 1] = kx[j] + key_w(a, g, j, c);
            cap = kx[n] <= avail ? c : 0;
        }
    int cols = avail / cw;
    if (cols < 1)
        return;
    int c0 = n > cols ? n - cols : 0;
    if (!cap) /* uniform columns, the last ones that fit */
        for (int j = c0; j <= n && j - c0 <= KEY_COLS; j++)
            kx[j - c0] = (j - c0) * cw;
    int gx = x + lw + 2;
    int numbers = cw >= 5; /* else colour cells */
    if (numbers) /* the keys across, right-aligned over their numbers: the words the rows may look at */
        for (int j = c0; j < n && j - c0 < KEY_COLS; j++) {
            int kw = kx[j - c0 + 1] - kx[j - c0];
            text_elide(word(a, g, j), kw - 1, buf, sizeof buf);
            draw_text(y + 1, gx + kx[j - c0 + 1] - 1 - utf8_width(buf), kw - 1, buf,
                      theme_attr(j < g->n_prompt ? ROLE_LABEL : ROLE_CHANGED));
        }
    double vmax = 0; /* colour cells: shaded against the largest weight shown (O(visible)) */
    if (!numbers) {
        for (int i = r0; i < n; i++)
            for (int j = c0; j <= i; j++) {
                double v = weight(a, g, i, j);
                vmax = v > vmax ? v : vmax;
            }
        char scale[96];
        int used = 0;
        if (c0 > 0) {
            /* TRANSLATORS: the generation view, over the triangle when the first keys do not fit: how many. */
            snprintf(buf, sizeof buf, ngettext("← %d earlier key", "← %d earlier keys", (unsigned long)c0), c0);
            used = draw_text(y + 1, gx, w - lw - 2, buf, theme_attr(ROLE_DIM)) + 2;
        }
        /* TRANSLATORS: the generation view, over the triangle drawn as colour (or shade) cells: the scale goes from 0
           to the largest weight shown (its value follows). */
        snprintf(scale, sizeof scale, _("scale: 0 to %.2f"), vmax);
        draw_text(y + 1, gx + used, w - lw - 2 - used, scale, theme_attr(ROLE_DIM));
    }
    for (int i = r0; i < n; i++) {
        int ry = y + 2 + (i - r0);
        int newest = i == n - 1;
        text_elide(word(a, g, i), lw, buf, sizeof buf);
        if (newest)
            draw_text(ry, x, 2, widgets_utf8 ? "▸" : ">", theme_attr(ROLE_KEY));
        else if (i >= g->n_prompt) /* a generated word (the prompt's rows have no mark) */
            draw_text(ry, x, 1, "+", theme_attr(ROLE_CHANGED));
        draw_text(ry, x + 1 + lw - utf8_width(buf), lw, buf,
                  newest ? theme_attr(ROLE_CURRENT) : theme_attr(i < g->n_prompt ? ROLE_LABEL : ROLE_CHANGED));
        for (int j = c0; j < n && j - c0 < KEY_COLS; j++) {
            int cx = gx + kx[j - c0], end = gx + kx[j - c0 + 1]; /* the column: cx to end - 1 */
            if (j > i) { /* masked: when row i was computed, key j did not exist yet */
                draw_text(ry, numbers ? end - 2 : cx, numbers ? 1 : cw, widgets_utf8 ? "·" : ".",
                          theme_attr(ROLE_DIM));
                continue;
            }
            double v = weight(a, g, i, j);
            if (numbers) {
                snprintf(buf, sizeof buf, "%4.2f", v);
                draw_text(ry, end - 5, 4, buf, newest ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_NORMAL));
            } else {
                draw_heat_cell(ry, cx, cw, vmax > 0 ? v / vmax : 0);
            }
        }
    }
}

/* The width the triangle would like (x = 1 to its right edge): row labels
 * and every key's column as wide as its word needs (10 cells at most for a
 * word), as draw_triangle lays them out when every key fits. */
static int triangle_want(const struct app *a, const struct gen_state *g)
{
    int lw = 2, keys = 0;
    for (int i = 0; i < g->dec.n; i++) {
        int tw = utf8_width(word(a, g, i));
        lw = tw > lw ? tw : lw;
        keys += key_w(a, g, i, 11);
    }
    lw = lw > 10 ? 10 : lw;
    return 1 + lw + 2 + keys + 1;
}

/* The next word's most likely candidates, as bars of their probability. */
static void draw_bars(const struct app *a, struct gen_state *g, int y, int x, int w, int h)
{
    char title[192], k_text[32], buf[64], t_buf[16];
    distribution(g);
    if (g->top_k > 0)
        snprintf(k_text, sizeof k_text, "%d", g->top_k);
    else
        /* TRANSLATORS: fills "top-k %s" when every word is kept. */
        snprintf(k_text, sizeof k_text, "%s", _("all"));
    /* TRANSLATORS: the generation view, the title over the bars of the next word's probabilities: the
       temperature and the top-k (a number or "all"). Cut with "…" when narrow. */
    snprintf(title, sizeof title, _("Next word: P at T = %s, top-k %s"), t_text(g->T, t_buf, sizeof t_buf), k_text);
    if (utf8_width(title) > w)
        /* TRANSLATORS: the same title when the one above does not fit (top-k is on the line above). */
        snprintf(title, sizeof title, _("Next word: P at T = %s"), t_text(g->T, t_buf, sizeof t_buf));
    draw_text_cut(y, x, w, title, theme_attr(ROLE_PANEL));
    if (ended(g)) {
        /* TRANSLATORS: the generation view, in place of the bars after the model wrote <eos>. */
        draw_wrapped(y + 2, x, w, h - 2, _("<eos>: the model ended the sentence; it writes no further word "
                                           "(← takes words back)"), theme_attr(ROLE_NORMAL));
        return;
    }
    double u;
    int pick = next_word(g, &u);
    int lw = 4;
    for (int i = 0; i < g->n_top; i++) {
        int tw = utf8_width(g->model->vocab[g->top[i]]);
        lw = tw > lw ? tw : lw;
    }
    lw = lw > 12 ? 12 : lw;
    int rows = h - 3 < g->n_top ? h - 3 : g->n_top;
    int bw = w - lw - 2 - 7 - 2;
    double max = 1.0; /* a full bar is probability 1: as T changes, the top word's bar grows or shrinks too */
    for (int i = 0; i < rows; i++) {
        int v = g->top[i], ry = y + 1 + i;
        text_elide(g->model->vocab[v], lw, buf, sizeof buf);
        attr_t at = v == pick ? theme_attr(ROLE_CURRENT) : theme_attr(ROLE_LABEL);
        draw_text(ry, x + lw - utf8_width(buf), lw, buf, at);
        int cells = bw > 0 && max > 0 ? (int)lround(g->probs[v] / max * bw) : 0;
        char bar[512] = "";
        for (int c = 0; c < cells && strlen(bar) + 4 < sizeof bar; c++)
            strcat(bar, widgets_utf8 ? "█" : "#");
        if (!cells)
            strcat(bar, widgets_utf8 ? "▏" : "|");
        draw_text(ry, x + lw + 1, bw > 0 ? bw : 1, bar, theme_attr(ROLE_PANEL));
        snprintf(buf, sizeof buf, "%6.2f%%", 100.0 * g->probs[v]);
        draw_text(ry, x + lw + 1 + (bw > 0 ? bw : 1) + 1, 7, buf, at);
    }
    char line[256];
    if (u >= 0)
        /* TRANSLATORS: the generation view, under the bars when sampling: the next draw u of the seeded
           stream and the word it takes (the first whose running total of probabilities passes u). */
        snprintf(line, sizeof line, _("next draw u = %.4f → %s"), u, g->model->vocab[pick]);
    else
        /* TRANSLATORS: the generation view, under the bars when greedy: the word Enter adds. */
        snprintf(line, sizeof line, _("greedy: Enter adds %s"), g->model->vocab[pick]);
    int ly = y + 1 + rows + (rows < h - 2 ? 1 : 0);
    draw_text_cut(ly, x, w, line, theme_attr(ROLE_FORMULA));
    if (u >= 0) {
        /* TRANSLATORS: the generation view, under "next draw u = ... → word" when there is room: how the draw
           picks the word (decode_pick; --print says the same). The bars are sorted by probability, the running
           total is not. Wrapped to the bars' width (about 27 cells at 64 columns). */
        const char *how = _("(the first word, in vocabulary order, at which the running total of P passes u; the "
                            "bars are sorted, the total is not)");
        if (wrapped_lines(w, how) <= y + h - ly - 1)
            draw_wrapped(ly + 1, x, w, y + h - ly - 1, how, theme_attr(ROLE_DIM));
    }
}

void view_generate_draw(struct app *a, int y, int h)
{
    struct gen_state *g = gen_get(a);
    a->n_hits = 0;
    /* TRANSLATORS: the generation view's heading (62 cells at the smallest, 64 columns). */
    draw_heading(y, _("── Generation: the model writes one word at a time"));
    if (!g || g->failed) {
        draw_text(y + 2, 2, COLS - 4, _("out of memory"), theme_attr(ROLE_WARN));
        return;
    }
    char line[384], k_text[32], t_buf[16];
    if (g->top_k > 0)
        snprintf(k_text, sizeof k_text, "%d", g->top_k);
    else
        snprintf(k_text, sizeof k_text, "%s", _("all"));
    if (!g->sample) {
        /* Greedy: the argmax of the logits, the same word at every T > 0 and every top-k, so T and top-k
           only shape the bars (what sampling would draw from). */
        /* TRANSLATORS: the generation view's settings line in greedy mode: the choice is the argmax whatever
           the temperature; the bars show the distribution at T (first %s) and top-k (second %s, a number or
           "all"); then the prompt's tokens and the words generated. */
        snprintf(line, sizeof line, _("greedy: the argmax at any T · bars at T %s, top-k %s · prompt %d, generated %d"),
                 t_text(g->T, t_buf, sizeof t_buf), k_text, g->n_prompt, generated(g));
        if (utf8_width(line) > COLS - 2)
            /* TRANSLATORS: the same line without the counts, when it does not fit (62 cells at 64 columns). */
            snprintf(line, sizeof line, _("greedy: the argmax at any T · bars at T %s, top-k %s"),
                     t_text(g->T, t_buf, sizeof t_buf), k_text);
    } else {
        /* TRANSLATORS: the generation view's settings line when sampling: the mode ("sample", or at T = 0 the
           argmax), the temperature, the top-k (a number or "all"), the seed, then the prompt's tokens and the
           words generated. */
        snprintf(line, sizeof line, _("%s · T %s · top-k %s · seed %llu · prompt %d, generated %d"),
                 draws(g) ? _("sample") : _("sample (T = 0: the most likely)"), t_text(g->T, t_buf, sizeof t_buf),
                 k_text, (unsigned long long)g->seed, g->n_prompt, generated(g));
        if (utf8_width(line) > COLS - 2)
            /* TRANSLATORS: the same line without the counts, when it does not fit (the status line counts the
               words generated). */
            snprintf(line, sizeof line, _("%s · T %s · top-k %s · seed %llu"),
                     draws(g) ? _("sample") : _("sample (T = 0: the most likely)"), t_text(g->T, t_buf, sizeof t_buf),
                     k_text, (unsigned long long)g->seed);
    }
    draw_text_cut(y + 1, 1, COLS - 2, line, theme_attr(ROLE_FORMULA));
    draw_sentence(a, g, y + 2, COLS - 1);
    /* TRANSLATORS: the generation view's explanation, first part: why the newest row has no later keys
       (wrapped to the screen's width less 2: 62 cells at 64 columns; three lines at most there). */
    const char *mask = _("The newest row (▸) is the last word's query: it weighs the cached keys and its own key, "
                         "none after it, because the words after it do not exist yet.");
    /* TRANSLATORS: the generation view's explanation, second part (shown when there is room): what T and
       top-k do to the bars. */
    const char *temp = _("T divides the logits before softmax: below 1 the most likely word pulls ahead, above 1 "
                         "the others catch up; top-k keeps only the k most likely words.");
    int mask_h = wrapped_lines(COLS - 2, mask), temp_h = wrapped_lines(COLS - 2, temp);
    mask_h = mask_h > 3 ? 3 : mask_h;
    temp_h = temp_h > 2 ? 2 : temp_h;
    if (h - 4 - mask_h - temp_h < 8)
        temp_h = 0; /* a small screen keeps the bars and the mask's reason */
    int body = h - 4 - mask_h - temp_h;
    int half = COLS * 11 / 20, want = triangle_want(a, g) + 2;
    if (want > half) /* long words: the triangle takes what it needs, the bars keep 32 cells at least */
        half = want < COLS - 32 ? want : COLS - 32 > half ? COLS - 32 : half;
    draw_triangle(a, g, y + 4, 1, half - 2, body);
    draw_bars(a, g, y + 4, half + 1, COLS - half - 2, body);
    draw_wrapped(y + h - mask_h - temp_h, 1, COLS - 2, mask_h, mask, theme_attr(ROLE_DIM));
    if (temp_h)
        draw_wrapped(y + h - temp_h, 1, COLS - 2, temp_h, temp, theme_attr(ROLE_DIM));
}

/* ---- keys ---------------------------------------------------------------- */

/* The rungs k and K move top-k along (0 = every word). */
static const int k_ladder[] = {1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000};
#define K_RUNGS (int)(sizeof k_ladder / sizeof k_ladder[0])

static int step_k(int top_k, int V, int dir)
{
    int kept = top_k > 0 && top_k < V ? top_k : V;
    int next = kept;
    if (dir < 0) {
        for (int i = K_RUNGS - 1; i >= 0; i--)
            if (k_ladder[i] < kept) {
                next = k_ladder[i];
                break;
            }
    } else {
        next = V;
        for (int i = 0; i < K_RUNGS; i++)
            if (k_ladder[i] > kept) {
                next = k_ladder[i] < V ? k_ladder[i] : V;
                break;
            }
    }
    return next >= V ? 0 : next;
}

int view_generate_key(struct app *a, int key)
{
    struct gen_state *g = gen_get(a);
    if (!g || g->failed)
        return 0;
    struct error err;
    const char *what = NULL;
    switch (key) {
    case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: case 'l': case ' ':
        if (ended(g))
            snprintf(a->message, sizeof a->message, "%s", _("the model wrote <eos>: the sentence is finished "
                                                            "(← takes the last word back)"));
        else if (accept(g, &err))
            snprintf(a->message, sizeof a->message, "%.300s", err.msg);
        return 1;
    case KEY_LEFT: case 'h': case KEY_BACKSPACE: case 127: case 8:
        if (generated(g) == 0)
            snprintf(a->message, sizeof a->message, "%s", _("only the prompt is left: ← never removes it "
                                                            "(Enter: the next word)"));
        else
            pop(g);
        return 1;
    case KEY_HOME: case 'g':
        while (generated(g) > 0)
            pop(g);
        return 1;
    case KEY_END: case 'G':
        snprintf(a->message, sizeof a->message, "%s", _("the generation has no last step: Enter adds one word "
                                                        "at a time, until <eos>"));
        return 1;
    case 't': case 'T': {
        char t_buf[16];
        long tenths = lround(g->T * 10) + (key == 'T' ? 1 : -1);
        if (tenths < 0) {
            snprintf(a->message, sizeof a->message, "%s", _("T = 0 is the lowest: the most likely word takes "
                                                            "all the probability"));
            return 1;
        }
        g->T = tenths > 50 ? 5.0 : (double)tenths / 10;
        if (!g->sample)
            /* TRANSLATORS: after t or T in greedy mode: the new temperature. */
            snprintf(a->message, sizeof a->message, _("T = %s: the bars change, greedy still takes the most "
                                                      "likely word (c: sample)"), t_text(g->T, t_buf, sizeof t_buf));
        return 1;
    }
    case 'k': case 'K':
        g->top_k = step_k(g->top_k, g->dec.V, key == 'K' ? 1 : -1);
        return 1;
    case 'c':
        g->sample = !g->sample;
        snprintf(a->message, sizeof a->message, "%s",
                 g->sample ? _("sample: each word is drawn from the bars with the seeded stream; the same seed "
                               "draws the same words")
                           : _("greedy: each word is the most likely one"));
        return 1;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': {
        int head = key == '0' ? -1 : key - '1';
        if (head >= g->dec.H)
            return 0; /* the app says there is no such head */
        a->head = head;
        return 1;
    }
    case ']': case '[': what = _("] [ move between the stages of the pipeline"); break;
    case '\t': what = _("Tab sets how much one step of the pipeline reveals"); break;
    case 'r': what = _("r switches the lesson the pipeline walks through"); break;
    case 'p': what = _("autoplay steps through the pipeline and the heatmap"); break;
    case KEY_UP: case KEY_DOWN: case '<': case ',': case '>': case '.':
        what = _("↑ ↓ < > pan the matrices of the pipeline and the heatmap"); break;
    case KEY_MOUSE: {
        MEVENT ev;
        getmouse(&ev);
        return 1;
    }
    default:
        return 0;
    }
    /* TRANSLATORS: fills the second %s of "%s, which %s does not show (v: next view)". */
    snprintf(a->message, sizeof a->message, _("%s, which %s does not show (v: next view)"), what,
             _("the generation view"));
    return 1;
}

void view_generate_status(struct app *a, int y)
{
    struct gen_state *g = a->gen;
    char left[256];
    /* TRANSLATORS: the generation view's status line: Enter the next word, ← back one word, t T the
       temperature, k K the top-k, c greedy or sample, v view, ? help, q quit. */
    const char *const hints[][2] = {
        {"Enter", pgettext("key hint", "next word")}, {"←", pgettext("key hint", "back")}, {"t T", pgettext("key hint", "temperature")}, {"k K", pgettext("key hint", "top-k")},
        {"c", pgettext("key hint", "greedy/sample")}, {"v", pgettext("key hint", "view")}, {"?", pgettext("key hint", "help")},
        {"q", pgettext("key hint", "quit")},
    };
    /* TRANSLATORS: the start of the generation view's status line: the words generated after the prompt
       (key hints follow). */
    snprintf(left, sizeof left, _(" generated %d │"), g && !g->failed ? generated(g) : 0);
    app_draw_hints(y, app_draw_status_left(a, y, left, 1), hints, (int)(sizeof hints / sizeof hints[0]), 2);
}

int view_generate_applies(const struct app *a, const char **why)
{
    if (a->trace.is_lm)
        return 1;
    /* TRANSLATORS: why the generation view shows nothing for a classifier (wrapped, 60 cells wide). */
    *why = _("the generation view needs a language model (config.csv task,lm): a classifier names one class for "
             "the whole sentence and writes no next word");
    return 0;
}

void view_generate_reset(struct app *a)
{
    struct gen_state *g = a->gen;
    if (!g)
        return;
    if (g->model != a->model || g->sentence != a->sentence || g->failed) {
        gen_free(g);
        a->gen = NULL;
    } else {
        g->stale = 1; /* the same words, numbers from the model as it is now (an edit) */
    }
}

void view_generate_free(struct app *a)
{
    gen_free(a->gen);
    a->gen = NULL;
}

int view_generate_fill(struct app *a, int n)
{
    struct gen_state *g = gen_get(a);
    struct error err;
    if (!g || g->failed)
        return -1;
    int was_sample = g->sample;
    g->sample = 0;
    /* greedy words until the sequence holds n tokens, past <eos> too: for the benchmark only */
    while (g->dec.n < n)
        if (accept(g, &err)) {
            g->sample = was_sample;
            return -1;
        }
    g->sample = was_sample;
    g->cached_n = -1;
    return g->dec.n;
}

void view_generate_touch(struct app *a)
{
    if (a->gen)
        a->gen->cached_n = -1;
}

int view_generate_words(struct app *a, const char **words, int max)
{
    struct gen_state *g = gen_get(a);
    if (!g || g->failed)
        return 0;
    int n = 0;
    for (int i = g->n_prompt; i < g->dec.n && n < max; i++)
        words[n++] = g->model->vocab[g->dec.ids[i]];
    return n;
}
