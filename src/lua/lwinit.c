/* src/lua/lwinit.c -- the `winit` Lua module: luaopen_winit makes the module table, sets
 * winit.version and opens each part (one file per concept, listed in lbinding.h) from the
 * table below, as Lua's own linit.c opens its standard libraries.  It owns no state: the
 * module-wide settings are lsettings.c's.
 *
 * Two error channels, as in Lua's own libraries: misuse (wrong types, unknown plugin
 * names, bad parameter values) raises an error located at the script line; expected
 * failures at run time are also raised, with the file and the reason, after anything
 * already computed has been saved. */
#include "config.h"

#include <lauxlib.h>
#include <lua.h>

#include <winit/winit.h>

#include "lua/lbinding.h"
#include "lua/lwinit.h"

/* The parts of the module.  Their order does not matter: each sets fields of the module
 * table that no other part sets and registers metatables of its own, and none reads
 * another part's fields or metatables while opening (what parts share at run time goes
 * through the functions of lbinding.h).  check_lua's parts_open_in_any_order opens them
 * in reverse and checks the module is the same. */
const struct winit_lua_part winit_lua_parts[] = {
	{ "settings", winit_lua_open_settings }, /* set_seed, set_jobs, cpu_count */
	{ "plugins", winit_lua_open_plugins },   /* plugins */
	{ "data", winit_lua_open_data },         /* datasets, load_idx, from_arrays, ... */
	{ "keras", winit_lua_open_keras },       /* initializers, activations */
	{ "layers", winit_lua_open_layers },     /* layers */
	{ "graph", winit_lua_open_graph },       /* Input, Model (the functional API) */
	{ "optimizers", winit_lua_open_optimizers },
	{ "model", winit_lua_open_model },       /* Sequential and the Model's methods */
	{ "callbacks", winit_lua_open_callbacks },
	{ "study", winit_lua_open_study },       /* Study */
	{ "results", winit_lua_open_results },   /* the Results' metatable */
	{ "init", winit_lua_open_init },         /* initializer */
	{ "args", winit_lua_open_args },         /* parse_args */
	{ "save", winit_lua_open_save },         /* models.load_model */
	{ "theory", winit_lua_open_theory },
	{ "plot", winit_lua_open_plot },
	{ "coord", winit_lua_open_coord },     /* coord_check */
	{ "stats", winit_lua_open_stats },     /* summary, paired, t_quantile */
	{ NULL, NULL }
};

int luaopen_winit(lua_State *L)
{
	/* A bad WINIT_KERNELS would silently fall back to auto: refuse it, as the CLI does. */
	struct winit_error kerr = { 0 };
	if (winit_kernels_env_check(&kerr) != WINIT_OK)
		return luaL_error(L, "%s", kerr.msg);
	lua_newtable(L);
	int module = lua_gettop(L);
	lua_pushstring(L, PACKAGE_VERSION);
	lua_setfield(L, module, "version");
	for (const struct winit_lua_part *p = winit_lua_parts; p->open; p++)
		p->open(L, module);
	return 1;
}
