#!/bin/sh
# tests/cli/t0040-install.sh — the README's install lines ("Cron or systemd")
# run as written, in order, as root, on a machine that has never seen
# dmpremb: no account, no /etc/dmpremb, no inbox.
#
# A container-less scratch root: in a private mount namespace (unshare -m),
# /etc is a copy of the machine's, /usr/local and /var/lib are empty, so the
# lines change nothing outside the test. They are read out of README.md and
# run in bash, each one as the README shows it; only `systemctl` lines are
# left out (no systemd here: t0900 verifies the units). Then the result is
# checked as the jobs will meet it: the account exists, it can read its
# settings and not change them, it owns its inboxes, the cron file names it,
# and `dmpremb-run --dry-run hourly` runs under it.
. "$TESTLIB"

if [ "$(basename "$DMPREMB_UNDER_TEST")" != dmpremb ]; then
	skip "the install lines" "$(basename "$DMPREMB_UNDER_TEST") under test: make install installs the release binary"
	finish
	exit
fi
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1 || ! unshare -m true 2>/dev/null; then
	skip "the install lines" "needs root and a private mount namespace (unshare -m)"
	finish
	exit
fi

# the indented block after the sentence that announces it
awk '/runs these lines as written/ { on = 1; next }
     on && /^    / { sub(/^    /, ""); print; seen = 1; next }
     on && seen && !/^$/ { exit }' "$TOP/README.md" >"$TMP/lines"
check "the README shows install lines ($(wc -l <"$TMP/lines"))" test "$(wc -l <"$TMP/lines")" -ge 5
check_grep "... beginning with make install" "^make install PREFIX=/usr/local$" "$TMP/lines"
grep -v '^systemctl ' "$TMP/lines" >"$TMP/lines.run"

root=$TMP/root
mkdir -p "$root/etc" "$root/usr-local" "$root/var-lib"
cp -a /etc/. "$root/etc/"
# a machine that has never seen dmpremb, even if this one has
for f in passwd group shadow gshadow; do
	[ -f "$root/etc/$f" ] && sed -i '/^dmpremb:/d' "$root/etc/$f"
done
rm -rf "$root/etc/dmpremb" "$root/etc/cron.d/dmpremb"

cat >"$TMP/inside.sh" <<EOF
set -u
mount --bind '$root/etc' /etc && mount --bind '$root/usr-local' /usr/local \
	&& mount --bind '$root/var-lib' /var/lib || exit 99
cd '$TOP' || exit 99
n=0
while IFS= read -r line; do
	n=\$((n + 1))
	bash -c "\$line" >>'$TMP/run.out' 2>&1 || { echo "line \$n failed: \$line"; exit 1; }
done <'$TMP/lines.run'
# what the jobs will meet
{
	echo "account=\$(id -un dmpremb 2>/dev/null):\$(id -gn dmpremb 2>/dev/null)"
	echo "etc=\$(stat -c '%a %U %G' /etc/dmpremb)"
	echo "env=\$(stat -c '%a %U %G' /etc/dmpremb/dmpremb.env)"
	runuser -u dmpremb -- test -r /etc/dmpremb/dmpremb.env && echo "env_readable=yes" || echo "env_readable=no"
	runuser -u dmpremb -- test -w /etc/dmpremb/dmpremb.env && echo "env_writable=yes" || echo "env_writable=no"
	echo "inbox=\$(stat -c '%a %U %G' /var/lib/dmpremb/batches/inbox)"
	echo "events=\$(stat -c '%a %U %G' /var/lib/dmpremb/events/inbox)"
	echo "cron=\$(stat -c '%a %U' /etc/cron.d/dmpremb)"
	awk '/^[0-9*]/ { print "cron_user=" \$6 }' /etc/cron.d/dmpremb | sort -u
	/usr/local/bin/dmpremb --version >/dev/null && echo "version=ok" || echo "version=failed"
	runuser -u dmpremb -- env PATH=/usr/local/bin:/usr/bin:/bin dmpremb-run --dry-run hourly \
		>'$TMP/dry.out' 2>&1 && echo "dry_run=ok" || echo "dry_run=failed \$?"
	ls /usr/local/share/dmpremb/cron/systemd | grep -c '^dmpremb-.*\.\(service\|timer\)$' | sed 's/^/units_shipped=/'
	ls /etc/systemd/system | grep -c '^dmpremb-.*\.\(service\|timer\)$' | sed 's/^/units_copied=/'
} >'$TMP/state'
EOF
unshare -m --propagation private bash "$TMP/inside.sh" >"$TMP/inside.out" 2>&1
rc=$?
check_eq "every install line runs as written, in order" 0 "$rc"
[ "$rc" = 0 ] || { sed 's/^/    | /' "$TMP/inside.out"; tail -20 "$TMP/run.out" 2>/dev/null | sed 's/^/    | /'; }
touch "$TMP/state"
got() { sed -n "s/^$1=//p" "$TMP/state"; }
check_eq "the jobs' account and its group exist" "dmpremb:dmpremb" "$(got account)"
check_eq "/etc/dmpremb: 750, root, group dmpremb" "750 root dmpremb" "$(got etc)"
check_eq "the settings: 640, root, group dmpremb" "640 root dmpremb" "$(got env)"
check_eq "... readable by the account" yes "$(got env_readable)"
check_eq "... not writable by it" no "$(got env_writable)"
check_eq "the batch inbox belongs to the account, 750" "750 dmpremb dmpremb" "$(got inbox)"
check_eq "the events inbox too" "750 dmpremb dmpremb" "$(got events)"
check_eq "the crontab is installed 644, root's" "644 root" "$(got cron)"
check_eq "... and runs its jobs as that account" dmpremb "$(got cron_user)"
check_eq "the installed dmpremb runs" ok "$(got version)"
check_eq "dmpremb-run --dry-run hourly runs as the account, with the installed settings" ok "$(got dry_run)"
[ "$(got dry_run)" = ok ] || sed 's/^/    | /' "$TMP/dry.out"
check_eq "the systemd units are copied where systemd reads them" "$(got units_shipped)" "$(got units_copied)"
check "... six of them (hourly, weekly, monthly: a service and a timer each)" test "$(got units_copied)" = 6
check "nothing was installed outside the scratch root" test ! -e /etc/dmpremb
finish
