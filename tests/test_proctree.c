/* Process-tree CPU time and its share of the host's busy time, on the fixture
 * snapshots in tests/fixtures/procfs-tree (the numbers are worked out by hand in
 * its README.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/proctree.h"

static void snap(char *out, size_t cap, const char *name)
{
    const char *root = getenv("CT_SOURCE_ROOT");
    snprintf(out, cap, "%s/tests/fixtures/procfs-tree/%s", root ? root : ".", name);
}

static void test_parse(void **state)
{
    (void)state;
    struct ct_proc_stat p;
    assert_int_equal(ct_proc_stat_parse("202 (my (odd) name) S 200 200 200 0 1 0 0 0 0 0 "
                                        "20 2 5 1 20 0", &p), 0);
    assert_int_equal(p.pid, 202);
    assert_int_equal(p.ppid, 200);
    assert_int_equal(p.state, 'S');
    assert_int_equal(p.utime + p.stime + p.cutime + p.cstime, 28);
    assert_int_equal(ct_proc_stat_parse("12 (x) S 1 1 1", &p), -1);     /* cut short */
    assert_int_equal(ct_proc_stat_parse("(x) S 1 1 1 0 1 0 0 0 0 0 1 2 3 4", &p), -1);
    assert_int_equal(ct_proc_stat_parse("12 no paren S 1", &p), -1);
}

static void test_host_busy(void **state)
{
    (void)state;
    char dir[512];
    int64_t a, b;
    ct_err e;
    snap(dir, sizeof dir, "t0");
    assert_int_equal(ct_host_busy_ticks(dir, &a, &e), 0);
    snap(dir, sizeof dir, "t1");
    assert_int_equal(ct_host_busy_ticks(dir, &b, &e), 0);
    assert_int_equal(a, 12200);
    assert_int_equal(b, 12385);
    assert_int_equal(ct_host_busy_ticks("/nonexistent-procfs", &a, &e), -1);
}

static void test_tree_and_share(void **state)
{
    (void)state;
    char t0[240], t1[240];
    snap(t0, sizeof t0, "t0");
    snap(t1, sizeof t1, "t1");
    struct ct_proctree t;
    ct_err e;
    assert_int_equal(ct_proctree_init(&t, t0, 200, &e), 0);
    assert_int_equal(ct_proctree_scan(&t, &e), 0);
    assert_int_equal(t.ticks, 128);
    assert_int_equal(t.nmembers, 4);
    assert_true(ct_proctree_has(&t, 200) && ct_proctree_has(&t, 202) && ct_proctree_has(&t, 300));
    assert_false(ct_proctree_has(&t, 100) || ct_proctree_has(&t, 400) || ct_proctree_has(&t, 500));
    int64_t before = t.ticks, host0, host1;
    assert_int_equal(ct_host_busy_ticks(t0, &host0, &e), 0);
    /* The same tree a moment later. */
    snprintf(t.procfs, sizeof t.procfs, "%s", t1);
    assert_int_equal(ct_proctree_scan(&t, &e), 0);
    assert_int_equal(ct_host_busy_ticks(t1, &host1, &e), 0);
    assert_int_equal(t.ticks, 178);
    assert_true(ct_proctree_has(&t, 301));
    assert_false(ct_proctree_has(&t, 202));
    double share = (double)(t.ticks - before) / (double)(host1 - host0);
    assert_float_equal(share, 50.0 / 185.0, 1e-15);
    /* Going back to t0 must not take time away: the total never decreases. */
    snprintf(t.procfs, sizeof t.procfs, "%s", t0);
    assert_int_equal(ct_proctree_scan(&t, &e), 0);
    assert_int_equal(t.ticks, 178);
    ct_proctree_raise(&t, 170);
    assert_int_equal(t.ticks, 178);
    ct_proctree_raise(&t, 200);
    assert_int_equal(t.ticks, 200);
    ct_proctree_free(&t);
}

static void test_subtree_and_gone(void **state)
{
    (void)state;
    char t1[512];
    snap(t1, sizeof t1, "t1");
    struct ct_proctree t;
    ct_err e;
    /* Rooted lower down: 201 with 300 (a zombie) and 301. */
    assert_int_equal(ct_proctree_init(&t, t1, 201, &e), 0);
    assert_int_equal(ct_proctree_scan(&t, &e), 0);
    assert_int_equal(t.ticks, 51 + 13 + 4);
    assert_int_equal(t.nmembers, 3);
    ct_proctree_free(&t);
    /* A root that is gone (reaped) leaves the total as it was. */
    assert_int_equal(ct_proctree_init(&t, t1, 202, &e), 0);
    assert_int_equal(ct_proctree_scan(&t, &e), 0);
    assert_int_equal(t.ticks, 0);
    assert_int_equal(t.nmembers, 0);
    ct_proctree_free(&t);
    assert_int_equal(ct_proctree_init(&t, "/nonexistent-procfs", 1, &e), 0);
    assert_int_equal(ct_proctree_scan(&t, &e), -1);
    ct_proctree_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_host_busy),
        cmocka_unit_test(test_tree_and_share),
        cmocka_unit_test(test_subtree_and_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
