#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attnstep/i18n.h"
#include "config.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int paths_find_data(const char *name, char *buf, size_t size)
{
    char exe[4096], cand[3][4096];
    int n = 0;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (snprintf(cand[n], sizeof cand[0], "%s/../share/attnstep/%s", exe, name) < (int)sizeof cand[0])
                n++;
        }
    }
    snprintf(cand[n++], sizeof cand[0], "%s/%s", ATTNSTEP_SOURCE_ASSETS, name);
    snprintf(cand[n++], sizeof cand[0], "%s/%s", ATTNSTEP_DATADIR, name);
    for (int i = 0; i < n; i++)
        if (exists(cand[i])) {
            snprintf(buf, size, "%s", cand[i]);
            return 0;
        }
    /* TRANSLATORS: inside an error such as "no bundled model: %s; use --model DIR": the file or directory
       looked for (e.g. models/tiny-en), then the three places looked in. */
    snprintf(buf, size, _("%s (looked in %s/share/attnstep, %s and %s)"), name, len > 0 ? exe : "?",
             ATTNSTEP_SOURCE_ASSETS, ATTNSTEP_DATADIR);
    return -1;
}

int paths_default_model(char *buf, size_t size)
{
    const char *env = getenv("ATTNSTEP_MODEL");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return 0;
    }
    return paths_find_data("models/" DEFAULT_MODEL, buf, size);
}
