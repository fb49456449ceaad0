"""The deterministic mutator of the hardening campaign (mutants.py).

mutate(seed_name, k, data) gives mutant K of a seed: the same bytes on every
machine and Python version (its own PRNG, splitmix64, seeded from the seed's
name, K and GLOBAL_SEED), and a description of what was done to it. Mutations:
bit flips, bytes set to separators and digits, a line duplicated (up to 1000
times), deleted or swapped, numbers replaced with extreme values (1e308, -50,
NaN, inf, huge epochs, empty), dates and times with impossible or far ones
(9999-12-31, 24:00:00), long-counter numbers with far epochs, a field emptied,
truncation, CRLF or a lone CR, a long line inserted, a chunk spliced in; one to
three of them stacked.
"""
import re

GLOBAL_SEED = 0x15C02  # issue 15; change it and every mutant changes

# --- a small deterministic PRNG (splitmix64): the same mutants on every Python


class Rng:
    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n if n > 0 else 0

    def pick(self, seq):
        return seq[self.below(len(seq))]


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


# --- the mutator

EXTREME_NUMBERS = [
    b"1e308", b"-1e308", b"1e309", b"-50", b"-1", b"0", b"-0", b"1e-320", b"NaN", b"nan",
    b"inf", b"-inf", b"Infinity", b"", b"99999999999999999999", b"9223372036854775807",
    b"-9223372036854775808", b"4294967296", b"1e18", b"32503680000", b"253402300799",
    b"1e15", b"0x10", b"1.7976931348623157e308", b"2.2250738585072014e-308", b"5e-324",
    b"1,5", b"12.", b".5", b"+7", b"1e", b"--1",
]
EXTREME_DATES = [
    b"9999-12-31", b"0001-01-01", b"1900-01-01", b"1969-12-31", b"1970-01-01", b"2100-01-01",
    b"2038-01-19", b"2023-02-30", b"2023-13-01", b"2024-02-29", b"10000-01-01", b"2023-1-1",
]
EXTREME_TIMES = [b"99:99:99", b"23:59:60", b"24:00:00", b"00:00:00", b"-1:00:00", b"23:59:59.999999999"]
BYTES = b"\x00\xff\n\r\t,;\" '[]{}:=-+.0123456789eE"
NUM_RE = re.compile(rb"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
DATE_RE = re.compile(rb"\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}")
TIME_RE = re.compile(rb"\d{1,2}:\d{2}:\d{2}(?:\.\d+)?")


def lines_of(data):
    return data.splitlines(keepends=True) or [b""]


def m_byte_flip(r, d):
    if not d:
        return d + b"\x00", "flip(empty)"
    b = bytearray(d)
    n = 1 + r.below(4)
    where = []
    for _ in range(n):
        i = r.below(len(b))
        b[i] ^= 1 << r.below(8)
        where.append(str(i))
    return bytes(b), "bitflip@" + ",".join(where)


def m_byte_set(r, d):
    if not d:
        return d, "set(empty)"
    b = bytearray(d)
    i = r.below(len(b))
    c = BYTES[r.below(len(BYTES))]
    b[i] = c
    return bytes(b), "set@%d=%r" % (i, bytes([c]))


def m_line_dup(r, d):
    ls = lines_of(d)
    i = r.below(len(ls))
    times = r.pick([1, 1, 2, 50, 1000])
    line = ls[i] if ls[i].endswith(b"\n") else ls[i] + b"\n"
    return b"".join(ls[:i] + [line] * times + ls[i:]), "dup L%d x%d" % (i + 1, times)


def m_line_del(r, d):
    ls = lines_of(d)
    i = r.below(len(ls))
    return b"".join(ls[:i] + ls[i + 1:]), "del L%d" % (i + 1)


def m_line_swap(r, d):
    ls = lines_of(d)
    i, j = r.below(len(ls)), r.below(len(ls))
    ls[i], ls[j] = ls[j], ls[i]
    return b"".join(ls), "swap L%d L%d" % (i + 1, j + 1)


def replace_match(r, d, regex, values, what):
    ms = list(regex.finditer(d))
    if not ms:
        return m_byte_flip(r, d)
    m = r.pick(ms)
    v = r.pick(values)
    if r.below(4) == 0:
        # every occurrence of that token on its line (a column gone bad)
        start = d.rfind(b"\n", 0, m.start()) + 1
        end = d.find(b"\n", m.end())
        end = len(d) if end < 0 else end
        line = d[start:end].replace(m.group(0), v)
        return d[:start] + line + d[end:], "%s %r->%r (whole line @%d)" % (what, m.group(0), v, start)
    return d[:m.start()] + v + d[m.end():], "%s@%d %r->%r" % (what, m.start(), m.group(0), v)


def m_number(r, d):
    return replace_match(r, d, NUM_RE, EXTREME_NUMBERS, "num")


def m_date(r, d):
    if DATE_RE.search(d):
        return replace_match(r, d, DATE_RE, EXTREME_DATES, "date")
    return replace_match(r, d, TIME_RE, EXTREME_TIMES, "time")


def m_epoch(r, d):
    # numbers that look like epochs or long counters, replaced with huge ones
    big = [m for m in NUM_RE.finditer(d) if len(m.group(0).split(b".")[0].lstrip(b"-+")) >= 9]
    if not big:
        return replace_match(r, d, NUM_RE, EXTREME_NUMBERS, "num")
    m = r.pick(big)
    v = r.pick([b"32503680000", b"253402300799", b"9999999999", b"1e18", b"0", b"-1",
                b"631152000", b"4102444800", b"1e308"])
    return d[:m.start()] + v + d[m.end():], "epoch@%d %r->%r" % (m.start(), m.group(0), v)


def m_empty_field(r, d):
    ls = lines_of(d)
    i = r.below(len(ls))
    line = ls[i]
    sep = b"," if line.count(b",") >= line.count(b"\t") else b"\t"
    parts = line.rstrip(b"\r\n").split(sep)
    if len(parts) < 2:
        return m_line_del(r, d)
    k = r.below(len(parts))
    parts[k] = b""
    ls[i] = sep.join(parts) + line[len(line.rstrip(b"\r\n")):]
    return b"".join(ls), "empty field %d of L%d" % (k + 1, i + 1)


def m_truncate(r, d):
    if not d:
        return d, "truncate(empty)"
    n = r.below(len(d))
    return d[:n], "truncate@%d" % n


def m_crlf(r, d):
    if r.below(2):
        return d.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), "crlf all"
    ls = lines_of(d)
    i = r.below(len(ls))
    ls[i] = ls[i].replace(b"\n", b"\r\n") if r.below(2) else ls[i].replace(b"\n", b"\r")
    return b"".join(ls), "cr L%d" % (i + 1)


def m_long_line(r, d):
    ls = lines_of(d)
    i = r.below(len(ls) + 1)
    n = r.pick([300, 4096, 65537, 300000])
    fill = r.pick([b"9", b"A", b",", b"\t", b"1.5,"])
    ls.insert(i, (fill * n)[:n] + b"\n")
    return b"".join(ls), "long line %d x %r before L%d" % (n, fill, i + 1)


def m_splice(r, d):
    if len(d) < 2:
        return m_byte_flip(r, d)
    a = r.below(len(d))
    b = a + r.below(min(4096, len(d) - a)) + 1
    at = r.below(len(d))
    return d[:at] + d[a:b] + d[at:], "splice %d..%d at %d" % (a, b, at)


MUTATORS = [
    (m_byte_flip, 3), (m_byte_set, 2), (m_line_dup, 2), (m_line_del, 2), (m_line_swap, 2),
    (m_number, 6), (m_date, 3), (m_epoch, 3), (m_empty_field, 2), (m_truncate, 2),
    (m_crlf, 1), (m_long_line, 1), (m_splice, 1),
]
WEIGHTED = [f for f, w in MUTATORS for _ in range(w)]


def mutate(seed_name, k, data):
    r = Rng(fnv1a64(seed_name) ^ (k * 0x9E3779B97F4A7C15) ^ GLOBAL_SEED)
    steps = []
    for _ in range(r.pick([1, 1, 1, 2, 3])):
        data, what = r.pick(WEIGHTED)(r, data)
        steps.append(what)
    sniff = r.below(4) == 0    # one in four: the format found from the content
    skip_bad = r.below(3) == 0  # one in three: --skip-bad
    return data, steps, sniff, skip_bad
