/* src/lua/ldiag.c -- diagnostics and theory in Lua: the `diagnostics` fit option (false,
 * true or a cadence table) and the tables model:fit and results:runs() return. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua/lbinding.h"

/* diagnostics = true | false | {init = true, early = true, epochs = true} (missing keys
 * of a table are true). */
void winit_lua_read_cadence(lua_State *L, int t, struct winit_diag_cadence *c, const char *fn)
{
	static const char *const keys[] = { "init", "early", "epochs", NULL };
	int ty = lua_getfield(L, t, "diagnostics");
	int top = lua_gettop(L);
	if (ty == LUA_TBOOLEAN) {
		int on = lua_toboolean(L, -1);
		c->init = c->early = c->epochs = on;
	} else if (ty == LUA_TTABLE) {
		winit_lua_check_keys(L, top, keys, fn, 0);
		c->init = winit_lua_opt_bool(L, top, "init", 1, fn);
		c->early = winit_lua_opt_bool(L, top, "early", 1, fn);
		c->epochs = winit_lua_opt_bool(L, top, "epochs", 1, fn);
	} else if (ty != LUA_TNIL) {
		luaL_error(L, "%s: option 'diagnostics' must be true, false or a table like {early = false}, got %s",
		           fn, luaL_typename(L, -1));
	}
	lua_pop(L, 1);
}

/* t[key] = v, left out when v is NaN (not defined). */
static void set_num(lua_State *L, const char *key, double v)
{
	if (isnan(v))
		return;
	lua_pushnumber(L, v);
	lua_setfield(L, -2, key);
}

static void set_int(lua_State *L, const char *key, int64_t v)
{
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, key);
}

/* Integers as integers, numbers as numbers (left out when NaN where the row says so), a
 * choice or a string as its string. */
void winit_lua_set_fields(lua_State *L, const struct winit_field *table, const void *s)
{
	for (const struct winit_field *f = table; f->key; f++) {
		unsigned miss = WINIT_FIELD_MISS_NONPOS | WINIT_FIELD_MISS_NEG;
		if (!winit_field_present(f, s, 0) || (f->flags & WINIT_FIELD_NO_LUA) ||
		    ((f->flags & miss) && winit_field_missing(f, s)))
			continue;
		if (f->type == WINIT_FIELD_F64) {
			double v = winit_field_f64(f, s);
			if (isnan(v) && (f->flags & WINIT_FIELD_NAN_NIL))
				continue;
			lua_pushnumber(L, v);
		} else if (f->type == WINIT_FIELD_CHOICE || f->type == WINIT_FIELD_TEXT) {
			lua_pushstring(L, winit_field_text(f, s, 0));
		} else {
			lua_pushinteger(L, (lua_Integer)winit_field_int(f, s));
		}
		lua_setfield(L, -2, f->key);
	}
}

/* {range = {-h, h}, counts = {...}, underflow =, overflow =, declared_sd = (nil if none)} */
static void push_hist(lua_State *L, const struct winit_diag_hist *h)
{
	lua_createtable(L, 0, 5);
	lua_createtable(L, 2, 0);
	lua_pushnumber(L, -h->half_width);
	lua_rawseti(L, -2, 1);
	lua_pushnumber(L, h->half_width);
	lua_rawseti(L, -2, 2);
	lua_setfield(L, -2, "range");
	lua_createtable(L, WINIT_DIAG_HIST_BINS, 0);
	for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++) {
		lua_pushinteger(L, h->count[b]);
		lua_rawseti(L, -2, b + 1);
	}
	lua_setfield(L, -2, "counts");
	lua_pushinteger(L, h->underflow);
	lua_setfield(L, -2, "underflow");
	lua_pushinteger(L, h->overflow);
	lua_setfield(L, -2, "overflow");
	if (!isnan(h->declared_sd)) {
		lua_pushnumber(L, h->declared_sd);
		lua_setfield(L, -2, "declared_sd");
	}
}

/* {{step =, epoch =, probe_loss =, ... (winit_fields_snapshot), layers = {{pre_mean =, ...},
 * ...}}, ...} of snapshots [from, d->n); the snapshot at initialization's layers also hold
 * weights_hist. */
void winit_lua_push_diagnostics(lua_State *L, const struct winit_diagnostics *d, int from)
{
	lua_createtable(L, d->n - from > 0 ? d->n - from : 0, 0);
	for (int32_t i = from; i < d->n; i++) {
		const struct winit_diag_snapshot *s = &d->snaps[i];
		lua_createtable(L, 0, 8);
		winit_lua_set_fields(L, winit_fields_snapshot, s);
		lua_createtable(L, s->n_layers, 0);
		for (int32_t k = 0; k < s->n_layers; k++) {
			const struct winit_diag_layer *x = &s->layers[k];
			lua_createtable(L, 0, 13);
#define SET_f64(name) set_num(L, #name, x->name);
#define SET_i64(name) set_int(L, #name, x->name);
#define SET(name, type, range) SET_##type(name)
			WINIT_DIAG_LAYER_FIELDS(SET)
#undef SET
#undef SET_i64
#undef SET_f64
			if (s->hist) {
				push_hist(L, &s->hist[k]);
				lua_setfield(L, -2, "weights_hist");
			}
			lua_rawseti(L, -2, k + 1);
		}
		lua_setfield(L, -2, "layers");
		lua_rawseti(L, -2, i - from + 1);
	}
}

/* {applies = true, pre_var = {...}, grad_var = {...}} or {applies = false, reason = "..."} */
void winit_lua_push_theory(lua_State *L, const struct winit_theory *t)
{
	lua_createtable(L, 0, 3);
	lua_pushboolean(L, t->computed && t->applies);
	lua_setfield(L, -2, "applies");
	if (!t->computed || !t->applies) {
		lua_pushstring(L, t->computed ? t->reason :
		                                "no snapshot at initialization (diagnostics off)");
		lua_setfield(L, -2, "reason");
		return;
	}
	const double *v[2] = { t->pre_var, t->grad_var };
	const char *names[2] = { "pre_var", "grad_var" };
	for (int k = 0; k < 2; k++) {
		lua_createtable(L, t->n_layers, 0);
		for (int32_t i = 0; i < t->n_layers; i++) {
			lua_pushnumber(L, v[k][i]);
			lua_rawseti(L, -2, i + 1);
		}
		lua_setfield(L, -2, names[k]);
	}
}
