-- wrk: print the latency percentiles and counts as one JSON line at the end of a run.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "requests": %d, "seconds": %.2f, "errors": %d, "non_2xx": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration / 1e6, errors, summary.errors.status))
end
