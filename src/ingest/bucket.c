#include "ingest/bucket.h"

#include <math.h>
#include <string.h>

#include "core/timeutil.h"

void ct_bucket_init(struct ct_bucketer *b, const char *platform, const char *host,
                    const char *device, const char *component, int method, double idle_below)
{
    memset(b, 0, sizeof *b);
    b->proto.platform = platform ? platform : "";
    b->proto.host = host;
    b->proto.device = device;
    b->proto.component = component;
    b->proto.method = method;
    b->idle_below = idle_below;
    b->hour = INT64_MIN;
}

int ct_bucket_flush(struct ct_bucketer *b, ct_bucket_emit emit, void *ud, ct_err *e)
{
    if (b->hour == INT64_MIN || b->covered_s <= 0) {
        b->hour = INT64_MIN;
        return 0;
    }
    struct ct_energy_rec r = b->proto;
    r.t0 = b->hour;
    r.t1 = b->hour + CT_BUCKET_SECONDS;
    /* Rounding in the split can leave covered time a hair over the hour. */
    r.covered_s = b->covered_s > CT_BUCKET_SECONDS ? CT_BUCKET_SECONDS : b->covered_s;
    r.joules = b->joules;
    r.idle_joules = b->idle_joules;
    r.idle_s = b->idle_s > r.covered_s ? r.covered_s : b->idle_s;
    r.util = b->util_cov > 0 ? b->util_s / b->util_cov : NAN;
    b->hour = INT64_MIN;
    b->covered_s = b->joules = b->idle_joules = b->idle_s = b->util_s = b->util_cov = 0;
    return emit(&r, ud, e);
}

/* Adds a piece that lies inside one hour. */
static int add_piece(struct ct_bucketer *b, int64_t hour, double dt, double joules, double util,
                     ct_bucket_emit emit, void *ud, ct_err *e)
{
    if (b->hour != hour && b->hour != INT64_MIN && ct_bucket_flush(b, emit, ud, e) < 0)
        return -1;
    b->hour = hour;
    b->covered_s += dt;
    b->joules += joules;
    if (!isnan(util)) {
        b->util_s += util * dt;
        b->util_cov += dt;
        if (util < b->idle_below) {
            b->idle_joules += joules;
            b->idle_s += dt;
        }
    }
    return 0;
}

int ct_bucket_add(struct ct_bucketer *b, double t0, double t1, double joules, double util,
                  ct_bucket_emit emit, void *ud, ct_err *e)
{
    if (!(t1 > t0) || !isfinite(joules) || joules < 0)
        return t1 == t0 && joules == 0 ? 0 : ct_errf(e, "%s: bad interval or energy", b->proto.device);
    if (b->hour != INT64_MIN && t0 < (double)b->hour - 1e-6)
        return ct_errf(e, "%s: time went backwards (%.3f before the hour being filled)",
                       b->proto.device, t0);
    double span = t1 - t0;
    if (span > CT_BUCKET_MAX_SPAN_S || !isfinite(span))
        return ct_errf(e, "%s: an interval of %g s is longer than the %.0f days one reading may "
                       "span", b->proto.device, span, CT_BUCKET_MAX_SPAN_S / 86400);
    for (double a = t0; a < t1;) {
        int64_t hour = ct_floor((int64_t)floor(a), CT_BUCKET_SECONDS);
        double end = (double)(hour + CT_BUCKET_SECONDS);
        if (end > t1)
            end = t1;
        if (end <= a) /* guards against a stuck loop at the edge of double precision */
            break;
        if (add_piece(b, hour, end - a, joules * (end - a) / span, util, emit, ud, e) < 0)
            return -1;
        a = end;
    }
    return 0;
}
