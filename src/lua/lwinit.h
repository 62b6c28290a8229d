/* src/lua/lwinit.h -- the Lua binding's entry point. */
#ifndef WINIT_LWINIT_H
#define WINIT_LWINIT_H

#include <stddef.h>

#include <lua.h>

/* `require "winit"` from any Lua 5.4: the module table. */
int luaopen_winit(lua_State *L);

/* The number of concurrent runs Study:run uses when its `jobs` option is absent (0 = all
 * cores), as winit.set_jobs(jobs) does from a script; for the host program (the CLI's -j).
 * May be called before the module is opened. */
void winit_lua_set_default_jobs(lua_State *L, int jobs);

/* Run only shard `index` of `count` (0 <= index < count): Study:run executes the runs i
 * with i % count == index, and its results file holds only those (the CLI's --shard I/N,
 * for job arrays; `winit merge` joins the files).  May be called before the module is
 * opened. */
void winit_lua_set_shard(lua_State *L, int index, int count);

/* Whether study:run resumes from its results file when its `resume` option is absent
 * (the CLI's --resume): runs the file holds as finished, with the same description and
 * seed, are not trained again.  May be called before the module is opened. */
void winit_lua_set_default_resume(lua_State *L, int resume);

/* The `overwrite` default of every Lua writer (the CLI's --force): when set, a file that
 * is not of the kind being written is replaced too (winit/safe_write.h).  May be called
 * before the module is opened. */
void winit_lua_set_default_overwrite(lua_State *L, int overwrite);

/* How the studies run in L so far ended, for the host's exit status: returns how many of
 * their runs failed (winit_run_verdict: a diverged run is a failed one unless it was
 * expected to diverge; runs stopped by a signal or a stop request are not counted), sets
 * *n_runs (may be NULL) to the number of runs executed, and when any failed writes one
 * line to summary (size bytes, may be 0): "2 of 8 runs failed: a (reason), b (reason)".
 * The CLI exits 1 when it is non-zero. */
size_t winit_lua_failed_runs(lua_State *L, size_t *n_runs, char *summary, size_t size);

/* How many runs of those studies finished when expected to diverge, and when any, one
 * line to summary: "1 of 8 runs expected to diverge finished: a".  The CLI says it and
 * leaves the exit status as it is. */
size_t winit_lua_unmet_runs(lua_State *L, char *summary, size_t size);

/* Whether the error object at idx asks the host to end the script quietly (winit.parse_args
 * after printing --help): the exit status to use, else -1. */
int winit_lua_exit_request(lua_State *L, int idx);

#endif
