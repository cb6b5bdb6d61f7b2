-- POST /api/v1/servers/ with a new name each time (location "bench": large pools).
local token = os.getenv("VPSD_TOKEN")
local counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("prefix", string.format("w%d-%d", os.time() % 100000000, threads))
end
request = function()
  counter = counter + 1
  local body = string.format('{"name":"%s-%d","plan_id":1,"os_id":5,"location":"bench"}', prefix, counter)
  return wrk.format("POST", "/api/v1/servers/",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
