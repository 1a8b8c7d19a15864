#include "theme.h"

#include <math.h>

/* fg/bg for 256 colours, fg/bg for 8, attributes on top of colour, and the
 * attributes that stand in for colour on a monochrome terminal. -1 = default. */
struct role_style {
    short fg256, bg256, fg8, bg8;
    attr_t attrs, mono;
};

static const struct role_style styles[ROLE_COUNT] = {
    [ROLE_NORMAL]  = {-1, -1, -1, -1, A_NORMAL, A_NORMAL},
    [ROLE_TITLE]   = {231, 24, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_HEADER]  = {117, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_LABEL]   = {248, -1, COLOR_WHITE, -1, A_NORMAL, A_NORMAL},
    [ROLE_DIM]     = {240, -1, COLOR_BLUE, -1, A_NORMAL, A_DIM},
    [ROLE_CURRENT] = {16, 220, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_OPERAND] = {16, 153, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_UNDERLINE | A_BOLD},
    [ROLE_STATUS]  = {252, 236, COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [ROLE_KEY]     = {220, 236, COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD},
    [ROLE_FORMULA] = {229, -1, COLOR_YELLOW, -1, A_NORMAL, A_BOLD},
    [ROLE_WARN]    = {203, -1, COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_PANEL]   = {153, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    /* a number that differs from the unedited model's (what-if edits) */
    [ROLE_CHANGED] = {16, 211, COLOR_BLACK, COLOR_MAGENTA, A_BOLD, A_UNDERLINE},
};

/* A viridis-like scale in xterm's 256 colours: dark purple to yellow, ordered
 * by lightness and readable with the common colour-vision deficiencies. */
static const short heat256[] = {53, 54, 60, 24, 30, 36, 72, 77, 149, 220};
/* White text on the dark half, black on the light half. */
#define HEAT256_DARK 5
static const short heat8[] = {COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW};
static const char *const shades_utf8[] = {" ", "░", "▒", "▓", "█"};
static const char *const shades_ascii[] = {" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"};

#define N256 ((int)(sizeof heat256 / sizeof heat256[0]))
#define N8 ((int)(sizeof heat8 / sizeof heat8[0]))

static int colors;
static int utf8;

int theme_has_color(void)
{
    return colors > 0;
}

int theme_heat_levels(void)
{
    if (colors == 256)
        return N256;
    if (colors == 8)
        return N8;
    return utf8 ? 5 : 10;
}

void theme_init(const struct term *t)
{
    colors = t->colors;
    utf8 = t->utf8;
    if (!colors)
        return;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const struct role_style *s = &styles[r];
        init_pair((short)(r + 1), colors == 256 ? s->fg256 : s->fg8, colors == 256 ? s->bg256 : s->bg8);
    }
    for (int i = 0; i < theme_heat_levels(); i++) {
        short bg = colors == 256 ? heat256[i] : heat8[i];
        short fg = colors == 256 ? (i < HEAT256_DARK ? 231 : 16) : (i == 0 ? COLOR_WHITE : COLOR_BLACK);
        init_pair((short)(ROLE_COUNT + 1 + i), fg, bg);
    }
}

attr_t theme_attr(enum role r)
{
    if (!colors)
        return styles[r].mono;
    return COLOR_PAIR(r + 1) | styles[r].attrs;
}

void theme_heat(double t, attr_t *attr, const char **glyph)
{
    int n = theme_heat_levels();
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    int level = (int)floor(t * n);
    if (level >= n)
        level = n - 1;
    if (colors) {
        *attr = COLOR_PAIR(ROLE_COUNT + 1 + level);
        *glyph = " ";
    } else {
        /* Without colour the blank glyph is kept for exactly 0, so that small
         * weights still show. */
        level = t <= 0 ? 0 : 1 + (int)floor(t * (n - 1));
        level = level >= n ? n - 1 : level;
        *attr = A_NORMAL;
        *glyph = utf8 ? shades_utf8[level] : shades_ascii[level];
    }
}
