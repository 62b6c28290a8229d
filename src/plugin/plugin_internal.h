/* src/plugin/plugin_internal.h -- helpers shared by the loader's files (not public). */
#ifndef WINIT_PLUGIN_INTERNAL_H
#define WINIT_PLUGIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <winit/plugin.h>

#include "core/internal.h"

/* 1 if name is a non-empty [a-z0-9_]+ string of acceptable length. */
WINIT_INTERNAL int winit_plugin_name_ok(const char *name);
/* The first-release (ABI v1) size of a kind's descriptor, the least the loader accepts;
 * 0 for an unknown kind. */
WINIT_INTERNAL size_t winit_plugin_v1_size(uint32_t kind);
/* sizeof the kind's descriptor in the header this winit was built with (>= the v1 size);
 * 0 for an unknown kind. */
WINIT_INTERNAL size_t winit_plugin_host_size(uint32_t kind);
/* What the host writes into a buffer before an initializer fills it: a quiet NaN with a
 * recognisable payload, so a value left unwritten is told from a NaN the plugin wrote. */
#define WINIT_FILL_SENTINEL_BITS 0x7fc5a5a5u
WINIT_INTERNAL float winit_fill_sentinel(void);
WINIT_INTERNAL int winit_is_fill_sentinel(float f);

/* Entries in a CHOICE parameter's NULL-terminated list (capped just past the limit). */
WINIT_INTERNAL size_t winit_param_choice_count(const struct winit_param_decl *d);

/* The time limit of plugin calls (crash.c): WINIT_PLUGIN_TIMEOUT in seconds (0: none;
 * unset or not a number >= 0: 60). */
WINIT_INTERNAL double winit_plugin_timeout(void);
struct winit_error;
/* Run fn(ctx) as the plugin call (plugin, callback), left with siglongjmp when a stop is
 * requested (WINIT_ERR_CANCELLED) or it runs past the time limit (WINIT_ERR_PLUGIN); err
 * names the plugin, the callback and `what`.  WINIT_OK when fn returned. */
WINIT_INTERNAL int winit_plugin_call_guarded(const char *plugin, const char *callback,
                                             void (*fn)(void *), void *ctx, const char *what,
                                             struct winit_error *err);
/* winit_plugin_call_cooperative and winit_plugin_call_overdue: winit/plugin_call.h. */

#endif
