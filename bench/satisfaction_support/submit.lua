-- wrk script for bench/satisfaction_submit.py. Arguments: <tokens file> <wrk threads>.
-- Each wrk thread posts one completed questionnaire per token of its own share, so
-- every request is a first submission (1 in 5 a detractor, which opens a follow-up).
-- wrk script: each thread posts one completed questionnaire per token of its share.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  tokens = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id then table.insert(tokens, line) end
    i = i + 1
  end
  n = 0
end

function request()
  n = n + 1
  local token = tokens[((n - 1) % #tokens) + 1]
  local body
  if n % 5 == 0 then
    body = "q_nps=4&q_csat=2&q_driver=queue-time&action=submit"
  elseif n % 3 == 0 then
    body = "q_nps=9&q_csat=5&q_comment=Bench+comment&action=submit"
  else
    body = "q_nps=9&q_csat=5&action=submit"
  end
  return wrk.format("POST", "/satisfaction/s/" .. token .. "/",
    {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function done(summary, latency, requests)
  local sent, available = 0, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("n")
    available = available + #t:get("tokens")
  end
  io.write(string.format("WRK requests=%d tokens=%d errors=%d non2xx=%d duration_us=%d\n",
    summary.requests, available,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration))
  io.write(string.format("WRK p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f mean_ms=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
