/* attnstep — the command line: options, the model, and the chosen front door
 * (walk-through, export, or making a model). */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "app.h"
#include "attnstep/bundle.h"
#include "attnstep/decode.h"
#include "attnstep/edit.h"
#include "attnstep/export.h"
#include "attnstep/fsutil.h"
#include "attnstep/i18n.h"
#include "attnstep/lesson.h"
#include "attnstep/narration.h"
#include "attnstep/table.h"
#include "attnstep/trace.h"
#include "config.h"
#include "interrupt.h"
#include "examples.h"
#include "lang.h"
#include "options.h"
#include "paths.h"
#include "handout.h"
#include "print.h"
#include "snapshot.h"
#include "slides_cmd.h"
#include "term.h"
#include "theme.h"
#include "train_cmd.h"
#include "transfer_cmd.h"

extern int widgets_utf8;

/* When main() started (app_now), for --bench's first frame. */
static double started;

static int fail(const char *msg)
{
    fprintf(stderr, "attnstep: %s\n", msg);
    return 1;
}

/* A translated reason with its values filled in, for the line after "attnstep: ". */
static const char *reason(const char *fmt, ...) ATTNSTEP_PRINTF(1, 2);
static const char *reason(const char *fmt, ...)
{
    static char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

/* The vocabulary for --init-model: a CSV whose header is "token". */
static int read_vocab_list(const char *path, struct table *t, const char ***tokens, int *n, struct error *err)
{
    if (table_read(t, path, err))
        return -1;
    if (strcmp(table_text(t, 0, 0), "token")) {
        /* TRANSLATORS: an error reason after "attnstep: FILE:1:1: " (the --vocab file of --init-model). */
        table_error_cell(t, 0, 0, err, "%s", _("the first row must be the header \"token\""));
        table_free(t);
        return -1;
    }
    *n = t->n_rows - 1;
    *tokens = malloc(((size_t)*n + 1) * sizeof **tokens);
    if (!*tokens) {
        table_free(t);
        return error_set(err, "%s", _("out of memory"));
    }
    for (int r = 1; r < t->n_rows; r++)
        (*tokens)[r - 1] = table_text(t, r, 0);
    return 0;
}

static int init_model(const struct options *o)
{
    struct error err;
    char vocab_path[4096];
    if (o->vocab)
        snprintf(vocab_path, sizeof vocab_path, "%s", o->vocab);
    else if (paths_find_data("vocab.csv", vocab_path, sizeof vocab_path))
        /* TRANSLATORS: an error after "attnstep: "; %s: vocab.csv and the places looked in. */
        return fprintf(stderr, "attnstep: %s\n", reason(_("no bundled vocabulary: %s; give one with --vocab FILE"),
                                                       vocab_path)), 1;
    /* TRANSLATORS: what --init-model DIR would overwrite, inside the error "DIR: is (or contains, or is
       inside) %s (PATH); choose another directory". */
    if (fsutil_check_not_input(o->init_model, vocab_path, _("the vocabulary being read"), &err) ||
        fsutil_check_target(o->init_model, o->force, &err))
        return fail(err.msg);
    struct table t;
    const char **tokens;
    int n;
    if (read_vocab_list(vocab_path, &t, &tokens, &n, &err))
        return fail(err.msg);
    struct bundle b;
    /* A model is named after its directory, so its name says where it came from. */
    const char *slash = strrchr(o->init_model, '/');
    const char *name = slash && slash[1] ? slash + 1 : o->init_model;
    int rc = bundle_init_random(&b, name, o->d_model, o->heads, o->d_hidden, o->seed, tokens, n, &err);
    free(tokens);
    table_free(&t);
    if (rc)
        return fail(err.msg);
    interrupt_catch();
    rc = bundle_save(&b, o->init_model, o->force, &err);
    if (rc == 0) {
        fputs("attnstep: ", stdout);
        /* TRANSLATORS: --init-model's line after "attnstep: ": the directory, then the model's sizes: d_model,
           the heads, d_hidden (the RNN's and LSTM's memory), the tokens of the vocabulary, and the seed. */
        printf(ngettext("wrote a model to %s (d_model %d, %d head, d_hidden %d, %d tokens, seed %llu)",
                        "wrote a model to %s (d_model %d, %d heads, d_hidden %d, %d tokens, seed %llu)",
                        (unsigned long)b.n_heads),
               o->init_model, b.d_model, b.n_heads, b.d_hidden, b.n_vocab, o->seed);
        putchar('\n');
    }
    bundle_free(&b);
    rc = rc ? fail(err.msg) : 0;
    interrupt_release();
    return rc;
}

/* A data path from a recorded command: as written (from the source tree), or
 * the installed copy of the bundled data. */
static void resolve_data(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s", path);
    if (access(path, R_OK) == 0)
        return;
    const char *rel = strncmp(path, "assets/", 7) == 0 ? path + 7 : path;
    if (paths_find_data(rel, out, size))
        snprintf(out, size, "%s", path);
}

/* The recorded "trained: attnstep train DATA …" command, for retraining live. */
void retrain_from_description(const struct bundle *m, struct app_retrain *r)
{
    static const char prefix[] = "trained: attnstep train ";
    memset(r, 0, sizeof *r);
    if (!m->description || strncmp(m->description, prefix, sizeof prefix - 1))
        return;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", m->description + sizeof prefix - 1);
    /* A command recorded before tokenizer.csv existed made a word model. */
    *r = (struct app_retrain){.epochs = 20, .d_model = 16, .heads = 2, .d_ff = 32, .lr = 0.005, .seed = 1,
                              .word_tokenizer = 1};
    char *save = NULL, *data = NULL;
    for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        if (!strcmp(w, "--recurrent"))
            continue; /* no value; the live retraining replays the transformer's part */
        char *v = w[0] == '-' ? strtok_r(NULL, " ", &save) : NULL;
        if (w[0] != '-')
            data = w;
        else if (!v || !strcmp(w, "--from"))
            return; /* a run that started from another model is not replayed */
        else if (!strcmp(w, "--test"))
            resolve_data(v, r->test, sizeof r->test);
        else if (!strcmp(w, "--epochs"))
            r->epochs = atoi(v);
        else if (!strcmp(w, "--d-model"))
            r->d_model = atoi(v);
        else if (!strcmp(w, "--heads"))
            r->heads = atoi(v);
        else if (!strcmp(w, "--d-ff"))
            r->d_ff = atoi(v);
        else if (!strcmp(w, "--lr"))
            r->lr = atof(v);
        else if (!strcmp(w, "--seed"))
            r->seed = strtoull(v, NULL, 10);
        else if (!strcmp(w, "--tokenizer"))
            r->word_tokenizer = !strcmp(v, "word");
        else if (!strcmp(w, "--merges"))
            r->merges = atoi(v);
        else if (!strcmp(w, "--task"))
            r->lm = !strcmp(v, "lm");
    }
    if (!data || r->epochs < 1)
        return;
    resolve_data(data, r->data, sizeof r->data);
    r->available = 1;
}

/* The full-screen session (or its benchmark). Clears *interactive when the
 * terminal cannot drive it, so the caller prints the walk-through instead. */
static int run_screen(const struct options *o, const struct bundle *model, const char *model_dir,
                      const char *sentence, const struct examples *ex, int *interactive)
{
    struct error err;
    struct app app;
    if (app_init(&app, model, sentence, o->causal, o->gran, &err) ||
        app_load_history(&app, model_dir, &err)) {
        app_free(&app);
        return fail(err.msg);
    }
    /* The generation view starts as --generate says (and --print --generate writes the same words). */
    app.gen_opts = (struct app_gen_opts){o->generate > 0 ? o->generate : 0, o->temperature, o->top_k, o->seed};
    if (o->generate >= 0)
        app.view = VIEW_GENERATE;
    int rc = 0;
    if (o->bench) {
        rc = app_bench(&app, o->bench_w, o->bench_h, started, stdout);
    } else {
        struct term t = {0};
        char msg[256];
        /* --snapshot: the same session, drawn off-screen by snapshot_run */
        if (!o->snapshot.file && term_init(&t, NULL, stdout, stdin, msg, sizeof msg)) {
            /* TRANSLATORS: after "attnstep: ", when the terminal cannot show the screen; %s: why (e.g. an
               unknown TERM). The walk-through is the plain text of every step (--print). */
            fprintf(stderr, "attnstep: %s\n", reason(_("%s; printing the walk-through instead"), msg));
            *interactive = 0;
        } else {
            widgets_utf8 = t.utf8;
            theme_init(&t);
            retrain_from_description(model, &app.retrain);
            app.examples = ex->text;
            app.example_unknown = ex->unknown;
            app.n_examples = ex->n;
            /* n goes on from the sentence shown, if it is one of the examples */
            app.example_i = -1;
            for (int i = 0; i < ex->n; i++)
                if (!strcmp(ex->text[i], sentence))
                    app.example_i = i;
            /* The bundled model that has RNN and LSTM weights, for the views that need them. */
            char found[4096], recurrent[PATH_MAX], cwd[PATH_MAX];
            if (paths_find_data("models/" RECURRENT_MODEL, found, sizeof found) == 0 && realpath(found, recurrent)) {
                /* as short as it can be typed from here */
                size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
                app.recurrent_model = n > 1 && !strncmp(recurrent, cwd, n) && recurrent[n] == '/' ? recurrent + n + 1
                                                                                             : recurrent;
            }
            app.mask_untrained = narration_trained_without_mask(model);
            app.playing = o->autoplay > 0;
            if (o->compare)
                app.view = VIEW_COMPARE;
            app.quiz.on = o->quiz;
            if (o->autoplay > 0)
                app.interval = o->autoplay;
            rc = o->snapshot.file ? snapshot_run(&app, o->snapshot.file, o->snapshot.view, o->snapshot.step,
                                                 o->snapshot.w ? o->snapshot.w : SNAPSHOT_DEFAULT_W,
                                                 o->snapshot.h ? o->snapshot.h : SNAPSHOT_DEFAULT_H)
                                  : app_run(&app);
            term_done();
            app_print_warnings(&app, stderr); /* what the screen found, readable now */
            app_free(&app);
            return rc;
        }
    }
    app_free(&app);
    return rc;
}

/* The influence of a wide model takes a while: say what runs, and how far. */
static void say_progress(void *ctx, const char *what, double done)
{
    (void)ctx;
    what = _(what); /* "the RNN's influence": marked where the core names it */
    if (isatty(STDERR_FILENO)) {
        fputs("\rattnstep: ", stderr);
        /* TRANSLATORS: a progress line on a terminal, after "attnstep: ", rewritten as it goes; %s: what is
           computed (e.g. "the RNN's influence"), then the percentage done. */
        fprintf(stderr, _("computing %s: %3.0f%%"), what, 100.0 * done);
        if (done >= 1.0)
            fputc('\n', stderr);
    } else if (done <= 0.0) {
        /* TRANSLATORS: after "attnstep: " when the output is not a terminal; %s: what is computed (e.g.
           "the RNN's influence"). */
        fprintf(stderr, "attnstep: %s\n", reason(_("computing %s; on a model this wide it takes a while"), what));
    }
}

static int run(const struct options *o)
{
    struct error err;
    char model_dir[4096];
    if (o->model)
        snprintf(model_dir, sizeof model_dir, "%s", o->model);
    else if (paths_default_model(model_dir, sizeof model_dir))
        /* TRANSLATORS: an error after "attnstep: "; %s: the default model and the places looked in. */
        return fprintf(stderr, "attnstep: %s\n", reason(_("no bundled model: %s; use --model DIR"), model_dir)), 1;
    /* Refused before the slow part (the influence) rather than after it. */
    /* TRANSLATORS: what --export DIR would overwrite, inside the error "DIR: is (or contains, or is
       inside) %s (PATH); choose another directory". */
    if (o->export_dir && (fsutil_check_not_input(o->export_dir, model_dir, _("the model being read"), &err) ||
                          fsutil_check_target(o->export_dir, o->force, &err)))
        return fail(err.msg);
    struct bundle model;
    if (bundle_load(&model, model_dir, &err))
        return fail(err.msg);
    /* What-if edits, before anything is computed; a bad one is wrong usage. */
    for (int i = 0; i < o->n_sets; i++)
        if (bundle_edit(&model, o->sets[i], &err)) {
            fprintf(stderr, "attnstep: --set '%s': %s\n%s\n", o->sets[i], err.msg,
                    _("Try 'attnstep --help' for more information."));
            bundle_free(&model);
            return 2;
        }
    if (o->generate >= 0 && model.task != BUNDLE_TASK_LM) {
        fputs("attnstep: ", stderr);
        /* TRANSLATORS: a usage error after "attnstep: "; %s: the model's directory. */
        fprintf(stderr, _("--generate needs a language model (config.csv task,lm), and %s is a classifier"),
                model_dir);
        fprintf(stderr, "\n%s\n", _("Try 'attnstep --help' for more information."));
        bundle_free(&model);
        return 2;
    }
    /* --generate on a terminal starts in the generation view; --print, --export and a pipe print. */
    int interactive = !o->print && !o->export_dir && !o->snapshot.file && isatty(STDOUT_FILENO) &&
                      isatty(STDIN_FILENO);
    /* No words given: an example in the model's language that it knows. */
    struct examples ex;
    examples_load(&ex, &model);
    const char *sentence = o->sentence ? o->sentence : examples_default(&ex, DEFAULT_SENTENCE);
    int rc = 0;
    if (o->bench || interactive || o->snapshot.file)
        rc = run_screen(o, &model, model_dir, sentence, &ex, &interactive);
    /* Export, and plain text when asked, when stdout is not a terminal, or
     * when the terminal cannot drive the screen. */
    int text = !o->bench && !interactive && (o->print || (!o->export_dir && !o->snapshot.file));
    struct trace trace;
    if (rc == 0 && (text || o->export_dir)) {
        if (trace_build(&trace, &model, sentence, o->causal, &err)) {
            examples_free(&ex);
            bundle_free(&model);
            return fail(err.msg);
        }
        trace_set_progress(&trace, say_progress, NULL);
        int n_files = 0;
        /* --generate: the prompt's tokens into the cache, then one token at a time */
        struct decode dec = {0};
        struct decode_step *steps = NULL;
        struct decode_sampling samp = {o->temperature, o->top_k, o->seed};
        int n_steps = 0;
        if (o->generate >= 0) {
            steps = malloc(((size_t)o->generate + 1) * sizeof *steps);
            if (!steps)
                rc = fail(_("out of memory"));
            else if (decode_init(&dec, &model, &err))
                rc = fail(err.msg);
            for (int i = 0; rc == 0 && i < trace.N; i++)
                if (decode_push(&dec, trace.ids[i], &err))
                    rc = fail(err.msg);
            if (rc == 0 && decode_generate(&dec, &samp, o->generate, steps, &n_steps, &err))
                rc = fail(err.msg);
        }
        if (rc == 0 && o->export_dir) {
            interrupt_catch();
            if (o->generate >= 0 ? export_write_generated(&trace, &dec, steps, n_steps, o->export_dir, o->force,
                                                          &n_files, &err)
                                 : export_write(&trace, o->export_dir, o->force, &n_files, &err))
                rc = fail(err.msg);
            else if (!o->print) {
                fputs("attnstep: ", stdout);
                /* TRANSLATORS: --export's line after "attnstep: ": the number of CSV files and the directory. */
                printf(ngettext("wrote %d file to %s", "wrote %d files to %s", (unsigned long)n_files), n_files,
                       o->export_dir);
                putchar('\n');
            }
            if (rc == 0 && export_skips_influence(&trace, trace.has_model[TRACE_LSTM] ? TRACE_LSTM : TRACE_RNN))
                /* TRANSLATORS: a note after "attnstep: " from --export: influence.csv leaves out the RNN's and
                   the LSTM's rows when their d_hidden (first %d) is above the limit (second %d). */
                fprintf(stderr, "attnstep: %s\n", reason(_("influence.csv has attention's row only: d_hidden %d is "
                                                           "above %d, too slow for the RNN's and LSTM's"),
                                                         trace.Dh, EXPORT_INFLUENCE_MAX_HIDDEN));
            interrupt_release();
        }
        /* --quiz: the handout instead of the walk-through. */
        if (rc == 0 && text && o->quiz && handout_write(stdout, &trace, o->gran) && errno != EPIPE)
            rc = fail(_("cannot write the quiz handout to standard output"));
        /* The attention lesson, then the recurrent models the bundle has. */
        static const enum trace_model order[] = {TRACE_ATTENTION, TRACE_RNN, TRACE_LSTM};
        for (size_t k = 0; rc == 0 && text && !o->quiz && k < sizeof order / sizeof order[0]; k++) {
            struct lesson lesson;
            if (!trace.has_model[order[k]])
                continue;
            if (lesson_init(&lesson, &trace, order[k], o->gran, &err)) {
                rc = fail(err.msg);
                break;
            }
            if (print_walkthrough(stdout, &lesson) && errno != EPIPE)
                rc = fail(_("cannot write the walk-through to standard output"));
            lesson_free(&lesson);
        }
        if (rc == 0 && text && o->generate >= 0 &&
            print_generation(stdout, &trace, &dec, &samp, o->generate, steps, n_steps) && errno != EPIPE)
            rc = fail(_("cannot write the walk-through to standard output"));
        decode_free(&dec);
        free(steps);
        trace_free(&trace);
    }
    examples_free(&ex);
    bundle_free(&model);
    return rc;
}

int main(int argc, char **argv)
{
    started = app_now();
    /* A reader that stops early (attnstep | head) is not an error. */
    signal(SIGPIPE, SIG_IGN);
    char msg[512];
    /* First the language, so that even a usage error reads in it. */
    if (lang_setup(argc, argv, msg, sizeof msg)) {
        fprintf(stderr, "attnstep: %s\n%s\n", msg, _("Try 'attnstep --help' for more information."));
        return 2;
    }
    /* train comes first, or right after --lang: attnstep --lang ko train … */
    int sub = 1;
    if (argc > 3 && !strcmp(argv[1], "--lang"))
        sub = 3;
    else if (argc > 2 && !strncmp(argv[1], "--lang=", 7))
        sub = 2;
    if (argc > sub && !strcmp(argv[sub], "train"))
        return train_cmd(argc - sub, argv + sub);
    if (argc > sub && !strcmp(argv[sub], "transfer"))
        return transfer_cmd(argc - sub, argv + sub);
    struct options o;
    if (options_parse(&o, argc, argv, msg, sizeof msg)) {
        fprintf(stderr, "attnstep: %s\n%s\n", msg, _("Try 'attnstep --help' for more information."));
        options_free(&o);
        return 2;
    }
    int rc = 0;
    if (o.help)
        options_help();
    else if (o.version)
        printf("attnstep %s\n", ATTNSTEP_VERSION);
    else if (o.init_model)
        rc = init_model(&o);
    else if (o.lesson)
        rc = slides_cmd(&o);
    else
        rc = run(&o);
    options_free(&o);
    return rc;
}
