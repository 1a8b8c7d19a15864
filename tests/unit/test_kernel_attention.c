/* The fast attention kernels (kernel_attention.c) against the plain loops
 * they stand for, bit for bit (memcmp, no tolerance): attention_heads and
 * train_heads_backward on random shapes, causal and not, with signed zeros and
 * rows whose softmax underflows; then whole training steps on long sentences,
 * fast and reference, must leave the same gradients and the same model. */
#include <math.h>
#include <string.h>

#include "attnstep/attention.h"
#include "attnstep/bundle.h"
#include "attnstep/kernel_attention.h"
#include "attnstep/train.h"
#include "testutil.h"

static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [-limit, limit], with now and then an exact +0 or −0: the kernels
 * must start every sum from +0.0 as the loops do, or −0 products would show. */
static void fill(double *x, size_t n, double limit, uint64_t *s)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_u64(s);
        if (r % 16 == 0)
            x[i] = (r & 256) ? -0.0 : 0.0;
        else
            x[i] = ((double)(r >> 11) / 9007199254740992.0 * 2.0 - 1.0) * limit;
    }
}

static const char *isa = "the best"; /* the instruction set running, for the messages */

/* The first differing entry of a and b (n), by name, with both values. */
static void same_bits(const char *what, const double *a, const double *b, size_t n, int N, int H, int DK, int causal)
{
    if (!memcmp(a, b, n * sizeof *a))
        return;
    size_t i = 0;
    while (!memcmp(a + i, b + i, sizeof *a))
        i++;
    fail_msg("%s (N %d, H %d, DK %d, causal %d, %s): entry %zu is %.17g, the reference loop gives %.17g", what, N, H,
             DK, causal, isa, i, a[i], b[i]);
}

struct shape {
    int N, H, DK, causal;
    double limit; /* of q and k: large ones make softmax rows underflow to exact zeros */
};

static void check_shape(const struct shape *sh, uint64_t seed)
{
    int N = sh->N, H = sh->H, DK = sh->DK, D = H * DK;
    size_t ND = (size_t)N * D, HNN = (size_t)H * N * N;
    uint64_t s = seed;
    double *buf = malloc((18 * ND + 10 * HNN + (size_t)N) * sizeof *buf);
    double *scratch = malloc(kernel_attention_scratch(N, D, H) * sizeof *scratch);
    assert_non_null(buf);
    assert_non_null(scratch);
    double *q = buf, *k = q + ND, *v = k + ND, *go = v + ND, *out[2], *mats[2][4];
    double *p = go + ND;
    for (int c = 0; c < 2; c++) {
        out[c] = p;
        p += ND;
        for (int m = 0; m < 4; m++) {
            mats[c][m] = p;
            p += HNN;
        }
    }
    double *grads[2][3];
    for (int c = 0; c < 2; c++)
        for (int g = 0; g < 3; g++) {
            grads[c][g] = p;
            p += ND;
        }
    double *drow = p;
    fill(q, ND, sh->limit, &s);
    fill(k, ND, sh->limit, &s);
    fill(v, ND, 1.0, &s);
    fill(go, ND, 1.0, &s);
    /* The masked matrix is written only where causal: fill both alike so unwritten bytes compare equal. */
    memset(mats[0][2], 0, HNN * sizeof(double));
    memset(mats[1][2], 0, HNN * sizeof(double));
    kernel_attention_heads(mats[0][0], mats[0][1], sh->causal ? mats[0][2] : NULL, mats[0][3], out[0], q, k, v, N, D, H,
                           sh->causal, scratch);
    attention_heads(mats[1][0], mats[1][1], sh->causal ? mats[1][2] : NULL, mats[1][3], out[1], q, k, v, N, D, H,
                    sh->causal);
    static const char *const names[] = {"scores", "scaled", "masked", "weights"};
    for (int m = 0; m < 4; m++)
        same_bits(names[m], mats[0][m], mats[1][m], HNN, N, H, DK, sh->causal);
    same_bits("head outputs", out[0], out[1], ND, N, H, DK, sh->causal);
    /* Backward from the forward's weights, into gradients that already hold something (they are added). */
    for (int g = 0; g < 3; g++) {
        fill(grads[0][g], ND, 0.5, &s);
        memcpy(grads[1][g], grads[0][g], ND * sizeof(double));
    }
    kernel_heads_backward(grads[0][0], grads[0][1], grads[0][2], go, q, k, v, mats[1][3], N, D, H, scratch);
    train_heads_backward(grads[1][0], grads[1][1], grads[1][2], drow, go, q, k, v, mats[1][3], N, D, H);
    static const char *const gnames[] = {"dq", "dk", "dv"};
    for (int g = 0; g < 3; g++)
        same_bits(gnames[g], grads[0][g], grads[1][g], ND, N, H, DK, sh->causal);
    free(buf);
    free(scratch);
}

/* Every instruction set this CPU has computes the same bits: the shapes run once per set. */
static const char *const isas[] = {"avx512f", "avx2", "sse2"};

static void test_edges(void **state)
{
    (void)state;
    static const struct shape shapes[] = {
        {1, 1, 1, 0, 1.0},   {1, 8, 16, 1, 1.0},  {2, 1, 1, 1, 1.0},   {3, 2, 3, 0, 1.0},  {4, 1, 8, 0, 1.0},
        {5, 3, 5, 1, 1.0},   {7, 2, 9, 0, 2.0},   {8, 2, 8, 1, 1.0},   {9, 4, 7, 0, 1.0},  {16, 2, 16, 1, 3.0},
        {17, 1, 15, 0, 1.0}, {31, 5, 4, 1, 1.0},  {33, 8, 2, 0, 1.0},  {64, 2, 8, 0, 30.0}, {65, 2, 8, 1, 30.0},
        {200, 2, 8, 0, 1.0}, {200, 2, 8, 1, 1.0}, {300, 1, 16, 0, 2.0}, {300, 8, 1, 1, 1.0}, {299, 3, 13, 0, 1.0},
    };
    for (size_t s = 0; s < sizeof isas / sizeof isas[0]; s++) {
        if (kernel_attention_isa(isas[s]))
            continue; /* not on this CPU */
        isa = isas[s];
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
            check_shape(&shapes[i], 1000 + i);
    }
    kernel_attention_isa(NULL);
    isa = "the best";
}

static void test_random_shapes(void **state)
{
    (void)state;
    uint64_t s = 77;
    for (int t = 0; t < 48; t++) {
        isa = kernel_attention_isa(isas[t % 3]) ? "the best" : isas[t % 3]; /* not on this CPU: the best it has */
        struct shape sh = {
            .N = 1 + (int)(next_u64(&s) % 300),
            .H = 1 + (int)(next_u64(&s) % 8),
            .DK = 1 + (int)(next_u64(&s) % 16),
            .causal = (int)(next_u64(&s) % 2),
            .limit = next_u64(&s) % 4 == 0 ? 20.0 : 1.5,
        };
        check_shape(&sh, 5000 + (uint64_t)t);
    }
    kernel_attention_isa(NULL);
    isa = "the best";
}

/* Two training steps (forward, backward, Adam) on long sentences, once with the
 * trainer's fast kernels and once with the plain loops (heads_scratch NULL):
 * the same losses, gradients and weights, bit for bit. */
static void steps_equal(int lm, int d_model, int heads, int N)
{
    enum { V = 40 };
    const char *vocab[V];
    char words[V][8];
    for (int i = 0; i < V; i++) {
        snprintf(words[i], sizeof words[i], i ? "w%d" : "<unk>", i);
        vocab[i] = words[i];
    }
    static const char *const labels[] = {"no", "yes"};
    struct bundle b[2];
    struct trainer tr[2];
    struct error err;
    int *ids = malloc((size_t)(N + 1) * sizeof *ids);
    assert_non_null(ids);
    uint64_t s = 99;
    for (int i = 0; i <= N; i++)
        ids[i] = (int)(next_u64(&s) % (V - 1));
    struct train_example ex[2] = {{.n = N, .ids = ids, .label = 1}, {.n = N - 7, .ids = ids + 3, .label = 0}};
    if (lm)
        ex[0].label = ex[1].label = -1;
    double loss[2][2];
    for (int c = 0; c < 2; c++) {
        int rc = lm ? train_init_lm(&b[c], "lm", d_model, heads, 2 * d_model, 1, vocab + 1, V - 1, 5, &err)
                    : train_init_model(&b[c], "t", d_model, heads, 2 * d_model, 0, labels, 2, vocab, V, 5, &err);
        if (rc)
            fail_msg("%s", err.msg);
        assert_int_equal(trainer_init(&tr[c], &b[c], N, 0.01, &err), 0);
        if (c == 1)
            tr[c].acts.heads_scratch = NULL; /* the reference loops */
        for (int step = 0; step < 2; step++) {
            int correct;
            trainer_zero_grad(&tr[c]);
            loss[c][step] = trainer_step_example(&tr[c], &ex[step], 0.5, &correct);
            if (step == 1)
                break; /* keep the second step's gradients to compare */
            trainer_adam(&tr[c]);
        }
    }
    assert_memory_equal(loss[0], loss[1], sizeof loss[0]);
    for (int p = 0; p < tr[0].n_params; p++) {
        struct train_param *f = &tr[0].params[p], *r = &tr[1].params[p];
        assert_int_equal(f->n, r->n);
        if (memcmp(f->g, r->g, f->n * sizeof(double)) || memcmp(f->w, r->w, f->n * sizeof(double)))
            fail_msg("%s: %s's gradient or weights differ between the fast kernels and the loops",
                     lm ? "lm" : "classifier", f->name);
    }
    for (int c = 0; c < 2; c++) {
        trainer_free(&tr[c]);
        bundle_free(&b[c]);
    }
    free(ids);
}

static void test_step_classifier_long(void **state)
{
    (void)state;
    steps_equal(0, 16, 2, 200);
}

static void test_step_lm_long(void **state)
{
    (void)state;
    steps_equal(1, 12, 3, 120);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        source_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random_shapes),
        cmocka_unit_test(test_step_classifier_long),
        cmocka_unit_test(test_step_lm_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
