dist_scripts_DATA += \
	scripts/compare_inits.lua \
	scripts/compare_inits_cnn.lua \
	scripts/lsuv.lua

# The questions users bring, as experiments (issue 8): each prints a one-line finding
# and writes a report.
theoryscriptsdir = $(scriptsdir)/theory
dist_theoryscripts_DATA = \
	scripts/theory/symmetry.lua \
	scripts/theory/signal_propagation.lua \
	scripts/theory/saturation.lua \
	scripts/theory/variance_sweep.lua \
	scripts/theory/deep_convergence.lua \
	scripts/theory/edge_of_chaos.lua \
	scripts/theory/correlations.lua \
	scripts/theory/width.lua \
	scripts/theory/trainability.lua \
	scripts/theory/residual.lua \
	scripts/theory/normalization.lua \
	scripts/theory/isometry.lua \
	scripts/theory/deep_cnn.lua
