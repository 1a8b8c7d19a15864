#include "attnstep/history.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attnstep/fsutil.h"
#include "attnstep/table.h"

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int read_log(struct history *h, const char *path, struct error *err)
{
    struct table t;
    if (table_read(&t, path, err))
        return -1;
    int n = t.n_rows - 1;
    h->loss = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
    h->train_accuracy = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
    h->test_accuracy = calloc((size_t)(n > 0 ? n : 1), sizeof(double));
    if (!h->loss || !h->train_accuracy || !h->test_accuracy) {
        table_free(&t);
        return error_set(err, "out of memory");
    }
    for (int r = 1; r <= n; r++) {
        if (t.rows[r].n_cells != 4) {
            table_error_row(&t, r, err, "expected 4 fields (epoch,loss,train_accuracy,test_accuracy)");
            table_free(&t);
            return -1;
        }
        double epoch;
        if (table_number(&t, r, 0, &epoch, err) || table_number(&t, r, 1, &h->loss[r - 1], err) ||
            table_number(&t, r, 2, &h->train_accuracy[r - 1], err)) {
            table_free(&t);
            return -1;
        }
        h->test_accuracy[r - 1] = -1;
        if (*table_text(&t, r, 3) && table_number(&t, r, 3, &h->test_accuracy[r - 1], err)) {
            table_free(&t);
            return -1;
        }
    }
    h->n_epochs = n;
    table_free(&t);
    return 0;
}

int history_load(struct history *out, const char *dir, struct error *err)
{
    struct history h = {0};
    char path[4096], snap[4096];
    struct stat st;
    if (fsutil_join(path, sizeof path, dir, "snapshots") || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        *out = h;
        return 0;
    }
    DIR *d = opendir(path);
    if (!d)
        return error_file(err, path, "cannot open");
    int cap = 16;
    h.snapshot_epoch = malloc((size_t)cap * sizeof *h.snapshot_epoch);
    struct dirent *e;
    while (h.snapshot_epoch && (e = readdir(d))) {
        int epoch;
        char tail;
        if (sscanf(e->d_name, "epoch-%d%c", &epoch, &tail) != 1 || epoch < 0)
            continue;
        if (h.n_snapshots == cap) {
            int *p = realloc(h.snapshot_epoch, (size_t)(cap *= 2) * sizeof *p);
            if (!p)
                break;
            h.snapshot_epoch = p;
        }
        h.snapshot_epoch[h.n_snapshots++] = epoch;
    }
    closedir(d);
    if (!h.snapshot_epoch)
        return error_set(err, "out of memory");
    qsort(h.snapshot_epoch, (size_t)h.n_snapshots, sizeof(int), cmp_int);
    h.snapshots = calloc((size_t)(h.n_snapshots ? h.n_snapshots : 1), sizeof *h.snapshots);
    if (!h.snapshots) {
        history_free(&h);
        return error_set(err, "out of memory");
    }
    for (int i = 0; i < h.n_snapshots; i++) {
        char name[32];
        snprintf(name, sizeof name, "epoch-%03d", h.snapshot_epoch[i]);
        if (fsutil_join(snap, sizeof snap, path, name) || bundle_load(&h.snapshots[i], snap, err)) {
            history_free(&h);
            return -1;
        }
    }
    if (fsutil_join(path, sizeof path, dir, "training.csv") == 0 && stat(path, &st) == 0 &&
        read_log(&h, path, err)) {
        history_free(&h);
        return -1;
    }
    *out = h;
    return 0;
}

void history_free(struct history *h)
{
    for (int i = 0; h->snapshots && i < h->n_snapshots; i++)
        bundle_free(&h->snapshots[i]);
    free(h->snapshots);
    free(h->snapshot_epoch);
    free(h->loss);
    free(h->train_accuracy);
    free(h->test_accuracy);
    memset(h, 0, sizeof *h);
}
