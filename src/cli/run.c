/* src/cli/run.c -- `winit run`: run a Lua experiment script.  An error in the script is
 * one line, `script:line: message`, unless --traceback asks for Lua's stack traceback. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <winit/winit.h>

#include "cli/cli.h"
#include "lua/lwinit.h"

static const char run_usage[] =
	"Usage: winit run [OPTIONS] SCRIPT [SCRIPT-OPTIONS...]\n"
	"\n"
	"Run a Lua experiment script.  SCRIPT-OPTIONS reach it as the table `arg` (arg[0] is\n"
	"SCRIPT) and as the chunk's `...`; a script that reads them with winit.parse_args\n"
	"lists them with `winit run SCRIPT --help`.  A bare SCRIPT name that is not a file\n"
	"here is looked up among the installed scripts (" WINIT_SCRIPTS_DIR ").\n"
	"\n"
	"Options (before SCRIPT):\n"
	"  -j, --jobs N     use N threads (default 0: all cores): N trainings at once, or,\n"
	"                   with fewer runs left than N, each run split among N / runs\n"
	"                   threads where timing its first steps shows that pays; a\n"
	"                   script's own model:fit likewise.  Results are identical for\n"
	"                   any N.  Under mpirun: per rank (default: the node's cores\n"
	"                   shared among its ranks)\n"
	"      --shard I/N  run only the runs i of each study with i % N == I (0 <= I < N),\n"
	"                   for job arrays; the results file holds those runs, and\n"
	"                   `winit merge` joins the shards' files (docs/cluster.md)\n"
	"      --resume     keep the runs the results file holds as finished, with the same\n"
	"                   description and seed; run the failed, diverged, changed and\n"
	"                   missing ones (the study's `resume` default; docs/results-format.md);\n"
	"                   runs (coordinate checks, spectra) of the file the script no\n"
	"                   longer lists are kept\n"
	"      --prune      --resume, dropping what the script no longer lists\n"
	"      --force      let the script's writers (results files, saved models, reports,\n"
	"                   pages, CSV) replace an existing file that winit did not write\n"
	"                   as that kind: the `overwrite` default of every Lua writer.\n"
	"                   Without it such a file is refused and kept; a directory, device,\n"
	"                   FIFO or socket is refused always (winit(1), FILES WINIT WRITES)\n"
	"      --no-cache   load Fashion-MNIST from its gzip files, without the dataset\n"
	"                   cache (WINIT_NO_CACHE=1; see ENVIRONMENT in winit(1))\n"
	"      --plugin-timeout SECONDS\n"
	"                   a plugin initializer's fill (or adapt) that has not returned\n"
	"                   after SECONDS fails its run, naming the plugin (default 60,\n"
	"                   or WINIT_PLUGIN_TIMEOUT; 0: no limit); Ctrl-C ends it at once\n"
	"      --traceback  with an error, print Lua's stack traceback too (default: one\n"
	"                   line, script:line: message)\n"
	"      --rank-timeout S\n"
	"                   under mpirun: a rank that holds runs and has not been heard\n"
	"                   from for S seconds is lost (default 60; 0: never); rank 0\n"
	"                   names it and its runs and hands them to the other ranks;\n"
	"                   a rank left that long without rank 0's answer ends the job\n"
	"                   (docs/cluster.md)\n"
	"  -h, --help       show this help\n"
	"\n"
	"Exit status:\n"
	"  0    the script finished (or printed its --help) and every run of its studies\n"
	"       finished, or diverged where study:add said expect = \"diverged\" (a run so\n"
	"       marked that finished is named on stderr, \"winit: 1 of 8 runs expected to\n"
	"       diverge finished: r3\", and fails nothing)\n"
	"  1    an error in the script, its options, its data or its results file; or a run\n"
	"       that failed or diverged unexpectedly: one line on stderr names them, \"winit:\n"
	"       2 of 8 runs failed: r2 (reason), r4 (reason)\", after the script (which still\n"
	"       gets the results and prints its table)\n"
	"  2    bad usage of winit run (unknown option, bad -j, no SCRIPT)\n"
	"  3    under mpirun: a rank was lost (silent for --rank-timeout); the others\n"
	"       trained its runs and the script finished, then the job ends (MPI_Abort);\n"
	"       or rank 0 stopped answering (the results file keeps what it saved)\n"
	"  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM; finished runs are saved\n"
	"\n"
	"Under mpirun (winit configured --with-mpi) every rank runs SCRIPT and the ranks share\n"
	"each study's runs; rank 0 alone prints and saves (docs/cluster.md).\n";

/* Message handler of the script's protected call: the message alone, or with Lua's
 * traceback (upvalue 1 true); parse_args's exit request passes through untouched. */
static int msghandler(lua_State *L)
{
	if (winit_lua_exit_request(L, 1) >= 0)
		return 1;
	const char *msg = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
	if (msg == NULL) {
		/* error(t), error(42): Lua adds no position to a value that is not a string;
		 * give it the line of the Lua code that raised it. */
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else if (lua_type(L, 1) == LUA_TNUMBER) {
			lua_pushvalue(L, 1); /* a copy to convert: the error stays a number */
			msg = lua_tostring(L, -1);
		} else
			msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
		lua_Debug ar;
		for (int level = 1; lua_getstack(L, level, &ar); level++)
			if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
				msg = lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
				break;
			}
	}
	if (lua_toboolean(L, lua_upvalueindex(1)))
		luaL_traceback(L, L, msg, 1);
	return 1;
}

/* The status and message of a finished script: stderr gets one line per error. */
static int script_status(lua_State *L, int status)
{
	if (status == LUA_OK)
		return CLI_OK;
	int quit = winit_lua_exit_request(L, -1);
	if (quit >= 0)
		return quit;
	const char *msg = lua_tostring(L, -1);
	int sig = winit_cancelled();
	fflush(stdout);
	if (sig > 0) {
		/* Interrupted: one line, no traceback; the shell's convention for the status. */
		const char *at = msg ? strstr(msg, "interrupted") : NULL;
		if (!at)
			at = "interrupted";
		fprintf(stderr, "winit: %.*s\n", (int)strcspn(at, "\n"), at);
		return 128 + sig;
	}
	if (!msg) {
		fprintf(stderr, "winit: (error without a message)\n");
		return CLI_FAILED;
	}
	/* The message may quote a script's strings: no control character reaches the
	 * terminal raw. */
	size_t size = 4 * strlen(msg) + 1;
	char *shown = malloc(size);
	if (shown)
		fprintf(stderr, "%s\n", winit_text_escape(strcpy(shown, msg), size, 1));
	else
		fprintf(stderr, "%s\n", msg);
	free(shown);
	return CLI_FAILED;
}

/* The script finished, and its status is 1 only because runs failed: the same on every
 * rank, so MPI may end normally. */
static int only_runs_failed;

/* A time limit in seconds: a finite number >= 0, the whole string. */
static int plugin_timeout_ok(const char *v)
{
	char *end;
	double t = strtod(v, &end);
	return *v && !*end && t >= 0 && t < 1e9;
}

static int run_script(int argc, char **argv)
{
	enum { OPT_TRACEBACK = 256,
	       OPT_SHARD,
	       OPT_RESUME,
	       OPT_PRUNE,
	       OPT_NO_CACHE,
	       OPT_FORCE,
	       OPT_PLUGIN_TIMEOUT,
	       OPT_RANK_TIMEOUT };
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "prune", no_argument, NULL, OPT_PRUNE },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "plugin-timeout", required_argument, NULL, OPT_PLUGIN_TIMEOUT },
		{ "traceback", no_argument, NULL, OPT_TRACEBACK },
		{ "rank-timeout", required_argument, NULL, OPT_RANK_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int jobs = 0, resume = 0, force = 0, traceback = 0, shard_i = 0, shard_n = 0, c;
	double rank_timeout = WINIT_DIST_DEFAULT_TIMEOUT;
	/* '+': stop at SCRIPT; what follows is the script's. */
	while ((c = getopt_long(argc, argv, "+j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || j < 0 || j > 256) {
				fprintf(stderr, "winit run: -j expects a number of jobs in 0..256, got '%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			jobs = (int)j;
			break;
		}
		case OPT_SHARD: {
			int used = 0;
			if (sscanf(optarg, "%d/%d%n", &shard_i, &shard_n, &used) != 2 || optarg[used] ||
			    shard_n < 1 || shard_i < 0 || shard_i >= shard_n) {
				fprintf(stderr, "winit run: --shard expects I/N with 0 <= I < N, got '%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			break;
		}
		case OPT_TRACEBACK:
			traceback = 1;
			break;
		case OPT_RANK_TIMEOUT: {
			char *end;
			double t = strtod(optarg, &end);
			if (*optarg == '\0' || *end || !(t >= 0 && t <= 1e6)) {
				fprintf(stderr, "winit run: --rank-timeout expects seconds in 0..1000000, got "
				                "'%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			rank_timeout = t;
			break;
		}
		case OPT_RESUME:
			resume = resume ? resume : 1;
			break;
		case OPT_PRUNE:
			resume = 2;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_NO_CACHE:
			/* The library reads it at each load (winit/data.h); scripts see it too. */
			if (setenv("WINIT_NO_CACHE", "1", 1) != 0) {
				fprintf(stderr, "winit run: --no-cache: cannot set WINIT_NO_CACHE\n");
				return CLI_FAILED;
			}
			break;
		case OPT_PLUGIN_TIMEOUT:
			if (!plugin_timeout_ok(optarg)) {
				fprintf(stderr, "winit run: --plugin-timeout expects seconds >= 0 (0: no "
				                "limit), got '%s'\n",
				        optarg);
				return CLI_USAGE;
			}
			/* The library reads it at each plugin call (src/plugin/crash.c). */
			if (setenv("WINIT_PLUGIN_TIMEOUT", optarg, 1) != 0) {
				fprintf(stderr, "winit run: --plugin-timeout: cannot set WINIT_PLUGIN_TIMEOUT\n");
				return CLI_FAILED;
			}
			break;
		case 'h':
			fputs(run_usage, stdout);
			return CLI_OK;
		default:
			return cli_usage_error(argv[0]);
		}
	}
	const char *env_timeout = getenv("WINIT_PLUGIN_TIMEOUT");
	if (env_timeout && *env_timeout && !plugin_timeout_ok(env_timeout)) {
		fprintf(stderr, "winit run: WINIT_PLUGIN_TIMEOUT expects seconds >= 0 (0: no limit), "
		                "got '%s'\n",
		        env_timeout);
		return CLI_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "winit run: missing SCRIPT (see winit run --help)\n");
		return CLI_USAGE;
	}
	/* Under mpirun, rank 0 names a lost rank on stderr (winit/dist.h). */
	winit_dist_configure(rank_timeout, stderr);
	int first = optind; /* argv[first] is the script */
	const char *script = argv[first];
	/* A bare name that is not a file here: look among the installed scripts. */
	char installed[4096];
	if (!strchr(script, '/') && access(script, R_OK) != 0) {
		char moved[4096];
		snprintf(installed, sizeof installed, "%s/%s",
		         winit_relocated_dir(WINIT_SCRIPTS_DIR, moved, sizeof moved), script);
		if (access(installed, R_OK) == 0)
			script = installed;
	}
	lua_State *L = luaL_newstate();
	if (!L) {
		fprintf(stderr, "winit: cannot create a Lua state (out of memory)\n");
		return CLI_FAILED;
	}
	luaL_openlibs(L);
	/* package.preload.winit = luaopen_winit, so `require "winit"` finds this build's. */
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
	lua_pushcfunction(L, luaopen_winit);
	lua_setfield(L, -2, "winit");
	lua_pop(L, 1);
	if (jobs > 0)
		winit_lua_set_default_jobs(L, jobs);
	if (shard_n > 0)
		winit_lua_set_shard(L, shard_i, shard_n);
	winit_lua_set_default_resume(L, resume);
	winit_lua_set_default_overwrite(L, force);
	/* arg[0] = script, arg[1..] = its arguments, as lua.c does. */
	int nargs = argc - first - 1;
	lua_createtable(L, nargs, 1);
	for (int k = first; k < argc; k++) {
		lua_pushstring(L, argv[k]);
		lua_rawseti(L, -2, k - first);
	}
	lua_setglobal(L, "arg");
	int status = luaL_loadfile(L, script);
	if (status == LUA_OK) {
		int base = lua_gettop(L);
		lua_pushboolean(L, traceback);
		lua_pushcclosure(L, msghandler, 1);
		lua_insert(L, base);
		luaL_checkstack(L, nargs, "too many arguments");
		for (int k = first + 1; k < argc; k++)
			lua_pushstring(L, argv[k]);
		status = lua_pcall(L, nargs, 0, base);
		lua_remove(L, base);
	} else if (status == LUA_ERRFILE) {
		/* "cannot open x.lua: No such file ...": say who speaks. */
		lua_pushfstring(L, "winit run: %s", lua_tostring(L, -1));
		lua_remove(L, -2);
	}
	int rc = script_status(L, status);
	/* Runs that failed or diverged make the exit status 1, even when the script went on
	 * (to print the table); one line says which and why.  Not after a stop by a signal. */
	char summary[1024];
	/* A run expected to diverge that finished is said, and fails nothing. */
	if (winit_cancelled() <= 0 && winit_lua_unmet_runs(L, summary, sizeof summary) > 0) {
		fflush(stdout);
		if (winit_dist_rank() == 0)
			fprintf(stderr, "winit: %s\n", summary);
	}
	if (winit_cancelled() <= 0 && winit_lua_failed_runs(L, NULL, summary, sizeof summary) > 0) {
		fflush(stdout);
		if (winit_dist_rank() == 0) /* under mpirun, every rank holds the same results */
			fprintf(stderr, "winit: %s\n", summary);
		if (rc == CLI_OK) {
			rc = CLI_FAILED;
			only_runs_failed = 1;
		}
	}
	fflush(stdout);
	lua_close(L);
	return rc;
}

/* Under mpirun (an MPI build) every rank runs the script and rank 0 alone prints; a rank
 * that fails takes the job down (MPI_Abort) rather than leave the others waiting.
 * Without MPI, or outside a launcher, this is run_script alone. */
int cli_run(int argc, char **argv)
{
	struct winit_error err = { 0 };
	if (winit_dist_init(NULL, NULL, &err)) {
		fprintf(stderr, "winit run: %s\n", err.msg);
		return CLI_FAILED;
	}
	if (winit_dist_rank() > 0 && !freopen("/dev/null", "w", stdout)) {
		fprintf(stderr, "winit run: rank %d: cannot silence stdout\n", winit_dist_rank());
		winit_dist_finalize(CLI_FAILED);
		return CLI_FAILED;
	}
	int rc = run_script(argc, argv);
	size_t got;
	double busy, max;
	winit_dist_stats(&got, &busy, &max);
	if (getenv("WINIT_DIST_STATS") && got > 0)
		fprintf(stderr, "winit: dispatcher: %zu results from other ranks, %.3f ms each (max %.3f ms)\n",
		        got, 1e3 * busy / (double)got, 1e3 * max);
	/* Every rank has reached the end (or is counted lost after --rank-timeout). */
	if (rc == CLI_OK || only_runs_failed)
		winit_dist_settle();
	/* A lost rank (winit/dist.h): the job cannot end normally, whatever the script did. */
	int lost = winit_dist_lost();
	if (lost && rc < 128)
		rc = CLI_RANK_LOST;
	if (lost && winit_dist_rank() == 0) {
		fflush(stdout);
		fprintf(stderr, "winit: %d %s lost under mpirun (named above); ending the job with "
		                "status %d\n",
		        lost, lost == 1 ? "rank was" : "ranks were", rc);
	}
	winit_dist_finalize(lost ? rc : rc != CLI_OK && !only_runs_failed);
	return rc;
}
