#!/bin/sh
# Writes the SCDL identifiers file for the DEMO ledger: FICTITIOUS SIRETs, for demonstration only.
#
# The log carries no SIRET (docs/PUBLISHING.md §4). For a real ledger, fill in the template written by
# `grant-ledger export scdl --template` with the real SIRETs (annuaire des entreprises, SIRENE). For the demo,
# this script fills it with made-up numbers that pass the Luhn check: a beneficiary's SIRET is its real SIREN
# followed by an invented NIC (0001x), and each prefecture gets an invented SIREN. Never reuse them.
#
# usage: scripts/demo-identifiers.sh [LEDGER_DIR] > identifiers.csv   (GRANT_LEDGER_BIN overrides the binary:
# default .build/debug/grant-ledger, else grant-ledger on PATH). Rows whose SIRET is already known stay as they are.
set -eu
ledger=${1:-events}
bin=${GRANT_LEDGER_BIN:-.build/debug/grant-ledger}
[ -n "${GRANT_LEDGER_BIN:-}" ] || [ -x "$bin" ] || bin=grant-ledger
echo "# DEMO : SIRET FICTIFS (NIC et SIREN de préfecture inventés), pour la démonstration uniquement."
"$bin" export scdl --ledger "$ledger" --template | awk -F, '
function luhn(s,    i, d, sum, n) {
    sum = 0; n = length(s)
    for (i = n; i >= 1; i--) {
        d = substr(s, i, 1) + 0
        if ((n - i) % 2 == 1) { d *= 2; if (d > 9) d -= 9 }
        sum += d
    }
    return sum % 10 == 0
}
function complete(prefix,    d) {
    for (d = 0; d <= 9; d++) if (luhn(prefix d)) return prefix d
    return ""
}
/^#/ { next }
$NF != "" { print; next }
$1 == "attribuant" {
    n++
    siren = complete(sprintf("17%06d", 900000 + n))
    print $1 "," $2 "," $3 "," complete(siren "0001")
    next
}
$1 == "beneficiaire" {
    # the name may be quoted and hold commas: keep everything between the SIREN and the empty last field
    line = $0; sub(/,$/, "", line)
    print line "," complete($2 "0001")
    next
}
{ print }
'
