-- The intake benchmarks' load, run by wrk (bench/load.py). Without arguments every request
-- is a plain GET of the URL. With `-- TOKEN RUN BODIES`, each is a POST of the next body in
-- the file BODIES (one JSON object a line, "%s" where its client_request_id goes), with the
-- id RUN-THREAD-N, so that every request is new and the benchmark knows which it sent.
-- done() writes the figures as JSON to the file named by WRK_OUT.

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sent, statuses = 0, {}
  if #args == 0 then
    return
  end
  run = args[2]
  headers = { ["Authorization"] = "Bearer " .. args[1], ["Content-Type"] = "application/json" }
  bodies = {}
  for line in io.lines(args[3]) do
    bodies[#bodies + 1] = line
  end
end

function request()
  sent = sent + 1
  if not bodies then
    return wrk.format("GET")
  end
  local id = string.format("%s-%d-%d", run, number, sent)
  return wrk.format("POST", nil, headers, string.format(bodies[(sent - 1) % #bodies + 1], id))
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_status, sent_by_thread = {}, {}
  for _, thread in ipairs(threads) do
    sent_by_thread[#sent_by_thread + 1] = tostring(thread:get("sent"))
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local statuses_json = {}
  for status, count in pairs(by_status) do
    statuses_json[#statuses_json + 1] = string.format('"%d": %d', status, count)
  end
  local e = summary.errors
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, "statuses": {%s}, "sent_by_thread": [%s], '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, table.concat(statuses_json, ", "),
    table.concat(sent_by_thread, ", "), latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max))
  out:close()
end
