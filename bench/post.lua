-- Valid contact-form submissions, each with the form key and time trap's stamp of a page served
-- a few seconds before (as many as a run can send, one per line of forms_file, made by bench/run.py
-- with the site's secret key), a new message and the headers a browser sends with a form.
-- bench/run.py puts the lines "local forms_file, threads, path, origin = ..." before this script.
local counter = 0
local thread_count = 0
local forms = {}

function setup(thread)
  thread:set("index", thread_count)  -- each thread sends its own share of the forms
  thread_count = thread_count + 1
end

function init(args)
  local n = 0
  for line in io.lines(forms_file) do
    if n % threads == index then
      local key, served = line:match("^(%S+) (%S+)$")
      forms[#forms + 1] = {key = key, served = served}
    end
    n = n + 1
  end
end

function request()
  counter = counter + 1
  local form = forms[(counter - 1) % #forms + 1]  -- past the end: resends, stored once
  local body = "served=" .. form.served .. "&form_key=" .. form.key ..
    "&attempted=&website=&email=bench%40example.se&message=Benchmark+message+number+" .. counter
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
    ["Sec-Fetch-Site"] = "same-origin",
  }, body)
end
