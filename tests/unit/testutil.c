#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

const char *source_root = ".";

const char *src_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", source_root, rel);
    return buf;
}

const char *write_temp(const char *name, const char *bytes, size_t len)
{
    static char dir[256];
    static char path[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/attnstep-test-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        abort();
    return path;
}
