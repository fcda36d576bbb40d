-- Valid contact-form submissions. Each visitor (the time the form was served) fetched
-- the page first, as a browser does; every POST then carries a fresh form key and
-- message, so each one is a new stored row, and the headers a browser sends with a form.
-- bench/run.py puts the line "local visitors = {...}" before this script.
local counter = 0

function setup(thread)
  thread:set("seed", math.random(1, 2^31 - 1))
end

function init(args)
  math.randomseed(seed + os.time())
end

local function form_key()
  local parts = {}
  for i = 1, 8 do parts[i] = string.format("%04x", math.random(0, 65535)) end
  return table.concat(parts)
end

function request()
  counter = counter + 1
  local visitor = visitors[counter % #visitors + 1]
  local body = "served=" .. visitor.served .. "&form_key=" .. form_key() ..
    "&attempted=&website=&email=bench%40example.se&message=Benchmark+message+number+" .. counter
  return wrk.format("POST", visitor.path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = visitor.origin,
    ["Sec-Fetch-Site"] = "same-origin",
  }, body)
end
