-- edge_of_chaos.lua -- the phase diagram of signal propagation (Poole et al. 2016,
-- Schoenholz et al. 2017): where gradients vanish, where they explode, and the line
-- between, predicted by mean-field theory and measured on deep networks at initialization.
--
-- For each activation (tanh, and any element-wise activation plugin named in
-- --activations) and each point of a grid of weight and bias standard deviations
-- (kernels N(0, sigma_w^2 / fan_in), biases N(0, sigma_b^2)):
--   theory    the fixed point q* of q = sigma_w^2 E[f(z)^2] + sigma_b^2 (z ~ N(0, q)), and
--             chi_1 = sigma_w^2 E[f'(z)^2] at q* (winit.theory.fixed_point: the activation
--             plugin's own forward and backward).  chi_1 < 1: ordered (gradients vanish
--             towards the input), > 1: chaotic (they explode), = 1: the edge of chaos.
--             Over L layers at the fixed point the gradient norm changes by chi_1^((L-1)/2),
--             by a factor e every 2 / |ln chi_1| layers (twice the depth scale of its variance).
--   measured  the ratio of the gradient norms ||dL/dz|| of the first and the last hidden
--             layer of a --depth-layer MLP of --width units at initialization (no training:
--             fit with epochs = 0 records the diagnostics' step-0 snapshot on a probe batch of
--             --rows generated N(0, 1) inputs).  Beside it, the same ratio from winit's
--             layer-by-layer recursion (the run's `theory`), which follows the transient from
--             the input's variance to q*.
-- The critical line chi_1 = 1 (first crossing in sigma_w for each sigma_b,
-- winit.theory.critical_sigma_w) is drawn over a heat map of log10 of the measured ratio.
--
--   winit run scripts/theory/edge_of_chaos.lua [--activations tanh,relu] [--depth 50]
--       [--width 128] [--rows 128] [--sw-min 0.5] [--sw-max 4] [--sw-step 0.25]
--       [--sb-max 0.5] [--sb-step 0.1] [--seed 1] [--out results/theory/edge_of_chaos.json]
--
-- Prints, per activation, the measured and predicted log10 ratios as tables and a one-line
-- finding; writes the grid's numbers (JSON, format "winit-edge-of-chaos" version 1) and an
-- HTML page with the heat maps (the .json's name with .html).
local winit = require "winit"

local opts = winit.parse_args(arg, {
  seed = 1,
  activations = { { "tanh", "relu" }, "comma-separated activation plugins (element-wise)" },
  depth = { 50, "hidden layers" },
  width = { 128, "units per hidden layer (and input features)" },
  rows = { 128, "probe rows of generated N(0, 1) inputs" },
  sw_min = 0.5, sw_max = 4.0, sw_step = 0.25,
  sb_max = 0.5, sb_step = 0.1,
  out = "results/theory/edge_of_chaos.json",
}, "The order-to-chaos phase diagram: theory's chi_1 beside measured gradient-norm ratios.")
assert(opts.depth >= 2 and opts.depth <= 62, "--depth must be in 2..62")
assert(opts.sw_min > 0 and opts.sw_max >= opts.sw_min and opts.sw_step > 0, "bad --sw-* range")
assert(opts.sb_max >= 0 and opts.sb_step > 0, "bad --sb-* range")

local L = opts.depth
local function range(lo, hi, step)
  local v, k = {}, 0
  while lo + k * step <= hi + 1e-9 do
    v[#v + 1] = math.floor((lo + k * step) * 1e6 + 0.5) / 1e6
    k = k + 1
  end
  return v
end
local sws, sbs = range(opts.sw_min, opts.sw_max, opts.sw_step), range(0, opts.sb_max, opts.sb_step)
local acts = opts.activations

local data = winit.datasets.gaussian { n = opts.rows, features = opts.width, classes = 10,
                                       separation = 0, seed = opts.seed }

-- log10 of the first / last hidden layer's gradient norm at initialization: measured on the
-- probe batch, and from the layer-by-layer recursion.  nil where a value is not finite
-- (an exploding ReLU stack overflows float).
local function measure(act, sw, sb)
  local layers = { winit.layers.Flatten { input_shape = { opts.width } } }
  for _ = 1, L do
    layers[#layers + 1] = winit.layers.Dense {
      opts.width, activation = act,
      kernel_initializer = { "random_normal", stddev = sw / math.sqrt(opts.width) },
      bias_initializer = sb > 0 and { "random_normal", stddev = sb } or "zeros",
    }
  end
  layers[#layers + 1] = winit.layers.Dense { 10, activation = "softmax" }
  local model = winit.Sequential(layers)
  model:compile { optimizer = "sgd" }
  winit.set_seed(opts.seed)
  local ok, h = pcall(model.fit, model, data, { epochs = 0, batch_size = opts.rows, verbose = 0,
                                                 diagnostics = { early = false, epochs = false } })
  if not ok then
    -- A stack that overflows float diverges: no value.  Anything else (Ctrl-C) goes on up.
    if tostring(h):find("diverged", 1, true) then return nil, nil end
    error(h, 0)
  end
  if not h.diagnostics[1] then return nil, nil end
  local g = h.diagnostics[1].layers
  local function lr(a, b)
    if not (a and b and a > 0 and b > 0 and a < math.huge and b < math.huge) then return nil end
    return 0.5 * math.log(a / b, 10)
  end
  local meas = lr(g[1].grad_var, g[L].grad_var)
  local rec = h.theory.applies and lr(h.theory.grad_var[1], h.theory.grad_var[L]) or nil
  return meas, rec
end

local function fmt(v, w)
  if v == nil then return string.rep(" ", w - 1) .. "-" end
  return string.format("%" .. w .. ".1f", v)
end
local function median(t)
  if #t == 0 then return 0 / 0 end
  table.sort(t)
  return #t % 2 == 1 and t[(#t + 1) // 2] or 0.5 * (t[#t // 2] + t[#t // 2 + 1])
end

-- JSON (numbers, strings, lists, objects; nil and non-finite as null).
local function json(v, ind)
  ind = ind or ""
  local t = type(v)
  if v == nil or (t == "number" and (v ~= v or v == math.huge or v == -math.huge)) then
    return "null"
  elseif t == "number" then
    return math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "boolean" then
    return tostring(v)
  end
  local parts, inner = {}, ind .. "  "
  if v[1] ~= nil or next(v) == nil then
    for _, x in ipairs(v) do parts[#parts + 1] = json(x, inner) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  -- "format" and "version" first (every file winit writes starts with them), then sorted.
  local rank = { format = 1, version = 2 }
  table.sort(keys, function(x, y)
    local rx, ry = rank[x] or 3, rank[y] or 3
    if rx ~= ry then return rx < ry end
    return x < y
  end)
  for _, k in ipairs(keys) do parts[#parts + 1] = inner .. json(k) .. ": " .. json(v[k], inner) end
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. ind .. "}"
end

local out = { format = "winit-edge-of-chaos", version = 1, depth = L, width = opts.width,
              rows = opts.rows, seed = opts.seed, sigma_w = sws, sigma_b = sbs, activations = {} }
local page = { title = string.format("Edge of chaos: %d-layer networks of width %d at initialization",
                                     L, opts.width),
  string.format("Heat maps: log10 of the ratio of the gradient norms ||dL/dz|| of hidden layer 1 and "
    .. "hidden layer %d, measured on %d generated N(0, 1) rows at initialization (blue: vanishing "
    .. "towards the input, red: exploding). The black line is theory's edge of chaos, chi_1 = 1 at "
    .. "the fixed point q* (ordered phase to its left, chaotic to its right). Second map: the same "
    .. "ratio as theory predicts it at the fixed point, chi_1^((L-1)/2).", L, opts.rows) }
local findings = {}
local t0 = os.clock()
for _, act in ipairs(acts) do
  local A = { cells = {}, critical = {} }
  out.activations[act] = A
  local zm, zp = {}, {}
  local chis = {}
  local ordered, ord_ok, chaotic, ch_ok, agree, total = {}, 0, {}, 0, 0, 0
  for j, sb in ipairs(sbs) do
    zm[j], zp[j], chis[j] = {}, {}, {}
    for i, sw in ipairs(sws) do
      local fp = winit.theory.fixed_point(act, sw, sb)
      local meas, rec = measure(act, sw, sb)
      local pred = 0.5 * (L - 1) * math.log(fp.chi_1, 10)
      chis[j][i] = fp.chi_1
      zm[j][i], zp[j][i] = meas or 0 / 0, pred
      A.cells[#A.cells + 1] = { sigma_w = sw, sigma_b = sb, q_star = fp.q_star, chi_1 = fp.chi_1,
                                depth_scale = fp.depth_scale, log10_ratio_measured = meas,
                                log10_ratio_recursion = rec, log10_ratio_fixed_point = pred }
      if meas then
        if fp.chi_1 < 0.9 then
          ordered[#ordered + 1] = meas
          if meas < 0 then ord_ok = ord_ok + 1 end
        elseif fp.chi_1 > 1.1 then
          chaotic[#chaotic + 1] = meas
          if meas > 0 then ch_ok = ch_ok + 1 end
        end
        if math.abs(math.log(fp.chi_1)) > 0.02 then
          total = total + 1
          if (meas < 0) == (fp.chi_1 < 1) then agree = agree + 1 end
        end
      end
    end
  end
  -- The critical line: for each sigma_b the first sigma_w of the grid where chi_1 crosses 1,
  -- refined by bisection.
  local lx, ly = {}, {}
  for j, sb in ipairs(sbs) do
    local c = 0 / 0
    for i = 2, #sws do
      if chis[j][i - 1] < 1 and chis[j][i] >= 1 then
        c = winit.theory.critical_sigma_w(act, sb, sws[i - 1], sws[i]) or sws[i]
        break
      end
    end
    lx[j], ly[j] = c, sb
    A.critical[j] = { sigma_b = sb, sigma_w = c == c and c or nil }
  end
  local crit0 = winit.theory.critical_sigma_w(act, 0, 0.1, 10)

  print(string.format("%s: log10 ||dL/dz_1|| / ||dL/dz_%d|| at initialization, %d layers of %d, measured "
                      .. "(theory at the fixed point, chi_1^((L-1)/2)); rows sigma_b, columns sigma_w:",
                      act, L, L, opts.width))
  local head = "  sb\\sw"
  for _, sw in ipairs(sws) do head = head .. string.format("%6.2f", sw) end
  print(head)
  for j, sb in ipairs(sbs) do
    local m, p = string.format("  %5.2f ", sb), "        "
    for i = 1, #sws do
      m = m .. fmt(zm[j][i] == zm[j][i] and zm[j][i] or nil, 6)
      p = p .. string.format("(%4.1f)", zp[j][i])
    end
    print(m)
    print(p)
  end
  local crit_line = {}
  for j, sb in ipairs(sbs) do
    if lx[j] == lx[j] then crit_line[#crit_line + 1] = string.format("%.2f@%.2f", lx[j], sb) end
  end
  print("  edge of chaos, sigma_w@sigma_b: " .. table.concat(crit_line, " "))
  local no, nc = #ordered, #chaotic
  findings[#findings + 1] = string.format(
    "%s: edge of chaos at sigma_b = 0: sigma_w = %s (theory); deep in the ordered phase (chi_1 < 0.9) "
    .. "the measured gradient-norm ratio layer 1 / layer %d is < 1 in %d of %d cells (median 10^%.1f), deep "
    .. "in the chaotic phase (chi_1 > 1.1) > 1 in %d of %d cells (median 10^%.1f); its side of 1 agrees with "
    .. "chi_1's in %d of %d cells off the edge",
    act, crit0 and string.format("%.3f", crit0) or "none in [0.1, 10]", L, ord_ok, no, median(ordered),
    ch_ok, nc, median(chaotic), agree, total)
  local range_m = 0
  for j = 1, #sbs do
    for i = 1, #sws do
      if zm[j][i] == zm[j][i] then range_m = math.max(range_m, math.abs(zm[j][i])) end
    end
  end
  local line = { { x = lx, y = ly, label = "chi_1 = 1 (theory)" } }
  local common = { x = sws, y = sbs, xlabel = "sigma_w (kernel sd x sqrt(fan_in))",
                   ylabel = "sigma_b (bias sd)", zlabel = "log10 gradient-norm ratio, layer 1 / " .. L,
                   center = 0, range = math.min(math.max(range_m, 1), 12), lines = line }
  common.title, common.z = act .. ": measured", zm
  local svg_m = winit.plot.heatmap(common)
  common.title, common.z = act .. ": theory, chi_1^((L-1)/2)", zp
  local svg_p = winit.plot.heatmap(common)
  page[#page + 1] = { heading = act }
  page[#page + 1] = findings[#findings] .. "."
  page[#page + 1] = { svg = svg_m }
  page[#page + 1] = { svg = svg_p }
end

local f = assert(io.open(opts.out, "w"))
f:write(json(out), "\n")
f:close()
local html = winit.plot.page(opts.out:gsub("%.json$", "") .. ".html", page)
print(string.format("finding: %s. (%.0f s CPU)", table.concat(findings, "; "), os.clock() - t0))
print("results: " .. opts.out .. ", report: " .. html)
