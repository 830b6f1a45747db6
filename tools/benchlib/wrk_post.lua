-- wrk script for tools/bench: POST one JSON body over keep-alive, check every status and a
-- sample of bodies, and print one machine-readable summary line.
-- Arguments (after `--`): <request body> <expected body without whitespace> <check every Nth>
-- <"same" | "heads" | "aliases"> <run id>. With "heads" every request carries its own
-- X-Request-Id header, so no two request heads are alike (no server can reuse the parse of an
-- earlier one). With "aliases" the word ALIAS (schema_data.ALIAS_MARK) in the body becomes an
-- alias no request sent before, <run id>_<thread>_<n>, so no document cache can help; the
-- sampled answers must then equal the expected body with an alias of that form where ALIAS
-- stands (so the answer of `{ hello }` is wrong).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  wrk.method = "POST"
  wrk.body = args[1]
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  expected = args[2]
  every = tonumber(args[3])
  vary = args[4]
  responses, non200, checked, bad = 0, 0, 0, 0
  sent = 0
  if vary == "aliases" then
    local at = args[1]:find("ALIAS", 1, true)
    before = args[1]:sub(1, at - 1) .. args[5] .. "_" .. thread_number .. "_"
    after = args[1]:sub(at + 5)
    local escaped = expected:gsub("%p", "%%%0")
    pattern = "^" .. escaped:gsub("ALIAS", "%%d+_%%d+_%%d+") .. "$"
  end
end

-- Defined for every kind, so that wrk does the same work per request for every server.
function request()
  if vary == "heads" then
    sent = sent + 1
    wrk.headers["X-Request-Id"] = tostring(sent)
    return wrk.format()
  end
  if vary == "aliases" then
    sent = sent + 1
    return wrk.format(nil, nil, nil, before .. sent .. after)
  end
  if not fixed then
    fixed = wrk.format()
  end
  return fixed
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    non200 = non200 + 1
  end
  if responses % every == 1 then
    checked = checked + 1
    local stripped = body:gsub("%s", "")
    local right
    if pattern then
      right = stripped:find(pattern) ~= nil
    else
      right = stripped == expected
    end
    if not right then
      bad = bad + 1
    end
  end
end

function done(summary, latency, requests)
  local non200_total, checked_total, bad_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
    checked_total = checked_total + thread:get("checked")
    bad_total = bad_total + thread:get("bad")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"seconds":%f,"p50_ms":%f,"p99_ms":%f,"non_200":%d,' ..
    '"checked":%d,"bad_body":%d,"socket_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, non200_total, checked_total, bad_total,
    errors.connect + errors.read + errors.write, errors.timeout))
end
