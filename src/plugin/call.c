/* src/plugin/call.c -- calling plugins from the host: argument building (fans, gain,
 * parameters, host services, stream) and the checks on what an initializer wrote.  A
 * fill or adapt is a guarded call (crash.c): a stop request or the time limit ends it. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <winit/cancel.h>
#include <winit/plugin_call.h>
#include <winit/registry.h>

#include "plugin/plugin_internal.h"

float winit_fill_sentinel(void)
{
	uint32_t u = WINIT_FILL_SENTINEL_BITS;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

int winit_is_fill_sentinel(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u == WINIT_FILL_SENTINEL_BITS;
}

void winit_params_defaults(double out[WINIT_MAX_PARAMS], const struct winit_plugin_info *info)
{
	for (uint32_t k = 0; k < WINIT_MAX_PARAMS; k++)
		out[k] = info && k < info->n_params ? info->params[k].default_value : 0.0;
}

void winit_fill_args_init(struct winit_fill_args *args, const struct winit_initializer *init,
                          const int64_t *dims, uint32_t n_dims, double gain,
                          const double *params, struct winit_rng *rng)
{
	memset(args, 0, sizeof *args);
	args->struct_size = sizeof *args;
	args->n_dims = n_dims;
	args->dims = dims;
	args->n = 1;
	for (uint32_t i = 0; i < n_dims; i++)
		args->n *= dims[i];
	winit_compute_fans(dims, n_dims, &args->fan_in, &args->fan_out);
	args->gain = gain;
	args->params = params;
	args->host = winit_host_services();
	args->rng = rng;
	args->self = init ? &init->info : NULL;
}

/* A fill or adapt, as a guarded call (crash.c: the time limit and stop requests). */
struct guarded_fill {
	const struct winit_initializer *init;
	float *w;
	const struct winit_fill_args *args;
	const struct winit_probe *probe; /* adapt */
	char msg[256];
	int rc;
};

static void run_fill(void *p)
{
	struct guarded_fill *c = p;
	c->rc = c->init->fill(c->w, c->args, c->msg, sizeof c->msg);
}

static void run_adapt(void *p)
{
	struct guarded_fill *c = p;
	c->rc = c->init->adapt(c->w, c->args, c->probe, c->msg, sizeof c->msg);
}

/* A fill writes into a buffer of its own with guard zones around it, copied into the
 * parameters once the guards are found intact: a plugin writing before or after its
 * buffer is named here, instead of corrupting the heap and aborting later. */
#define FILL_GUARD 1024 /* floats on each side */

static uint32_t guard_bits(int64_t i)
{
	return 0x7fa0d000u | (uint32_t)(i & 0xfff); /* a NaN no arithmetic makes */
}

static void guard_set(float *g, int64_t n, int64_t from)
{
	for (int64_t i = 0; i < n; i++) {
		uint32_t b = guard_bits(from + i);
		memcpy(&g[i], &b, sizeof b);
	}
}

/* The first guard position written, -1 if none (positions count from the zone's start). */
static int64_t guard_hit(const float *g, int64_t n, int64_t from)
{
	for (int64_t i = 0; i < n; i++) {
		uint32_t b;
		memcpy(&b, &g[i], sizeof b);
		if (b != guard_bits(from + i))
			return i;
	}
	return -1;
}

static int check_guards(const float *buf, int64_t n, const struct winit_initializer *init,
                        const char *what, struct winit_error *err)
{
	int64_t before = guard_hit(buf, FILL_GUARD, 0); /* the farthest before the start */
	if (before >= 0)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: initializer '%s' wrote before the start of its buffer (at "
		                       "[%lld]); fill must write only its args->n values",
		                       what, init->info.name, (long long)(before - FILL_GUARD));
	int64_t after = guard_hit(buf + FILL_GUARD + n, FILL_GUARD, FILL_GUARD + n);
	if (after >= 0)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: initializer '%s' wrote past the end of its buffer (at "
		                       "[%lld] of %lld); fill must write only its args->n values",
		                       what, init->info.name, (long long)(n + after), (long long)n);
	return WINIT_OK;
}

int winit_initializer_fill(const struct winit_initializer *init, float *w, const int64_t *dims,
                           uint32_t n_dims, double gain, const double *params,
                           struct winit_rng *rng, const char *what, struct winit_error *err)
{
	struct winit_fill_args args;
	winit_fill_args_init(&args, init, dims, n_dims, gain, params, rng);
	float *buf = malloc(((size_t)args.n + 2 * FILL_GUARD) * sizeof *buf);
	if (!buf)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for initializer '%s'",
		                       what, init->info.name);
	guard_set(buf, FILL_GUARD, 0);
	guard_set(buf + FILL_GUARD + args.n, FILL_GUARD, FILL_GUARD + args.n);
	float *target = buf + FILL_GUARD;
	const float sentinel = winit_fill_sentinel();
	for (int64_t i = 0; i < args.n; i++)
		target[i] = sentinel;
	struct guarded_fill c = { .init = init, .w = target, .args = &args };
	int g = winit_plugin_call_guarded(init->info.name, "initializer fill", run_fill, &c, what,
	                                  err);
	if (!g)
		g = check_guards(buf, args.n, init, what, err);
	if (!g)
		memcpy(w, target, (size_t)args.n * sizeof *w);
	free(buf);
	if (g)
		return g;
	int rc = c.rc;
	char *msg = c.msg;
	if (rc != 0 && winit_cancelled()) /* e.g. a Lua fill stopped by its hook */
		return winit_error_set(err, WINIT_ERR_CANCELLED, "%s: initializer '%s' stopped: %s",
		                       what, init->info.name, msg[0] ? msg : "interrupted");
	if (rc != 0) {
		msg[sizeof c.msg - 1] = '\0';
		return winit_error_set(err, WINIT_ERR_PLUGIN, "%s: initializer '%s' failed: %s",
		                       what, init->info.name, msg[0] ? msg : "(no reason given)");
	}
	int64_t unwritten = 0, first_unwritten = -1;
	for (int64_t i = 0; i < args.n; i++) {
		if (winit_is_fill_sentinel(w[i])) {
			if (!unwritten++)
				first_unwritten = i;
		} else if (!isfinite(w[i]) && !unwritten) {
			return winit_error_set(err, WINIT_ERR_NUMERIC,
			                       "%s: initializer '%s' produced a non-finite value "
			                       "at index %lld",
			                       what, init->info.name, (long long)i);
		}
	}
	if (unwritten)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: initializer '%s' left %lld of %lld values unwritten "
		                       "(first at index %lld); fill must write all args->n values",
		                       what, init->info.name, (long long)unwritten,
		                       (long long)args.n, (long long)first_unwritten);
	return WINIT_OK;
}

double winit_initializer_stddev(const struct winit_initializer *init, const int64_t *dims,
                                uint32_t n_dims, double gain, const double *params)
{
	if (!init->stddev)
		return NAN;
	struct winit_fill_args args;
	winit_fill_args_init(&args, init, dims, n_dims, gain, params, NULL);
	struct winit_plugin_call saved = winit_plugin_call_enter(init->info.name, "initializer stddev");
	double sd = init->stddev(&args);
	winit_plugin_call_leave(saved);
	return sd;
}

const struct winit_initializer *winit_initializer_adapter(const struct winit_initializer *init)
{
	return init && WINIT_HAS_FIELD(init->info.struct_size, struct winit_initializer, adapt) &&
	                       init->adapt ?
	               init :
	               NULL;
}

int winit_initializer_adapt(const struct winit_initializer *init, float *w, const int64_t *dims,
                            uint32_t n_dims, double gain, const double *params,
                            struct winit_rng *rng, const struct winit_probe *probe,
                            const char *what, struct winit_error *err)
{
	if (!winit_initializer_adapter(init))
		return WINIT_OK;
	struct winit_fill_args args;
	winit_fill_args_init(&args, init, dims, n_dims, gain, params, rng);
	struct guarded_fill c = { .init = init, .w = w, .args = &args, .probe = probe };
	int g = winit_plugin_call_guarded(init->info.name, "initializer adapt", run_adapt, &c, what,
	                                  err);
	if (g)
		return g;
	int rc = c.rc;
	char *msg = c.msg;
	if (rc != 0) {
		msg[sizeof c.msg - 1] = '\0';
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: initializer '%s' could not adapt to the data: %s", what,
		                       init->info.name, msg[0] ? msg : "(no reason given)");
	}
	for (int64_t i = 0; i < args.n; i++)
		if (!isfinite(w[i]))
			return winit_error_set(err, WINIT_ERR_NUMERIC,
			                       "%s: initializer '%s' produced a non-finite value at "
			                       "index %lld while adapting",
			                       what, init->info.name,
			                       (long long)i);
	return WINIT_OK;
}

double winit_activation_gain(const struct winit_activation *act, const double *params)
{
	struct winit_plugin_call saved = winit_plugin_call_enter(act->info.name, "activation gain");
	double g = act->gain(params);
	winit_plugin_call_leave(saved);
	return g;
}

void winit_activation_forward(const struct winit_activation *act, float *y, const float *x,
                              int64_t rows, int64_t cols, const double *params)
{
	struct winit_plugin_call saved = winit_plugin_call_enter(act->info.name, "activation forward");
	act->forward(y, x, rows, cols, params);
	winit_plugin_call_leave(saved);
}

void winit_activation_backward(const struct winit_activation *act, float *dx, const float *dy,
                               const float *x, const float *y, int64_t rows, int64_t cols,
                               const double *params)
{
	struct winit_plugin_call saved = winit_plugin_call_enter(act->info.name, "activation backward");
	act->backward(dx, dy, x, y, rows, cols, params);
	winit_plugin_call_leave(saved);
}
