-- A page of 50 of a random account's servers per request, each with that account's token: lists as
-- many customers' tools poll them at once (1,000 accounts of the seeded fleet). VPSD_TOKENS names the
-- tokens file `vpsd seed-fleet` wrote (account, tab, token per line).
--   VPSD_TOKENS=bench/.work/tokens-pg.txt wrk -t2 -c64 -d10s -s bench/wrk/pages-many.lua http://127.0.0.1:18080
local tokens = {}

function init(args)
  for line in io.lines(os.getenv("VPSD_TOKENS")) do
    local token = line:match("^%S+%s+(%S+)")
    if token then
      tokens[#tokens + 1] = token
    end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
  local token = tokens[math.random(#tokens)]
  return wrk.format("GET", "/api/v1/servers/?page_size=50", { ["Authorization"] = "Bearer " .. token })
end
