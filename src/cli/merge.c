/* src/cli/merge.c -- `winit merge OUT.json IN.json...`: results files of one study (shards
 * of a job array, or the files of several partial runs) joined into one, equal to the
 * file a single process would have written.
 *
 * Three steps:
 *   1. load and check each file: with the validation every reader runs
 *      (winit_results_doc_load: a regular file, format, version, every member's type and
 *      range), then for what merging needs: the same "study" and "seed" in every file,
 *      every run with a "name" and an "index";
 *   2. collect the runs by name: a run in several files must agree in everything but its
 *      timings ("seconds", per run and per epoch) and its kernel set; order them by index;
 *   3. write the header and each run's object as the text it was read from, so the output
 *      is byte for byte what winit's writer (src/results/json.c) produces.
 * The sections before the runs go the same way: a coordinate check ("coord_checks", by
 * name and parametrization) or a Jacobian spectrum ("spectra", by name) in several files
 * must be the same in each (shards compute the same numbers), and is written once, as
 * read, in the order first seen.
 * The study seed is compared as the text of its token, exactly. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <winit/results.h>
#include <winit/results_doc.h>
#include <winit/safe_write.h>

#include "cli/cli.h"

/* ---- step 1: load and check */

struct input {
	const char *path;
	struct winit_results_doc doc; /* owns root and text */
	const char *text;
	size_t len;
	json_t *root;
	struct winit_span seed, study, generator;
};

struct run {
	const char *name;
	long long index;
	json_t *obj; /* from the Jansson tree */
	struct winit_span text;
	const struct input *from;
};

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("winit merge: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

static int load(struct input *in)
{
	/* The one validation of every reader (src/results/results_schema.c): a regular file
	 * of bounded size, no duplicate key, this format version, every member's type and
	 * range, named by its path when wrong.  Then what merging needs besides. */
	struct winit_error err = { 0 };
	if (winit_results_doc_load(in->path, WINIT_RESULTS_VERSION, &in->doc, &err))
		return fail("%s", err.msg);
	in->root = in->doc.doc.root;
	in->text = in->doc.doc.text;
	in->len = in->doc.doc.len;
	in->seed = winit_span_member(in->text, in->len, "seed");
	in->study = winit_span_member(in->text, in->len, "study");
	in->generator = winit_span_member(in->text, in->len, "generator");
	if (!in->seed.p || !in->study.p || !in->generator.p)
		return fail("%s: missing \"study\", \"seed\" or \"generator\"", in->path);
	return 0;
}

static int same_span(struct winit_span a, struct winit_span b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* ---- step 2: runs by name, duplicates compared without their timings */

/* A copy of a run without what depends on the machine or the moment. */
static json_t *without_timings(json_t *run)
{
	json_t *c = json_deep_copy(run);
	if (!c)
		return NULL;
	json_object_del(c, "seconds");
	json_object_del(c, "kernels");
	size_t k;
	json_t *e;
	json_array_foreach(json_object_get(c, "history"), k, e) json_object_del(e, "seconds");
	return c;
}

/* Whether two runs differ (beyond timings); if so, `where` names the first member that
 * does. */
static int differ(json_t *a, json_t *b, char *where, size_t size)
{
	json_t *x = without_timings(a), *y = without_timings(b);
	int d = 0;
	if (!x || !y) {
		snprintf(where, size, "(out of memory)");
		d = 1;
	} else if (!json_equal(x, y)) {
		const char *key;
		json_t *v;
		snprintf(where, size, "(a member only one has)");
		d = 1;
		json_object_foreach(x, key, v) if (!json_equal(v, json_object_get(y, key)))
		{
			snprintf(where, size, "%s", key);
			break;
		}
	}
	json_decref(x);
	json_decref(y);
	return d;
}

/* A section of records before the runs, each with a key: its member, what a record is
 * called, and the key's second member (NULL: the name alone). */
struct section {
	const char *member, *what, *what_plural, *key2;
};
static const struct section coord_section = { "coord_checks", "coordinate check", "coordinate checks",
	                                      "parametrization" };
static const struct section spectrum_section = { "spectra", "spectrum", "spectra", NULL };

/* A record of an input's section, by its key (name, and key2's value or ""). */
struct coord {
	const char *name, *param;
	json_t *obj;
	struct winit_span text;
	const struct input *from;
};

/* Add the records of input in's section sec to cs (*n of them, room for cap): a key seen
 * before must hold the same record.  0, or 1 after saying why on stderr. */
static int collect_section(const struct input *in, const struct section *sec, struct coord **cs,
                           size_t *n, size_t *cap)
{
	json_t *arr = json_object_get(in->root, sec->member);
	size_t m = json_array_size(arr);
	if (m == 0)
		return 0;
	struct winit_span *text = calloc(m, sizeof *text);
	if (!text || winit_span_elements(winit_span_member(in->text, in->len, sec->member), text, m) != m) {
		free(text);
		return fail("%s: cannot delimit the %s", in->path, sec->what_plural);
	}
	int rc = 0;
	for (size_t k = 0; k < m && !rc; k++) {
		json_t *o = json_array_get(arr, k);
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *param = sec->key2 ? json_string_value(json_object_get(o, sec->key2)) : "";
		struct coord *seen = NULL;
		for (size_t q = 0; q < *n && !seen; q++)
			if (strcmp((*cs)[q].name, name) == 0 && strcmp((*cs)[q].param, param) == 0)
				seen = &(*cs)[q];
		if (seen) {
			if (json_equal(seen->obj, o))
				continue; /* the same check twice: keep the first */
			const char *key = "(a member only one has)";
			const char *kk;
			json_t *v;
			json_object_foreach(o, kk, v) if (!json_equal(v, json_object_get(seen->obj, kk)))
			{
				key = kk;
				break;
			}
			rc = fail("%s '%s'%s%s%s is in %s and %s with different numbers (first difference: "
			          "\"%s\"); they cannot both be right",
			          sec->what, name, *param ? " (" : "", param, *param ? ")" : "",
			          seen->from->path, in->path, key);
			break;
		}
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 8;
			struct coord *p = realloc(*cs, *cap * sizeof **cs);
			if (!p) {
				rc = fail("out of memory");
				break;
			}
			*cs = p;
		}
		(*cs)[(*n)++] = (struct coord){ name, param, o, text[k], in };
	}
	free(text);
	return rc;
}

static int by_index(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

/* ---- step 3: write as winit's writer does */

/* `"member": [ ... ],` of n records as read (nothing when n is 0). */
static void write_section(FILE *f, const char *member, const struct coord *cs, size_t n)
{
	if (n == 0)
		return;
	fprintf(f, "  \"%s\": [", member);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n    %.*s", i ? "," : "", (int)cs[i].text.n, cs[i].text.p);
	fputs("\n  ],\n", f);
}

static int write_merged(const char *path, const struct input *first, const struct run *runs,
                        size_t n, const struct coord *cs, size_t n_cs, const struct coord *sp,
                        size_t n_sp, unsigned flags)
{
	struct winit_error err = { 0 };
	struct winit_safe_write w;
	if (winit_safe_write_open(&w, path, WINIT_FILE_RESULTS, "results", flags, &err))
		return fail("%s", err.msg);
	FILE *f = w.f;
	fprintf(f, "{\n  \"format\": \"%s\",\n  \"version\": %d,\n  \"generator\": %.*s,\n",
	        WINIT_RESULTS_FORMAT, WINIT_RESULTS_VERSION, (int)first->generator.n,
	        first->generator.p);
	fprintf(f, "  \"study\": %.*s,\n  \"seed\": %.*s,\n", (int)first->study.n,
	        first->study.p, (int)first->seed.n, first->seed.p);
	write_section(f, coord_section.member, cs, n_cs);
	write_section(f, spectrum_section.member, sp, n_sp);
	fputs("  \"runs\": [", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n    %.*s", i ? "," : "", (int)runs[i].text.n, runs[i].text.p);
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", f);
	if (winit_safe_write_commit(&w, &err))
		return fail("%s", err.msg);
	return 0;
}

static const char merge_usage[] =
	"Usage: winit merge [--force] OUT.json IN.json...\n"
	"\n"
	"Join results files of one study -- the shards of `winit run --shard I/N`, or files of\n"
	"partial runs -- into OUT.json, the file one process running the whole study would have\n"
	"written (byte for byte, timings aside): runs in study order, each once.  Refused:\n"
	"files that are not winit results files of this format version, files that fail the\n"
	"checks every reader makes (not a regular file, a key twice in an object, a member of\n"
	"the wrong type or out of range: docs/results-format.md), files of another study or\n"
	"study seed, a run present in two files with different results (timings and\n"
	"kernel set aside), and a coordinate check (name and parametrization) or a Jacobian\n"
	"spectrum (name) present in two files with different numbers (one in several files is\n"
	"kept once).  Prints how many runs it joined, and how many indices below the last are\n"
	"absent.\n"
	"\n"
	"OUT.json is written as every winit output is (winit(1), FILES WINIT WRITES): a\n"
	"temporary file renamed over it; a directory, device, FIFO or socket there is refused,\n"
	"and so is an existing file that is not a winit results file (a link is followed to\n"
	"the file it names, which gets the same checks).\n"
	"\n"
	"Options:\n"
	"  -f, --force  replace OUT.json even when it is not a winit results file (still\n"
	"               never a directory, device, FIFO or socket)\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status:\n"
	"  0    OUT.json written\n"
	"  1    an input refused or unreadable, or OUT.json not writable (nothing written)\n"
	"  2    bad usage (no OUT.json or no IN.json)\n";

/* Add input in's runs to runs (*n of them, room for *cap): a name seen before must have the
 * same results (kept once), an index seen before is refused. */
static int collect_runs(struct input *in, struct run **runs, size_t *n, size_t *cap)
{
	json_t *arr = json_object_get(in->root, "runs");
	size_t m = json_array_size(arr);
	struct winit_span *text = calloc(m ? m : 1, sizeof *text);
	if (!text || winit_span_elements(winit_span_member(in->text, in->len, "runs"), text, m) != m) {
		free(text);
		return fail("%s: cannot delimit the runs", in->path);
	}
	int rc = 0;
	for (size_t k = 0; k < m && !rc; k++) {
		json_t *r = json_array_get(arr, k);
		const char *name = json_string_value(json_object_get(r, "name"));
		json_t *idx = json_object_get(r, "index");
		if (!name || !json_is_number(idx) || json_number_value(idx) < 0) {
			rc = fail("%s: run %zu has no \"name\" or no \"index\" (a file written before "
			          "winit recorded run indices: run the study again)",
			          in->path, k + 1);
			break;
		}
		struct run *dup = NULL;
		for (size_t q = 0; q < *n && !dup; q++)
			if (strcmp((*runs)[q].name, name) == 0)
				dup = &(*runs)[q];
		if (dup) {
			char d[128];
			if (differ(dup->obj, r, d, sizeof d)) {
				fprintf(stderr,
				        "winit merge: run '%s' is in %s and %s with different results "
				        "(first difference: \"%s\"); they cannot both be right\n",
				        name, dup->from->path, in->path, d);
				rc = 1;
			}
			continue; /* the same run twice: keep the first */
		}
		for (size_t q = 0; q < *n && !rc; q++)
			if ((*runs)[q].index == (long long)json_number_value(idx)) {
				fprintf(stderr, "winit merge: %s: runs '%s' and '%s' (in %s) both have index %lld\n",
				        in->path, name, (*runs)[q].name, (*runs)[q].from->path, (*runs)[q].index);
				rc = 1;
			}
		if (rc)
			break;
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			struct run *p = realloc(*runs, *cap * sizeof **runs);
			if (!p) {
				rc = fail("out of memory");
				break;
			}
			*runs = p;
		}
		(*runs)[(*n)++] = (struct run){ name, (long long)json_number_value(idx), r, text[k], in };
	}
	free(text);
	return rc;
}

int cli_merge(int argc, char **argv)
{
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' },
		                                  { "help", no_argument, NULL, 'h' },
		                                  { NULL, 0, NULL, 0 } };
	int c;
	unsigned flags = 0;
	while ((c = getopt_long(argc, argv, "+fh", longopts, NULL)) != -1) {
		if (c == 'f') {
			flags |= WINIT_WRITE_FORCE;
			continue;
		}
		if (c == 'h') {
			fputs(merge_usage, stdout);
			return CLI_OK;
		}
		return cli_usage_error(argv[0]);
	}
	argc -= optind;
	argv += optind;
	if (argc < 2) {
		fprintf(stderr, "winit merge: expected OUT.json and at least one IN.json (see winit merge --help)\n");
		return CLI_USAGE;
	}
	const char *out = argv[0];
	/* OUT is checked before any input is read: a refusal costs nothing. */
	struct winit_error werr = { 0 };
	if (winit_results_check_writable_ext(out, flags, &werr))
		return fail("%s", werr.msg);
	size_t n_in = (size_t)argc - 1, n_runs = 0, cap = 0, n_cs = 0, cs_cap = 0, n_sp = 0, sp_cap = 0;
	struct input *in = calloc(n_in, sizeof *in);
	struct run *runs = NULL;
	struct coord *cs = NULL, *sp = NULL;
	int rc = in ? 0 : fail("out of memory");
	for (size_t i = 0; i < n_in && !rc; i++) {
		in[i].path = argv[i + 1];
		rc = load(&in[i]);
		if (rc)
			break;
		if (i > 0 && !same_span(in[i].study, in[0].study)) {
			rc = fail("%s and %s are results of different studies (\"study\" differs)",
			          in[0].path, in[i].path);
			break;
		}
		if (i > 0 && !same_span(in[i].seed, in[0].seed)) {
			rc = fail("%s and %s have different study seeds: runs of different seeds are not "
			          "one study",
			          in[0].path, in[i].path);
			break;
		}
		if ((rc = collect_section(&in[i], &coord_section, &cs, &n_cs, &cs_cap)) ||
		    (rc = collect_section(&in[i], &spectrum_section, &sp, &n_sp, &sp_cap)))
			break;
		if ((rc = collect_runs(&in[i], &runs, &n_runs, &cap)))
			break;
	}
	if (!rc) {
		if (n_runs > 1) /* no runs: runs is NULL, which qsort must not be given */
			qsort(runs, n_runs, sizeof *runs, by_index);
		rc = write_merged(out, &in[0], runs, n_runs, cs, n_cs, sp, n_sp, flags);
	}
	if (!rc) {
		long long missing = n_runs ? runs[n_runs - 1].index + 1 - (long long)n_runs : 0;
		printf("%s: %zu run%s from %zu file%s", out, n_runs, n_runs == 1 ? "" : "s", n_in,
		       n_in == 1 ? "" : "s");
		if (missing > 0)
			printf(" (%lld run%s below index %lld absent)", missing, missing == 1 ? "" : "s",
			       runs[n_runs - 1].index);
		printf("\n");
	}
	for (size_t i = 0; in && i < n_in; i++)
		winit_results_doc_free(&in[i].doc);
	free(in);
	free(runs);
	free(cs);
	free(sp);
	return rc;
}
