/* src/plugin/validate.c -- checking a plugin descriptor field by field, as the loader
 * does before it accepts anything from a shared object. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <winit/plugin_call.h>
#include <winit/registry.h>

#include "plugin/plugin_internal.h"

const char *winit_kind_name(uint32_t kind)
{
	switch (kind) {
	case WINIT_KIND_INITIALIZER: return "initializer";
	case WINIT_KIND_ACTIVATION: return "activation";
	default: return "unknown kind";
	}
}

int winit_plugin_name_ok(const char *name)
{
	if (!name || !*name)
		return 0;
	size_t len = 0;
	for (const char *p = name; *p; p++, len++) {
		if (len >= WINIT_PLUGIN_NAME_MAX)
			return 0;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	}
	return 1;
}

size_t winit_plugin_v1_size(uint32_t kind)
{
	switch (kind) {
	case WINIT_KIND_INITIALIZER: return WINIT_INITIALIZER_V1_SIZE;
	case WINIT_KIND_ACTIVATION: return WINIT_ACTIVATION_V1_SIZE;
	default: return 0;
	}
}

size_t winit_plugin_host_size(uint32_t kind)
{
	switch (kind) {
	case WINIT_KIND_INITIALIZER: return sizeof(struct winit_initializer);
	case WINIT_KIND_ACTIVATION: return sizeof(struct winit_activation);
	default: return 0;
	}
}

size_t winit_param_choice_count(const struct winit_param_decl *d)
{
	size_t n = 0;
	if (d->choices)
		while (n <= WINIT_PARAM_CHOICES_MAX && d->choices[n])
			n++;
	return n;
}

/* A printable rendering of a possibly hostile name for messages. */
static const char *shown(const char *s)
{
	return s ? s : "(null)";
}

static int bad(struct winit_error *err, const char *file, const char *name, const char *what,
               const char *hint)
{
	return winit_error_set(err, WINIT_ERR_PLUGIN, "%s: plugin '%s': %s; %s", file,
	                       shown(name), what, hint);
}

static int check_param(const struct winit_param_decl *d, uint32_t i,
                       const struct winit_plugin_info *info, const char *file,
                       struct winit_error *err)
{
	const char *fix = "fix the parameter declaration and rebuild the plugin";
	char what[512];

	if (!winit_plugin_name_ok(d->name)) {
		snprintf(what, sizeof what,
		         "parameter %u has name '%s', expected a non-empty [a-z0-9_]+ name of "
		         "at most %d characters",
		         i, shown(d->name), WINIT_PLUGIN_NAME_MAX);
		return bad(err, file, info->name, what, fix);
	}
	for (uint32_t j = 0; j < i; j++) {
		if (strcmp(info->params[j].name, d->name) == 0) {
			snprintf(what, sizeof what,
			         "parameter '%s' is declared twice (entries %u and %u)",
			         d->name, j, i);
			return bad(err, file, info->name, what, fix);
		}
	}
	switch (d->type) {
	case WINIT_PARAM_REAL:
	case WINIT_PARAM_INT:
		if (isnan(d->min_value) || isnan(d->max_value) || d->min_value > d->max_value) {
			snprintf(what, sizeof what,
			         "parameter '%s' has range [%g, %g], expected min <= max "
			         "(-HUGE_VAL / HUGE_VAL for no bound)",
			         d->name, d->min_value, d->max_value);
			return bad(err, file, info->name, what, fix);
		}
		if (!isfinite(d->default_value) || d->default_value < d->min_value ||
		    d->default_value > d->max_value) {
			snprintf(what, sizeof what,
			         "parameter '%s' has default %g, expected a finite value in "
			         "its range [%g, %g]",
			         d->name, d->default_value, d->min_value, d->max_value);
			return bad(err, file, info->name, what, fix);
		}
		if (d->type == WINIT_PARAM_INT && d->default_value != floor(d->default_value)) {
			snprintf(what, sizeof what,
			         "integer parameter '%s' has default %g, expected a whole number",
			         d->name, d->default_value);
			return bad(err, file, info->name, what, fix);
		}
		break;
	case WINIT_PARAM_CHOICE: {
		size_t n = winit_param_choice_count(d);
		if (n == 0 || n > WINIT_PARAM_CHOICES_MAX) {
			snprintf(what, sizeof what,
			         "choice parameter '%s' lists %s choices, expected a "
			         "NULL-terminated list of 1 to %d names",
			         d->name, n == 0 ? "no" : "too many", WINIT_PARAM_CHOICES_MAX);
			return bad(err, file, info->name, what, fix);
		}
		for (size_t c = 0; c < n; c++) {
			int dup = 0;
			for (size_t k = 0; k < c; k++)
				dup |= strcmp(d->choices[k], d->choices[c]) == 0;
			if (!winit_plugin_name_ok(d->choices[c]) || dup) {
				snprintf(what, sizeof what,
				         "choice %zu of parameter '%s' is '%s', expected a unique "
				         "[a-z0-9_]+ name",
				         c, d->name, d->choices[c]);
				return bad(err, file, info->name, what, fix);
			}
		}
		double idx = d->default_value;
		if (!(idx >= 0) || idx != floor(idx) || idx >= (double)n) {
			snprintf(what, sizeof what,
			         "choice parameter '%s' has default %g, expected the index of "
			         "one of its %zu choices (0 to %zu)",
			         d->name, idx, n, n - 1);
			return bad(err, file, info->name, what, fix);
		}
		break;
	}
	default:
		snprintf(what, sizeof what,
		         "parameter '%s' has type %u, expected 1 (real), 2 (int) or 3 (choice)",
		         d->name, d->type);
		return bad(err, file, info->name, what, fix);
	}
	return WINIT_OK;
}

int winit_plugin_validate(const struct winit_plugin_info *info, const char *file,
                          struct winit_error *err)
{
	const char *rebuild = "rebuild the plugin against this winit's headers";
	char what[512];

	if (!file)
		file = "(builtin)";
	if (!info)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: descriptor is NULL, expected a pointer to a struct "
		                       "winit_plugin_info",
		                       file);
	if (info->abi_version != WINIT_PLUGIN_ABI_VERSION)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: incompatible plugin ABI version (plugin: %u, winit: "
		                       "%u); %s",
		                       file, info->abi_version,
		                       WINIT_PLUGIN_ABI_VERSION, rebuild);
	size_t need = winit_plugin_v1_size(info->kind);
	if (need == 0)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: descriptor has kind %u, expected %d (initializer) or "
		                       "%d (activation); %s",
		                       file, info->kind,
		                       WINIT_KIND_INITIALIZER, WINIT_KIND_ACTIVATION, rebuild);
	if (info->struct_size < need)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: %s descriptor has struct_size %u, expected at least "
		                       "%zu (the size of struct winit_%s in ABI version %u's first "
		                       "release); set struct_size = sizeof(struct winit_%s) and %s",
		                       file, winit_kind_name(info->kind), info->struct_size, need,
		                       winit_kind_name(info->kind), WINIT_PLUGIN_ABI_VERSION,
		                       winit_kind_name(info->kind), rebuild);
	if (!winit_plugin_name_ok(info->name))
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: %s name is '%s', expected a non-empty [a-z0-9_]+ "
		                       "name of at most %d characters; rename it",
		                       file, winit_kind_name(info->kind), shown(info->name),
		                       WINIT_PLUGIN_NAME_MAX);
	if (!info->summary) {
		snprintf(what, sizeof what, "summary is NULL, expected a one-line description");
		return bad(err, file, info->name, what, "add a summary");
	}
	if (info->n_params > WINIT_MAX_PARAMS) {
		snprintf(what, sizeof what, "declares %u parameters, expected at most %d",
		         info->n_params, WINIT_MAX_PARAMS);
		return bad(err, file, info->name, what, "declare fewer parameters");
	}
	if (info->n_params > 0 && !info->params) {
		snprintf(what, sizeof what, "declares %u parameters but params is NULL",
		         info->n_params);
		return bad(err, file, info->name, what, "point params at the table");
	}
	for (uint32_t i = 0; i < info->n_params; i++) {
		int rc = check_param(&info->params[i], i, info, file, err);
		if (rc)
			return rc;
	}
	if (info->kind == WINIT_KIND_INITIALIZER) {
		const struct winit_initializer *p = (const struct winit_initializer *)info;
		if (!p->fill)
			return bad(err, file, info->name,
			           "initializer has no fill callback (NULL), expected a function",
			           "set .fill");
	} else {
		const struct winit_activation *p = (const struct winit_activation *)info;
		const char *missing = !p->gain ? "gain" : !p->forward ? "forward" :
		                                  !p->backward        ? "backward" :
		                                                        NULL;
		if (missing) {
			snprintf(what, sizeof what,
			         "activation has no %s callback (NULL), expected a function",
			         missing);
			return bad(err, file, info->name, what,
			           "set gain, forward and backward");
		}
		const uint32_t known = WINIT_ACT_ROWWISE | WINIT_ACT_FROM_OUTPUT;
		if (p->flags & ~known) {
			snprintf(what, sizeof what,
			         "activation flags are 0x%x, expected only known bits (0x%x)",
			         p->flags, (unsigned)known);
			return bad(err, file, info->name, what, rebuild);
		}
		/* The gain scales a weight's standard deviation: positive and finite, at the
		 * default parameters (called like any plugin call, so a crash names it). */
		double defaults[WINIT_MAX_PARAMS];
		for (uint32_t k = 0; k < WINIT_MAX_PARAMS; k++)
			defaults[k] = k < info->n_params ? info->params[k].default_value : 0.0;
		struct winit_plugin_call saved = winit_plugin_call_enter(info->name, "activation gain");
		double g = p->gain(defaults);
		winit_plugin_call_leave(saved);
		if (!(g > 0) || !isfinite(g)) {
			snprintf(what, sizeof what,
			         "gain() at the default parameters is %g, expected a positive finite "
			         "number (it scales the initial weights' standard deviation)",
			         g);
			return bad(err, file, info->name, what, "return the gain, e.g. 1 for a linear unit");
		}
	}
	return WINIT_OK;
}
