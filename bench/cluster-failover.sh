#!/usr/bin/env bash
# Failover time of the clustered MUPDATE master (issue 7's benchmark): on a running `bin/corvid-cluster` (started
# with the same CORVID_CLUSTER_* environment), kills the master's node with SIGKILL K times (default 10) and
# measures, from the kill, when another node reports itself master (GET /api/health, "mode":"master": elected
# by the HA singleton AND holding the lease), then restarts the killed node and waits for it before the next
# kill. Prints one line per kill, then the distribution:
#   RESULT kills=10 failover_p50_ms=.. failover_p99_ms=.. failover_max_ms=..
# The write path is back when the new master is: it accepts writes right after taking the lease.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cluster=$top/bin/corvid-cluster
kills=${1:-10}
ms() { date +%s%3N; }
http_of() { sed -n "s/^$1 .* http=\([0-9]*\) .*/\1/p" <<<"$2"; }
master_of() { awk '/master=yes/ {print $1}' <<<"$1"; }
times=()
for ((k = 1; k <= kills; k++)); do
    st=$("$cluster" status)
    m=$(master_of "$st")
    [ -n "$m" ] || { echo "no master: $st" >&2; exit 1; }
    pid=$(sed -n "s/^$m .* pid=\([0-9]*\) .*/\1/p" <<<"$st")
    others=$(awk -v m="$m" '$1 != m {print $1}' <<<"$st")
    t0=$(ms)
    kill -9 "$pid"
    new=""
    while [ -z "$new" ] && (($(ms) - t0 < 60000)); do
        for n in $others; do
            if curl -s -m 1 "http://127.0.0.1:$(http_of "$n" "$st")/api/health" | grep -q '"mode":"master"'; then
                new=$n
                break
            fi
        done
    done
    dt=$(($(ms) - t0))
    [ -n "$new" ] || { echo "kill $k: no new master within 60 s" >&2; exit 1; }
    echo "kill $k: $m killed, $new master after $dt ms"
    times+=("$dt")
    "$cluster" start "$m" >/dev/null
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
pct() { awk -v p="$1" '{a[NR]=$1} END {i=int((NR*p+99)/100); if (i<1) i=1; print a[i]}' <<<"$sorted"; }
echo "RESULT kills=$kills failover_p50_ms=$(pct 50) failover_p99_ms=$(pct 99) failover_max_ms=$(tail -1 <<<"$sorted")"
