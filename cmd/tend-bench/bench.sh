#!/usr/bin/env bash
# make bench: each tend command side by side with the tool it replaces,
# interleaved (A B A B …) by tend-bench, then the table written into
# docs/benchmarks.md. BENCH_QUICK=1 plans 2,000 hosts instead of 10,000 and
# runs 5 rounds of everything (the default runs 5 too; ROUNDS=N changes it).
# The last row is tend serve --once over SERVE_HOSTS (1,000) replayed hosts
# against its ideal wall time.
# Every command runs with pipefail: a failing benchmark fails make bench.
set -euo pipefail

BIN=${BIN:-bin}
OUT=$BIN/bench
ROUNDS=${ROUNDS:-5}
SMALL=${SMALL:-1000}
BIG=${FLEET:-10000}
if [ -n "${BENCH_QUICK:-}" ]; then BIG=2000; fi
AT=2026-11-28T22:30:00+01:00
GIT="git -c user.name=bench -c user.email=bench@localhost -c init.defaultBranch=main"
BIN_ABS=$(cd "$BIN" && pwd)
TEND=$BIN_ABS/tend
BENCH=$BIN_ABS/tend-bench

rm -rf "$OUT" && mkdir -p "$OUT"
ROWS=$PWD/$OUT/rows.jsonl

echo "== fleets: $SMALL and $BIG hosts x 1,000 installed x 30 available"
"$BIN/tend-fleetgen" -hosts "$SMALL" -out "$OUT/f1k" 2>/dev/null
"$BIN/tend-fleetgen" -hosts "$BIG" -out "$OUT/big" 2>/dev/null

cd "$OUT"

echo "== tend plan --json, $SMALL hosts, against jq -c . over the same snapshots"
"$BENCH" -rows "$ROWS" -rounds "$ROUNDS" -goal "≤ 0.3" \
	-name 'tend plan --json, '"$SMALL"' hosts × 1,000 installed × 30 available' -baseline 'jq -c . over the same files' \
	-a "$TEND plan -C f1k/config --inventory f1k/snapshots --at $AT --json > plan1k.json" \
	-b "find f1k/snapshots -name inventory.json -print0 | sort -z | xargs -0 cat | jq -c . > /dev/null"

echo "== tend plan --json, $BIG hosts, against cat of the same snapshots"
"$BENCH" -rows "$ROWS" -rounds "$ROUNDS" -goal "≤ 1.5 (RSS ≤ 1 GiB)" \
	-name "tend plan --json, $BIG hosts" -baseline 'cat of the same files' \
	-a "$TEND plan -C big/config --inventory big/snapshots --at $AT --json > planbig.json" \
	-b "find big/snapshots -name inventory.json -print0 | sort -z | xargs -0 cat > /dev/null"

# The reports: a Git repository holding the configuration (tend), and one
# holding the same layout as files (git), each restored before every run.
$GIT -C f1k/config init -q && $GIT -C f1k/config add -A && $GIT -C f1k/config commit -qm config
cp -a f1k/config repo.pristine
"$TEND" report -C f1k/config --inventory f1k/snapshots --at $AT --out layout >/dev/null
mkdir plain.pristine && $GIT -C plain.pristine init -q

echo "== tend report --commit, $SMALL hosts, against git add -A && git commit of the layout"
"$BENCH" -rows "$ROWS" -rounds "$ROUNDS" -goal "≤ 1.0" \
	-name "tend report --commit, $SMALL hosts" -baseline 'git add -A && git commit of the same files' \
	-setup "rm -rf repo plain && cp -a repo.pristine repo && cp -a plain.pristine plain && cp -a layout/. plain/" \
	-a "$TEND report -C repo --inventory f1k/snapshots --at $AT --commit > /dev/null" \
	-b "$GIT -C plain add -A && $GIT -C plain commit -qm reports"

# 1% of the hosts rescanned: a later scanned_at and one more package.
cp -a f1k/snapshots snapshots.1pct
for d in $(ls snapshots.1pct | sort | awk 'NR % 100 == 1'); do
	f=snapshots.1pct/$d/inventory.json
	jq --indent 2 '.scanned_at = "2026-11-28T06:00:00Z" | .providers.apt.installed += [{"id": "bench-extra", "name": "bench-extra", "version": "1.0-1", "arch": "all"}]' "$f" > "$f.new"
	mv "$f.new" "$f"
done
"$TEND" report -C f1k/config --inventory snapshots.1pct --at $AT --out layout.1pct >/dev/null
rm -rf repo plain && cp -a repo.pristine repo.committed && cp -a plain.pristine plain.committed && cp -a layout/. plain.committed/
"$TEND" report -C repo.committed --inventory f1k/snapshots --at $AT --commit > /dev/null 2>&1
$GIT -C plain.committed add -A && $GIT -C plain.committed commit -qm reports

echo "== the same with 1% of the hosts changed"
"$BENCH" -rows "$ROWS" -rounds "$ROUNDS" -goal "≤ 1.0" \
	-name "tend report --commit, $SMALL hosts, 1% changed" -baseline 'git add -A && git commit of the changed files' \
	-setup "rm -rf repo plain && cp -a repo.committed repo && cp -a plain.committed plain && cp -a layout.1pct/. plain/" \
	-a "$TEND report -C repo --inventory snapshots.1pct --at $AT --commit > /dev/null" \
	-b "$GIT -C plain add -A && $GIT -C plain commit -qm reports"

# 1% of the hosts rescanned again, all of the last ring this time: a
# rescanned canary host (above, one of the ten) moves the soak of every
# later host's updates (its scan is the newest to have them installed), so
# their plans change and are made again; here no other host's plan does.
"$TEND" plan -C f1k/config --inventory f1k/snapshots --at $AT --json |
	jq -r '[.hosts[] | select(.ring == "broad") | .host] | unique | .[]' | awk 'NR % 95 == 1' | head -10 > broad.hosts
cp -a f1k/snapshots snapshots.broad
for d in $(cat broad.hosts); do
	f=snapshots.broad/$d/inventory.json
	jq --indent 2 '.scanned_at = "2026-11-28T06:00:00Z" | .providers.apt.installed += [{"id": "bench-extra", "name": "bench-extra", "version": "1.0-1", "arch": "all"}]' "$f" > "$f.new"
	mv "$f.new" "$f"
done
"$TEND" report -C f1k/config --inventory snapshots.broad --at $AT --out layout.broad >/dev/null

echo "== the same with 1% of the hosts changed, all in the last ring"
"$BENCH" -rows "$ROWS" -rounds "$ROUNDS" -goal "≤ 1.0" \
	-name "tend report --commit, $SMALL hosts, 1% changed, last ring only" -baseline 'git add -A && git commit of the changed files' \
	-setup "rm -rf repo plain && cp -a repo.committed repo && cp -a plain.committed plain && cp -a layout.broad/. plain/" \
	-a "$TEND report -C repo --inventory snapshots.broad --at $AT --commit > /dev/null" \
	-b "$GIT -C plain add -A && $GIT -C plain commit -qm reports"

# tend serve --once over 1,000 hosts that exist only as a recording: one
# lab host (tend-aptlab's hermetic apt root) is reconciled for real with
# TEND_BENCH_RECORD, then 1,000 hosts are answered from what it ran, each
# command after 50 ms standing for the network (TEND_BENCH_REPLAY). The
# ideal is 1000 / 50 lanes × the host's commands × 50 ms.
SERVE_HOSTS=${SERVE_HOSTS:-1000}
DELAY_MS=50
LANES=50
"$BIN_ABS/tend-aptlab" -dir lab >/dev/null
export TEND_PLUGIN_DIR=$BIN_ABS
# fleet DIR N: N local hosts under the lab's apt root, one policy applying
# its security updates, max_parallel 50.
fleet() {
	mkdir -p "$1"
	{
		printf 'provider "apt" {\n  root = "%s"\n}\n\n' "$PWD/lab/root"
		for i in $(seq -w 1 "$2"); do printf 'host "h%s" {\n  transport = "local"\n}\n' "$i"; done
		printf '\npolicy "security_only" {\n  provider = "apt"\n  targets  = [%s]\n  approve {\n    classification = ["security"]\n  }\n  reboot = "never"\n  rollout {\n    ring "all" {\n      percent = 100\n    }\n    max_parallel = %d\n  }\n}\n' \
			"$(for i in $(seq -w 1 "$2"); do printf 'host.h%s, ' "$i"; done | sed 's/, $//')" "$LANES"
	} > "$1/fleet.tend.hcl"
	"$TEND" init -C "$1" >/dev/null
	$GIT -C "$1" init -q && $GIT -C "$1" add -A && $GIT -C "$1" commit -qm config
}
fleet one 1
TEND_BENCH_RECORD=$PWD/host.rec.json "$TEND" serve --once --repo "$PWD/one" --state-dir one.state --scan-interval 0 2>/dev/null
COMMANDS=$(jq '.commands | length' host.rec.json)
IDEAL=$(awk -v n="$SERVE_HOSTS" -v l="$LANES" -v c="$COMMANDS" -v d="$DELAY_MS" 'BEGIN {printf "%.3f", n / l * c * d / 1000}')
fleet serve.pristine "$SERVE_HOSTS"

echo "== tend serve --once, $SERVE_HOSTS replayed hosts, against the ideal ($SERVE_HOSTS / $LANES × $COMMANDS commands × $DELAY_MS ms = $IDEAL s)"
"$BENCH" -rows "$ROWS" -rounds "$ROUNDS" -goal "≤ 1.2" -ideal "$IDEAL" \
	-name "tend serve --once, $SERVE_HOSTS replayed hosts ($DELAY_MS ms per command), max_parallel $LANES, --scan-concurrency $LANES" \
	-baseline "ideal: $SERVE_HOSTS / $LANES × $COMMANDS commands × $DELAY_MS ms" \
	-setup "rm -rf serve serve.state && cp -a serve.pristine serve" \
	-a "TEND_BENCH_REPLAY=$PWD/host.rec.json TEND_BENCH_REPLAY_DELAY=${DELAY_MS}ms $TEND serve --once --repo $PWD/serve --state-dir serve.state --scan-interval 0 --scan-concurrency $LANES 2>/dev/null"

cd - >/dev/null
"$BENCH" -table "$ROWS"
"$BENCH" -table "$ROWS" -doc "${DOC:-docs/benchmarks.md}"
echo "wrote the table to ${DOC:-docs/benchmarks.md}"
