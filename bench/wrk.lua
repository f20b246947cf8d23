-- wrk script for the OpenTIM benchmarks.
--
-- wrk -t T -c C -d D -s bench/wrk.lua URL -- REQUESTS_FILE UNIQUE_BASE
--
-- REQUESTS_FILE has one request per line: "path<TAB>body[<TAB>body_tail]". With a tail, a
-- number unique to this run is put between body and body_tail (the Random/MsgRandom of a send,
-- so that no request is a de-duplicated repeat). Requests are sent round-robin, each thread
-- starting at its own offset (at most 16 threads; the unique number is base + 16 * n + thread). A response counts as an error unless it is HTTP 200 with
-- "ErrorCode":0 in the body. done() prints one JSON line with the results.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local items = {}
local count = 0
local counter = 0
local base = 0
local errors = 0
local first_error = ""

local function split(line)
   local fields = {}
   for field in string.gmatch(line .. "\t", "([^\t]*)\t") do
      table.insert(fields, field)
   end
   return fields
end

function init(args)
   local headers = { ["Content-Type"] = "application/json" }
   for line in io.lines(args[1]) do
      local f = split(line)
      if #f >= 2 then
         table.insert(items, { path = f[1], body = f[2], tail = f[3], headers = headers })
      end
   end
   count = #items
   base = tonumber(args[2] or "0")
   counter = 0
end

function request()
   counter = counter + 1
   local item = items[((counter + tid * 7919) % count) + 1]
   local body = item.body
   if item.tail ~= nil and item.tail ~= "" then
      body = body .. string.format("%d", base + counter * 16 + (tid or 0)) .. item.tail
   end
   return wrk.format("POST", item.path, item.headers, body)
end

function response(status, headers, body)
   if status ~= 200 or not string.find(body, '"ErrorCode":0', 1, true) then
      errors = errors + 1
      if first_error == "" then
         first_error = string.sub(tostring(status) .. " " .. (body or ""), 1, 300)
      end
   end
end

local function quote(text)
   return '"' .. string.gsub(text, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end) .. '"'
end

function done(summary, latency, requests)
   local bad, first = 0, ""
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("errors") or 0)
      local text = thread:get("first_error") or ""
      if first == "" then first = text end
   end
   local seconds = summary.duration / 1e6
   local socket = summary.errors
   io.write(string.format(
      '{"requests":%d,"seconds":%.6f,"rps":%.2f,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
         .. '"max_us":%d,"errors":%d,"socket_errors":%d,"first_error":%s}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50.0), latency:percentile(90.0), latency:percentile(99.0),
      latency.max, bad, socket.connect + socket.read + socket.write + socket.timeout
         + socket.status, quote(first)))
end
