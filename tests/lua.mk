# tests: lua -- the winit Lua module (compiled in, as the CLI does).  luatest.h is the
# fixture both suites share.
check_PROGRAMS += tests/check_lua tests/check_keras
TESTS += tests/check_lua tests/check_keras
tests_check_lua_SOURCES = tests/check_lua.c tests/luatest.h $(WINIT_LUA_SOURCES)
tests_check_lua_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_lua_LDADD = $(WINIT_TEST_LIBS)
# Keras's names and forms in the Lua API (docs/keras.md).
tests_check_keras_SOURCES = tests/check_keras.c tests/luatest.h $(WINIT_LUA_SOURCES)
tests_check_keras_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_keras_LDADD = $(WINIT_TEST_LIBS)

# The suites' longer Lua scripts (luatest.h's RUN_FILE_OK), one file per test.
EXTRA_DIST += \
	tests/lua/suites/activation_stats_and_lsuv.lua \
	tests/lua/suites/batch_normalization_trains.lua \
	tests/lua/suites/batch_size_above_the_data_is_clamped.lua \
	tests/lua/suites/coord_check_in_lua.lua \
	tests/lua/suites/data_sources_and_class_counts.lua \
	tests/lua/suites/deep_models_train_and_reload.lua \
	tests/lua/suites/dense_multipliers.lua \
	tests/lua/suites/diagnostics_in_lua.lua \
	tests/lua/suites/diverged_runs_are_named.lua \
	tests/lua/suites/fit_repeats_a_study_run_exactly.lua \
	tests/lua/suites/functional_chain_matches_sequential.lua \
	tests/lua/suites/graph_weights_round_trip.lua \
	tests/lua/suites/grid_expands_factors_into_runs.lua \
	tests/lua/suites/jacobian_spectrum_in_lua.lua \
	tests/lua/suites/keras_cnn_tutorial_trains.lua \
	tests/lua/suites/keras_like_fit_evaluate_predict.lua \
	tests/lua/suites/keras_positional_forms_are_the_keyword_forms.lua \
	tests/lua/suites/lua_defined_initializer.lua \
	tests/lua/suites/lua_fill_errors_stay_inside_the_call.lua \
	tests/lua/suites/model.lua \
	tests/lua/suites/parametrization_in_compile.lua \
	tests/lua/suites/plot_xy_draws_predictions_dashed.lua \
	tests/lua/suites/plugins_are_listed_with_files.lua \
	tests/lua/suites/residual_and_branch_models_train.lua \
	tests/lua/suites/results_report_writes_the_page.lua \
	tests/lua/suites/rng_integer_is_uniform.lua \
	tests/lua/suites/same_seed_same_numbers.lua \
	tests/lua/suites/saved_models_of_every_kind_reload.lua \
	tests/lua/suites/shape_layers_change_no_number.lua \
	tests/lua/suites/study_design_pairs_replicates.lua \
	tests/lua/suites/study_runs_and_saves.lua \
	tests/lua/suites/study_runs_take_schedules_and_early_stopping.lua \
	tests/lua/suites/theory_correlations_match_closed_forms.lua

# The seed's script in Keras's spelling gives the same results file (docs/keras.md).
TESTS += tests/keras.sh
EXTRA_DIST += tests/keras.sh tests/lua/keras_spelling.lua
# Each value taken as the type it documents; refusals with the script line.
check_PROGRAMS += tests/check_lua_types
TESTS += tests/check_lua_types
tests_check_lua_types_SOURCES = tests/check_lua_types.c tests/luatest.h $(WINIT_LUA_SOURCES)
tests_check_lua_types_CFLAGS = $(WINIT_TEST_CFLAGS)
tests_check_lua_types_LDADD = $(WINIT_TEST_LIBS)
