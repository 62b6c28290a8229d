# src/plugin: the plugin loader (registry), descriptor validation, parameter values.
libwinit_core_la_SOURCES += \
	src/plugin/plugin_internal.h \
	src/plugin/call.c \
	src/plugin/conformance.c \
	src/plugin/conformance_act.c \
	src/plugin/conformance_child.c \
	src/plugin/conformance_init.c \
	src/plugin/conformance_internal.h \
	src/plugin/crash.c \
	src/plugin/host.c \
	src/plugin/params.c \
	src/plugin/registry.c \
	src/plugin/validate.c
