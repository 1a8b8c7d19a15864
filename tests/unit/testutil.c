#include "testutil.h"

#include <stdlib.h>
#include <unistd.h>

#include "attnstep/fsutil.h"

const char *source_root = ".";

const char *src_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", source_root, rel);
    return buf;
}

static char temp_dir[256];

static void remove_temp_dir(void)
{
    fsutil_remove_tree(temp_dir);
}

const char *write_temp(const char *name, const char *bytes, size_t len)
{
    static char path[512];
    const char *dir = temp_dir;
    if (!temp_dir[0]) {
        snprintf(temp_dir, sizeof temp_dir, "/tmp/attnstep-test-XXXXXX");
        if (!mkdtemp(temp_dir))
            abort();
        atexit(remove_temp_dir);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        abort();
    return path;
}
