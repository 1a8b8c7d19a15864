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
#include "attnstep/numparse.h"
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
static int open_regular(const char *path, size_t max, int *out_fd, size_t *out_size, struct error *err)
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
    *out_fd = fd;
    *out_size = (size_t)st.st_size;
    return 0;
}

static int slurp(const char *path, size_t max, char **out, size_t *out_len, struct error *err)
{
    int fd;
    size_t size;
    if (open_regular(path, max, &fd, &size, err))
        return -1;
    /* One byte more than the size, to notice a file that grows while read. */
    size_t cap = size + 1, len = 0;
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

/* ---- streaming ---------------------------------------------------------- */

#define STREAM_CHUNK ((size_t)1 << 20)

static int stream_give_up(struct table_stream *s)
{
    s->failed = 1;
    return -1;
}

/* Reads more after the unread bytes, moved to the front (the buffer doubles
 * when one row fills it). */
static int stream_fill(struct table_stream *s)
{
    if (s->start) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->end -= s->start;
        s->start = 0;
    }
    if (s->end == s->cap) {
        char *p = realloc(s->buf, 2 * s->cap);
        if (!p)
            return -1;
        s->buf = p;
        s->cap *= 2;
    }
    for (;;) {
        ssize_t n = read(s->fd, s->buf + s->end, s->cap - s->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            s->eof = 1;
        s->end += (size_t)n;
        s->total += (size_t)n;
        return s->total > s->max ? -1 : 0; /* grown since it was opened */
    }
}

int table_stream_open(struct table_stream *s, const char *path, size_t max_bytes, struct error *err)
{
    memset(s, 0, sizeof *s);
    size_t size;
    if (open_regular(path, max_bytes, &s->fd, &size, err))
        return -1;
    s->path = path;
    s->max = max_bytes;
    s->cap = STREAM_CHUNK;
    s->next_line = 1;
    if (!(s->buf = malloc(s->cap))) {
        close(s->fd);
        return error_file(err, path, _("out of memory"));
    }
    if (stream_fill(s) == 0 && s->end >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
        s->start = 3;
    return 0;
}

void table_stream_close(struct table_stream *s)
{
    if (!s->buf)
        return;
    close(s->fd);
    free(s->buf);
    free(s->fields);
    free(s->text);
    free(s->offsets);
    memset(s, 0, sizeof *s);
}

static int stream_push(struct table_stream *s, const char *p, size_t len)
{
    if (s->n_fields == s->cap_fields) {
        int cap = s->cap_fields ? 2 * s->cap_fields : 64;
        struct table_span *f = realloc(s->fields, (size_t)cap * sizeof *f);
        if (!f)
            return -1;
        s->fields = f;
        s->cap_fields = cap;
    }
    s->fields[s->n_fields++] = (struct table_span){p, len};
    return 0;
}

/* Bits of what a line holds: 1 a byte over 0x7F, 2 a quote, 4 a NUL or a CR. */
static int line_kinds(const char *p, size_t len)
{
    unsigned char high = 0, quote = 0, bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        high |= c;
        quote |= c == '"';
        bad |= (c == '\0') | (c == '\r');
    }
    return (high >= 0x80) | quote << 1 | bad << 2;
}

static void quoted_field(void *data, size_t len, void *ctx)
{
    struct table_stream *s = ctx;
    if (s->csv_oom)
        return;
    if (s->n_fields == s->cap_offsets) {
        int cap = s->cap_offsets ? 2 * s->cap_offsets : 64;
        size_t *o = realloc(s->offsets, (size_t)cap * sizeof *o);
        if (!o) {
            s->csv_oom = 1;
            return;
        }
        s->offsets = o;
        s->cap_offsets = cap;
    }
    if (s->text_len + len + 1 > s->text_cap) {
        size_t cap = 2 * (s->text_len + len + 1);
        char *t = realloc(s->text, cap);
        if (!t) {
            s->csv_oom = 1;
            return;
        }
        s->text = t;
        s->text_cap = cap;
    }
    s->offsets[s->n_fields++] = s->text_len;
    memcpy(s->text + s->text_len, data, len);
    s->text_len += len;
    s->text[s->text_len++] = '\0';
}

static void quoted_row(int c, void *ctx)
{
    (void)c;
    ((struct table_stream *)ctx)->csv_row++;
}

/* A row with a quote, raw[0..len) with its line end: libcsv splits it, as
 * table_read would. 0, or -1 if it is malformed or goes on past its line. */
static int stream_quoted(struct table_stream *s, const char *raw, size_t len, int last)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return -1;
    s->text_len = 0;
    s->n_fields = 0;
    s->csv_row = 0;
    s->csv_oom = 0;
    int ok = csv_parse(&p, raw, len, quoted_field, quoted_row, s) == len;
    if (ok && last)
        ok = csv_fini(&p, quoted_field, quoted_row, s) == 0;
    csv_free(&p);
    if (!ok || s->csv_oom || s->csv_row != 1)
        return -1;
    int n = s->n_fields;
    s->n_fields = 0;
    for (int i = 0; i < n; i++) {
        size_t at = s->offsets[i];
        if (stream_push(s, s->text + at, strlen(s->text + at)))
            return -1;
    }
    return 0;
}

/* The next line with more than spaces and tabs on it, checked: 1 with
 * [*line, *line + *len) (its CR LF or LF not included) and *raw its length
 * with them, 0 at the end, -1 on anything table_read must word. */
static int stream_line(struct table_stream *s, const char **line, size_t *len, size_t *raw, int *quoted)
{
    if (s->failed)
        return -1;
    for (;;) {
        const char *nl = memchr(s->buf + s->start, '\n', s->end - s->start);
        while (!nl && !s->eof) {
            size_t scanned = s->end - s->start;
            if (stream_fill(s))
                return stream_give_up(s);
            nl = memchr(s->buf + s->start + scanned, '\n', s->end - s->start - scanned);
        }
        size_t a = s->start, b = nl ? (size_t)(nl - s->buf) : s->end;
        if (!nl && a == b) /* the end; a file of only white space is table_read's to word */
            return s->content ? 0 : stream_give_up(s);
        size_t next = nl ? b + 1 : b;
        int line_no = s->next_line;
        s->next_line += nl != NULL;
        s->start = next;
        const char *p = s->buf + a;
        size_t n = b - a;
        if (n && p[n - 1] == '\r')
            n--;
        int kinds = line_kinds(p, n);
        if ((kinds & 4) || ((kinds & 1) && utf8_invalid_at(p, n) >= 0))
            return stream_give_up(s);
        size_t k = 0;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
        if (k == n)
            continue; /* a blank line: libcsv reports no row */
        for (; !s->content && k < n; k++)
            s->content = !isspace((unsigned char)p[k]);
        s->line = line_no;
        s->n_fields = 0;
        *line = p;
        *len = n;
        *raw = next - a;
        *quoted = (kinds & 2) != 0;
        return 1;
    }
}

/* The field that starts at *q on a line ending at e: returns where it ends (its
 * comma, or e), and narrows [*q, *t) to its text without the spaces and tabs
 * around it, as libcsv trims an unquoted field. */
static const char *unquoted_field(const char **q, const char *e, const char **t)
{
    const char *f = *q;
    while (f < e && *f != ',')
        f++;
    const char *a = *q, *b = f;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    *q = a;
    *t = b;
    return f;
}

/* A line without a quote into fields: the text between commas, without the
 * spaces and tabs around it. */
static int stream_split(struct table_stream *s, const char *q, const char *e)
{
    for (;;) {
        const char *t, *f = unquoted_field(&q, e, &t);
        if (stream_push(s, q, (size_t)(t - q)))
            return -1;
        if (f == e)
            return 0;
        q = f + 1;
    }
}

int table_stream_row(struct table_stream *s)
{
    const char *p;
    size_t len, raw;
    int quoted, got = stream_line(s, &p, &len, &raw, &quoted);
    if (got != 1)
        return got;
    if (quoted ? stream_quoted(s, p, raw, p + raw == s->buf + s->end && s->eof) : stream_split(s, p, p + len))
        return stream_give_up(s);
    return 1;
}

int table_stream_skip(struct table_stream *s)
{
    const char *p;
    size_t len, raw;
    int quoted, got = stream_line(s, &p, &len, &raw, &quoted);
    if (got == 1 && quoted && stream_quoted(s, p, raw, p + raw == s->buf + s->end && s->eof))
        return stream_give_up(s);
    return got;
}

/* A row's fields from skip on as n numbers, straight from the line: the
 * number, spaces or tabs, a comma; NULL when anything else comes. */
static const char *scan_numbers(const char *q, const char *e, double *dst, int n)
{
    for (int c = 0; c < n; c++) {
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (!(q = numparse_scan(q, e, &dst[c])) || fabs(dst[c]) > FLT_MAX)
            return NULL;
        while (q < e && (*q == ' ' || *q == '\t'))
            q++;
        if (c + 1 < n) {
            if (q == e || *q != ',')
                return NULL;
            q++;
        }
    }
    return q;
}

int table_stream_numbers(struct table_stream *s, int skip, double *dst, int n)
{
    const char *p;
    size_t len, raw;
    int quoted, got = stream_line(s, &p, &len, &raw, &quoted);
    if (got != 1)
        return got;
    const char *e = p + len;
    if (!quoted) { /* the first skip fields as text, then the numbers at once */
        const char *q = p;
        for (int c = 0; c < skip; c++) {
            const char *t, *f = unquoted_field(&q, e, &t);
            if (f == e)
                return stream_give_up(s);
            if (stream_push(s, q, (size_t)(t - q)))
                return stream_give_up(s);
            q = f + 1;
        }
        if (scan_numbers(q, e, dst, n) == e)
            return 1;
        s->n_fields = 0; /* something else: the general way below */
    }
    if (quoted ? stream_quoted(s, p, raw, e + (raw - len) == s->buf + s->end && s->eof) : stream_split(s, p, e))
        return stream_give_up(s);
    const char *why;
    if (s->n_fields != skip + n)
        return stream_give_up(s);
    for (int c = 0; c < n; c++)
        if (table_parse_span(s->fields[skip + c].s, s->fields[skip + c].len, &dst[c], &why))
            return stream_give_up(s);
    return 1;
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

static int match_digits(const char **s, const char *end)
{
    const char *p = *s;
    while (*s < end && isdigit((unsigned char)**s))
        ++*s;
    return *s > p;
}

int table_parse_span(const char *text, size_t len, double *out, const char **why)
{
    while (len && (*text == ' ' || *text == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0) {
        /* TRANSLATORS: this and the next five reasons come before ': "TEXT" (column N of the row)'
           or after "norm_eps: "; TEXT is the cell's text. */
        *why = _("empty cell, expected a number");
        return -1;
    }
    if (len >= 128) {
        *why = _("not a number (too long)");
        return -1;
    }
    /* Only plain decimal notation: strtod would also take "nan", "inf" and hex. */
    const char *s = text, *end = text + len;
    if (*s == '+' || *s == '-')
        s++;
    const char *word = s;
    int digits = match_digits(&s, end);
    if (s < end && *s == '.') {
        s++;
        digits |= match_digits(&s, end);
    }
    if (digits && s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        if (!match_digits(&s, end))
            digits = 0;
    }
    if (!digits || s != end) {
        if (end - word >= 3 && strncasecmp(word, "nan", 3) == 0)
            *why = _("NaN is not a usable number");
        else if (end - word >= 3 && strncasecmp(word, "inf", 3) == 0)
            *why = _("infinity is not a usable number");
        else
            *why = _("not a number");
        return -1;
    }
    double v = numparse_decimal(text, len);
    if (!isfinite(v) || fabs(v) > FLT_MAX) {
        *why = _("number too large (beyond a 32-bit float, about 3.4e38)");
        return -1;
    }
    *out = v;
    return 0;
}

int table_parse_number(const char *text, double *out, const char **why)
{
    return table_parse_span(text, strlen(text), out, why);
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
