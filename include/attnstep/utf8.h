/* utf8.h — decoding and display width of UTF-8 text, independent of the locale.
 *
 * The screen, --print and the tokenizer all need to know that a Korean
 * syllable takes two terminal cells; wcwidth() only knows that under a UTF-8
 * locale, so the width table lives here. */
#ifndef ATTNSTEP_UTF8_H
#define ATTNSTEP_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s (at most len bytes). Returns the number of
 * bytes used (1..4), or 0 if the bytes are not valid UTF-8 (overlong, surrogate,
 * truncated, > U+10FFFF). */
int utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Returns the byte offset of the first invalid sequence, or -1 if s is valid. */
long utf8_invalid_at(const char *s, size_t len);
/* Terminal cells a code point takes: 0 (combining, control), 1, or 2 (wide). */
int utf8_cp_width(uint32_t cp);
/* Terminal cells a valid UTF-8 string takes. */
int utf8_width(const char *s);
/* Number of code points in the first len bytes (invalid bytes count as one). */
long utf8_chars(const char *s, size_t len);
/* Length of the longest prefix of s (len bytes) that fits in at most max
 * bytes without splitting a character. */
size_t utf8_fit(const char *s, size_t len, size_t max);
/* src for a message: whole if it has at most max_bytes, else cut on a
 * character boundary with "..." after it. dst must hold max_bytes + 4. */
const char *utf8_excerpt(char *dst, const char *src, size_t max_bytes);

#endif
