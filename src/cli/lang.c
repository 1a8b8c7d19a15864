#include "lang.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/i18n.h"
#include "config.h"

int lang_valid(const char *lang)
{
    return !strcmp(lang, "en") || !strcmp(lang, "ko");
}

/* The catalogue directory: po/ next to the binary in a build tree (where meson
 * builds po/ko/LC_MESSAGES/attnstep.mo), ../share/locale next to an installed
 * binary (the install may have been moved), else the configured localedir. */
static void bind_catalogue(void)
{
    char exe[4096], dir[4200];
    struct stat st;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *found = ATTNSTEP_LOCALEDIR;
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"po", "../share/locale"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                char mo[4300];
                snprintf(dir, sizeof dir, "%s/%s", exe, rel[i]);
                snprintf(mo, sizeof mo, "%s/ko/LC_MESSAGES/" GETTEXT_PACKAGE ".mo", dir);
                if (stat(mo, &st) == 0) {
                    found = dir;
                    break;
                }
            }
        }
    }
    bindtextdomain(GETTEXT_PACKAGE, found);
    bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
    textdomain(GETTEXT_PACKAGE);
}

/* Whether the locale variables that name the messages' locale (the first set
 * of LC_ALL, LC_MESSAGES, LANG) ask for Korean ("ko", "ko_KR.UTF-8", ...). */
static int env_korean(void)
{
    static const char *const var[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof var / sizeof var[0]; i++) {
        const char *v = getenv(var[i]);
        if (v && *v)
            return !strncmp(v, "ko", 2) && (v[2] == '\0' || v[2] == '_' || v[2] == '.' || v[2] == '@');
    }
    return 0;
}

int lang_setup(int argc, char **argv, char *msg, size_t size)
{
    const char *lang = NULL;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--lang") && i + 1 < argc)
            lang = argv[++i];
        else if (!strncmp(argv[i], "--lang=", 7))
            lang = argv[i] + 7;
    }
    /* LC_CTYPE and LC_MESSAGES only: numbers keep their '.' in every output. */
    int ctype_ok = setlocale(LC_CTYPE, "") != NULL;
    int messages_ok = setlocale(LC_MESSAGES, "") != NULL;
    if (!lang && !messages_ok && env_korean()) {
        /* LANG=ko_KR.UTF-8 on a machine without that locale: glibc would fall
         * back to "C" and English; Korean is what was asked for, and the
         * catalogue does not need the locale (below). A LANGUAGE list
         * (ko:en) still decides, as gettext honours it under C.UTF-8. */
        const char *list = getenv("LANGUAGE");
        if (list && *list)
            setlocale(LC_MESSAGES, "C.UTF-8");
        else
            lang = "ko";
        if (!ctype_ok)
            setlocale(LC_CTYPE, "C.UTF-8"); /* Hangul on the screen needs UTF-8 */
    }
    if (lang && !strcmp(lang, "en")) {
        /* Under "C", gettext returns every text as it is written. */
        setlocale(LC_MESSAGES, "C");
    } else if (lang && !strcmp(lang, "ko")) {
        /* glibc ignores LANGUAGE while LC_MESSAGES is "C" or "POSIX" (no LANG
         * set, or a machine without ko_KR), but honours it under C.UTF-8,
         * which every glibc since 2.35 has built in: so a Korean locale need
         * not be installed. The catalogue is UTF-8 either way (below). */
        const char *cur = setlocale(LC_MESSAGES, NULL);
        if (!cur || !strcmp(cur, "C") || !strcmp(cur, "POSIX"))
            setlocale(LC_MESSAGES, "C.UTF-8");
        setenv("LANGUAGE", "ko", 1);
    }
    bind_catalogue();
    if (lang && !lang_valid(lang)) {
        snprintf(msg, size, _("--lang must be en or ko, not '%s'"), lang);
        return -1;
    }
    return 0;
}
