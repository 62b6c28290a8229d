-- correlations.lua -- how deep can two inputs stay apart?  The correlation map of
-- Poole et al. 2016 and the depth scales of Schoenholz et al. 2017, from theory alone.
--
-- For an element-wise activation (tanh unless --activation says otherwise), kernels
-- N(0, sigma_w^2 / fan_in) and biases N(0, sigma_b^2), over a grid of sigma_w^2:
--   q*, chi_1   the variance fixed point and the gradient's factor per layer there
--               (winit.theory.fixed_point)
--   c*          the stable fixed point of the correlation map c -> c' between two inputs:
--               1 in the ordered phase (all inputs end up alike), below 1 in the chaotic one
--   chi_c       the map's slope at c*; xi_c = -1 / ln chi_c the depth over which
--               correlations settle, xi_q the same for the variance
--               (winit.theory.correlation_fixed_point)
-- and the edge of chaos chi_1 = 1 (winit.theory.critical_sigma_w), where xi_c diverges.
-- Schoenholz et al. found networks trainable to about 6 xi_c layers.
--
--   winit run scripts/theory/correlations.lua [--activation tanh] [--sb2 0.05]
--       [--sw2-min 1] [--sw2-max 4] [--sw2-step 0.05] [--out results/theory/correlations.html]
--
-- Prints the table and a one-line finding with the peak of xi_c beside the edge of chaos;
-- writes an HTML page with xi_c and xi_q, c* and chi_c drawn against sigma_w^2.
local winit = require "winit"

local opts = winit.parse_args(arg, {
  activation = { "tanh", "an element-wise activation plugin" },
  sb2 = { 0.05, "sigma_b^2, the bias variance" },
  sw2_min = 1.0, sw2_max = 4.0, sw2_step = 0.05,
  out = "results/theory/correlations.html",
}, "Correlations between two inputs through depth: c*, chi_c and the depth scales xi_q, xi_c.")
assert(opts.sw2_min > 0 and opts.sw2_max >= opts.sw2_min and opts.sw2_step > 0, "bad --sw2-* range")
assert(opts.sb2 >= 0, "--sb2 must be >= 0")

local th = winit.theory
local act, sb = opts.activation, math.sqrt(opts.sb2)
local t0 = os.clock()

local s2s = {}
for k = 0, math.floor((opts.sw2_max - opts.sw2_min) / opts.sw2_step + 1e-9) do
  s2s[#s2s + 1] = math.floor((opts.sw2_min + k * opts.sw2_step) * 1e6 + 0.5) / 1e6
end

local rows, lines = {}, {}
local head = string.format("%9s %10s %9s %12s %9s %9s %10s", "sigma_w^2", "q*", "chi_1", "c*", "chi_c",
                           "xi_q", "xi_c")
lines[1] = head
print(string.format("%s, sigma_b^2 = %g: the correlation fixed point over sigma_w^2", act, opts.sb2))
print(head)
local best
for _, s2 in ipairs(s2s) do
  local f = th.correlation_fixed_point(act, math.sqrt(s2), sb)
  f.sw2 = s2
  rows[#rows + 1] = f
  local line = string.format("%9.3f %10.5f %9.5f %12.9f %9.6f %9.4f %10.2f", s2, f.q_star, f.chi_1,
                             f.c_star, f.chi_c, f.xi_q, f.xi_c)
  lines[#lines + 1] = line
  print(line)
  if f.xi_c < math.huge and (not best or f.xi_c > best.xi_c) then best = f end
end

-- The edge of chaos, where chi_1 = 1, and xi_c on either side of it.
local swc, why = th.critical_sigma_w(act, sb, math.sqrt(s2s[1]), math.sqrt(s2s[#s2s]))
local finding
if not swc then
  finding = string.format("%s, sigma_b^2 = %g: no edge of chaos for sigma_w^2 in [%g, %g] (%s); "
                          .. "xi_c is largest at sigma_w^2 = %.3f (%.1f layers)", act, opts.sb2,
                          s2s[1], s2s[#s2s], why, best.sw2, best.xi_c)
else
  local edge = th.correlation_fixed_point(act, swc, sb)
  local lo, hi = rows[1], rows[#rows]
  finding = string.format(
    "%s, sigma_b^2 = %g: xi_c peaks at sigma_w^2 = %.3f on the grid (%.1f layers), beside the edge "
      .. "of chaos at sigma_w^2 = %.4f (chi_1 = 1, chi_c = %.6f, xi_c = %.3g); ordered below "
      .. "(c* = %.0f, xi_c = %.2f at sigma_w^2 = %g), chaotic above (c* = %.3f, xi_c = %.2f at "
      .. "sigma_w^2 = %g): trainable to about 6 xi_c = %.0f layers at the peak, %.0f at sigma_w^2 = %g",
    act, opts.sb2, best.sw2, best.xi_c, swc * swc, edge.chi_c, edge.xi_c, lo.c_star, lo.xi_c, lo.sw2,
    hi.c_star, hi.xi_c, hi.sw2, 6 * best.xi_c, 6 * hi.xi_c, hi.sw2)
end

local xs, xic, xiq, cs, chic = {}, {}, {}, {}, {}
for i, f in ipairs(rows) do
  xs[i], xic[i], xiq[i], cs[i], chic[i] = f.sw2, f.xi_c, f.xi_q, f.c_star, f.chi_c
  if xic[i] == math.huge then xic[i] = 0 / 0 end
end
local markers = swc and { { x = swc * swc, label = "edge of chaos" } } or nil
local depth = winit.plot.xy {
  title = act .. ", sigma_b^2 = " .. opts.sb2 .. ": depth scales", xlabel = "sigma_w^2",
  ylabel = "layers", ylog = true, markers = markers,
  series = { { label = "xi_c (correlations)", x = xs, y = xic },
             { label = "xi_q (variance)", x = xs, y = xiq } },
}
local fixed = winit.plot.xy {
  title = act .. ", sigma_b^2 = " .. opts.sb2 .. ": fixed point", xlabel = "sigma_w^2", ylabel = "",
  markers = markers,
  series = { { label = "c*", x = xs, y = cs }, { label = "chi_c", x = xs, y = chic } },
}
local page = winit.plot.page(opts.out, {
  title = "Correlations through depth: " .. act,
  "Two inputs whose pre-activations have correlation c have c' one layer on; its stable fixed "
    .. "point c* is 1 in the ordered phase and below 1 in the chaotic one, and chi_c, the map's "
    .. "slope there, sets the depth xi_c = -1 / ln chi_c over which correlations settle "
    .. "(Schoenholz et al. 2017). Computed with winit.theory.correlation_fixed_point.",
  finding .. ".",
  { svg = depth }, { svg = fixed },
  { heading = "The numbers" }, { pre = table.concat(lines, "\n") },
})
print(string.format("finding: %s. (%.1f s CPU)", finding, os.clock() - t0))
print("report: " .. page)
