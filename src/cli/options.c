#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h" /* the screen's table of views, for --view */
#include "attnstep/i18n.h"
#include "lang.h"

/* One msgid per paragraph: a translator sees whole paragraphs, and no string
 * nears the 4095 bytes C11 compilers need only take in one. */
static const char *const help_text[] = {
/* TRANSLATORS: a paragraph of --help. Keep each line within 79 columns (a Hangul
   syllable takes two) and keep option names, keys and commands as they are. */
N_(
"attnstep — watch a transformer's self-attention compute, one number at a time\n"
"\n"),
N_(
"Usage: attnstep [OPTIONS] [--] [SENTENCE...]\n"
"       attnstep train DATA.csv --out DIR [OPTIONS]   (attnstep train --help)\n"
"       attnstep transfer SMALL.csv --from BUNDLE --test TEST.csv --out DIR\n"
"                [OPTIONS]   (attnstep transfer --help)\n"
"       attnstep --init-model DIR [--d-model D] [--heads H] [--d-hidden N]\n"
"                [--seed S] [--vocab FILE]\n"
"\n"),
N_(
"  attnstep                          walk through an example the model knows\n"
"  attnstep the cat sat on the mat   walk through your own sentence\n"
"  attnstep --causal --granularity cell i did not like it\n"
"  attnstep --export out/ the movie was not good    every matrix as CSV\n"
"  attnstep train assets/data/sentiment-en-train.csv --out my-model\n"
"  attnstep --model my-model         then v three times: the training view\n"
"\n"),
N_(
"The sentence is cut into tokens, turned into vectors, and sent through a\n"
"transformer block: multi-head self-attention (queries, keys, values, scores,\n"
"softmax weights, the weighted sum), then, when the model has them, Add & Norm,\n"
"feed-forward and the classifier's prediction, each shown with its real numbers.\n"
"On a terminal you step through it; otherwise it is printed as plain text.\n"
"\n"),
N_(
"Options:\n"
"  --model DIR          model bundle to use (default: $ATTNSTEP_MODEL, else the\n"
"                       bundled tiny-en, trained on English sentiment; also\n"
"                       bundled: tiny-ko, and random-en with two-decimal weights\n"
"                       for checking by hand)\n"
"  --causal             decoder-style attention: no word looks at later words\n"
"  --granularity G      how much each step reveals: stage, row (default) or cell\n"
"  --print              print the walk-through as plain text (also what happens\n"
"                       when the output is not a terminal)\n"
"  --autoplay SECONDS   start playing, one step every SECONDS (p pauses)\n"
"  --compare            start in the view that sets an RNN beside attention\n"
"  --quiz               predict, then reveal: asks before a result is shown\n"
"                       (a toggles it); with --print, a handout of the\n"
"                       questions with the answers at the end\n"
"  --export DIR         write every matrix as a CSV file into DIR, plus the\n"
"                       weights used, so everything can be recomputed by hand\n"
"  --force              let --export or --init-model replace a non-empty DIR\n"
"  --set NAME[ROW,COL]=VALUE\n"
"                       what if: change one number of the model before\n"
"                       computing (repeatable); NAME is a weight file's name\n"
"                       (w_q, b_q, ln1_gamma, w_cls, ...), ROW and COL count\n"
"                       from 0; vocab[TOKEN,COL] changes an embedding\n"
"  --bench [WxH]        render every step off-screen (default 120x40); print\n"
"                       the first frame's time after start, frame times and\n"
"                       bytes per frame\n"
"  --lang LANG          language of the text: en or ko (default: from\n"
"                       LANGUAGE, LC_ALL, LC_MESSAGES or LANG)\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"),
/* TRANSLATORS: a paragraph of --help: generating text with a language model (config.csv task,lm). */
N_(
"Language models (a model whose config.csv says task,lm):\n"
"  --generate N         continue the sentence by up to N tokens (0 to 10000),\n"
"                       stopping after <eos>: on a terminal in the generation\n"
"                       view, else printed step by step; with --export also\n"
"                       written to generated.csv\n"
"  --temperature T      0 (default): always the most likely token; above 0:\n"
"                       draw from softmax(logits / T)\n"
"  --top-k K            draw only from the K tokens with the largest logits\n"
"  --seed S             the draws' random seed (default 1): the same seed\n"
"                       gives the same tokens\n"
"\n"),
/* TRANSLATORS: a paragraph of --help: the lesson a teacher scripts (--lesson) and its keys. */
N_(
"Lessons:\n"
"  --lesson FILE        show the slides of a lesson: a CSV with the header\n"
"                       model,sentence,view,stage,note, one slide per row\n"
"                       (see 'man attnstep'); with --print, list them\n"
"  PgDn PgUp            next / previous slide; the other keys work as usual\n"
"  :                    jump to a stage: type its number or the start of its\n"
"                       name, then Enter\n"
"\n"),
N_(
"Snapshots (a screen as a picture for a slide; no terminal needed):\n"
"  --snapshot FILE.svg  draw the screen off-screen into FILE.svg (monospace\n"
"                       cells, the screen's colours) instead of showing it\n"
"  --view V             pipeline (default), heatmap, compare, training or\n"
"                       generate\n"
"  --step N             the step as the status line counts it: step N of the\n"
"                       pipeline or heatmap (default 1), word N of compare\n"
"                       (default 0), snapshot N of training (default: last),\n"
"                       N words generated greedily (default 0); 'last' for\n"
"                       the view's last\n"
"  --size WxH           the screen's size in cells (default 120x36; at least\n"
"                       64x18)\n"
"  S                    (key) in the screen: write it to attnstep-NNN.svg\n"
"\n"),
N_(
"Training a model:\n"
"  train DATA.csv --out DIR\n"
"                       learn W_Q, W_K, W_V and the rest of a one-block\n"
"                       transformer classifier from text,label sentences (with\n"
"                       --task lm: a language model from text sentences), with\n"
"                       snapshots for the training view; 'attnstep train --help'\n"
"                       lists its options (--test, --epochs, --bench, ...)\n"
"\n"),
N_(
"Making a random model:\n"
"  --init-model DIR     write a model with seeded random weights (rounded to two\n"
"                       decimals, so students can redo the arithmetic) into DIR\n"
"  --d-model D          width of every word vector (default 8)\n"
"  --heads H            attention heads; must divide D (default 2)\n"
"  --d-hidden N         width of the RNN's and LSTM's memory (default 8;\n"
"                       0 for an attention-only model)\n"
"  --seed S             random seed (default 1)\n"
"  --vocab FILE         CSV with a header 'token' and one token per row\n"
"                       (default: the bundled vocabulary)\n"
"\n"),
N_(
"Views (v goes to the next one):\n"
"  pipeline   each stage's operands and result, the formula with its numbers,\n"
"             and what the stage means\n"
"  heatmap    the attention weights of one head, or the mean of the heads\n"
"  compare    an RNN and an LSTM reading the same sentence beside attention\n"
"  training   the model from random weights to trained, epoch by epoch: the\n"
"             heatmap, prediction, W_Q/W_K/W_V, loss and accuracy, or for a\n"
"             language model perplexity beside the bigram's (R retrains)\n"
"  generate   a language model writes one word at a time: the masked weights\n"
"             grow by a row per word, the next word's probabilities are bars\n"
"  transfer   for a model 'attnstep transfer' wrote: scratch, feature-based\n"
"             and fine-tuned side by side, which weights moved and how far\n"
"v skips a view that does not apply to the model: generate appears only on a\n"
"language model, transfer only on a model 'attnstep transfer' wrote, and a\n"
"language model without an RNN skips compare.\n"
"\n"),
N_(
"Keys:\n"
"  → l space        next step\n"
"  ← h Backspace    previous step\n"
"  ] [              next / previous stage\n"
"  Home g, End G    first / last step\n"
"  Tab              detail: one cell → one row → one stage per step\n"
"  v                next view, in the order listed under Views\n"
"  R                training view: retrain the model from random, live\n"
"  n N              next / previous example sentence\n"
"  r                lesson: attention → RNN → LSTM (when the model has them)\n"
"  1-9 0            show head 1-9; 0 the mean of the heads (heatmap)\n"
"  m                causal mask on / off\n"
"  p + -            play / pause, faster, slower\n"
"  s                heatmap: weights or scaled scores\n"
"  ↑ ↓ < >          pan matrices too big for the screen\n"
"  click            jump to the step that computes that cell\n"
"  ? Esc            all keys, close them\n"
"  q                quit\n"
"In the compare view the step keys read one word at a time; in the training\n"
"view they move from epoch to epoch.\n"
"\n"),
N_(
"Predict and change:\n"
"  a                quiz on / off: predict a result before it is shown\n"
"  e                what if: select a weight (↑ ↓ ← →), e again edits it\n"
"  E                what if by name: type an edit as --set writes it\n"
"  u U              undo the last edit / all edits\n"
"\n"),
N_(
"Generation view (language models; --generate N starts there):\n"
"  Enter → space    add the next word (greedy: the most likely; sample: the\n"
"                   next draw of the --seed stream)\n"
"  ← Backspace      take the last generated word back; Home: all of them\n"
"  t T              temperature down / up by 0.1\n"
"  k K              top-k down / up\n"
"  c                greedy or sample\n"
"\n"),
N_(
"Exit status: 0 success, 1 bad input or I/O error, 2 wrong usage,\n"
"128+N when stopped by signal N (130 for Ctrl-C).\n"
"A model is a directory of CSV files; see 'man attnstep' for the format.\n")
};

void options_help(void)
{
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++)
        fputs(_(help_text[i]), stdout);
}

static int usage(char *msg, size_t size, const char *fmt, ...) ATTNSTEP_PRINTF(3, 4);
static int usage(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_count(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* --view, --step and --size of --snapshot; the ranges that depend on the
 * screen and the sentence are checked when it is drawn. */
static int options_snapshot(struct options *o, const char *name, const char *value, char *msg, size_t size)
{
    long n;
    if (!strcmp(name, "--view")) {
        int v = app_view_find(value); /* the screen's table of views */
        if (v >= 0)
            return o->snapshot.view = v, 0;
        return usage(msg, size, _("--view must be pipeline, heatmap, compare, training or generate, not '%s'"), value);
    }
    if (!strcmp(name, "--step")) {
        if (!strcmp(value, "last"))
            return o->snapshot.step = LONG_MAX, 0;
        if (parse_count(value, 1000000000, &n))
            return usage(msg, size, _("--step needs a whole number, not '%s'"), value);
        o->snapshot.step = n;
        return 0;
    }
    char *end;
    long w = strtol(value, &end, 10), h = -1;
    if (end != value && (*end == 'x' || *end == 'X') && end[1] >= '0' && end[1] <= '9')
        h = strtol(end + 1, &end, 10);
    if (*end || w <= 0 || h <= 0 || w > 100000 || h > 100000)
        return usage(msg, size, _("--size takes a size like 120x36, not '%s'"), value);
    o->snapshot.w = (int)w;
    o->snapshot.h = (int)h;
    return 0;
}

int options_parse(struct options *o, int argc, char **argv, char *msg, size_t size)
{
    memset(o, 0, sizeof *o);
    o->gran = GRAN_ROW;
    o->d_model = 8;
    o->heads = 2;
    o->d_hidden = 8;
    o->seed = 1;
    o->bench_w = 120;
    o->bench_h = 40;
    o->snapshot.view = -1;
    o->snapshot.step = -1;
    o->generate = -1;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        /* --name=value and --name value are both accepted. */
        char name[64];
        const char *value = NULL, *eq = strchr(a, '=');
        if (eq && a[1] == '-') {
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        static const char *const takes_value[] = {"--model", "--export", "--granularity", "--init-model",
                                                  "--d-model", "--heads", "--seed", "--vocab", "--autoplay",
                                                  "--d-hidden", "--lang", "--set", "--snapshot", "--view",
                                                  "--step", "--size", "--lesson", "--generate",
                                                  "--temperature", "--top-k"};
        int needs = 0;
        for (size_t k = 0; k < sizeof takes_value / sizeof takes_value[0]; k++)
            needs |= !strcmp(name, takes_value[k]);
        if (needs && !value) {
            if (i + 1 >= argc)
                return usage(msg, size, _("%s needs a value"), name);
            value = argv[++i];
        } else if (!needs && value && strcmp(name, "--bench")) {
            return usage(msg, size, _("%s takes no value"), name);
        }
        long n;
        if (!strcmp(name, "--model")) o->model = value;
        else if (!strcmp(name, "--lesson")) o->lesson = value;
        else if (!strcmp(name, "--export")) o->export_dir = value;
        else if (!strcmp(name, "--init-model")) o->init_model = value;
        else if (!strcmp(name, "--vocab")) o->vocab = value;
        else if (!strcmp(name, "--set")) {
            if (!o->sets && !(o->sets = calloc((size_t)argc, sizeof *o->sets)))
                return usage(msg, size, "%s", _("out of memory"));
            o->sets[o->n_sets++] = value;
        }
        else if (!strcmp(name, "--snapshot")) o->snapshot.file = value;
        else if (!strcmp(name, "--view") || !strcmp(name, "--step") || !strcmp(name, "--size")) {
            if (options_snapshot(o, name, value, msg, size)) return -1;
        }
        else if (!strcmp(name, "--causal")) o->causal = 1;
        else if (!strcmp(name, "--print")) o->print = 1;
        else if (!strcmp(name, "--compare")) o->compare = 1;
        else if (!strcmp(name, "--quiz")) o->quiz = 1;
        else if (!strcmp(name, "--force")) o->force = 1;
        else if (!strcmp(name, "--lang")) {
            /* main's lang_setup has already chosen the language from it */
            if (!lang_valid(value)) return usage(msg, size, _("--lang must be en or ko, not '%s'"), value);
        }
        else if (!strcmp(name, "--help") || !strcmp(name, "-h")) o->help = 1;
        else if (!strcmp(name, "--version") || !strcmp(name, "-V")) o->version = 1;
        else if (!strcmp(name, "--bench")) {
            o->bench = 1;
            /* an optional size right after: --bench 200x60 */
            if (!value && i + 1 < argc && sscanf(argv[i + 1], "%dx%d", &o->bench_w, &o->bench_h) == 2)
                value = argv[++i];
            else if (value && sscanf(value, "%dx%d", &o->bench_w, &o->bench_h) != 2)
                return usage(msg, size, _("--bench takes a size like 120x40, not '%s'"), value);
            if (value && (o->bench_w < 20 || o->bench_h < 5 || o->bench_w > 1000 || o->bench_h > 1000))
                return usage(msg, size, _("--bench size must be between 20x5 and 1000x1000, not '%s'"), value);
        } else if (!strcmp(name, "--autoplay")) {
            char *end;
            o->autoplay = strtod(value, &end);
            if (end == value || *end || !(o->autoplay >= 0.05 && o->autoplay <= 60))
                return usage(msg, size, _("--autoplay takes seconds between 0.05 and 60, not '%s'"), value);
        } else if (!strcmp(name, "--granularity")) {
            if (!strcmp(value, "stage")) o->gran = GRAN_STAGE;
            else if (!strcmp(value, "row")) o->gran = GRAN_ROW;
            else if (!strcmp(value, "cell")) o->gran = GRAN_CELL;
            else return usage(msg, size, _("--granularity must be stage, row or cell, not '%s'"), value);
        } else if (!strcmp(name, "--d-model")) {
            if (parse_count(value, 1000000, &n)) return usage(msg, size, _("--d-model needs a whole number, not '%s'"), value);
            o->d_model = (int)n;
        } else if (!strcmp(name, "--d-hidden")) {
            if (parse_count(value, 1000000, &n)) return usage(msg, size, _("--d-hidden needs a whole number, not '%s'"), value);
            o->d_hidden = (int)n;
        } else if (!strcmp(name, "--heads")) {
            if (parse_count(value, 1000000, &n)) return usage(msg, size, _("--heads needs a whole number, not '%s'"), value);
            o->heads = (int)n;
        } else if (!strcmp(name, "--generate")) {
            if (parse_count(value, GENERATE_MAX, &n))
                /* TRANSLATORS: a usage error after "attnstep: "; %d: the most tokens --generate adds. */
                return usage(msg, size, _("--generate takes a number of tokens from 0 to %d, not '%s'"), GENERATE_MAX,
                             value);
            o->generate = (int)n;
        } else if (!strcmp(name, "--temperature")) {
            char *end;
            o->temperature = strtod(value, &end);
            o->temperature_given = 1;
            if (end == value || *end || !(o->temperature >= 0 && o->temperature <= 1e6))
                /* TRANSLATORS: a usage error after "attnstep: "; 0 means greedy (the most likely token). */
                return usage(msg, size, _("--temperature takes a number from 0 (greedy) to 1000000, not '%s'"), value);
        } else if (!strcmp(name, "--top-k")) {
            if (parse_count(value, 1000000000, &n) || n < 1)
                return usage(msg, size, _("--top-k takes a whole number of at least 1, not '%s'"), value);
            o->top_k = (int)n;
            o->top_k_given = 1;
        } else if (!strcmp(name, "--seed")) {
            char *end;
            errno = 0;
            o->seed = strtoull(value, &end, 10);
            if (end == value || *end || errno || value[0] == '-')
                return usage(msg, size, _("--seed needs a whole number, not '%s'"), value);
        } else {
            return usage(msg, size, _("unknown option '%s'"), a);
        }
    }
    if (!o->snapshot.file && (o->snapshot.view >= 0 || o->snapshot.step >= 0 || o->snapshot.w))
        return usage(msg, size, "%s", _("--view, --step and --size go with --snapshot FILE.svg"));
    if (o->snapshot.file && o->bench)
        return usage(msg, size, "%s", _("--snapshot and --bench cannot be used together"));
    if (o->generate < 0 && (o->temperature_given || o->top_k_given))
        return usage(msg, size, _("%s goes with --generate N"), o->temperature_given ? "--temperature" : "--top-k");
    const char *gen_clash = o->generate < 0 ? NULL : o->snapshot.file ? "--snapshot" : o->bench ? "--bench"
                          : o->quiz ? "--quiz" : o->compare ? "--compare" : o->init_model ? "--init-model" : NULL;
    if (gen_clash)
        /* TRANSLATORS: a usage error after "attnstep: "; %s: another option (--snapshot, --bench...). */
        return usage(msg, size, _("--generate does not go with %s"), gen_clash);
    /* A lesson names its own models and sentences. */
    const char *clash = !o->lesson ? NULL : o->model ? "--model" : o->export_dir ? "--export" : o->n_sets ? "--set"
                      : o->compare ? "--compare" : o->init_model ? "--init-model" : o->bench ? "--bench"
                      : o->generate >= 0 ? "--generate" : NULL;
    if (o->lesson && !clash && i < argc)
        /* TRANSLATORS: fills %s of the error below: words given after the options. */
        clash = _("a sentence");
    if (clash)
        /* TRANSLATORS: a usage error after "attnstep: "; %s: an option (--model, --export...) or the
           words "a sentence" (translated below). */
        return usage(msg, size, _("--lesson FILE takes its models, sentences and views from FILE: it does not go "
                                  "with %s"), clash);
    size_t len = 0;
    for (int k = i; k < argc; k++)
        len += strlen(argv[k]) + 1;
    if (i < argc) {
        o->sentence = malloc(len);
        if (!o->sentence)
            return usage(msg, size, "%s", _("out of memory"));
        o->sentence[0] = '\0';
        for (int k = i; k < argc; k++) {
            if (k > i)
                strcat(o->sentence, " ");
            strcat(o->sentence, argv[k]);
        }
    }
    return 0;
}

void options_free(struct options *o)
{
    free(o->sentence);
    o->sentence = NULL;
    free(o->sets);
    o->sets = NULL;
}
