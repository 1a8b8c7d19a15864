#include "attnstep/table.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/i18n.h"
#include "attnstep/utf8.h"

struct growbuf {
    void *data;
    size_t len, cap; /* in elements */
};

static int grow(struct growbuf *b, size_t elem, size_t need)
{
    if (b->len + need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + need)
        cap *= 2;
    void *p = realloc(b->data, cap * elem);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

struct reader {
    struct growbuf arena, cells, rows;
    int line, col;             /* position of the byte being fed */
    int start_line, start_col; /* where the current field began */
    int at_field_start;
    size_t row_first;          /* first cell of the current row */
    int oom;
};

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->oom)
        return;
    if (grow(&r->arena, 1, len + 1) || grow(&r->cells, sizeof(struct table_cell), 1)) {
        r->oom = 1;
        return;
    }
    char *arena = r->arena.data;
    struct table_cell *cell = (struct table_cell *)r->cells.data + r->cells.len++;
    cell->text = r->arena.len;
    if (len)
        memcpy(arena + r->arena.len, s, len);
    arena[r->arena.len + len] = '\0';
    r->arena.len += len + 1;
    if (r->at_field_start) { /* an empty field: point at its delimiter */
        r->start_line = r->line;
        r->start_col = r->col;
    }
    cell->line = r->start_line;
    cell->col = r->start_col;
    r->at_field_start = 1;
}

static void on_row(int c, void *data)
{
    struct reader *r = data;
    if (r->oom)
        return;
    if (grow(&r->rows, sizeof(struct table_row), 1)) {
        r->oom = 1;
        return;
    }
    struct table_row *row = (struct table_row *)r->rows.data + r->rows.len++;
    const struct table_cell *cells = r->cells.data;
    row->first = r->row_first;
    row->n_cells = (int)(r->cells.len - r->row_first);
    row->line = row->n_cells ? cells[r->row_first].line : r->line;
    r->row_first = r->cells.len;
    r->at_field_start = 1;
}

/* Reads the whole of a regular file of at most max bytes. Anything else (a
 * FIFO, a device such as /dev/zero, a directory) is refused before a byte is
 * read, and the size is checked before reading too. */
static int slurp(const char *path, size_t max, char **out, size_t *out_len, struct error *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        /* TRANSLATORS: after "PATH: "; %s is the system's reason (strerror). */
        return error_file(err, path, _("cannot open: %s"), strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return error_file(err, path, _("cannot open: %s"), strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        /* TRANSLATORS: after "PATH: ", PATH being what was given as a CSV file. */
        return error_file(err, path, "%s", S_ISDIR(st.st_mode) ? _("is a directory, expected a CSV file")
                                     /* TRANSLATORS: after "PATH: ", PATH given as a CSV file. */
                                     : _("is not a regular file (a device, FIFO or socket), expected a CSV file"));
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > max) {
        close(fd);
        /* TRANSLATORS: the file's size and the largest size read, both in bytes. */
        return error_file(err, path, _("file is too large (%lld bytes; at most %zu)"), (long long)st.st_size,
                          max);
    }
    /* One byte more than the size, to notice a file that grows while read. */
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf && len == cap) {
            if (len > max) {
                free(buf);
                close(fd);
                /* TRANSLATORS: %zu is the largest size read, in bytes. */
                return error_file(err, path, _("file is too large (more than %zu bytes)"), max);
            }
            size_t more = cap > max / 2 ? max + 1 : 2 * cap;
            char *p = realloc(buf, more);
            if (!p)
                free(buf);
            buf = p;
            cap = more;
        }
        if (!buf) {
            close(fd);
            return error_file(err, path, _("out of memory"));
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            /* TRANSLATORS: %s is the system's reason (strerror). */
            return error_file(err, path, _("read error: %s"), strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len > max) {
        free(buf);
        return error_file(err, path, _("file is too large (more than %zu bytes)"), max);
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* Line and character column of byte offset `at` in buf. */
static void locate(const char *buf, size_t at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (buf[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static int is_special(char c)
{
    return c == ',' || c == '"' || c == '\n' || c == '\r';
}

int table_read(struct table *out, const char *path, struct error *err)
{
    return table_read_max(out, path, TABLE_MAX_BYTES, err);
}

int table_read_max(struct table *out, const char *path, size_t max_bytes, struct error *err)
{
    char *buf = NULL;
    size_t len = 0;
    if (slurp(path, max_bytes, &buf, &len, err))
        return -1;

    size_t start = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    int line, col;
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        locate(buf, (size_t)(nul - buf), &line, &col);
        free(buf);
        return error_at(err, path, line, col, _("binary data (a NUL byte), expected CSV text"));
    }
    long bad = utf8_invalid_at(buf + start, len - start);
    if (bad >= 0) {
        unsigned char byte = (unsigned char)buf[start + (size_t)bad];
        locate(buf, start + (size_t)bad, &line, &col);
        free(buf);
        /* TRANSLATORS: %02X is the byte's value in hexadecimal (0x%02X reads 0xFF). */
        return error_at(err, path, line, col, _("invalid UTF-8 (byte 0x%02X); save the file as UTF-8"), byte);
    }
    size_t i;
    for (i = start; i < len; i++)
        if (!isspace((unsigned char)buf[i]))
            break;
    if (i == len) {
        free(buf);
        return error_at(err, path, 1, 1, _("file is empty"));
    }

    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(buf);
        return error_file(err, path, _("out of memory"));
    }
    /* libcsv grows a field's buffer by the block size (128 bytes by default):
     * long fields would cost quadratic time. An eighth of the file lets any
     * field fit in a few steps. */
    csv_set_blk_size(&p, len / 8 + 128);
    struct reader r = {.line = 1, .col = 1, .at_field_start = 1};
    int quote_line = 1, quote_col = 1, in_quote = 0;
    int failed = 0;
    size_t pos = start;
    while (pos < len && !failed && !r.oom) {
        /* Ordinary bytes go to libcsv in runs; the bytes that end fields or rows
         * go one at a time so the callbacks see the current position. */
        size_t end = pos;
        if (!is_special(buf[pos]))
            while (end < len && !is_special(buf[end]))
                end++;
        else
            end = pos + 1;
        for (size_t k = pos; k < end; k++) { /* (r.line, r.col) is the position of byte k */
            char c = buf[k];
            if (r.at_field_start && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',') {
                r.start_line = r.line;
                r.start_col = r.col;
                r.at_field_start = 0;
                if (c == '"') {
                    quote_line = r.line;
                    quote_col = r.col;
                }
            }
            if (c == '"')
                in_quote = !in_quote;
            /* Callbacks fire only on the one-byte runs, so they see the byte's own position. */
            if (k + 1 == end && csv_parse(&p, buf + pos, end - pos, on_field, on_row, &r) != end - pos)
                failed = 1;
            if (buf[k] == '\n') {
                r.line++;
                r.col = 1;
            } else if (((unsigned char)buf[k] & 0xC0) != 0x80) {
                r.col++;
            }
        }
        pos = end;
    }
    if (!failed && !r.oom && csv_fini(&p, on_field, on_row, &r) != 0)
        failed = 1;
    int code = csv_error(&p);
    csv_free(&p);
    free(buf);
    if (failed || r.oom) {
        free(r.arena.data);
        free(r.cells.data);
        free(r.rows.data);
        if (r.oom || code == CSV_ENOMEM)
            return error_file(err, path, _("out of memory"));
        if (in_quote)
            return error_at(err, path, quote_line, quote_col, _("quoted field is never closed"));
        return error_at(err, path, r.line, r.col > 1 ? r.col - 1 : 1,
                        _("malformed quoted field (a quote inside a field must be doubled: \"\")"));
    }
    char *path_copy = strdup(path);
    if (!path_copy) {
        free(r.arena.data);
        free(r.cells.data);
        free(r.rows.data);
        return error_file(err, path, _("out of memory"));
    }
    out->path = path_copy;
    out->arena = r.arena.data;
    out->cells = r.cells.data;
    out->rows = r.rows.data;
    out->n_rows = (int)r.rows.len;
    out->end_line = r.col > 1 ? r.line + 1 : r.line;
    return 0;
}

void table_free(struct table *t)
{
    if (!t)
        return;
    free(t->path);
    free(t->arena);
    free(t->cells);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

const struct table_cell *table_cell(const struct table *t, int row, int col)
{
    return &t->cells[t->rows[row].first + (size_t)col];
}

const char *table_text(const struct table *t, int row, int col)
{
    return t->arena + table_cell(t, row, col)->text;
}

static int match_digits(const char **s)
{
    const char *p = *s;
    while (isdigit((unsigned char)**s))
        ++*s;
    return *s > p;
}

int table_parse_number(const char *text, double *out, const char **why)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    char tmp[128];
    if (len == 0) {
        /* TRANSLATORS: this and the next five reasons come before ': "TEXT" (column N of the row)'
           or after "norm_eps: "; TEXT is the cell's text. */
        *why = _("empty cell, expected a number");
        return -1;
    }
    if (len >= sizeof tmp) {
        *why = _("not a number (too long)");
        return -1;
    }
    memcpy(tmp, text, len);
    tmp[len] = '\0';
    /* Only plain decimal notation: strtod would also take "nan", "inf" and hex. */
    const char *s = tmp;
    if (*s == '+' || *s == '-')
        s++;
    const char *word = s;
    int digits = match_digits(&s);
    if (*s == '.') {
        s++;
        digits |= match_digits(&s);
    }
    if (digits && (*s == 'e' || *s == 'E')) {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!match_digits(&s))
            digits = 0;
    }
    if (!digits || *s != '\0') {
        if (strncasecmp(word, "nan", 3) == 0)
            *why = _("NaN is not a usable number");
        else if (strncasecmp(word, "inf", 3) == 0)
            *why = _("infinity is not a usable number");
        else
            *why = _("not a number");
        return -1;
    }
    errno = 0;
    double v = strtod(tmp, NULL);
    if (!isfinite(v) || fabs(v) > FLT_MAX) {
        *why = _("number too large (beyond a 32-bit float, about 3.4e38)");
        return -1;
    }
    *out = v;
    return 0;
}

int table_error_cell(const struct table *t, int row, int col, struct error *err, const char *fmt, ...)
{
    const struct table_cell *c = table_cell(t, row, col);
    va_list ap;
    va_start(ap, fmt);
    error_vat(err, t->path, c->line, c->col, fmt, ap);
    va_end(ap);
    return -1;
}

int table_error_row(const struct table *t, int row, struct error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vat(err, t->path, t->rows[row].line, 1, fmt, ap);
    va_end(ap);
    return -1;
}

int table_error_end(const struct table *t, struct error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vat(err, t->path, t->end_line, 1, fmt, ap);
    va_end(ap);
    return -1;
}

int table_number(const struct table *t, int row, int col, double *out, struct error *err)
{
    const char *why;
    const char *text = table_text(t, row, col);
    if (table_parse_number(text, out, &why) == 0)
        return 0;
    char shown[40];
    /* TRANSLATORS: the first %s is a reason such as "not a number", the second the
       cell's text as written, %d the column's number counted from 1. */
    return table_error_cell(t, row, col, err, _("%s: \"%s\" (column %d of the row)"), why,
                            utf8_excerpt(shown, text, sizeof shown - 4), col + 1);
}
