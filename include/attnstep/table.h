/* table.h — reading a CSV file (through libcsv) into cells that remember where
 * they came from, so every complaint can name FILE:LINE:COL.
 *
 * Accepts what spreadsheets write: UTF-8 with or without a BOM, LF or CRLF,
 * spaces around unquoted fields, quoted fields. Blank lines are skipped.
 * Rejects empty files, NUL bytes, invalid UTF-8 and unclosed quotes. */
#ifndef ATTNSTEP_TABLE_H
#define ATTNSTEP_TABLE_H

#include <stddef.h>

#include "attnstep/error.h"

struct table_cell {
    size_t text;   /* offset of the NUL-terminated field in table.arena */
    int line, col; /* 1-based; col counts characters */
};

struct table_row {
    size_t first;  /* index of the row's first cell in table.cells */
    int n_cells;
    int line;
};

struct table {
    char *path;
    char *arena;
    struct table_cell *cells;
    struct table_row *rows;
    int n_rows;
    int end_line; /* the line after the last row: where a missing row would be */
};

/* Beyond this a file is not a classroom model; refused before it is read. */
#define TABLE_MAX_BYTES ((size_t)1 << 30)

/* Reads path, a regular file of at most TABLE_MAX_BYTES. On failure *out is
 * untouched. FIFOs, devices and directories are refused without reading. */
int table_read(struct table *out, const char *path, struct error *err);
/* The same with another size limit (tests use a small one). */
int table_read_max(struct table *out, const char *path, size_t max_bytes, struct error *err);
void table_free(struct table *t);

const struct table_cell *table_cell(const struct table *t, int row, int col);
const char *table_text(const struct table *t, int row, int col);
/* Parses a finite decimal number that fits a 32-bit float. */
int table_number(const struct table *t, int row, int col, double *out, struct error *err);
/* Parses text as such a number; 0 or -1 (with *why set to a reason). */
int table_parse_number(const char *text, double *out, const char **why);
/* Errors pointing at a cell, a row, or the end of the file. */
int table_error_cell(const struct table *t, int row, int col, struct error *err, const char *fmt, ...)
    ATTNSTEP_PRINTF(5, 6);
int table_error_row(const struct table *t, int row, struct error *err, const char *fmt, ...)
    ATTNSTEP_PRINTF(4, 5);
int table_error_end(const struct table *t, struct error *err, const char *fmt, ...)
    ATTNSTEP_PRINTF(3, 4);

#endif
