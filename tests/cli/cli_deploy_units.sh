# The systemd units under deploy/ (README, "A team"): the agent's is hardened
# as documented, its command line uses only options the agent has, and
# systemd-analyze (where installed) finds nothing wrong with any unit.
. "$CT_SOURCE_ROOT/tests/cli/lib.sh"
unit="$CT_SOURCE_ROOT/deploy/co2tally-agent.service"
for key in 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ReadWritePaths=/var/lib/co2tally' \
    'ProtectHome=yes' 'PrivateTmp=yes' 'Restart=on-failure'; do
    grep -qx "$key" "$unit" && ok "agent unit: $key" || bad "agent unit lacks $key"
done
[ "$(grep -c '^ReadWritePaths=' "$unit")" = 1 ] && ok "one writable path, the state directory" || bad "more than one ReadWritePaths"
exec_line=$(sed -n 's/^ExecStart=//p' "$unit")
case "$exec_line" in *" agent --user co2tally "*) ok "the agent drops to the co2tally user" ;; *) bad "no --user drop in: $exec_line" ;; esac
"$CO2TALLY" agent --help >"$tmp/help"
for opt in $(printf '%s\n' $exec_line | sed -n 's/^\(--[a-z]*\).*/\1/p' | sort -u); do
    case "$opt" in --db|--config) continue ;; esac
    grep -q -- "$opt" "$tmp/help" && ok "agent takes $opt" || bad "agent --help lacks $opt"
done
"$CO2TALLY" ledger --help >"$tmp/help"
grep -q -- "push --to URL" "$tmp/help" && ok "ledger push --to exists for the push unit" || bad "ledger --help lacks push --to"
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$tmp/u" "$tmp/run"
    # the binary is not installed here: the units are checked against /bin/true
    for f in "$CT_SOURCE_ROOT"/deploy/*.service "$CT_SOURCE_ROOT"/deploy/*.timer; do
        sed 's#/usr/local/bin/co2tally#/bin/true#' "$f" >"$tmp/u/$(basename "$f")"
    done
    if out=$(systemd-analyze verify "$tmp/u/co2tally-agent.service" 2>&1); then ok "systemd-analyze verify: agent unit"; else bad "verify: $out"; fi
    if out=$(XDG_RUNTIME_DIR="$tmp/run" systemd-analyze --user verify "$tmp/u/co2tally-push.service" "$tmp/u/co2tally-push.timer" 2>&1); then
        ok "systemd-analyze verify: push service and timer"
    else
        bad "verify push units: $out"
    fi
else
    echo "ok - # SKIP systemd-analyze is not installed"
fi
finish
