# plugins: each file is one shared object that includes only <winit/plugin.h> (and the
# header-only <winit/plugin_util.h>), libc and libm -- no libwinit symbols.  Installed in
# $(winitplugindir).  Several objects hold more than one descriptor (a Keras initializer
# and its PyTorch twin, a family).
#
# A plugin is declared by two lines: the object (built from the .c of the same name) and
# its link flags ($(WINIT_PLUGIN_FLAGS), Makefile.am; automake wants -module named per
# object, it cannot default a library's flags apart from the programs').

# Initializers.  The study's set: zeros random_normal glorot_normal he_normal
# glorot_uniform (+ xavier_normal, xavier_uniform); then the rest of the catalogue:
# constant.so (ones, constant), variance_scaling.so (variance_scaling, he_uniform,
# lecun_normal, lecun_uniform), kaiming.so (kaiming_normal, kaiming_uniform,
# torch_linear_default).
winitplugin_LTLIBRARIES += plugins/initializers/zeros.la
plugins_initializers_zeros_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/random_normal.la
plugins_initializers_random_normal_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/glorot_normal.la
plugins_initializers_glorot_normal_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/glorot_uniform.la
plugins_initializers_glorot_uniform_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/he_normal.la
plugins_initializers_he_normal_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/constant.la
plugins_initializers_constant_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/random_uniform.la
plugins_initializers_random_uniform_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/truncated_normal.la
plugins_initializers_truncated_normal_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/variance_scaling.la
plugins_initializers_variance_scaling_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/kaiming.la
plugins_initializers_kaiming_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/orthogonal.la
plugins_initializers_orthogonal_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
# delta_orthogonal: a conv kernel, orthogonal.h's matrix at its centre.
winitplugin_LTLIBRARIES += plugins/initializers/delta_orthogonal.la
plugins_initializers_delta_orthogonal_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
# lsuv: data-aware (the adapt hook), starting from orthogonal.h's matrix.
noinst_HEADERS += plugins/initializers/orthogonal.h
winitplugin_LTLIBRARIES += plugins/initializers/lsuv.la
plugins_initializers_lsuv_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/initializers/identity.la
plugins_initializers_identity_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)

# Activations.  elu.so holds elu and selu, sigmoid.so sigmoid and hard_sigmoid,
# softplus.so softplus and softsign, swish.so swish and silu.
winitplugin_LTLIBRARIES += plugins/activations/relu.la
plugins_activations_relu_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/linear.la
plugins_activations_linear_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/softmax.la
plugins_activations_softmax_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/leaky_relu.la
plugins_activations_leaky_relu_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/elu.la
plugins_activations_elu_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/gelu.la
plugins_activations_gelu_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/sigmoid.la
plugins_activations_sigmoid_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/tanh.la
plugins_activations_tanh_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/softplus.la
plugins_activations_softplus_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/swish.la
plugins_activations_swish_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)
winitplugin_LTLIBRARIES += plugins/activations/mish.la
plugins_activations_mish_la_LDFLAGS = $(WINIT_PLUGIN_FLAGS)


# The example plugin and the script that uses it are documentation: installed (and
# distributed) under $(docdir)/examples, where docs/plugins.md points.
examplesdir = $(docdir)/examples
dist_examples_DATA = plugins/examples/example_plugin.c plugins/examples/example.lua \
	plugins/examples/study.c plugins/examples/study_grid.c
