-- PATCH /api/v1/servers/{id}/ across a range of servers, flipping backups_enabled.
dofile(os.getenv("VPSD_BENCH") .. "/wrk/ids.lua")
local token = os.getenv("VPSD_TOKEN")
offset = 0
local threads = 0
local flip = false
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 4099)
end
request = function()
  flip = not flip
  return wrk.format("PATCH", "/api/v1/servers/" .. next_id(offset) .. "/",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
    flip and '{"backups_enabled":true}' or '{"backups_enabled":false}')
end
