/* Calendar arithmetic, string helpers and output escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/strutil.h"
#include "core/timeutil.h"

static void test_civil(void **state)
{
    (void)state;
    assert_int_equal(ct_days_from_civil(1970, 1, 1), 0);
    /* 2023-01-01T00:00:00Z is 1672531200 (date -u -d 2023-01-01 +%s). */
    assert_int_equal(ct_days_from_civil(2023, 1, 1) * CT_DAY, 1672531200);
    assert_int_equal(ct_days_from_civil(2024, 3, 1) - ct_days_from_civil(2024, 2, 1), 29);
    assert_int_equal(ct_days_from_civil(2023, 3, 1) - ct_days_from_civil(2023, 2, 1), 28);
    int y, m, d;
    ct_civil_from_days(19782, &y, &m, &d); /* 2024-02-29 */
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    ct_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
}

static void test_bounds(void **state)
{
    (void)state;
    int64_t f, t;
    ct_year_bounds(2024, &f, &t);
    assert_int_equal(t - f, 366 * CT_DAY);
    ct_year_bounds(2023, &f, &t);
    assert_int_equal(t - f, 365 * CT_DAY);
    int64_t mid_feb = 1676419200; /* 2023-02-15 */
    assert_int_equal(ct_month_start(mid_feb), 1675209600);  /* 2023-02-01 */
    assert_int_equal(ct_next_month(mid_feb), 1677628800);   /* 2023-03-01 */
    assert_int_equal(ct_next_month(1701388800), 1704067200); /* Dec 2023 -> Jan 2024 */
    assert_int_equal(ct_year_of(1704067199), 2023);
    assert_int_equal(ct_floor(-1, 3600), -3600);
    assert_int_equal(ct_floor(7199, 3600), 3600);
}

static void test_parse_time(void **state)
{
    (void)state;
    int64_t t;
    assert_int_equal(ct_parse_time("2023-01-01", &t), 0);
    assert_int_equal(t, 1672531200);
    assert_int_equal(ct_parse_time("2023-01-01T01:02:03Z", &t), 0);
    assert_int_equal(t, 1672531200 + 3723);
    assert_int_equal(ct_parse_time("2023/01/01 01:02:03.456", &t), 0);
    assert_int_equal(t, 1672531200 + 3723);
    assert_int_equal(ct_parse_time("@1700000000", &t), 0);
    assert_int_equal(t, 1700000000);
    assert_int_equal(ct_parse_time("2023-02-29", &t), -1);
    assert_int_equal(ct_parse_time("2023-13-01", &t), -1);
    assert_int_equal(ct_parse_time("2023-01-01T25:00", &t), -1);
    assert_int_equal(ct_parse_time("yesterday", &t), -1);
    assert_int_equal(ct_parse_time("2023-01-01x", &t), -1);
    char buf[21];
    ct_fmt_iso(1672531200 + 3723, buf);
    assert_string_equal(buf, "2023-01-01T01:02:03Z");
    char m[8];
    ct_fmt_month(1676419200, m);
    assert_string_equal(m, "2023-02");
}

static void test_strings(void **state)
{
    (void)state;
    double v;
    assert_int_equal(ct_parse_double("1.5", &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(ct_parse_double("1,5", &v), -1); /* never a locale's comma */
    assert_int_equal(ct_parse_double("", &v), -1);
    assert_int_equal(ct_parse_double("nan", &v), -1);
    assert_int_equal(ct_parse_double("1e999", &v), -1);
    assert_true(ct_name_eq("Apple  M1", "apple-m1"));
    assert_true(ct_name_eq("AMD_EPYC 7513", "amd epyc 7513 "));
    assert_false(ct_name_eq("Apple M1", "Apple M1 Pro"));
    assert_int_equal(ct_edit_distance("kitten", "sitting", 10), 3);
    assert_int_equal(ct_edit_distance("abc", "ABC", 10), 0);
    assert_int_equal(ct_edit_distance("abcdef", "uvwxyz", 3), 3);
}

static void test_buf(void **state)
{
    (void)state;
    ct_buf b = {0};
    ct_buf_json_str(&b, "a\"b\\c\n\x01");
    assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\u0001\"");
    b.len = 0;
    ct_buf_csv_str(&b, "x,\"y\"");
    assert_string_equal(b.p, "\"x,\"\"y\"\"\"");
    b.len = 0;
    ct_buf_html(&b, "<a href='x'>&</a>");
    assert_string_equal(b.p, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    b.len = 0;
    ct_buf_json_num(&b, 0.1);
    ct_buf_puts(&b, " ");
    ct_buf_json_num(&b, NAN);
    assert_string_equal(b.p, "0.1 null");
    ct_buf_free(&b);
}

/* OWASP's CSV injection advice: a text cell that a spreadsheet would take for
 * a formula (leading = + - @, tab or CR) is quoted with a single quote in
 * front; its own quotes are still doubled. The same characters anywhere but
 * first change nothing. Each expected cell is written out by hand. */
static void test_csv_injection(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
        {"=1+2", "\"'=1+2\""},
        {"+1", "\"'+1\""},
        {"-2+3", "\"'-2+3\""},
        {"@SUM(A1:A2)", "\"'@SUM(A1:A2)\""},
        {"\t=1", "\"'\t=1\""},
        {"\r=1", "\"'\r=1\""},
        {"=a,b", "\"'=a,b\""},
        {"gpu-01", "gpu-01"},
        {"a=b+c-d@e", "a=b+c-d@e"},
        {" =1", " =1"},
        {"'=1", "'=1"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ct_buf b = {0};
        ct_buf_puts(&b, "<");
        ct_buf_csv_str(&b, cases[i][0]);
        ct_buf_puts(&b, ">");
        char want[64];
        snprintf(want, sizeof want, "<%s>", cases[i][1]);
        assert_string_equal(b.p, want);
        ct_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_parse_time), cmocka_unit_test(test_strings),
        cmocka_unit_test(test_buf), cmocka_unit_test(test_csv_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
