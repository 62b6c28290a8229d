/* src/plugin/conformance.c -- `winit check-plugin`: running a plugin object through the
 * contract of <winit/plugin.h> with the host's own streams, one line per check.
 *
 * Nothing a plugin returns stops the checks: a non-zero return, a NaN or a wrong value
 * becomes a FAIL line and the next check runs.  See <winit/conformance.h> for the list.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winit/conformance.h>
#include <winit/plugin_call.h>
#include <winit/registry.h>
#include <winit/rng.h>

#include "plugin/conformance_internal.h"
#include "plugin/plugin_internal.h"

/* ---- Reporting ---- */

static void vline(const struct checker *c, const char *tag, const char *fmt, va_list ap)
{
	if (!c->out)
		return;
	fprintf(c->out, "  %-4s %s: ", tag, c->label);
	vfprintf(c->out, fmt, ap);
	fputc('\n', c->out);
}

int conf_result(struct checker *c, int ok, const char *fmt, ...)
{
	c->n_checks++;
	c->d_checks++;
	if (!ok) {
		c->n_failed++;
		c->d_failed++;
	}
	if (!ok || c->verbose) {
		va_list ap;
		va_start(ap, fmt);
		vline(c, ok ? "ok" : "FAIL", fmt, ap);
		va_end(ap);
	}
	return ok;
}

void conf_note(const struct checker *c, const char *tag, int always, const char *fmt,
               ...)
{
	if (!always && !c->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vline(c, tag, fmt, ap);
	va_end(ap);
}


/* ---- Parameter settings ---- */

static void fmt_value(char *buf, size_t size, const struct winit_param_decl *d, double v)
{
	if (d->type == WINIT_PARAM_CHOICE)
		snprintf(buf, size, "%s", d->choices[(size_t)v]);
	else
		snprintf(buf, size, "%.6g", v);
}

/* Settings: defaults, then each REAL/INT parameter alone at its finite min and max, then
 * each non-default choice.  Returns the number written (at most `cap`). */
static size_t make_settings(struct setting *s, size_t cap,
                            const struct winit_plugin_info *info)
{
	size_t n = 0;
	double defaults[WINIT_MAX_PARAMS];
	winit_params_defaults(defaults, info);
	if (n < cap) {
		memcpy(s[n].params, defaults, sizeof defaults);
		snprintf(s[n].label, sizeof s[n].label, "%s", info->name);
		s[n].is_default = 1;
		n++;
	}
	for (uint32_t i = 0; i < info->n_params; i++) {
		const struct winit_param_decl *d = &info->params[i];
		double values[64 + 2];
		size_t nv = 0;
		if (d->type == WINIT_PARAM_CHOICE) {
			size_t nc = winit_param_choice_count(d);
			for (size_t k = 0; k < nc && nv < 64; k++)
				values[nv++] = (double)k;
		} else {
			values[nv++] = d->min_value;
			values[nv++] = d->max_value;
		}
		for (size_t k = 0; k < nv && n < cap; k++) {
			double v = values[k];
			if (!isfinite(v) || v == d->default_value)
				continue;
			if (k == 1 && d->type != WINIT_PARAM_CHOICE && v == values[0])
				continue;
			char shown[96];
			fmt_value(shown, sizeof shown, d, v);
			memcpy(s[n].params, defaults, sizeof defaults);
			s[n].params[i] = v;
			snprintf(s[n].label, sizeof s[n].label, "%s{%s=%s}", info->name, d->name,
			         shown);
			s[n].is_default = 0;
			n++;
		}
	}
	return n;
}

static void print_header(FILE *out, const struct winit_plugin_info *info)
{
	if (!out)
		return;
	fprintf(out, "%s %s: %s\n", winit_kind_name(info->kind), info->name, info->summary);
	if (info->formula)
		fprintf(out, "  formula: %s\n", info->formula);
	if (info->kind == WINIT_KIND_ACTIVATION) {
		const struct winit_activation *a = (const struct winit_activation *)info;
		fprintf(out, "  flags: %s%s\n", a->flags & WINIT_ACT_ROWWISE ? "rowwise" : "element-wise",
		        a->flags & WINIT_ACT_FROM_OUTPUT ? ", backward from the output" : "");
	}
	if (info->n_params == 0)
		fprintf(out, "  params: none\n");
	for (uint32_t i = 0; i < info->n_params; i++) {
		const struct winit_param_decl *d = &info->params[i];
		const char *doc = d->doc ? d->doc : "(undocumented)";
		if (d->type == WINIT_PARAM_CHOICE) {
			fprintf(out, "  param %s (choice: ", d->name);
			size_t nc = winit_param_choice_count(d);
			for (size_t k = 0; k < nc; k++)
				fprintf(out, "%s%s", k ? " | " : "", d->choices[k]);
			fprintf(out, ") = %s: %s\n", d->choices[(size_t)d->default_value], doc);
		} else {
			fprintf(out, "  param %s (%s) = %.6g in %c%.6g, %.6g%c: %s\n", d->name,
			        d->type == WINIT_PARAM_INT ? "int" : "real", d->default_value,
			        isfinite(d->min_value) ? '[' : '(', d->min_value, d->max_value,
			        isfinite(d->max_value) ? ']' : ')', doc);
		}
	}
}

/* ---- The object ---- */

/* A fill buffer with GUARD floats before and after it (do_fill sets them to the sentinel,
 * check_values looks at them). */
static float *guarded_alloc(void)
{
	_Static_assert(GRID_N + RANDOM_N <= MAX_FILL, "activation buffers fit a fill buffer");
	float *base = malloc((GUARD + MAX_FILL + GUARD) * sizeof(float));
	return base ? base + GUARD : NULL;
}

static void guarded_free(float *w)
{
	if (w)
		free(w - GUARD);
}

static int alloc_all(struct bufs *bf, struct act_data *ad)
{
	bf->a = guarded_alloc();
	bf->a2 = guarded_alloc();
	bf->b = guarded_alloc();
	bf->ta = guarded_alloc();
	bf->tb = guarded_alloc();
	bf->small = guarded_alloc();
	bf->settings = malloc(MAX_SETTINGS * sizeof *bf->settings);
	ad->n = GRID_N + RANDOM_N;
	ad->rows = ad->n / ACT_COLS;
	ad->x = guarded_alloc();
	ad->y = guarded_alloc();
	ad->dy = guarded_alloc();
	ad->dx = guarded_alloc();
	ad->tmp = guarded_alloc();
	return bf->a && bf->a2 && bf->b && bf->ta && bf->tb && bf->small && bf->settings &&
	                       ad->x && ad->y &&
	                       ad->dy && ad->dx && ad->tmp ?
	               0 :
	               -1;
}

static void free_all(struct bufs *bf, struct act_data *ad)
{
	guarded_free(bf->a);
	guarded_free(bf->a2);
	guarded_free(bf->b);
	guarded_free(bf->ta);
	guarded_free(bf->tb);
	guarded_free(bf->small);
	free(bf->settings);
	guarded_free(ad->x);
	guarded_free(ad->y);
	guarded_free(ad->dy);
	guarded_free(ad->dx);
	guarded_free(ad->tmp);
}

/* One setting of one descriptor: the unit a child process runs. */
struct unit {
	const struct winit_plugin_info *info;
	const struct setting *st;
	struct bufs *bf;
	struct act_data *ad;
};

static void run_unit(struct checker *c, void *ctx)
{
	const struct unit *u = ctx;
	if (u->info->kind == WINIT_KIND_INITIALIZER)
		conf_check_initializer(c, (const struct winit_initializer *)u->info, u->st, u->bf);
	else
		conf_check_activation(c, (const struct winit_activation *)u->info, u->st, u->ad);
}

static void check_entry(struct checker *c, const struct winit_plugin_entry *e,
                        struct bufs *bf, struct act_data *ad,
                        const struct winit_check_options *opt)
{
	const struct winit_plugin_info *info = e->info;
	struct setting *settings = bf->settings;

	print_header(c->out, info);
	c->d_checks = c->d_failed = 0;
	snprintf(c->label, sizeof c->label, "%s", info->name);
	conf_result(c, 1, "descriptor valid (ABI %u, struct_size %u, %u parameters)",
	            info->abi_version, info->struct_size, info->n_params);
	if (info->struct_size > winit_plugin_host_size(info->kind))
		conf_note(c, "info", 1, "struct_size %u is larger than this winit's %zu: fields of "
		                        "a later ABI release are ignored",
		          info->struct_size,
		          winit_plugin_host_size(info->kind));

	size_t n = make_settings(settings, MAX_SETTINGS, info);
	for (size_t i = 0; i < n; i++) {
		snprintf(c->label, sizeof c->label, "%s", settings[i].label);
		struct unit u = { info, &settings[i], bf, ad };
		if (opt->in_process)
			run_unit(c, &u);
		else
			conf_isolated(c, opt->timeout, "the checks", run_unit, &u);
	}
	if (c->out)
		fprintf(c->out, "  %s: %zu check%s, %zu failed\n", info->name, c->d_checks,
		        c->d_checks == 1 ? "" : "s", c->d_failed);
}

/* Load the object in a child first: a describe() or constructor that crashes or hangs
 * fails there, not in this process. */
static void load_unit(struct checker *c, void *ctx)
{
	(void)c;
	struct winit_registry *reg = winit_registry_new();
	if (reg) {
		winit_registry_load_file(reg, ctx, NULL); /* its verdict comes from the parent's load */
		winit_registry_free(reg);                 /* the child ends cleanly (valgrind checks it too) */
	}
}

int winit_plugin_check(const char *path, FILE *out, int verbose, size_t *n_failed,
                       struct winit_error *err)
{
	struct winit_check_options opt = { .verbose = verbose };
	return winit_plugin_check_with(path, out, &opt, n_failed, err);
}

int winit_plugin_check_with(const char *path, FILE *out, const struct winit_check_options *options,
                            size_t *n_failed, struct winit_error *err)
{
	struct winit_check_options opt = *options;
	if (!(opt.timeout > 0))
		opt.timeout = WINIT_CHECK_TIMEOUT_DEFAULT;
	struct checker c = { .out = out, .verbose = opt.verbose };
	struct bufs bf = { 0 };
	struct act_data ad = { 0 };
	struct winit_error lerr = { 0 };
	int rc = WINIT_OK;

	if (n_failed)
		*n_failed = 0;
	if (!path)
		return winit_error_set(err, WINIT_ERR_ARG, "check-plugin: no file given; "
		                                           "expected the path of a plugin shared object");
	struct winit_registry *reg = winit_registry_new();
	if (!reg || alloc_all(&bf, &ad)) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for the "
		                                           "conformance checks",
		                     path);
		goto out;
	}
	if (out)
		fprintf(out, "plugin %s\n", path);
	snprintf(c.label, sizeof c.label, "load");
	if (!opt.in_process &&
	    conf_isolated(&c, opt.timeout, "loading (dlopen, " WINIT_PLUGIN_ENTRY "())", load_unit, (void *)(uintptr_t)path) != 0) {
		rc = winit_error_set(err, WINIT_ERR_PLUGIN, "%s: the plugin crashed or hung while "
		                                            "loading",
		                     path);
	} else if (winit_registry_load_file(reg, path, &lerr) != WINIT_OK) {
		conf_result(&c, 0, "%s", lerr.msg);
		rc = winit_error_set(err, lerr.status ? lerr.status : WINIT_ERR_PLUGIN, "%s",
		                     lerr.msg);
	} else {
		for (size_t i = 0; i < winit_registry_count(reg); i++)
			check_entry(&c, winit_registry_entry(reg, i), &bf, &ad, &opt);
		if (c.n_failed)
			rc = winit_error_set(err, WINIT_ERR_PLUGIN,
			                     "%s: %zu of %zu conformance checks failed", path,
			                     c.n_failed, c.n_checks);
	}
	if (out)
		fprintf(out, "%zu check%s, %zu failed\n", c.n_checks, c.n_checks == 1 ? "" : "s",
		        c.n_failed);
	if (n_failed)
		*n_failed = c.n_failed;
out:
	free_all(&bf, &ad);
	winit_registry_free(reg);
	return rc;
}
