/* lang.h — choosing the language of what attnstep says (--lang, else the
 * environment) and finding the message catalogue. */
#ifndef ATTNSTEP_LANG_H
#define ATTNSTEP_LANG_H

#include <stddef.h>

/* 1 if `lang` is a value --lang accepts. */
int lang_valid(const char *lang);
/* Looks for --lang (up to a "--") in argv and sets up the catalogue: with
 * --lang ko the Korean catalogue even where no Korean locale is installed,
 * with --lang en no catalogue, else LANGUAGE/LC_ALL/LC_MESSAGES/LANG as usual.
 * Returns 0, or -1 with a usage message in msg when --lang has another value. */
int lang_setup(int argc, char **argv, char *msg, size_t size);

#endif
