-- wrk script: each wrk thread is one signed-in annotator with one connection, alternating
-- POST /app/api/claim (the next pair, leased to them) and POST /app/api/answer (a verdict on
-- it), as the annotation page does. Sessions come from the file in SYNPREF_WRK_SESSIONS,
-- one "cookie csrf" line per annotator (written by setup.py).
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("SYNPREF_WRK_SESSIONS")) do
    n = n + 1
    if n == id then
      cookie, csrf = line:match("^(%S+) (%S+)$")
    end
  end
  project = os.getenv("SYNPREF_WRK_PROJECT") or "bench"
  state = "claim"
  task = nil
  answered = 0
  empty = 0
end

local function post(path, body)
  return wrk.format("POST", path, {
    ["Cookie"] = "synpref_session=" .. cookie,
    ["X-CSRF-Token"] = csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function request()
  if state == "answer" then
    return post("/app/api/answer", "project=" .. project .. "&task=" .. task .. "&verdict=a&ms=1000")
  end
  return post("/app/api/claim", "project=" .. project)
end

function response(status, headers, body)
  if state == "claim" then
    local t = body:match('"task":(%d+)')
    if t then
      task = t
      state = "answer"
    else
      empty = empty + 1
    end
  else
    if status == 200 then answered = answered + 1 end
    state = "claim"
  end
end

function done(summary, latency, requests)
  io.write(string.format("wrk: %d requests in %.1f s, %d non-2xx, %d socket errors\n", summary.requests,
    summary.duration / 1e6, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({ 50, 90, 99 }) do
    io.write(string.format("latency p%d: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
