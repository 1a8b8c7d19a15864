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

/* Beyond this a file is not a classroom model; refused before it is read.
 * Model grids now stream (below) in memory of their numbers' size, yet the
 * limit stays: a grid with a problem is read again whole to word it, which
 * holds the file and a record per cell (about 4x its size). 1 GiB holds
 * glove.6B.300d as CSV with its own digits (400,001 rows, about 1.0 GB). */
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
/* The same for the len bytes at text (no NUL needed): what a row streamed below gives. */
int table_parse_span(const char *text, size_t len, double *out, const char **why);
/* Errors pointing at a cell, a row, or the end of the file. */
int table_error_cell(const struct table *t, int row, int col, struct error *err, const char *fmt, ...)
    ATTNSTEP_PRINTF(5, 6);
int table_error_row(const struct table *t, int row, struct error *err, const char *fmt, ...)
    ATTNSTEP_PRINTF(4, 5);
int table_error_end(const struct table *t, struct error *err, const char *fmt, ...)
    ATTNSTEP_PRINTF(3, 4);

/* ---- streaming: large numeric grids in bounded memory ------------------
 *
 * A weight file or vocab.csv of 100,000 rows read through table_read would
 * be held whole plus a record per cell (4x the file). A stream reads it a
 * chunk at a time and gives one row at a time, its fields pointing into the
 * chunk: nothing is copied and no position is tracked per byte.
 *
 * It reads only rows it can vouch for, and gives up (-1) on anything else,
 * so that the caller reads the file again with table_read, which finds and
 * words every problem (with its line and column) exactly as it always has:
 * - a row without a quote: its fields are the text between commas, spaces and
 *   tabs around them dropped, which is what libcsv makes of such a row (a
 *   quote is the only character that changes how libcsv splits a line; a CR
 *   would end a row, so a CR anywhere but before the LF gives up);
 * - a row with a quote goes through libcsv itself (strict mode, as
 *   table_read), and must end on its own line;
 * - blank lines are skipped (libcsv reports no row for them); NUL bytes and
 *   invalid UTF-8 give up, as does a file of only white space. */
struct table_span {
    const char *s;
    size_t len;
};

struct table_stream {
    const char *path;
    int fd, eof, failed;
    char *buf;
    size_t cap, start, end; /* buf[start, end) is read and not yet given */
    size_t total, max;      /* bytes read so far; the size limit */
    int next_line;          /* the line buf[start] is on */
    int content;            /* a byte that is not white space (isspace) seen */
    /* the current row */
    struct table_span *fields;
    int n_fields, cap_fields;
    int line; /* the row's line (1-based) */
    /* a quoted row's fields, as libcsv unquoted them */
    char *text;
    size_t text_len, text_cap;
    size_t *offsets;
    int cap_offsets, csv_oom, csv_row;
};

/* Opens path, a regular file of at most max_bytes (-1: cannot, with err set
 * as table_read would word it). */
int table_stream_open(struct table_stream *s, const char *path, size_t max_bytes, struct error *err);
/* The next row: 1 (s->fields[0..n_fields), s->line), 0 at the end, -1 when
 * only table_read can tell (then every later call returns -1 too). */
int table_stream_row(struct table_stream *s);
/* Past the next row without splitting it (counting rows): 1, 0 or -1. */
int table_stream_skip(struct table_stream *s);
/* The next row as skip text fields (s->fields) and then exactly n numbers
 * into dst, parsed where they lie: 1, 0 at the end, -1 when the row is
 * anything else (a number that is not one, another count of fields, ...) or
 * only table_read can tell. */
int table_stream_numbers(struct table_stream *s, int skip, double *dst, int n);
void table_stream_close(struct table_stream *s);

#endif
