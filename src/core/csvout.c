#include "attnstep/csvout.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/i18n.h"

int csvout_open(struct csvout *w, const char *path, struct error *err)
{
    memset(w, 0, sizeof *w);
    w->path = strdup(path);
    if (!w->path)
        return error_set(err, _("out of memory"));
    w->f = fopen(path, "wb");
    if (!w->f) {
        /* TRANSLATORS: after "PATH: "; %s is the system's reason (strerror). */
        error_file(err, path, _("cannot write: %s"), strerror(errno));
        free(w->path);
        w->path = NULL;
        return -1;
    }
    w->at_row_start = 1;
    return 0;
}

static void separator(struct csvout *w)
{
    if (!w->at_row_start && fputc(',', w->f) == EOF)
        w->failed = 1;
    w->at_row_start = 0;
}

void csvout_text(struct csvout *w, const char *text)
{
    separator(w);
    size_t len = strlen(text);
    /* Quoted where a reader would otherwise trim spaces or tabs at either end. */
    int quote = len == 0 || strchr(" \t", text[0]) || strchr(" \t", text[len - 1]) || strpbrk(text, ",\"\r\n");
    if (quote) {
        if (csv_fwrite(w->f, text, len) != 0)
            w->failed = 1;
    } else if (fputs(text, w->f) == EOF) {
        w->failed = 1;
    }
}

static void put_number(struct csvout *w, const char *s)
{
    separator(w);
    if (fputs(s, w->f) == EOF)
        w->failed = 1;
}

void csvout_number(struct csvout *w, double v)
{
    char buf[64];
    if (isinf(v))
        snprintf(buf, sizeof buf, "%s", v < 0 ? "-inf" : "inf");
    else
        snprintf(buf, sizeof buf, "%.9g", v);
    put_number(w, buf);
}

void csvout_exact(struct csvout *w, double v)
{
    char buf[64];
    for (int digits = 9; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) == 0) /* bit for bit */
            break;
    }
    put_number(w, buf);
}

void csvout_end_row(struct csvout *w)
{
    if (fputc('\n', w->f) == EOF)
        w->failed = 1;
    w->at_row_start = 1;
}

int csvout_close(struct csvout *w, struct error *err)
{
    int failed = w->failed || ferror(w->f);
    if (fclose(w->f) != 0)
        failed = 1;
    w->f = NULL;
    if (failed)
        /* TRANSLATORS: after "PATH: "; %s is the system's reason (strerror) or "I/O error". */
        error_file(err, w->path, _("write failed: %s"), errno ? strerror(errno) : _("I/O error"));
    free(w->path);
    w->path = NULL;
    return failed ? -1 : 0;
}
