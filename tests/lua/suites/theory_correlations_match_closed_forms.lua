-- winit.theory.correlation_map and correlation_fixed_point against closed forms: ReLU's
-- arc-cosine kernel (Cho & Saul 2009), leaky ReLU's from it (a parameter passed through),
-- linear's c' = c, and the edge of chaos (chi_c = 1).  The plugins compute in float:
-- within 1e-6 (check_theory measures 2e-7); a kernel off by a factor of 2 fails.
local winit = require 'winit'
local th = winit.theory
local function near(what, got, want, tol)
  assert(math.abs(got - want) <= tol, string.format('%s: got %.10g, want %.10g', what, got, want))
end
local function K(q1, q2, c) -- E[relu(u1) relu(u2)]
  local t = math.acos(c)
  return math.sqrt(q1 * q2) / (2 * math.pi) * (math.sin(t) + (math.pi - t) * c)
end
local sw, sb, q1, q2 = 1.3, 0.2, 1.3, 0.7
for _, c in ipairs { -1, -0.6, 0, 0.3, 0.95, 1 } do
  local c1, q12, v1, v2 = th.correlation_map('relu', sw, sb, q1, q2, c)
  near('relu q1\'', v1, sw ^ 2 * q1 / 2 + sb ^ 2, 1e-6)
  near('relu q2\'', v2, sw ^ 2 * q2 / 2 + sb ^ 2, 1e-6)
  near('relu q12\' at c = ' .. c, q12, sw ^ 2 * K(q1, q2, c) + sb ^ 2, 1e-6)
  near('relu c\' at c = ' .. c, c1, q12 / math.sqrt(v1 * v2), 1e-12)
  -- leaky relu: f(u) = relu(u) - a relu(-u)
  local a = 0.2
  local _, lq12 = th.correlation_map({ 'leaky_relu', alpha = a }, sw, 0, q1, q2, c)
  near('leaky_relu q12\' at c = ' .. c, lq12,
       sw ^ 2 * ((1 + a * a) * K(q1, q2, c) - 2 * a * K(q1, q2, -c)), 1e-6)
  near('linear c\' at c = ' .. c, (th.correlation_map('linear', 0.7, 0, q1, q2, c)), c, 1e-6)
end
-- ReLU below sqrt 2: c* = 1, chi_c = chi_1 = sw^2 / 2; xi_q and xi_c from it.
local f = th.correlation_fixed_point('relu', 1.2, 0.2)
assert(f.c_star == 1, f.c_star)
near('relu chi_c', f.chi_c, 0.72, 1e-6)
near('relu xi_c', f.xi_c, -1 / math.log(0.72), 1e-5)
near('relu xi_q', f.xi_q, -1 / math.log(0.72), 1e-5)
near('relu q*', f.q_star, th.fixed_point('relu', 1.2, 0.2).q_star, 0)
-- tanh at the edge of chaos of critical_sigma_w (sigma_b^2 = 0.05): chi_c = 1, c* = 1.
local swc = th.critical_sigma_w('tanh', math.sqrt(0.05))
near('tanh critical sigma_w^2', swc ^ 2, 1.7609546396, 1e-5)
f = th.correlation_fixed_point('tanh', swc, math.sqrt(0.05))
near('tanh chi_c at the edge', f.chi_c, 1, 1e-6)
assert(f.c_star > 1 - 1e-4 and f.xi_c > 1e4, f.c_star .. ' ' .. f.xi_c)
-- beyond it, chaos: c* < 1 and chi_c < 1 < chi_1
f = th.correlation_fixed_point('tanh', math.sqrt(2.5), math.sqrt(0.05))
assert(f.c_star > 0 and f.c_star < 0.99 and f.chi_c < 1 and f.chi_1 > 1,
       string.format('c* %g chi_c %g chi_1 %g', f.c_star, f.chi_c, f.chi_1))
