-- POST /api/v1/servers/{id}/reboot/ across a range of servers (each reboot ends long before its
-- server comes round again at the simulator's fastest time scale).
dofile(os.getenv("VPSD_BENCH") .. "/wrk/ids.lua")
local token = os.getenv("VPSD_TOKEN")
offset = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 4099)
end
request = function()
  return wrk.format("POST", "/api/v1/servers/" .. next_id(offset) .. "/reboot/",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, nil)
end
