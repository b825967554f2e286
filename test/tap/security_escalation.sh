#!/usr/bin/env bash
# test/tap/security_escalation.sh: the ways a department could take a
# superuser's rights, or read what it may not, through safeidx (issue 9),
# each reproduced and refused.
#
# Set-up: the LOGIN roles tap_safeidx_esc_dept (a department, the attacker),
# tap_safeidx_esc_other (another department) and tap_safeidx_esc_admin (an
# administrator, not a superuser), made afresh and dropped at exit; database
# safeidx_esc with safeidx, pgtap and dblink and the hand-worked engine
# fixture (test/fixtures/engine.sql: regions d, s1, s2, a, b, c, e, the
# sources theft, fire, ... over fix.event, owned by the superuser).  The
# checks, test/tap/security_escalation.sql, run there as the superuser and
# act as the other roles through dblink, or through psql where a WARNING must
# be seen.

# shellcheck source=test/lib/tap.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

for role in tap_safeidx_esc_dept tap_safeidx_esc_other tap_safeidx_esc_admin; do
    tap_createrole "$role" || tap_fail_setup "role $role is created"
done
tap_createdb safeidx_esc safeidx pgtap dblink \
    || tap_fail_setup "database safeidx_esc with safeidx, pgtap and dblink is created"
tap_psql -d safeidx_esc -f test/fixtures/engine.sql >/dev/null \
    || tap_fail_setup "the engine fixture is loaded into safeidx_esc"

tap_pgtap safeidx_esc test/tap/security_escalation.sql
