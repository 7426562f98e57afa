-- wrk's report for bench/run: one machine-readable line after the run.
-- Latencies are wrk's own (microseconds); errors are socket errors, timeouts and non-2xx/3xx answers.
done = function(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1000000
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_us=%d p99_us=%d errors=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50), latency:percentile(99), failed,
    e.connect, e.read, e.write, e.status, e.timeout))
end
