# A bad team file: a clear message with file and line, exit 1, the ledger untouched.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
db="$tmp/l.db"
cat >"$tmp/bad.ini" <<'INI'
[team]
country = SGP
year = 2023
[platform laptops]
method = calculated
chip = Apple M9 Ultra Max
count = 3
utilisation = 0.2
hours_per_year = 100
INI
expect_rc 1 "unknown chip" -- "$CO2TALLY" --db "$db" --config "$tmp/bad.ini" estimate
expect_grep "$tmp/err" "bad.ini:6: \[platform laptops\]: unknown chip 'Apple M9 Ultra Max'" "file, the chip key's line and chip named"
expect_grep "$tmp/err" "Apple M" "nearest names suggested"
[ ! -e "$db" ] && ok "no ledger written" || bad "ledger written on a bad team file"
printf '[team]\ncountry = SGP\nyear = 2023\n[platform x]\nmethod = calculated\nwatts = ten\n' >"$tmp/bad2.ini"
expect_rc 1 "bad number" -- "$CO2TALLY" --db "$db" --config "$tmp/bad2.ini" estimate
expect_grep "$tmp/err" "bad2.ini:6: watts = 'ten' is not a number" "bad number with line"
# A [platform] header longer than inih's line buffer (197 characters and CR, LF,
# NUL in Debian's 200): the error names that line and the limit, not the keys
# below it as unknown keys.
long=$(printf 'p%.0s' $(seq 1 200))
printf '[team]\ncountry = SGP\nyear = 2023\n[platform %s]\nmethod = calculated\nwatts = 10\nutilisation = 0.5\nhours_per_year = 10\n' "$long" >"$tmp/long.ini"
expect_rc 1 "a 211-character header" -- "$CO2TALLY" --db "$db" --config "$tmp/long.ini" estimate
expect_grep "$tmp/err" "long.ini:4: line 4 is longer than the 197 characters a team-file line may have" "the long line named, with the limit"
grep -q "unknown key" "$tmp/err" && bad "still says unknown key: $(cat "$tmp/err")" || ok "no misleading unknown key"
[ ! -e "$db" ] && ok "no ledger written for the long line" || bad "ledger written on a long line"
# Checks made after reading the whole file name the offending key's own line,
# not its section's header (line 4 here).
printf '[team]\ncountry = SGP\nyear = 2023\n[platform gpu]\nmethod = measured\nhosts = g1\n; a comment\nutilisation = 0.4\n' >"$tmp/bad3.ini"
expect_rc 1 "utilisation on a measured platform" -- "$CO2TALLY" --db "$db" --config "$tmp/bad3.ini" estimate
expect_grep "$tmp/err" "bad3.ini:8: \[platform gpu\]: count, chip, watts" "the utilisation key's line"
printf '[team]\ncountry = SGP\nyear = 2023\n[platform a]\nmethod = calculated\nwatts = 10\nidle_watts = 50\nutilisation = 0.5\nhours_per_year = 10\n' >"$tmp/bad4.ini"
expect_rc 1 "idle above watts" -- "$CO2TALLY" --db "$db" --config "$tmp/bad4.ini" estimate
expect_grep "$tmp/err" "bad4.ini:7: \[platform a\]: idle_watts is above watts" "the idle_watts key's line"
printf '[team]\ncountry = SGP\nyear = 2023\n[platform a]\nmethod = calculated\nchips = 2 x NVIDIA L4, 1 x Banana 9\nutilisation = 0.5\nhours_per_year = 10\n' >"$tmp/bad5.ini"
expect_rc 1 "unknown chip in chips" -- "$CO2TALLY" --db "$db" --config "$tmp/bad5.ini" estimate
expect_grep "$tmp/err" "bad5.ini:6: \[platform a\]: chips: unknown chip 'Banana 9'" "the chips key's line"
[ ! -e "$db" ] && ok "still no ledger written" || bad "ledger written on a bad team file"
finish
