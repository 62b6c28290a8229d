/* src/cli/main.c -- the `winit` command: run experiment scripts, list and describe
 * plugins.  The only place in winit that exits. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <winit/winit.h>

#include "cli/commands.h"
#include "lua/lwinit.h"

static const char usage[] =
	"Usage: winit COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Study how weight initialization shapes neural-network training.\n"
	"\n"
	"Commands:\n"
	"  run [-j N] [--shard I/N] SCRIPT [ARGS...]\n"
	"                               run a Lua experiment script; ARGS reach it as `arg`\n"
	"                               -j N: run N trainings at once (default: all cores);\n"
	"                               results are identical for any N\n"
	"                               --shard I/N: run only the study's runs i with\n"
	"                               i % N == I (job arrays; join files with merge);\n"
	"                               under mpirun (MPI builds) the ranks share the runs\n"
	"  merge OUT.json IN.json...    join results files of one study (shards, partial\n"
	"                               runs) into the file one process would have written;\n"
	"                               refuses other studies, seeds, format versions, and\n"
	"                               a run present twice with different results\n"
	"  list                         list the plugins found, with kind, summary and file\n"
	"  info NAME [--shape RxC] [--activation ACT]\n"
	"                               show a plugin's parameters, defaults, formula and gain;\n"
	"                               for an initializer, the sd it yields for a kernel of that\n"
	"                               shape (default 784x128) in a layer with that activation\n"
	"                               (its gain; default: gain 1)\n"
	"  check-plugin [-v] FILE.so    load a plugin alone and run conformance checks: its\n"
	"                               declarations, fills of several shapes (finite, every\n"
	"                               value written, deterministic per stream, sd as\n"
	"                               declared, thread-safe), activation derivatives against\n"
	"                               finite differences; -v also lists the passing checks\n"
	"  --help, -h                   show this help\n"
	"  --version, -V                show the version\n"
	"\n"
	"Examples:\n"
	"  winit run scripts/compare_inits.lua\n"
	"  winit run scripts/compare_inits.lua --seed 7 --repeats 5 --out results/five_seeds.json\n"
	"  winit run compare_inits.lua     (a bare name also finds the installed scripts)\n"
	"  winit run --shard 1/4 study.lua --out part1.json; winit merge all.json part*.json\n"
	"\n"
	"Environment:\n"
	"  WINIT_PLUGIN_PATH        colon-separated directories searched first for plugins\n"
	"  WINIT_FASHION_MNIST_DIR  Fashion-MNIST directory (default " WINIT_FASHION_MNIST_DEFAULT ")\n"
	"  WINIT_KERNELS            force a kernel set: generic, avx2, avx512 (default: auto)\n"
	"  WINIT_NO_PROGRESS        set to disable the live progress line\n"
	"  WINIT_DIST_STATS         under mpirun: rank 0 reports its dispatcher's time per run\n"
	"\n"
	"Exit status: 0 on success, 1 on an error in a script or its data, 2 on bad usage,\n"
	"130 when interrupted by SIGINT (Ctrl-C), 143 by SIGTERM (finished runs are saved).\n";

/* Lua's lua.c: add a traceback to an error message. */
static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

static int cmd_run(int argc, char **argv)
{
	int jobs = 0, i = 0, shard_i = 0, shard_n = 0;
	while (i < argc && argv[i][0] == '-') {
		/* -j N, --jobs N or -jN */
		const char *val = NULL;
		if ((strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--jobs") == 0) && i + 1 < argc) {
			val = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "-j", 2) == 0 && argv[i][2]) {
			val = argv[i] + 2;
			i++;
		}
		if (strcmp(argv[i], "--shard") == 0 && i + 1 < argc) {
			int si, sn, used = 0;
			if (sscanf(argv[i + 1], "%d/%d%n", &si, &sn, &used) != 2 || argv[i + 1][used] ||
			    sn < 1 || si < 0 || si >= sn) {
				fprintf(stderr, "winit run: --shard expects I/N with 0 <= I < N, got '%s'\n",
				        argv[i + 1]);
				return 2;
			}
			shard_i = si;
			shard_n = sn;
			i += 2;
			continue;
		}
		if (val) {
			char *end;
			long j = strtol(val, &end, 10);
			if (*end || j < 0 || j > 256) {
				fprintf(stderr, "winit run: -j expects a number of jobs in 0..256, got '%s'\n",
				        val);
				return 2;
			}
			jobs = (int)j;
		} else {
			fprintf(stderr, "winit run: unknown option '%s' (see winit --help)\n", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "winit run: missing SCRIPT (see winit --help)\n");
		return 2;
	}
	const char *script = argv[i];
	/* A bare name that is not a file here: look among the installed scripts. */
	char installed[4096];
	if (!strchr(script, '/') && access(script, R_OK) != 0) {
		snprintf(installed, sizeof installed, "%s/%s", WINIT_SCRIPTS_DIR, script);
		if (access(installed, R_OK) == 0)
			script = installed;
	}
	lua_State *L = luaL_newstate();
	if (!L) {
		fprintf(stderr, "winit: cannot create a Lua state (out of memory)\n");
		return 1;
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
	/* arg[0] = script, arg[1..] = its arguments, as lua.c does. */
	lua_createtable(L, argc - i - 1, 1);
	for (int k = i; k < argc; k++) {
		lua_pushstring(L, argv[k]);
		lua_rawseti(L, -2, k - i);
	}
	lua_setglobal(L, "arg");
	int status = luaL_loadfile(L, script);
	if (status == LUA_OK) {
		int base = lua_gettop(L);
		lua_pushcfunction(L, msghandler);
		lua_insert(L, base);
		for (int k = i + 1; k < argc; k++)
			lua_pushstring(L, argv[k]);
		status = lua_pcall(L, argc - i - 1, 0, base);
		lua_remove(L, base);
	}
	int rc = 0;
	int sig = winit_cancelled();
	if (status != LUA_OK && sig > 0) {
		/* Interrupted: one line, no traceback; the shell's convention for the status. */
		const char *msg = lua_tostring(L, -1);
		const char *at = msg ? strstr(msg, "interrupted") : NULL;
		fflush(stdout);
		if (!at)
			at = "interrupted";
		fprintf(stderr, "winit: %.*s\n", (int)strcspn(at, "\n"), at);
		rc = 128 + sig;
	} else if (status != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		fflush(stdout);
		fprintf(stderr, "winit: %s\n", msg ? msg : "(error without a message)");
		rc = 1;
	}
	fflush(stdout);
	lua_close(L);
	return rc;
}

/* `winit run` under mpirun (an MPI build): every rank runs the script, rank 0 alone
 * prints; a rank that fails takes the job down (MPI_Abort) rather than leave others
 * waiting.  Without MPI this is cmd_run. */
static int cmd_run_dist(int argc, char **argv)
{
	struct winit_error err = { 0 };
	if (winit_dist_init(&argc, &argv, &err)) {
		fprintf(stderr, "winit: %s\n", err.msg);
		return 1;
	}
	if (winit_dist_rank() > 0 && !freopen("/dev/null", "w", stdout)) {
		fprintf(stderr, "winit: rank %d: cannot silence stdout\n", winit_dist_rank());
		winit_dist_finalize(1);
		return 1;
	}
	int rc = cmd_run(argc - 2, argv + 2);
	size_t got;
	double busy, max;
	winit_dist_stats(&got, &busy, &max);
	if (getenv("WINIT_DIST_STATS") && got > 0)
		fprintf(stderr, "winit: dispatcher: %zu results from other ranks, %.3f ms each (max %.3f ms)\n",
		        got, 1e3 * busy / (double)got, 1e3 * max);
	winit_dist_finalize(rc);
	return rc;
}

static struct winit_registry *open_registry(void)
{
	struct winit_registry *reg = winit_registry_new();
	struct winit_error err = { 0 };
	if (!reg) {
		fprintf(stderr, "winit: out of memory\n");
		return NULL;
	}
	if (winit_registry_load_default(reg, NULL, &err)) {
		fprintf(stderr, "winit: %s\n", err.msg);
		winit_registry_free(reg);
		return NULL;
	}
	return reg;
}

static int cmd_list(void)
{
	struct winit_registry *reg = open_registry();
	if (!reg)
		return 1;
	size_t n = winit_registry_count(reg);
	for (uint32_t kind = WINIT_KIND_INITIALIZER; kind <= WINIT_KIND_ACTIVATION; kind++) {
		printf("%ss:\n", winit_kind_name(kind));
		for (size_t i = 0; i < n; i++) {
			const struct winit_plugin_entry *e = winit_registry_entry(reg, i);
			if (e->info->kind == kind)
				printf("  %-22s %-52s %s\n", e->info->name, e->info->summary, e->file);
		}
	}
	size_t np = winit_registry_problem_count(reg);
	for (size_t i = 0; i < np; i++)
		fprintf(stderr, "winit: warning: %s\n", winit_registry_problem(reg, i));
	printf("search path: %s\n", winit_registry_search_path(reg));
	winit_registry_free(reg);
	return 0;
}

/* Whether parameter k may take the bound v: declared ranges are inclusive, but an
 * initializer's check_params may refuse a bound (variance_scaling's scale > 0), tried
 * with the other parameters at their defaults.  Infinite bounds are never taken. */
static int bound_taken(const struct winit_plugin_info *info, uint32_t k, double v)
{
	if (!isfinite(v))
		return 0;
	const struct winit_initializer *in = (const struct winit_initializer *)info;
	if (info->kind != WINIT_KIND_INITIALIZER ||
	    !WINIT_HAS_FIELD(info->struct_size, struct winit_initializer, check_params) ||
	    !in->check_params)
		return 1;
	double p[WINIT_MAX_PARAMS];
	char why[256];
	winit_params_defaults(p, info);
	p[k] = v;
	return in->check_params(p, why, sizeof why) == 0;
}

static void print_params(const struct winit_plugin_info *info)
{
	if (info->n_params == 0) {
		printf("parameters: none\n");
		return;
	}
	printf("parameters:\n");
	for (uint32_t k = 0; k < info->n_params; k++) {
		const struct winit_param_decl *d = &info->params[k];
		if (d->type == WINIT_PARAM_CHOICE) {
			printf("  %-14s one of:", d->name);
			for (int c = 0; d->choices[c]; c++)
				printf(" %s", d->choices[c]);
			printf(" (default %s)  %s\n", d->choices[(int)d->default_value], d->doc ? d->doc : "");
		} else {
			printf("  %-14s %s in %c%g, %g%c (default %g)  %s\n", d->name,
			       d->type == WINIT_PARAM_INT ? "integer" : "number",
			       bound_taken(info, k, d->min_value) ? '[' : '(', d->min_value, d->max_value,
			       bound_taken(info, k, d->max_value) ? ']' : ')', d->default_value, d->doc ? d->doc : "");
		}
	}
}

static int cmd_info(int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "winit info: missing plugin NAME (see winit list)\n");
		return 2;
	}
	const char *name = argv[0];
	const char *act_name = NULL;
	int64_t rows = 784, cols = 128;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--activation") == 0 && i + 1 < argc) {
			act_name = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc) {
			long long r, c;
			char tail;
			if (sscanf(argv[i + 1], "%lldx%lld%c", &r, &c, &tail) != 2 || r <= 0 || c <= 0) {
				fprintf(stderr, "winit info: --shape expects ROWSxCOLS, e.g. 784x128, got '%s'\n",
				        argv[i + 1]);
				return 2;
			}
			rows = r;
			cols = c;
			i++;
		} else {
			fprintf(stderr, "winit info: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	struct winit_registry *reg = open_registry();
	if (!reg)
		return 1;
	double gain = 1;
	if (act_name) {
		const struct winit_plugin_entry *ae = winit_registry_find(reg, WINIT_KIND_ACTIVATION, act_name);
		if (!ae) {
			char known[2048];
			winit_registry_names(reg, WINIT_KIND_ACTIVATION, known, sizeof known);
			fprintf(stderr, "winit info: unknown activation '%s' (known: %s)\n", act_name, known);
			winit_registry_free(reg);
			return 2;
		}
		double ad[WINIT_MAX_PARAMS];
		winit_params_defaults(ad, ae->info);
		gain = ((const struct winit_activation *)ae->info)->gain(ad);
	}
	int found = 0;
	for (uint32_t kind = WINIT_KIND_INITIALIZER; kind <= WINIT_KIND_ACTIVATION; kind++) {
		const struct winit_plugin_entry *e = winit_registry_find(reg, kind, name);
		if (!e)
			continue;
		found = 1;
		const struct winit_plugin_info *info = e->info;
		double defaults[WINIT_MAX_PARAMS];
		winit_params_defaults(defaults, info);
		printf("%s (%s)\n  %s\nfile: %s\n", info->name, winit_kind_name(kind), info->summary, e->file);
		if (info->formula)
			printf("formula: %s\n", info->formula);
		print_params(info);
		if (kind == WINIT_KIND_ACTIVATION) {
			const struct winit_activation *a = (const struct winit_activation *)info;
			printf("gain: %.6g\n", a->gain(defaults));
		} else {
			const struct winit_initializer *in = (const struct winit_initializer *)info;
			if (in->stddev) {
				int64_t dims[2] = { rows, cols };
				double sd = winit_initializer_stddev(in, dims, 2, gain, defaults);
				if (isnan(sd))
					printf("stddev for %lldx%lld: depends on the data\n", (long long)rows, (long long)cols);
				else
					printf("stddev for %lldx%lld (fan_in %lld, fan_out %lld, gain %.6g%s%s): %.6g\n",
					       (long long)rows, (long long)cols, (long long)rows, (long long)cols,
					       gain, act_name ? " of " : "", act_name ? act_name : "", sd);
			}
		}
	}
	if (!found) {
		char a[2048], b[2048];
		winit_registry_names(reg, WINIT_KIND_INITIALIZER, a, sizeof a);
		winit_registry_names(reg, WINIT_KIND_ACTIVATION, b, sizeof b);
		fprintf(stderr, "winit info: no plugin named '%s'\n  initializers: %s\n  activations: %s\n",
		        name, a, b);
	}
	winit_registry_free(reg);
	return found ? 0 : 1;
}

static int cmd_check_plugin(int argc, char **argv)
{
	int verbose = 0, i = 0;
	if (i < argc && (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)) {
		verbose = 1;
		i++;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "winit check-plugin: expected one FILE.so (see winit --help)\n");
		return 2;
	}
	struct winit_error err = { 0 };
	size_t failed = 0;
	int rc = winit_plugin_check(argv[i], stdout, verbose, &failed, &err);
	fflush(stdout);
	if (rc == WINIT_ERR_NOMEM || rc == WINIT_ERR_ARG)
		fprintf(stderr, "winit check-plugin: %s\n", err.msg);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *cmd = argv[1];
	const char *kernels = getenv("WINIT_KERNELS");
	if (kernels && *kernels && winit_kernels_select(kernels) != 0) {
		fprintf(stderr, "winit: WINIT_KERNELS=%s: unknown kernel set, or one this CPU lacks "
		                "(expected auto, avx512, avx2 or generic)\n",
		        kernels);
		return 2;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("winit %s (plugin ABI %u, kernels %s, %s, %s)\n", PACKAGE_VERSION,
		       WINIT_PLUGIN_ABI_VERSION, winit_kernels_name(), LUA_RELEASE,
		       winit_dist_built() ? "MPI" : "no MPI");
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run_dist(argc, argv);
	if (strcmp(cmd, "merge") == 0)
		return winit_cli_merge(argc - 2, argv + 2);
	if (strcmp(cmd, "list") == 0)
		return cmd_list();
	if (strcmp(cmd, "info") == 0)
		return cmd_info(argc - 2, argv + 2);
	if (strcmp(cmd, "check-plugin") == 0)
		return cmd_check_plugin(argc - 2, argv + 2);
	fprintf(stderr, "winit: unknown command '%s' (see winit --help)\n", cmd);
	return 2;
}
