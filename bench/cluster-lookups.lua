-- wrk script: GET /api/mailboxes/user.load<random>?details=false, a lookup in the node's own replica of the
-- location cache (entries made by bench/mupdate-load.py), as the admin of the dev realm.
--   wrk -t2 -c16 -d20s -s bench/cluster-lookups.lua http://127.0.0.1:8780 -- 1000000
local n = 1000000
function init(args)
    if args[1] then n = tonumber(args[1]) end
end
function request()
    return wrk.format("GET", "/api/mailboxes/user.load" .. math.random(0, n - 1) .. "?details=false",
        {["Authorization"] = "Basic YWRtaW46YWRtaW4="})
end
