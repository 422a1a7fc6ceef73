-- wrk script: rotate over the requests in the file named by BENCH_REQUESTS, and print one
-- JSON line of figures at the end (wrk_done.lua).
--
-- Each line of the file is METHOD<TAB>PATH or METHOD<TAB>PATH<TAB>JSON-BODY. Threads take
-- disjoint lines (thread k: k, k + T, k + 2T …), so one-time requests such as ballots with
-- their own tokens are never sent twice unless the file runs out (then it wraps around).
-- Extra headers (the login cookie) come from wrk's own -H option.

local lines = {}
local path = os.getenv("BENCH_REQUESTS")
if path then
  for line in io.lines(path) do
    if line ~= "" then table.insert(lines, line) end
  end
end

local threads = {}
local thread_count = 0
setup = function(thread)
  thread:set("thread_no", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local counter = 0
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")

request = function()
  if #lines == 0 then
    return wrk.format("GET", wrk.path)
  end
  local index = (thread_no + counter * stride) % #lines + 1
  counter = counter + 1
  local method, target, body = lines[index]:match("^(%u+)\t([^\t]+)\t?(.*)$")
  if body ~= nil and body ~= "" then
    return wrk.format(method, target, {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format(method, target)
end

dofile(os.getenv("BENCH_DIR") .. "/wrk_done.lua")
