-- Shared by patch.lua and reboot.lua: the ids of the servers to cycle over, from VPSD_IDS="first-last".
local range = os.getenv("VPSD_IDS")
local first, last = range:match("(%d+)-(%d+)")
first, last = tonumber(first), tonumber(last)
local n = 0
function next_id(offset)
  n = n + 1
  return first + ((n * 7919 + offset) % (last - first + 1))
end
