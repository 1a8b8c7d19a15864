/* theme.h — colours as semantic roles, in one table with a 256-colour, an
 * 8-colour and a monochrome column, and the heat scale for attention maps. */
#ifndef ATTNSTEP_THEME_H
#define ATTNSTEP_THEME_H

#include <curses.h>

#include "term.h"

enum role {
    ROLE_NORMAL, ROLE_TITLE, ROLE_HEADER, ROLE_LABEL, ROLE_DIM, ROLE_CURRENT, ROLE_OPERAND,
    ROLE_STATUS, ROLE_KEY, ROLE_FORMULA, ROLE_WARN, ROLE_PANEL, ROLE_CHANGED,
    ROLE_COUNT
};

void theme_init(const struct term *t);
attr_t theme_attr(enum role r);
/* The heat cell for t in [0, 1]: its attribute (a background colour where
 * there is colour) and the glyph that fills it (a shade without colour). */
void theme_heat(double t, attr_t *attr, const char **glyph);
/* Number of distinct heat levels. */
int theme_heat_levels(void);
/* Whether heat cells carry colour (else they are drawn as shade glyphs). */
int theme_has_color(void);

#endif
