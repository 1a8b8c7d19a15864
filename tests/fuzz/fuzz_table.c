/* fuzz_table — the CSV reader: any bytes as a file. A file either fails with a
 * message that names it, or gives rows whose cells are valid UTF-8 with sane
 * positions, and whose numbers parse or fail cleanly.
 * The stream (table_stream, what loads model grids) must agree: each row it
 * gives is table_read's row, field for field, on the same line; it reads a
 * file to the end only when table_read loads it; a number it parses in place
 * is table_number's, bit for bit. Wherever it is unsure it gives up. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/table.h"
#include "attnstep/utf8.h"
#include "fuzz_common.h"

#define MAX_INPUT 65536

/* The stream over the file against table_read's result (t NULL: it failed). */
static void check_stream(const char *path, const struct table *t)
{
    struct table_stream s;
    struct error err;
    if (table_stream_open(&s, path, TABLE_MAX_BYTES, &err))
        fuzz_fail("the stream cannot open what table_read read", err.msg);
    int r = 0, got;
    while ((got = table_stream_row(&s)) == 1) {
        if (!t)
            continue;
        if (r >= t->n_rows || s.n_fields != t->rows[r].n_cells || s.line != t->rows[r].line)
            fuzz_fail("a streamed row that table_read does not have", NULL);
        for (int c = 0; c < s.n_fields; c++) {
            const char *want = table_text(t, r, c);
            if (s.fields[c].len != strlen(want) || memcmp(s.fields[c].s, want, s.fields[c].len))
                fuzz_fail("a streamed field that is not table_read's", want);
        }
        r++;
    }
    table_stream_close(&s);
    if (got == 0 && (!t || r != t->n_rows))
        fuzz_fail(t ? "the stream ended early" : "the stream read a file table_read refuses", NULL);
    if (!t || t->n_rows < 1)
        return;
    /* The numbers, as many as the first row has. */
    int n = t->rows[0].n_cells;
    double *row = malloc((size_t)n * sizeof *row);
    if (!row || table_stream_open(&s, path, TABLE_MAX_BYTES, &err))
        fuzz_fail("out of memory", NULL);
    for (r = 0; r < t->n_rows && table_stream_numbers(&s, 0, row, n) == 1; r++) {
        if (t->rows[r].n_cells != n)
            fuzz_fail("numbers streamed from a row of another length", NULL);
        for (int c = 0; c < n; c++) {
            double v;
            if (table_number(t, r, c, &v, &err) || memcmp(&v, &row[c], sizeof v))
                fuzz_fail("a number streamed that table_number does not give", table_text(t, r, c));
        }
    }
    table_stream_close(&s);
    free(row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    fuzz_scratch();
    const char *path = fuzz_path(0, "in.csv");
    fuzz_write(path, data, size);
    struct table t;
    struct error err;
    err.msg[0] = '\0';
    if (table_read(&t, path, &err)) {
        check_stream(path, NULL);
        if (strncmp(err.msg, path, strlen(path)))
            fuzz_fail("an error that does not name the file", err.msg);
        if (utf8_invalid_at(err.msg, strlen(err.msg)) >= 0)
            fuzz_fail("an error message that is not valid UTF-8", err.msg);
        return 0;
    }
    if (t.n_rows < 1)
        fuzz_fail("a table without rows", NULL);
    int last_line = 0;
    for (int r = 0; r < t.n_rows; r++) {
        /* lines count \n only: a lone CR ends a row (as libcsv reads it) but not a line */
        if (t.rows[r].n_cells < 1 || t.rows[r].line < last_line || t.rows[r].line >= t.end_line)
            fuzz_fail("a row out of order", NULL);
        last_line = t.rows[r].line;
        for (int c = 0; c < t.rows[r].n_cells; c++) {
            const struct table_cell *cell = table_cell(&t, r, c);
            const char *text = table_text(&t, r, c);
            if (cell->line < t.rows[r].line || cell->col < 1)
                fuzz_fail("a cell before its row", NULL);
            if (utf8_invalid_at(text, strlen(text)) >= 0)
                fuzz_fail("a cell that is not valid UTF-8", NULL);
            double v;
            if (table_number(&t, r, c, &v, &err) == 0 && isnan(v))
                fuzz_fail("a number that is NaN", text);
        }
    }
    check_stream(path, &t);
    table_error_end(&t, &err, "end");
    table_free(&t);
    return 0;
}
