/* src/plugin/params.c -- validating named parameter values against a plugin's
 * declaration, and Keras's fan computation for the tensors initializers fill. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include <winit/registry.h>

#include "plugin/plugin_internal.h"

/* "a, b, c" into buf (always NUL-terminated). */
static void join_names(char *buf, size_t size, const char *const *names, size_t n,
                       size_t stride)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		const char *s = *(const char *const *)((const char *)names + i * stride);
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", s);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static void declared_names(char *buf, size_t size, const struct winit_plugin_info *info)
{
	if (info->n_params == 0) {
		snprintf(buf, size, "it takes no parameters");
		return;
	}
	char list[512];
	join_names(list, sizeof list, &info->params[0].name, info->n_params,
	           sizeof info->params[0]);
	snprintf(buf, size, "declared: %s", list);
}

/* "[0, inf)" style range. */
static void format_range(char *buf, size_t size, double lo, double hi)
{
	char a[48], b[48];
	if (isinf(lo))
		snprintf(a, sizeof a, "(-inf");
	else
		snprintf(a, sizeof a, "[%g", lo);
	if (isinf(hi))
		snprintf(b, sizeof b, "inf)");
	else
		snprintf(b, sizeof b, "%g]", hi);
	snprintf(buf, size, "%s, %s", a, b);
}

static int resolve_choice(double *out, const struct winit_plugin_info *info,
                          const struct winit_param_decl *d, const char *choice_name,
                          double value, struct winit_error *err)
{
	size_t n = winit_param_choice_count(d);
	char list[512];
	join_names(list, sizeof list, d->choices, n, sizeof d->choices[0]);
	if (choice_name) {
		for (size_t c = 0; c < n; c++) {
			if (strcmp(d->choices[c], choice_name) == 0) {
				*out = (double)c;
				return WINIT_OK;
			}
		}
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "plugin '%s': parameter '%s' = '%s' is not one of its "
		                       "choices (%s)",
		                       info->name, d->name, choice_name, list);
	}
	if (!(value >= 0) || value != floor(value) || value >= (double)n)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "plugin '%s': parameter '%s' = %g is not a choice index "
		                       "in [0, %zu]; give one of its choices by name (%s)",
		                       info->name, d->name, value, n - 1, list);
	*out = value;
	return WINIT_OK;
}

static int resolve_number(double *out, const struct winit_plugin_info *info,
                          const struct winit_param_decl *d, double value,
                          struct winit_error *err)
{
	char range[128];
	format_range(range, sizeof range, d->min_value, d->max_value);
	if (!isfinite(value))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "plugin '%s': parameter '%s' = %g is not a finite number; "
		                       "expected a number in %s",
		                       info->name, d->name, value, range);
	if (value < d->min_value || value > d->max_value)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "plugin '%s': parameter '%s' = %g out of range %s",
		                       info->name, d->name, value, range);
	if (d->type == WINIT_PARAM_INT && value != floor(value))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "plugin '%s': parameter '%s' = %g is not a whole number; "
		                       "it takes an integer in %s",
		                       info->name, d->name, value,
		                       range);
	*out = value;
	return WINIT_OK;
}

int winit_params_resolve(double out[WINIT_MAX_PARAMS], const struct winit_plugin_info *info,
                         size_t n, const char *const names[], const double values[],
                         const char *const choice_names[], struct winit_error *err)
{
	if (!info || info->n_params > WINIT_MAX_PARAMS || (info->n_params && !info->params))
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "parameters: invalid plugin descriptor");
	int seen[WINIT_MAX_PARAMS] = { 0 };
	double tmp[WINIT_MAX_PARAMS];
	for (size_t i = 0; i < WINIT_MAX_PARAMS; i++)
		tmp[i] = i < info->n_params ? info->params[i].default_value : 0.0;

	for (size_t i = 0; i < n; i++) {
		const char *name = names ? names[i] : NULL;
		uint32_t k = 0;
		while (name && k < info->n_params && strcmp(info->params[k].name, name) != 0)
			k++;
		if (!name || k == info->n_params) {
			char known[600];
			declared_names(known, sizeof known, info);
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "plugin '%s': unknown parameter '%s' (%s)",
			                       info->name, name ? name : "(null)", known);
		}
		if (seen[k])
			return winit_error_set(err, WINIT_ERR_ARG,
			                       "plugin '%s': parameter '%s' given twice",
			                       info->name, name);
		seen[k] = 1;
		const struct winit_param_decl *d = &info->params[k];
		const char *cname = choice_names ? choice_names[i] : NULL;
		double v = values ? values[i] : NAN;
		int rc;
		if (d->type == WINIT_PARAM_CHOICE) {
			rc = resolve_choice(&tmp[k], info, d, cname, v, err);
		} else if (cname) {
			char range[128];
			format_range(range, sizeof range, d->min_value, d->max_value);
			rc = winit_error_set(err, WINIT_ERR_ARG,
			                     "plugin '%s': parameter '%s' = '%s' is a name, "
			                     "expected a number in %s",
			                     info->name, d->name,
			                     cname, range);
		} else {
			rc = resolve_number(&tmp[k], info, d, v, err);
		}
		if (rc)
			return rc;
	}
	if (info->kind == WINIT_KIND_INITIALIZER) {
		const struct winit_initializer *init = (const struct winit_initializer *)info;
		char why[256] = "";
		if (WINIT_HAS_FIELD(info->struct_size, struct winit_initializer, check_params) &&
		    init->check_params &&
		    init->check_params(tmp, why, sizeof why) != 0)
			return winit_error_set(err, WINIT_ERR_ARG, "plugin '%s': %s", info->name,
			                       why[0] ? why : "parameter values rejected");
	}
	memcpy(out, tmp, sizeof tmp);
	return WINIT_OK;
}

void winit_compute_fans(const int64_t *dims, uint32_t n_dims, int64_t *fan_in,
                        int64_t *fan_out)
{
	if (n_dims == 0) {
		*fan_in = *fan_out = 1;
	} else if (n_dims == 1) {
		*fan_in = *fan_out = dims[0];
	} else {
		int64_t receptive = 1;
		for (uint32_t i = 0; i + 2 < n_dims; i++)
			receptive *= dims[i];
		*fan_in = dims[n_dims - 2] * receptive;
		*fan_out = dims[n_dims - 1] * receptive;
	}
}
