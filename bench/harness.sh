# What the interleaved benchmarks share (bench/ab, bench/ws and bench/h2 source it): the contender JVMs (started,
# awaited, stopped at the end), their CPU time, and the statistics of rounds (medians, medians of per-round
# ratios, and their intervals).
# Defines functions and variables only; harness_begin makes the run's directory and the trap that stops everything.

# a fixed heap and GC for every JVM, so that no contender wins by memory
JAVA_OPTS=(-Xms256m -Xmx256m -XX:+UseParallelGC)
PIDS=()

harness_cleanup() {
    [[ ${#PIDS[@]} -gt 0 ]] && kill "${PIDS[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}

# harness_begin: sets WORK, a temporary directory removed at exit, when every process in PIDS is stopped
harness_begin() {
    WORK="$(mktemp -d)"
    trap harness_cleanup EXIT
}

# start <log> <jar> <flags> <args...>: ContenderServer <args...> in its own JVM; sets PID
start() {
    local log="$1" jar="$2" flags="$3"
    shift 3
    local -a extra=()
    [[ -n "$flags" ]] && read -r -a extra <<< "$flags"
    java "${JAVA_OPTS[@]}" "${extra[@]}" -cp "$jar" io.breakwater.bench.ContenderServer "$@" > "$log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
}

# await_line <log> <pid> <pattern>: waits (60 s at most) for a line of the log matching the extended regular expression
await_line() {
    local log="$1" pid="$2" pattern="$3" deadline=$((SECONDS + 60))
    until grep -Eq "$pattern" "$log"; do
        if [[ $SECONDS -ge $deadline ]] || ! kill -0 "$pid" 2>/dev/null; then
            echo "did not start:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.2
    done
}

# wait_ready <log> <pid>: waits for ContenderServer's "ready <port>"; prints the port
wait_ready() {
    await_line "$1" "$2" '^ready '
    sed -n 's/^ready //p' "$1"
}

# cpu_ticks <pid>...: "user system" clock ticks of the processes so far, summed
cpu_ticks() {
    local pid
    for pid in "$@"; do cat "/proc/$pid/stat"; done | awk '{ user += $14; kernel += $15 } END { print user, kernel }'
}

# allocated <port>: the bytes the contender JVM has allocated so far (its AllocationMeter), or nothing
allocated() {
    local bytes=""
    { exec 3<>"/dev/tcp/127.0.0.1/$1" && read -r -t 5 bytes <&3; exec 3<&-; } 2>/dev/null || true
    if [[ "$bytes" =~ ^[0-9]+$ ]]; then echo "$bytes"; fi
}

TICK_NS=$((1000000000 / $(getconf CLK_TCK)))

# awk functions: median(values, n), and interval(values, n), the 2.5th and 97.5th percentiles of the median of n
# values resampled with replacement, 1,000 times: how far the median by round could move on another run of this
# host, given the spread of its rounds (call srand(1) first, so that a summary reads the same twice)
AWK_STATS='
function median(values, n,    sorted, i, j, t) {
    for (i = 1; i <= n; i++) sorted[i] = values[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) {
        t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t
    }
    return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
}
function interval(values, n,    resample, medians, b, i, j, t) {
    for (b = 1; b <= 1000; b++) {
        for (i = 1; i <= n; i++) resample[i] = values[int(rand() * n) + 1]
        medians[b] = median(resample, n)
    }
    for (i = 2; i <= 1000; i++) for (j = i; j > 1 && medians[j - 1] > medians[j]; j--) {
        t = medians[j]; medians[j] = medians[j - 1]; medians[j - 1] = t
    }
    return sprintf("%.3f–%.3f", medians[25], medians[975])
}
'

# paired_summary <rounds file>: a Markdown table of a file whose first line is "round label NAME..." and whose
# other lines are "ROUND LABEL VALUE...": per label, each column's median and the median over the rounds of (its
# value / the first label's in the same round), with that median's 95 % interval
paired_summary() {
    awk "$AWK_STATS"'
        NR == 1 { columns = NF - 2; for (c = 1; c <= columns; c++) name[c] = $(c + 2); next }
        NF == columns + 2 {
            if (!($2 in seen)) { seen[$2] = 1; order[++labels] = $2 }
            for (c = 1; c <= columns; c++) value[$1, $2, c] = $(c + 2)
            if ($1 > rounds) rounds = $1
        }
        END {
            srand(1)
            first = order[1]
            header = "| contender |"; line = "|---|"
            for (c = 1; c <= columns; c++) {
                header = header sprintf(" %s, median | ratio to %s, median by round | 95 %% interval |", name[c], first)
                line = line "---:|---:|---:|"
            }
            print header; print line
            for (k = 1; k <= labels; k++) {
                l = order[k]; row = "| " l " |"
                for (c = 1; c <= columns; c++) {
                    n = 0; paired = 0
                    for (r = 1; r <= rounds; r++) {
                        if (!((r, l, c) in value)) continue
                        values[++n] = value[r, l, c]
                        if (((r, first, c) in value) && value[r, first, c] > 0)
                            ratios[++paired] = value[r, l, c] / value[r, first, c]
                    }
                    row = row sprintf(" %.0f | %s | %s |", median(values, n),
                        paired ? sprintf("%.3fx", median(ratios, paired)) : "-",
                        (l == first || paired == 0) ? "-" : interval(ratios, paired))
                }
                print row
            }
        }' "$1"
}
