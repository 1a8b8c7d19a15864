/* fuzz_table — the CSV reader: any bytes as a file. A file either fails with a
 * message that names it, or gives rows whose cells are valid UTF-8 with sane
 * positions, and whose numbers parse or fail cleanly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attnstep/table.h"
#include "attnstep/utf8.h"
#include "fuzz_common.h"

#define MAX_INPUT 65536

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
    table_error_end(&t, &err, "end");
    table_free(&t);
    return 0;
}
