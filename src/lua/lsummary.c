/* src/lua/lsummary.c -- model:summary(), as Keras prints it: a Sequential model's table
 * (winit's columns, unchanged since the first release: layer, output shape, parameters,
 * activation and kernel initializer of Dense and Conv2D; the layer and shape columns
 * widened for a longer name or shape), and a functional model's as Keras 2's print_summary
 * prints a graph (keras/utils/layer_utils.py): columns `Layer (type)`, `Output Shape`,
 * `Param #`, `Connected to` at 32, 53, 65 and 98 characters, each field cut to its column,
 * the InputLayer first, one row per further input of a layer (trailing blanks left out).
 * Both end with Keras's total, "Total params: 34,826" (thousands separated). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* Each layer's output shape (a userdata on the stack, pushed). */
static struct winit_shape *push_shapes(lua_State *L, const struct lmodel *m)
{
	struct winit_shape *s = lua_newuserdatauv(L, (size_t)m->spec.n_layers * sizeof *s, 0);
	struct winit_error err = { 0 };
	if (winit_model_spec_shapes(&m->spec, s, &err))
		luaL_error(L, "summary: %s", err.msg);
	return s;
}

/* "Total params: 34,826" as Keras prints it ('{:,}'.format). */
static void print_total(const struct winit_model_spec *spec)
{
	char digits[32], out[48];
	int n = snprintf(digits, sizeof digits, "%lld", (long long)winit_model_spec_params(spec));
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	printf("Total params: %s\n", out);
}

static void sequential_summary(lua_State *L, const struct lmodel *m)
{
	const struct winit_shape *shapes = push_shapes(L, m);
	/* The layer column: 24 characters, wider when a name needs it
	 * ("max_pooling2d_1 (MaxPooling2D)") so the columns stay aligned. */
	int w = 24, sw = 14; /* and the shape column: 14, wider for "(None, 26, 26, 32)" */
	char lname[48], name[80], shape[96];
	for (int i = 0; i < m->spec.n_layers; i++) {
		int len = snprintf(name, sizeof name, "%s (%s)",
		                   winit_model_spec_layer_name(&m->spec, i, lname, sizeof lname),
		                   winit_layer_kind_name(m->spec.layers[i].kind));
		if (len > w)
			w = len;
		len = (int)strlen(winit_shape_format(&shapes[i], shape, sizeof shape));
		if (len > sw)
			sw = len;
	}
	printf("%-*s %-*s %10s  %-16s %s\n", w, "Layer", sw, "Output shape", "Param #", "Activation",
	       "Kernel initializer");
	if (m->has_flatten) {
		snprintf(name, sizeof name, "%s (Flatten)", m->lead_name[0] ? m->lead_name : "flatten");
		snprintf(shape, sizeof shape, "(None, %lld)", (long long)m->spec.n_inputs);
		printf("%-*s %-*s %10d\n", w, name, sw, shape, 0);
	}
	for (int i = 0; i < m->spec.n_layers; i++) {
		const struct winit_layer_spec *l = &m->spec.layers[i];
		int64_t p = winit_model_spec_layer_params(&m->spec, i);
		snprintf(name, sizeof name, "%s (%s)", winit_model_spec_layer_name(&m->spec, i, lname, sizeof lname),
		         winit_layer_kind_name(l->kind));
		winit_shape_format(&shapes[i], shape, sizeof shape);
		if (l->kind == WINIT_LAYER_DENSE || l->kind == WINIT_LAYER_CONV2D)
			printf("%-*s %-*s %10lld  %-16s %s\n", w, name, sw, shape, (long long)p,
			       l->activation.info->name, l->kernel_initializer.info->name);
		else
			printf("%-*s %-*s %10lld\n", w, name, sw, shape, (long long)p);
	}
	print_total(&m->spec);
}

#define LINE 98
static const int positions[4] = { 32, 53, 65, 98 };

/* Keras's print_row: each field after the first replaces the last character so far by a
 * blank, is appended, cut at its column's end and padded to it. */
static void print_row(const char *const fields[4])
{
	char line[LINE + 1];
	size_t len = 0;
	for (int i = 0; i < 4; i++) {
		if (i > 0 && len > 0)
			line[len - 1] = ' ';
		size_t end = (size_t)positions[i];
		for (const char *f = fields[i]; *f && len < end; f++)
			line[len++] = *f;
		while (len < end)
			line[len++] = ' ';
	}
	while (len > 0 && line[len - 1] == ' ')
		len--;
	line[len] = '\0';
	printf("%s\n", line);
}

static void rule(char c)
{
	char line[LINE + 1];
	memset(line, c, LINE);
	line[LINE] = '\0';
	printf("%s\n", line);
}

static void functional_summary(lua_State *L, const struct lmodel *m)
{
	const struct winit_shape *shapes = push_shapes(L, m);
	const char *head[4] = { "Layer (type)", "Output Shape", "Param #", "Connected to" };
	char name[96], shape[96], params[32], conn[96], lname[48], sname[48];
	rule('_');
	print_row(head);
	rule('=');
	const char *lead = m->lead_name[0] ? m->lead_name : "input_1";
	struct winit_shape in = winit_model_spec_input_shape(&m->spec);
	snprintf(name, sizeof name, "%s (InputLayer)", lead);
	const char *row[4] = { name, winit_shape_format(&in, shape, sizeof shape), "0", "" };
	print_row(row);
	for (int32_t i = 0; i < m->spec.n_layers; i++) {
		rule('_');
		const struct winit_layer_spec *l = &m->spec.layers[i];
		snprintf(name, sizeof name, "%s (%s)", winit_model_spec_layer_name(&m->spec, i, lname, sizeof lname),
		         winit_layer_kind_name(l->kind));
		snprintf(params, sizeof params, "%lld", (long long)winit_model_spec_layer_params(&m->spec, i));
		int32_t n = winit_model_spec_layer_inputs(&m->spec, i, NULL, 0);
		for (int32_t k = 0; k < n; k++) {
			int32_t src;
			if (l->n_in)
				src = m->spec.inputs[l->in_off + k];
			else
				src = i > 0 ? i - 1 : WINIT_MODEL_INPUT;
			snprintf(conn, sizeof conn, "%s[0][0]",
			         src == WINIT_MODEL_INPUT ? lead : winit_model_spec_layer_name(&m->spec, src, sname, sizeof sname));
			const char *first[4] = { name, winit_shape_format(&shapes[i], shape, sizeof shape), params, conn };
			const char *more[4] = { "", "", "", conn };
			print_row(k == 0 ? first : more);
		}
	}
	rule('=');
	print_total(&m->spec);
}

/* model:summary(): the table on stdout.  It takes no argument (Keras's line_length,
 * positions and print_fn are not supported): one is refused, not ignored. */
int winit_lua_model_summary(lua_State *L)
{
	struct lmodel *m = winit_lua_check_model(L, 1);
	for (int i = 2; i <= lua_gettop(L); i++)
		if (!lua_isnil(L, i))
			return luaL_argerror(L, i, lua_pushfstring(L, "summary takes no argument, got %s",
			                                           luaL_typename(L, i)));
	if (m->functional)
		functional_summary(L, m);
	else
		sequential_summary(L, m);
	return 0;
}
