-- POST /api/v1/servers/ for many customers at once: each request in turn takes the next token of
-- VPSD_TOKENS_FILE (one per line), so concurrent creates are of different accounts.
local tokens = {}
for line in io.lines(os.getenv("VPSD_TOKENS_FILE")) do
  if line ~= "" then tokens[#tokens + 1] = line end
end
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", string.format("m%d-%d", os.time() % 100000000, threads))
  thread:set("first", threads * 7)
end
request = function()
  counter = counter + 1
  local token = tokens[(first + counter) % #tokens + 1]
  local body = string.format('{"name":"%s-%d","plan_id":1,"os_id":5,"location":"bench"}', prefix, counter)
  return wrk.format("POST", "/api/v1/servers/",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
