#!/usr/bin/env bash
# Ingest throughput and ack latency against batch size: depositd with durable
# acks (--sync=fsync, the default) and the no-op server, the same load from
# depositd-loadgen (the realistic mix) in the same run; then both at half of
# depositd's best rate for the latency target.
#
#   bench/ingest.sh                       # from the repo root, after a build
#   BENCH_DURATION=5s BENCH_BATCHES="1 100 1000" bench/ingest.sh
#
# Environment (besides bench/lib.sh's): BENCH_BATCHES (default
# "1 10 100 1000"), BENCH_DURATION (10s), BENCH_SHOPS (10000), BENCH_STREAMS
# (2), BENCH_IN_FLIGHT (8), BENCH_SYNC (fsync), BENCH_PRE_EVENTS (2000000:
# events of the pre-generated pair at batch 1,000; 0 skips it),
# BENCH_HALF_DURATION (30s: the half-rate latency runs, six checkpoint
# rounds, since a 10 s run sees only two and its p99 depends on where they
# fall).
#
# Writes bench/results/ingest.csv (one loadgen line per run),
# ingest_latency_{depositd,noop,noop_work}.csv (percentile curves at half
# rate; noop_work: the no-op burning depositd's CPU time per event),
# ingest_throughput.png and ingest_latency.png.
source "$(dirname "$0")/lib.sh"

batches=(${BENCH_BATCHES:-1 10 100 1000})
duration="${BENCH_DURATION:-10s}"
shops="${BENCH_SHOPS:-10000}"
streams="${BENCH_STREAMS:-2}"
in_flight="${BENCH_IN_FLIGHT:-8}"
sync="${BENCH_SYNC:-fsync}"
csv="$RESULTS/ingest.csv"
rm -f "$csv"

machine_info | tee "$RESULTS/ingest.env"
echo "ingest: batches ${batches[*]}, $duration each after 1s warm-up, $shops shops, $streams streams, $in_flight batches in flight, sync=$sync"

common=(--mode ingest --shops "$shops" --concurrency "$streams"
  --in-flight "$in_flight" --duration "$duration" --warmup 1s --csv "$csv")

start_noop noop
noop_pid=$SERVER_PID
noop_addr=$SERVER_ADDR

for b in "${batches[@]}"; do
  loadgen "${common[@]}" --target "$noop_addr" --batch "$b" --label noop \
    --run-id "n$b"
  start_depositd "ingest-b$b" --sync="$sync"
  loadgen "${common[@]}" --target "$SERVER_ADDR" --batch "$b" \
    --label depositd --run-id "d$b"
  stop_server "$SERVER_PID"
done

# Headline: the ratio per batch size.
echo
echo "batch  depositd events/s  no-op events/s  ratio  depositd p99 ms  no-op p99 ms"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { rate[$c["label"], $c["batch"]] = $c["per_s"]; p99[$c["label"], $c["batch"]] = $c["p99_ms"]; b[$c["batch"]] = 1 }
  END { for (k in b) if (rate["noop", k] > 0)
      printf "%5d  %17.0f  %14.0f  %5.1f%%  %15.2f  %12.2f\n", k, rate["depositd", k],
        rate["noop", k], 100 * rate["depositd", k] / rate["noop", k],
        p99["depositd", k], p99["noop", k] }' "$csv" | sort -n | tee "$RESULTS/ingest_summary.txt"

# The same at batch 1,000 with every batch built before the clock starts
# (--pregenerate): the client then costs almost nothing, so this no-op rate
# is the transport's, not the generator's.
pre="${BENCH_PRE_EVENTS:-2000000}"
if ((pre > 0)); then
  pre_args=(--mode ingest --shops "$shops" --concurrency "$streams"
    --in-flight "$in_flight" --batch 1000 --events "$pre" --pregenerate
    --csv "$RESULTS/ingest_pregenerated.csv")
  rm -f "$RESULTS/ingest_pregenerated.csv"
  loadgen "${pre_args[@]}" --target "$noop_addr" --label noop --run-id np
  start_depositd ingest-pre --sync="$sync"
  loadgen "${pre_args[@]}" --target "$SERVER_ADDR" --label depositd --run-id dp
  stop_server "$SERVER_PID"
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { r[$c["label"]] = $c["per_s"] }
    END { printf "pre-generated, batch 1000: depositd %.0f events/s, no-op %.0f events/s, ratio %.1f%%\n",
      r["depositd"], r["noop"], 100 * r["depositd"] / r["noop"] }' \
    "$RESULTS/ingest_pregenerated.csv" | tee -a "$RESULTS/ingest_summary.txt"
fi

# Latency at half of depositd's best rate (the design target's condition).
best_batch=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["label"] == "depositd" && $c["per_s"] > best { best = $c["per_s"]; bb = $c["batch"] }
  END { print bb }' "$csv")
best_rate=$(awk -F, -v bb="$best_batch" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["label"] == "depositd" && $c["batch"] == bb { print $c["per_s"] }' "$csv")
half=$(awk -v r="$best_rate" 'BEGIN { printf "%.0f", r / 2 }')
echo
echo "half rate: $half events/s (half of depositd's best, batch $best_batch)"
half_duration="${BENCH_HALF_DURATION:-30s}"
common=(--mode ingest --shops "$shops" --concurrency "$streams"
  --in-flight "$in_flight" --duration "$half_duration" --warmup 1s --csv "$csv")
# Each half-rate run also reports the VM's steal time over it: on a shared
# host the tail moves with the neighbours, and the no-op shows by how much.
steal0=$(steal_ticks)
loadgen "${common[@]}" --target "$noop_addr" --batch "$best_batch" \
  --rate "$half" --label noop-half --run-id nh \
  --latency-csv "$RESULTS/ingest_latency_noop.csv"
echo "noop-half: steal $(($(steal_ticks) - steal0)) ticks" | tee -a "$RESULTS/ingest.env"
start_depositd ingest-half --sync="$sync"
ticks0=$(cpu_ticks "$SERVER_PID")
steal0=$(steal_ticks)
loadgen "${common[@]}" --target "$SERVER_ADDR" --batch "$best_batch" \
  --rate "$half" --label depositd-half --run-id dh \
  --latency-csv "$RESULTS/ingest_latency_depositd.csv"
ticks=$(($(cpu_ticks "$SERVER_PID") - ticks0))
echo "depositd-half: steal $(($(steal_ticks) - steal0)) ticks" | tee -a "$RESULTS/ingest.env"
stop_server "$SERVER_PID"
stop_server "$noop_pid"

# The no-op again, burning depositd's CPU time per event (measured just
# above, warm-up included) on the thread that reads each batch: the ack
# latency of a server with depositd's cost and none of its structure (no
# shards, no group commit, no fsync).
applied=$(csv_field "$csv" applied)
work_ns=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$applied" \
  'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e9 / n; else print 0 }')
echo "depositd CPU at half rate: $work_ns ns per applied event"
start_noop noop-work --work-ns-per-event="$work_ns"
steal0=$(steal_ticks)
loadgen "${common[@]}" --target "$SERVER_ADDR" --batch "$best_batch" \
  --rate "$half" --label noop-work-half --run-id wh \
  --latency-csv "$RESULTS/ingest_latency_noop_work.csv"
echo "noop-work-half ($work_ns ns/event): steal $(($(steal_ticks) - steal0)) ticks" | tee -a "$RESULTS/ingest.env"
stop_server "$SERVER_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/ingest.env"

plot throughput_vs_batch.gp "$RESULTS/ingest_throughput.png" \
  -e "in='$csv'" -e "subtitle='$(cut -d' ' -f1 /proc/loadavg) load, $streams streams, $in_flight in flight, sync=$sync'"
plot latency_distribution.gp "$RESULTS/ingest_latency.png" \
  -e "a='$RESULTS/ingest_latency_depositd.csv'" -e "alabel='depositd (fsync)'" \
  -e "b='$RESULTS/ingest_latency_noop.csv'" -e "blabel='no-op'" \
  -e "c='$RESULTS/ingest_latency_noop_work.csv'" \
  -e "clabel='no-op burning depositd CPU per event'" \
  -e "title_text='Ingest ack latency per batch at $half events/s (batch $best_batch)'"
echo "wrote $csv, $RESULTS/ingest_throughput.png, $RESULTS/ingest_latency.png"
