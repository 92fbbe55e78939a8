-- wrk script: POST one raw row to the Serving sample's /score (the row of samples/Serving/README.md),
-- or STEM_BODY; counts answers whose status is not STEM_EXPECT (default 200) and prints the count.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("STEM_BODY") or '{"rows": [{"user_id": "712", "video_id": 5239, "tab": 1, "hourmin": 1300}]}'
local expected = tonumber(os.getenv("STEM_EXPECT") or "200")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("unexpected")
  end
  print("unexpected status: " .. n)
end
