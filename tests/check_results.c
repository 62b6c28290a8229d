/* tests/check_results.c -- the results file: what may be at its path (a regular file, a
 * link to one, nothing; never a directory or a device), atomic replacement, stale
 * temporary files, write errors with strerror's text; reading it back (exact numbers and
 * seeds, canonical run descriptions, wrong files refused with the reason). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <jansson.h>

#include "results/results_schema.h"
#include "testutil.h"

static struct winit_dataset tiny_ds;

static void setup(void)
{
	memset(&tiny_ds, 0, sizeof tiny_ds);
	tiny_ds.n = 50;
	tiny_ds.height = 2;
	tiny_ds.width = 2;
	tiny_ds.n_features = 4;
	tiny_ds.n_classes = 2;
}

/* n run descriptions with made-up outcomes (no training: these tests are about files). */
static void make_runs(struct winit_run_spec *runs, struct winit_run_result *res, int n)
{
	for (int i = 0; i < n; i++) {
		struct winit_run_spec *r = &runs[i];
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "run%d", i);
		snprintf(r->label, sizeof r->label, "he_normal");
		r->replicate = i;
		r->seed = 7;
		r->model.n_input_dims = 2;
		r->model.input_shape[0] = 2;
		r->model.input_shape[1] = 2;
		r->model.n_inputs = 4;
		tu_layers(&r->model, 2);
		r->model.layers[0] = tu_dense(3, "relu", "he_normal");
		r->model.layers[1] = tu_dense(2, "softmax", "glorot_uniform");
		r->optimizer = winit_optimizer_default(WINIT_OPT_ADAM);
		r->fit = winit_fit_default();
		r->fit.epochs = 3;
		r->fit.validation_split = 0.2;
		r->train = &tiny_ds;
		r->test = &tiny_ds;
		snprintf(r->train_source, sizeof r->train_source, "train.idx");
		snprintf(r->test_source, sizeof r->test_source, "test.idx");

		struct winit_run_result *x = &res[i];
		memset(x, 0, sizeof *x);
		x->done = 1;
		x->run_seed = winit_run_seed(r);
		x->n_train = 40;
		x->n_val = 10;
		x->n_test = 50;
		for (int e = 1; e <= 3; e++) {
			struct winit_epoch_stats st = { .epoch = e, .epochs = 3, .loss = 1.0 / e, .accuracy = 0.5 + 0.1 * e, .has_val = 1, .val_loss = 1.1 / e, .val_accuracy = 0.4 + 0.1 * e, .seconds = 0.01 * e };
			ck_assert_int_eq(winit_history_append(&x->history, &st, NULL), 0);
		}
		x->has_test = 1;
		x->test_loss = 0.25 + i;
		x->test_accuracy = 0.875;
		x->seconds = 0.5;
		x->kernels = "generic";
	}
}

static void free_results(struct winit_run_result *res, int n)
{
	for (int i = 0; i < n; i++)
		winit_run_result_free(&res[i]);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* An earlier results file at a path: what winit replaces without being forced. */
#define OLD_RESULTS "{\n  \"format\": \"winit-results\",\n  \"version\": 1,\n  \"runs\": []\n}\n"

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

START_TEST(a_directory_is_refused_up_front)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "out.json");
	ck_assert_int_eq(mkdir(path, 0777), 0);
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_results_check_writable(path, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "out.json: cannot write results: it is a directory"), "%s",
	              err.msg);
	ck_assert_int_eq(winit_results_write_json(path, "s", 7, runs, res, 1, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "it is a directory"), "%s", err.msg);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free_results(res, 1);
}
END_TEST

START_TEST(a_fifo_or_device_is_refused_and_left_alone)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	const char *dir = tu_tmpdir();
	struct winit_error err = { 0 };
	struct stat st;

	const char *fifo = tu_path(dir, "fifo.json");
	ck_assert_int_eq(mkfifo(fifo, 0666), 0);
	ck_assert_int_eq(winit_results_check_writable(fifo, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "it is a FIFO, not a regular file"), "%s", err.msg);
	ck_assert_int_eq(winit_results_write_json(fifo, "s", 7, runs, res, 1, &err), WINIT_ERR_IO);
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));

	/* A device node of our own (as root) first, so that a bug here could never replace
	 * the machine's /dev/null; then /dev/null itself, as the issue reported. */
	const char *dev = tu_path(dir, "null.json");
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) != 0) {
		printf("check_results: device cases skipped: mknod: %s (needs root)\n", strerror(errno));
		free_results(res, 1);
		return;
	}
	ck_assert_int_eq(winit_results_check_writable(dev, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "it is a device, not a regular file"), "%s", err.msg);
	ck_assert_int_eq(winit_results_write_json(dev, "s", 7, runs, res, 1, &err), WINIT_ERR_IO);
	ck_assert_int_eq(lstat(dev, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));

	ck_assert_int_eq(winit_results_check_writable("/dev/null", &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "/dev/null: cannot write results: it is a device"), "%s",
	              err.msg);
	ck_assert_int_eq(winit_results_write_json("/dev/null", "s", 7, runs, res, 1, &err), WINIT_ERR_IO);
	ck_assert_int_eq(lstat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	free_results(res, 1);
}
END_TEST

START_TEST(a_symlink_is_followed_and_kept)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	make_runs(runs, res, 2);
	const char *dir = tu_tmpdir();
	char sub[600], target[700], link1[700], link2[700];
	snprintf(sub, sizeof sub, "%s/real", dir);
	ck_assert_int_eq(mkdir(sub, 0777), 0);
	snprintf(target, sizeof target, "%s/results.json", sub);
	write_text(target, OLD_RESULTS);
	/* link2 -> link1 (absolute) -> real/results.json (relative to link1's directory) */
	snprintf(link1, sizeof link1, "%s/link1.json", dir);
	snprintf(link2, sizeof link2, "%s/link2.json", dir);
	ck_assert_int_eq(symlink("real/results.json", link1), 0);
	ck_assert_int_eq(symlink(link1, link2), 0);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_check_writable(link2, &err) == 0, "%s", err.msg);
	ck_assert_msg(winit_results_write_json(link2, "s", 7, runs, res, 2, &err) == 0, "%s", err.msg);
	struct stat st;
	ck_assert_int_eq(lstat(link1, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(lstat(link2, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(count(slurp(target), "\"status\": \"ok\""), 2);

	/* A dangling link: its target is created (with its directory). */
	char dangling[700], made[700];
	snprintf(dangling, sizeof dangling, "%s/dangling.json", dir);
	snprintf(made, sizeof made, "%s/new/dir/made.json", dir);
	ck_assert_int_eq(symlink(made, dangling), 0);
	ck_assert_msg(winit_results_write_json(dangling, "s", 7, runs, res, 1, &err) == 0, "%s",
	              err.msg);
	ck_assert_int_eq(lstat(dangling, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(count(slurp(made), "\"status\": \"ok\""), 1);

	/* A link to a directory is a directory. */
	char dlink[700];
	snprintf(dlink, sizeof dlink, "%s/dirlink.json", dir);
	ck_assert_int_eq(symlink(sub, dlink), 0);
	ck_assert_int_eq(winit_results_check_writable(dlink, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "it is a directory"), "%s", err.msg);

	/* A loop of links is an error, not a hang. */
	char loop[700];
	snprintf(loop, sizeof loop, "%s/loop.json", dir);
	ck_assert_int_eq(symlink("loop.json", loop), 0);
	ck_assert_int_eq(winit_results_check_writable(loop, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, strerror(ELOOP)), "%s", err.msg);
	free_results(res, 2);
}
END_TEST

START_TEST(replacing_keeps_permissions_and_leaves_no_temp)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "r.json");
	write_text(path, OLD_RESULTS);
	ck_assert_int_eq(chmod(path, 0640), 0);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "s", 7, runs, res, 1, &err) == 0, "%s", err.msg);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_ptr_nonnull(strstr(slurp(path), "\"format\": \"winit-results\""));
	char tmp[700];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	ck_assert_int_ne(stat(tmp, &st), 0);
	free_results(res, 1);
}
END_TEST

START_TEST(stale_temp_files_of_dead_writers_are_removed)
{
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "r.json");
	/* A PID that is certainly dead: a child that has been reaped. */
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	char dead[700], alive[700], other[700];
	snprintf(dead, sizeof dead, "%s.tmp.%ld", path, (long)child);
	snprintf(alive, sizeof alive, "%s.tmp.%ld", path, (long)getppid());   /* a live writer */
	snprintf(other, sizeof other, "%s/q.json.tmp.%ld", dir, (long)child); /* another file's */
	char mine[700];                                                       /* this process's PID: left by an earlier process with the same PID */
	snprintf(mine, sizeof mine, "%s.tmp.%ld", path, (long)getpid());
	write_text(dead, "{");
	write_text(alive, "{");
	write_text(other, "{");
	write_text(mine, "{");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_check_writable(path, &err) == 0, "%s", err.msg);
	struct stat st;
	ck_assert_int_ne(stat(dead, &st), 0);
	ck_assert_int_eq(stat(alive, &st), 0);
	ck_assert_int_eq(stat(other, &st), 0);
	ck_assert_int_ne(stat(mine, &st), 0);
	ck_assert_int_ne(stat(path, &st), 0); /* the check writes nothing at the path */
}
END_TEST

/* Past RLIMIT_FSIZE write() fails with EFBIG (SIGXFSZ ignored, as the CLI does): the
 * error says so, and the file keeps its previous complete version. */
START_TEST(a_failed_write_says_why_and_keeps_the_last_good_file)
{
	struct winit_run_spec runs[4];
	struct winit_run_result res[4];
	make_runs(runs, res, 4);
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "r.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "s", 7, runs, res, 1, &err) == 0, "%s", err.msg);
	char before[1 << 16];
	snprintf(before, sizeof before, "%s", slurp(path));
	size_t one = strlen(before);
	fflush(stdout);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { .rlim_cur = one + one / 2, .rlim_max = one + one / 2 };
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		int rc = winit_results_write_json(path, "s", 7, runs, res, 4, &err);
		if (rc != WINIT_ERR_IO)
			_exit(4);
		if (!strstr(err.msg, "r.json: cannot write results (write failed): ") ||
		    !strstr(err.msg, strerror(EFBIG))) {
			fprintf(stderr, "unexpected message: %s\n", err.msg);
			_exit(5);
		}
		_exit(0);
	}
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	ck_assert_str_eq(slurp(path), before);
	char tmp[700];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)child);
	struct stat st;
	ck_assert_int_ne(stat(tmp, &st), 0);
	free_results(res, 4);
}
END_TEST


/* ---------------------------------------------------------------- reading */

static void assert_same_double(double a, double b)
{
	ck_assert_msg((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0, "%.17g != %.17g", a, b);
}

START_TEST(a_file_reads_back_exactly)
{
	enum { N = 4 };
	struct winit_run_spec runs[N];
	struct winit_run_result res[N];
	make_runs(runs, res, N);
	res[0].history.epochs[1].loss = NAN; /* written as null, read as NaN */
	res[0].history.epochs[2].accuracy = 1.0 / 3.0;
	res[1].status = WINIT_ERR_PLUGIN; /* a failed run, with its reason */
	snprintf(res[1].error, sizeof res[1].error, "layer 1: \"quoted\"\nand a second line");
	res[1].has_test = 0;
	res[2].run_seed = UINT64_MAX; /* beyond 2^63: exact only as a string */
	runs[3].seed = (uint64_t)1 << 62;
	res[3].run_seed = winit_run_seed(&runs[3]);
	const char *path = tu_path(tu_tmpdir(), "r.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "unit", 7, runs, res, N, &err) == 0, "%s", err.msg);
	char first[1 << 16];
	snprintf(first, sizeof first, "%s", slurp(path));
	ck_assert_ptr_nonnull(strstr(first, "\"version\": 2"));
	ck_assert_ptr_nonnull(strstr(first, "\"run_seed\": \"18446744073709551615\""));
	ck_assert_ptr_nonnull(strstr(first, "\"seed\": \"7\""));

	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(f.format, "winit-results");
	ck_assert_int_eq(f.version, WINIT_RESULTS_VERSION);
	ck_assert_str_eq(f.study, "unit");
	ck_assert_uint_eq(f.seed, 7);
	ck_assert_uint_eq(f.n_runs, N);
	for (int i = 0; i < N; i++) {
		const struct winit_results_run *r = &f.runs[i];
		const struct winit_run_result *x = &r->result, *y = &res[i];
		ck_assert_str_eq(r->name, runs[i].name);
		ck_assert_str_eq(r->label, runs[i].label);
		ck_assert_int_eq(r->replicate, runs[i].replicate);
		ck_assert_uint_eq(r->seed, runs[i].seed);
		ck_assert_uint_eq(x->run_seed, y->run_seed);
		ck_assert_str_eq(r->status, i == 1 ? "failed" : "ok");
		ck_assert_int_eq(x->status != 0, y->status != 0);
		ck_assert_str_eq(x->error, y->error);
		ck_assert_int_eq(x->done, 1);
		ck_assert_int_eq(x->history.n, y->history.n);
		for (int e = 0; e < x->history.n; e++) {
			const struct winit_epoch_stats *a = &x->history.epochs[e], *b = &y->history.epochs[e];
			ck_assert_int_eq(a->epoch, b->epoch);
			ck_assert_int_eq(a->epochs, runs[i].fit.epochs);
			ck_assert_int_eq(a->has_val, b->has_val);
			assert_same_double(a->loss, b->loss);
			assert_same_double(a->accuracy, b->accuracy);
			assert_same_double(a->val_loss, b->val_loss);
			assert_same_double(a->val_accuracy, b->val_accuracy);
			assert_same_double(a->seconds, b->seconds);
		}
		ck_assert_int_eq(x->has_test, y->has_test);
		if (x->has_test) {
			assert_same_double(x->test_loss, y->test_loss);
			assert_same_double(x->test_accuracy, y->test_accuracy);
		}
		assert_same_double(x->seconds, y->seconds);
		ck_assert_str_eq(x->kernels, "generic");
		ck_assert_int_eq(x->n_train, y->n_train);
		ck_assert_int_eq(x->n_val, y->n_val);
		ck_assert_int_eq(x->n_test, y->n_test);
		/* The description in the file is what describe() makes of the spec (run 2's
		 * run_seed was altered above, so its description is not). */
		char *d = winit_results_describe(&runs[i]);
		ck_assert_ptr_nonnull(d);
		if (i == 2)
			ck_assert_str_ne(d, r->description);
		else
			ck_assert_str_eq(d, r->description);
		free(d);
	}
	/* Written again from what was read: the same bytes. */
	struct winit_run_result back[N];
	for (int i = 0; i < N; i++)
		back[i] = f.runs[i].result;
	ck_assert_msg(winit_results_write_json(path, "unit", 7, runs, back, N, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(path), first);
	winit_results_file_free(&f);
	ck_assert_uint_eq(f.n_runs, 0);
	free_results(res, N);
}
END_TEST

START_TEST(a_description_changes_with_what_decides_the_numbers)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	make_runs(runs, res, 2);
	struct winit_run_spec a = runs[0], b;
	char *da = winit_results_describe(&a), *db;
	ck_assert_ptr_nonnull(da);
	b = a;
	db = winit_results_describe(&b);
	ck_assert_str_eq(da, db);
	free(db);
#define CHANGED(what)                                      \
	do {                                               \
		b = a;                                     \
		what;                                      \
		db = winit_results_describe(&b);           \
		ck_assert_ptr_nonnull(db);                 \
		ck_assert_msg(strcmp(da, db) != 0, #what); \
		free(db);                                  \
	} while (0)
	CHANGED(b.seed = 8);
	CHANGED(snprintf(b.name, sizeof b.name, "other"));
	CHANGED(b.optimizer.learning_rate = 0.002);
	CHANGED(b.optimizer = winit_optimizer_default(WINIT_OPT_SGD));
	CHANGED(b.fit.epochs = 4);
	CHANGED(b.fit.batch_size = 16);
	CHANGED(b.fit.validation_split = 0.25);
	CHANGED(b.model.layers[0].units = 4);
	CHANGED(b.model.layers[0].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "glorot_normal", 0, NULL, NULL));
	CHANGED(snprintf(b.train_source, sizeof b.train_source, "elsewhere"));
	CHANGED(b.test = NULL);
#undef CHANGED
	/* A parameter value of an initializer: random_normal's stddev 0.05 vs 0.06. */
	static const char *const sd[] = { "stddev" };
	const double v1[] = { 0.05 }, v2[] = { 0.06 };
	b = a;
	b.model.layers[0].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1, sd, v1);
	db = winit_results_describe(&b);
	b.model.layers[0].kernel_initializer = tu_use(WINIT_KIND_INITIALIZER, "random_normal", 1, sd, v2);
	char *dc = winit_results_describe(&b);
	ck_assert_ptr_nonnull(db);
	ck_assert_ptr_nonnull(dc);
	ck_assert_str_ne(db, dc);
	free(db);
	free(dc);
	free(da);
	free_results(res, 2);
}
END_TEST

/* Write a valid file, edit its text (replace the first `from` by `to`), read it. */
/* make_runs's runs with graph `variant` (tu_graph) as run i's model (variant + i for
 * TU_GRAPHS: one of each); the specs are kept for the test process's life. */
static void make_graph_runs(struct winit_run_spec *runs, struct winit_run_result *res, int n, int variant)
{
	make_runs(runs, res, n);
	for (int i = 0; i < n; i++) {
		tu_graph(&runs[i].model, variant == TU_GRAPHS ? (variant + i) % TU_GRAPHS : variant);
		tu_keep(runs[i].model.layers);
		tu_keep(runs[i].model.inputs);
		res[i].run_seed = winit_run_seed(&runs[i]);
	}
}

static int read_edited_runs(int graph, const char *from, const char *to, struct winit_error *err)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	if (graph)
		make_graph_runs(runs, res, 2, graph - 1);
	else
		make_runs(runs, res, 2);
	const char *path = tu_path(tu_tmpdir(), "r.json");
	ck_assert_int_eq(winit_results_write_json(path, "unit", 7, runs, res, 2, err), 0);
	free_results(res, 2);
	char text[1 << 16];
	snprintf(text, sizeof text, "%s", slurp(path));
	char *at = strstr(text, from);
	ck_assert_msg(at != NULL, "'%s' not in the file", from);
	char edited[1 << 16];
	snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	write_text(path, edited);
	struct winit_results_file f;
	int rc = winit_results_read(path, &f, err);
	if (rc == 0)
		winit_results_file_free(&f);
	return rc;
}

static int read_edited(const char *from, const char *to, struct winit_error *err)
{
	return read_edited_runs(0, from, to, err);
}

/* A graph's layers describe their kind, name, inputs, output shape, configuration and
 * multipliers; a kind without an activation writes no plugin member.  Read back, each
 * run's description is what describe() makes of its spec, and written again from what
 * was read, the file has the same bytes. */
START_TEST(a_graph_description_reads_back)
{
	enum { N = TU_GRAPHS };
	struct winit_run_spec runs[N];
	struct winit_run_result res[N];
	make_graph_runs(runs, res, N, TU_GRAPHS);
	const char *path = tu_path(tu_tmpdir(), "g.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "unit", 7, runs, res, N, &err) == 0, "%s", err.msg);
	char first[1 << 16];
	snprintf(first, sizeof first, "%s", slurp(path));
	/* Run 0 (TU_GRAPH_ADD): its Flatten, its named layer with multipliers, its Add. */
	static const char *const want[] = {
		"{\n"
		"            \"type\": \"Flatten\",\n"
		"            \"name\": \"flatten_1\",\n"
		"            \"inputs\": [\n"
		"              -1\n"
		"            ],\n"
		"            \"output_shape\": [\n"
		"              784\n"
		"            ]\n"
		"          },",
		"\"type\": \"Dense\",\n"
		"            \"name\": \"proj\",\n"
		"            \"inputs\": [\n"
		"              1\n"
		"            ],\n"
		"            \"output_shape\": [\n"
		"              32\n"
		"            ],\n"
		"            \"units\": 32,",
		"\"multipliers\": {\n"
		"              \"kernel\": {\n"
		"                \"init\": 0.5,\n"
		"                \"lr\": 2\n"
		"              },\n"
		"              \"bias\": {\n"
		"                \"init\": 1,\n"
		"                \"lr\": 0.25\n"
		"              },\n"
		"              \"output\": 0.75\n"
		"            }",
		"{\n"
		"            \"type\": \"Add\",\n"
		"            \"name\": \"add_1\",\n"
		"            \"inputs\": [\n"
		"              2,\n"
		"              1\n"
		"            ],\n"
		"            \"output_shape\": [\n"
		"              32\n"
		"            ]\n"
		"          },",
		/* The last Dense layer, fed by the one before: no "inputs". */
		"\"name\": \"dense_3\",\n"
		"            \"output_shape\": [\n"
		"              10\n"
		"            ],\n"
		"            \"units\": 10,",
		/* Run 1's Reshape, run 2's Concatenate: their configuration. */
		"\"type\": \"Reshape\",\n"
		"            \"name\": \"reshape_1\",\n"
		"            \"output_shape\": [\n"
		"              4,\n"
		"              8\n"
		"            ],\n"
		"            \"target_shape\": [\n"
		"              4,\n"
		"              8\n"
		"            ]\n"
		"          },",
		"\"output_shape\": [\n"
		"              64\n"
		"            ],\n"
		"            \"axis\": -1\n"
		"          },",
	};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
		ck_assert_msg(strstr(first, want[k]), "not in the file:\n%s", want[k]);
	/* Only Dense layers have plugins: 3 per graph; one has multipliers. */
	ck_assert_int_eq(count(first, "\"activation\""), 9);
	ck_assert_int_eq(count(first, "\"multipliers\""), 3);
	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f.n_runs, N);
	struct winit_run_result back[N];
	for (int i = 0; i < N; i++) {
		char *d = winit_results_describe(&runs[i]);
		ck_assert_ptr_nonnull(d);
		ck_assert_str_eq(d, f.runs[i].description);
		ck_assert_ptr_nonnull(strstr(d, "\"output_shape\":[10]"));
		free(d);
		back[i] = f.runs[i].result;
	}
	ck_assert_msg(winit_results_write_json(path, "unit", 7, runs, back, N, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(slurp(path), first);
	winit_results_file_free(&f);
	/* `winit merge` of two shards (run 1 in one, the others in the other) is that file. */
	const char *dir = tu_tmpdir(), *bin = getenv("top_builddir");
	ck_assert_msg(bin && *bin, "top_builddir is not set (run through make check)");
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < N; i++)
			res[i].done = (i == 1) == (k == 1);
		ck_assert_int_eq(winit_results_write_json(tu_path(dir, k ? "b.json" : "a.json"), "unit", 7, runs, res,
		                                          N, &err),
		                 0);
	}
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "'%s/winit' merge '%s/m.json' '%s/b.json' '%s/a.json' >/dev/null", bin, dir, dir,
	         dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_str_eq(slurp(tu_path(dir, "m.json")), first);
	free_results(res, N);
}
END_TEST

/* A Conv2D layer's description: its filters (Keras's name of its units), plugins, and
 * its kind's fields (kernel_size, strides, padding by name, dilation_rate); the pooling
 * kinds' (pool_size, strides, padding) and Dropout's rate; read back, and refused when a
 * padding is no choice. */
START_TEST(a_conv_description_reads_back)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	tu_conv_graph(&runs[0].model);
	tu_keep(runs[0].model.layers);
	tu_keep(runs[0].model.inputs);
	res[0].run_seed = winit_run_seed(&runs[0]);
	const char *path = tu_path(tu_tmpdir(), "c.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "unit", 7, runs, res, 1, &err) == 0, "%s", err.msg);
	char text[1 << 16];
	snprintf(text, sizeof text, "%s", slurp(path));
	static const char *const want[] = {
		"\"type\": \"Conv2D\",\n"
		"            \"name\": \"down\",\n"
		"            \"output_shape\": [\n"
		"              3,\n"
		"              3,\n"
		"              2\n"
		"            ],\n"
		"            \"filters\": 2,",
		"\"kernel_size\": [\n"
		"              3,\n"
		"              3\n"
		"            ],\n"
		"            \"strides\": [\n"
		"              2,\n"
		"              2\n"
		"            ],\n"
		"            \"padding\": \"valid\",\n"
		"            \"dilation_rate\": [\n"
		"              1,\n"
		"              1\n"
		"            ]\n",
		"\"padding\": \"same\",",
	};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
		ck_assert_msg(strstr(text, want[k]), "not in the file:\n%s", want[k]);
	ck_assert_ptr_null(strstr(text, "\"units\": 4")); /* a Conv2D's are its filters */
	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	char *d = winit_results_describe(&runs[0]);
	ck_assert_str_eq(d, f.runs[0].description);
	free(d);
	winit_results_file_free(&f);
	/* The pooling kinds' and Dropout's fields. */
	runs[1] = runs[0];
	tu_pool_graph(&runs[1].model);
	tu_keep(runs[1].model.layers);
	tu_keep(runs[1].model.inputs);
	const char *pool_path = tu_path(tu_dir, "p.json");
	ck_assert_msg(winit_results_write_json(pool_path, "unit", 7, &runs[1], res, 1, &err) == 0, "%s", err.msg);
	const char *pool = slurp(pool_path);
	static const char *const pool_want[] = {
		"\"type\": \"AveragePooling2D\",\n"
		"            \"name\": \"average_pooling2d_1\",\n"
		"            \"output_shape\": [\n"
		"              4,\n"
		"              4,\n"
		"              4\n"
		"            ],\n"
		"            \"pool_size\": [\n"
		"              2,\n"
		"              1\n"
		"            ],\n"
		"            \"strides\": [\n"
		"              1,\n"
		"              1\n"
		"            ],\n"
		"            \"padding\": \"same\"\n",
		"\"type\": \"Dropout\",\n"
		"            \"name\": \"dropout_1\",\n"
		"            \"output_shape\": [\n"
		"              4,\n"
		"              4,\n"
		"              4\n"
		"            ],\n"
		"            \"rate\": 0.25\n",
		"\"type\": \"GlobalAveragePooling2D\",\n"
		"            \"name\": \"global_average_pooling2d_1\",\n"
		"            \"output_shape\": [\n"
		"              4\n"
		"            ]\n"
		"          },",
	};
	for (size_t k = 0; k < sizeof pool_want / sizeof pool_want[0]; k++)
		ck_assert_msg(strstr(pool, pool_want[k]), "not in the file:\n%s", pool_want[k]);
	ck_assert_msg(winit_results_read(pool_path, &f, &err) == 0, "%s", err.msg);
	winit_results_file_free(&f);
	/* The normalization kinds: their fields and their tensors' initializers by Keras's
	 * names (Scale's one). */
	tu_norm_graph(&runs[1].model);
	tu_keep(runs[1].model.layers);
	tu_keep(runs[1].model.inputs);
	const char *norm_path = tu_path(tu_dir, "n.json");
	ck_assert_msg(winit_results_write_json(norm_path, "unit", 7, &runs[1], res, 1, &err) == 0, "%s", err.msg);
	const char *norm = slurp(norm_path);
	static const char *const norm_want[] = {
		"\"type\": \"BatchNormalization\",\n"
		"            \"name\": \"batch_normalization_1\",\n"
		"            \"output_shape\": [\n"
		"              4,\n"
		"              4,\n"
		"              4\n"
		"            ],\n"
		"            \"gamma_initializer\": {\n",
		"\"momentum\": 0.9,\n"
		"            \"epsilon\": 0.001\n",
		"\"beta_initializer\": {\n"
		"              \"name\": \"random_normal\",",
		"\"epsilon\": 1e-05\n",
		"\"type\": \"Scale\",\n"
		"            \"name\": \"scale_1\",\n"
		"            \"output_shape\": [\n"
		"              4,\n"
		"              4,\n"
		"              4\n"
		"            ],\n"
		"            \"initializer\": {\n",
		"\"per_channel\": 1\n",
	};
	for (size_t k = 0; k < sizeof norm_want / sizeof norm_want[0]; k++)
		ck_assert_msg(strstr(norm, norm_want[k]), "not in the file:\n%s", norm_want[k]);
	ck_assert_int_eq(count(norm, "\"beta_initializer\""), 2);
	ck_assert_msg(winit_results_read(norm_path, &f, &err) == 0, "%s", err.msg);
	winit_results_file_free(&f);

	char *at = strstr(text, "\"padding\": \"valid\"");
	memcpy(at + 12, "vaLid", 5);
	write_text(path, text);
	ck_assert_int_eq(winit_results_read(path, &f, &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "c.json: runs[0].model.layers[1].padding: expected one of \"valid\", \"same\", "
	                              "\"circular\", found a string"),
	              "%s", err.msg);
	free_results(res, 1);
}
END_TEST

/* What no writer writes in a graph's description is refused, named by its place. */
START_TEST(a_wrong_graph_description_is_refused)
{
	struct winit_error err = { 0 };
	int add = 1 + TU_GRAPH_ADD, reshape = 1 + TU_GRAPH_RESHAPE, concat = 1 + TU_GRAPH_CONCAT;
	ck_assert_int_eq(read_edited_runs(add, "\"Add\"", "\"Conv9D\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers[3].type: expected a layer kind (\"Dense\", "
	                              "\"Flatten\", \"Reshape\", \"Add\", \"Concatenate\", \"Conv2D\""),
	              "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "), found \"Conv9D\""), "%s", err.msg);
	ck_assert_int_eq(read_edited_runs(add, "              2,\n              1\n",
	                                  "              2,\n              3\n", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers[3].inputs[1]: expected an earlier layer's "
	                              "index (-1 to 2), found 3"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_runs(add, "\"units\": 10,", "", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers[4].units is missing (expected an integer >= 1 (a "
	                              "Dense layer's))"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_runs(reshape, "\"target_shape\": [\n              4,",
	                                  "\"target_shape\": [\n              0,", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers[4].target_shape: expected a shape"), "%s", err.msg);
	ck_assert_int_eq(read_edited_runs(concat, "\"axis\": -1", "\"axis\": 9", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers[3].axis: expected an integer in [-1, 3] "
	                              "(Concatenate's axis), found 9"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_runs(add, "\"lr\": 0.25", "\"lr\": -1", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers[2].multipliers.bias.lr: expected a number >= 0"),
	              "%s", err.msg);
}
END_TEST

START_TEST(a_wrong_file_is_refused_with_the_reason)
{
	struct winit_error err = { 0 };
	ck_assert_int_eq(read_edited("\"winit-results\"", "\"keras-history\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: not a winit results file: expected \"format\": \"winit-results\", found \"keras-history\""),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited("\"version\": 2", "\"version\": 3", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "version 3 is newer than this winit reads (up to version 2): it "
	                              "was written by a newer winit"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited("\"version\": 2", "\"version\": 1", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "version 1 is older than this winit's (2)"), "%s", err.msg);
	ck_assert_int_eq(read_edited("\"seed\": \"7\"", "\"seed\": 7", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: seed: expected a decimal string"), "%s", err.msg);
	ck_assert_int_eq(read_edited("\"epoch\": 2", "\"epoch\": \"2\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "runs[0].history[1].epoch: expected an integer, found a string"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited("\"status\": \"ok\"", "\"state\": \"ok\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "runs[0].status is missing (expected a string)"), "%s", err.msg);
	ck_assert_int_eq(read_edited("\"n_val\": 10", "\"n_val\": -1", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].data.n_val: expected an integer >= 0, found -1"), "%s", err.msg);
	ck_assert_int_eq(read_edited("\"label\"", "\"name\"", &err), WINIT_ERR_FORMAT); /* duplicate key */
	ck_assert_msg(strstr(err.msg, "r.json:10:12: byte 163: not a results file: invalid JSON: duplicate object key"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited("\"runs\": [", "\"runs\": [,", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "not a results file: invalid JSON"), "%s", err.msg);
	/* Values no writer writes: an accuracy outside [0, 1], a string for theory's
	 * prediction (read as null before), anything but an object for "learning" or an
	 * array for the model's layers (merge copied those through). */
	ck_assert_int_eq(read_edited("\"test_accuracy\": 0.875", "\"test_accuracy\": -5", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].test_accuracy: expected a number in [0, 1], found -5"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited("\"theory\": {", "\"theory\": {\"applies\": true, \"pre_var\": [\"x\"], \"grad_var\": [1]}, \"old\": {",
	                             &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].theory.pre_var[0]: expected a number or null, found a string"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited("\"learning\": {", "\"learning\": \"x\", \"old\": {", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].learning: expected an object, found a string"), "%s", err.msg);
	ck_assert_int_eq(read_edited("\"layers\": [", "\"layers\": \"x\", \"old\": [", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "r.json: runs[0].model.layers: expected an array, found a string"), "%s", err.msg);
	/* Not a regular file: refused before reading (a FIFO would block, /dev/zero never
	 * end). */
	const char *fifo = tu_path(tu_tmpdir(), "fifo.json");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	struct winit_results_file f;
	ck_assert_int_eq(winit_results_read(fifo, &f, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "fifo.json: cannot read results: it is a FIFO, not a regular file"), "%s", err.msg);
	ck_assert_int_eq(winit_results_read("/dev/zero", &f, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "/dev/zero: cannot read results: it is a device, not a regular file"), "%s",
	              err.msg);
	ck_assert_int_eq(winit_results_read(tu_path(tu_tmpdir(), "none.json"), &f, &err), WINIT_ERR_IO);
	ck_assert_msg(strstr(err.msg, "none.json"), "%s", err.msg);
	ck_assert_uint_eq(f.n_runs, 0);
	ck_assert_ptr_null(f.runs);
}
END_TEST

/* ---- the journal (winit/results.h): every run saved in constant time */

/* The text winit_results_write_json writes for the first k of n runs (malloc'd). */
static char *written(const char *dir, struct winit_run_spec *runs, struct winit_run_result *res,
                     int n, int k)
{
	char path[512];
	snprintf(path, sizeof path, "%s/ref%d.json", dir, k);
	for (int i = 0; i < n; i++)
		res[i].done = i < k;
	ck_assert_int_eq(winit_results_write_json(path, "s", 9, runs, res, (size_t)n, NULL), 0);
	for (int i = 0; i < n; i++)
		res[i].done = 1;
	return strdup(slurp(path));
}

static char *loaded(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_load_text(path, &text, &len, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

static struct winit_results_saver *journal_only(const char *path, struct winit_run_spec *runs,
                                                struct winit_run_result *res, int n)
{
	struct winit_run_result none[4];
	memset(none, 0, sizeof none);
	struct winit_results_saver *s = NULL;
	struct winit_error err = { 0 };
	setenv("WINIT_JOURNAL", "always", 1);
	ck_assert_msg(winit_results_saver_open(&s, path, "s", 9, runs, none, (size_t)n, NULL, &err) == 0,
	              "%s", err.msg);
	unsetenv("WINIT_JOURNAL");
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(winit_results_saver_add(s, (size_t)i, &res[i], NULL), 0);
	return s;
}

START_TEST(the_journal_gives_the_writers_bytes)
{
	struct winit_run_spec runs[3];
	struct winit_run_result res[3];
	make_runs(runs, res, 3);
	const char *dir = tu_tmpdir();
	char *want = written(dir, runs, res, 3, 3), *none = written(dir, runs, res, 3, 0);
	const char *path = tu_path(dir, "r.json");
	struct winit_results_saver *s = journal_only(path, runs, res, 3);
	/* Running: the file has the header only, the readers the three runs. */
	ck_assert_str_eq(slurp(path), none);
	char *now = loaded(path);
	ck_assert_str_eq(now, want);
	free(now);
	ck_assert_uint_eq(winit_results_saver_count(s), 3);
	ck_assert_int_eq(winit_results_saver_close(s, NULL), 0);
	ck_assert_str_eq(slurp(path), want);
	char j[600];
	snprintf(j, sizeof j, "%s.journal", path);
	ck_assert_int_ne(access(j, F_OK), 0);
	free(want);
	free(none);
	free_results(res, 3);
}
END_TEST

/* ---- coordinate checks (winit/coord.h): the file's "coord_checks" */

/* Check k of two: "mlp" under "standard" (k 0) and "mup" (k 1), 3 widths, 2 steps, 2
 * layers, values that need 17 digits, a NaN among them. */
static void make_coord(struct winit_coord_check *c, int k)
{
	ck_assert_int_eq(winit_coord_check_alloc(c, 3, 2, 2, 2, NULL), 0);
	snprintf(c->name, sizeof c->name, "mlp");
	snprintf(c->parametrization, sizeof c->parametrization, "%s", k ? "mup" : "standard");
	c->batch_size = 64;
	for (int w = 0; w < 3; w++)
		c->widths[w] = 128 << (2 * w);
	c->seeds[0] = 1;
	c->seeds[1] = 2 + k;
	for (int l = 0; l < 2; l++) {
		snprintf(c->layers[l].name, sizeof c->layers[l].name, "dense_%d", l + 1);
		c->layers[l].of = l == 1 ? WINIT_COORD_PRE_ACTIVATION : WINIT_COORD_ACTIVATION;
		for (int i = 0; i < 9; i++) {
			c->layers[l].mean_abs[i] = 0.1 / 3.0 * (i + 1) * (l + 1) * (k + 1);
			c->layers[l].change[i] = i < 3 ? 0 : 1.0 / 7.0 * i;
		}
	}
	c->layers[1].change[8] = NAN;
}

static void same_coord(const struct winit_coord_check *a, const struct winit_coord_check *b)
{
	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->parametrization, b->parametrization);
	ck_assert_int_eq(a->n_widths, b->n_widths);
	ck_assert_int_eq(a->n_seeds, b->n_seeds);
	ck_assert_int_eq(a->steps, b->steps);
	ck_assert_int_eq(a->batch_size, b->batch_size);
	ck_assert_int_eq(a->n_layers, b->n_layers);
	ck_assert_mem_eq(a->widths, b->widths, (size_t)a->n_widths * sizeof *a->widths);
	ck_assert_mem_eq(a->seeds, b->seeds, (size_t)a->n_seeds * sizeof *a->seeds);
	size_t cells = (size_t)(a->steps + 1) * (size_t)a->n_widths;
	for (int32_t l = 0; l < a->n_layers; l++) {
		ck_assert_str_eq(a->layers[l].name, b->layers[l].name);
		ck_assert_int_eq(a->layers[l].of, b->layers[l].of);
		for (size_t i = 0; i < cells; i++) {
			double x = a->layers[l].mean_abs[i], y = b->layers[l].mean_abs[i];
			ck_assert_msg(x == y, "layer %d mean_abs[%zu]: %.17g != %.17g", (int)l, i, x, y);
			x = a->layers[l].change[i];
			y = b->layers[l].change[i];
			ck_assert_msg(x == y || (isnan(x) && isnan(y)), "layer %d change[%zu]: %.17g != %.17g",
			              (int)l, i, x, y);
		}
	}
}

/* Written with a study's runs, the checks come back bit for bit from every reader
 * (winit_results_read, winit_report_read), and a saver that journals every run gives the
 * file the whole writer writes. */
START_TEST(coordinate_checks_read_back_exactly)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	make_runs(runs, res, 2);
	struct winit_coord_check cc[2];
	make_coord(&cc[0], 0);
	make_coord(&cc[1], 1);
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "cc.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json_coord(path, "s", 9, runs, res, 2, cc, 2, 0, &err) == 0,
	              "%s", err.msg);
	char *want = strdup(slurp(path));
	ck_assert_int_eq(count(want, "\"coord_checks\""), 1);
	ck_assert_ptr_nonnull(strstr(want, "\"of\": \"pre_activation\""));
	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f.n_runs, 2);
	ck_assert_uint_eq(f.n_coord_checks, 2);
	same_coord(&cc[0], &f.coord_checks[0]);
	same_coord(&cc[1], &f.coord_checks[1]);
	winit_results_file_free(&f);
	ck_assert_ptr_null(f.coord_checks);
	struct winit_report_study r;
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(r.n_coord_checks, 2);
	same_coord(&cc[0], &r.coord_checks[0]);
	same_coord(&cc[1], &r.coord_checks[1]);
	winit_report_free(&r);
	/* A copy is the same check. */
	struct winit_coord_check copy;
	ck_assert_int_eq(winit_coord_check_copy(&copy, &cc[1], NULL), 0);
	same_coord(&cc[1], &copy);
	winit_coord_check_free(&copy);
	/* Saved run by run through the journal: the same bytes. */
	const char *jpath = tu_path(dir, "cc_journal.json");
	struct winit_run_result none[2];
	memset(none, 0, sizeof none);
	struct winit_save_options so = { .coord_checks = cc, .n_coord_checks = 2 };
	struct winit_results_saver *s = NULL;
	setenv("WINIT_JOURNAL", "always", 1);
	ck_assert_msg(winit_results_saver_open(&s, jpath, "s", 9, runs, none, 2, &so, &err) == 0, "%s",
	              err.msg);
	unsetenv("WINIT_JOURNAL");
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(winit_results_saver_add(s, (size_t)i, &res[i], NULL), 0);
	char *now = loaded(jpath);
	ck_assert_str_eq(now, want);
	free(now);
	ck_assert_int_eq(winit_results_saver_close(s, NULL), 0);
	ck_assert_str_eq(slurp(jpath), want);
	/* Without checks the file has no "coord_checks" at all (files as before). */
	ck_assert_int_eq(winit_results_write_json(path, "s", 9, runs, res, 2, NULL), 0);
	ck_assert_int_eq(count(slurp(path), "coord_checks"), 0);
	free(want);
	winit_coord_check_free(&cc[0]);
	winit_coord_check_free(&cc[1]);
	free_results(res, 2);
}
END_TEST

/* The file with both checks of make_coord, with `from` replaced by `to`, read back. */
static int read_edited_coord(const char *from, const char *to, struct winit_error *err)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	struct winit_coord_check cc[2];
	make_coord(&cc[0], 0);
	make_coord(&cc[1], 1);
	const char *path = tu_path(tu_tmpdir(), "cc.json");
	ck_assert_int_eq(winit_results_write_json_coord(path, "s", 9, runs, res, 1, cc, 2, 0, err), 0);
	winit_coord_check_free(&cc[0]);
	winit_coord_check_free(&cc[1]);
	free_results(res, 1);
	static char text[1 << 16], edited[1 << 16];
	snprintf(text, sizeof text, "%s", slurp(path));
	char *at = strstr(text, from);
	ck_assert_msg(at != NULL, "'%s' not in the file", from);
	snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	write_text(path, edited);
	struct winit_report_study r;
	int rc = winit_report_read(path, &r, err);
	if (rc == 0)
		winit_report_free(&r);
	return rc;
}

START_TEST(a_wrong_coordinate_check_is_refused)
{
	struct winit_error err = { 0 };
	ck_assert_int_eq(read_edited_coord("\"mup\"", "\"mop\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "cc.json: coord_checks[1].parametrization: expected \"standard\", \"ntk\" or \"mup\", found \"mop\""),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_coord("\"mup\"", "\"standard\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "coord_checks[1]: coordinate check 'mlp' (standard) is there twice (also [0])"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_coord("128,\n        512", "512,\n        128", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "coord_checks[0]: widths: expected increasing widths, found 128 after 512"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_coord("\"of\": \"activation\"", "\"of\": \"output\"", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "coord_checks[0].layers[0].of: expected \"activation\" or \"pre_activation\""),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_coord("\"steps\": 2", "\"steps\": 3", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "coord_checks[0]: layers[0].mean_abs: expected 4 rows (steps 0 to 3) of 3 values (one per width)"),
	              "%s", err.msg);
	ck_assert_int_eq(read_edited_coord("0.03333333333333333,", "-1,", &err), WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "coord_checks[0].layers[0].mean_abs[0][0]: expected a number >= 0"), "%s",
	              err.msg);
	ck_assert_int_eq(read_edited_coord("\"coord_checks\": [", "\"coord_checks\": {}, \"x\": [", &err),
	                 WINIT_ERR_FORMAT);
	ck_assert_msg(strstr(err.msg, "cc.json: coord_checks: expected an array, found an object"), "%s", err.msg);
	/* The control: the file as written reads. */
	ck_assert_msg(read_edited_coord("\"mup\"", "\"mup\"", &err) == 0, "%s", err.msg);
	/* What the Lua binding and a C program attach is checked the same way. */
	struct winit_coord_check c;
	make_coord(&c, 0);
	ck_assert_int_eq(winit_coord_check_validate(&c, &err), 0);
	c.widths[2] = 100;
	ck_assert_int_eq(winit_coord_check_validate(&c, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "coordinate check 'mlp': expected widths >= 1, increasing"), "%s", err.msg);
	c.widths[2] = 4096;
	snprintf(c.parametrization, sizeof c.parametrization, "sp");
	ck_assert_int_eq(winit_coord_check_validate(&c, &err), WINIT_ERR_ARG);
	/* The writers never write what the readers refuse: a wrong check or a key twice is
	 * refused before anything is written. */
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	const char *path = tu_path(tu_tmpdir(), "badcc.json");
	struct winit_results_sections sec = { &c, 1, NULL, 0 };
	ck_assert_int_eq(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "badcc.json: coordinate check 'mlp'"), "%s", err.msg);
	ck_assert_int_ne(access(path, F_OK), 0);
	struct winit_results_saver *saver = NULL;
	struct winit_save_options so = { .coord_checks = &c, .n_coord_checks = 1 };
	ck_assert_int_eq(winit_results_saver_open(&saver, path, "s", 9, runs, res, 1, &so, &err), WINIT_ERR_ARG);
	ck_assert_ptr_null(saver);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(c.parametrization, sizeof c.parametrization, "mup");
	struct winit_coord_check two[2] = { c, c };
	sec.coord_checks = two;
	sec.n_coord_checks = 2;
	ck_assert_int_eq(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "badcc.json: coordinate check 'mlp' (mup) is given twice"), "%s", err.msg);
	sec.n_coord_checks = 1;
	ck_assert_msg(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, &err) == 0, "%s", err.msg);
	free_results(res, 1);
	winit_coord_check_free(&c);
}
END_TEST

/* ---- Jacobian spectra (winit/spectrum.h): the file's "spectra" */

/* Spectrum k of two: "tanh orthogonal" (k 0) and "relu he" (k 1, no q_star and no
 * theory of the variance at its first depth), depths 3 and 7, 2 networks, 4 bins, 10
 * values per depth, numbers that need 17 digits. */
static void make_spectrum(struct winit_spectrum *s, int k)
{
	ck_assert_int_eq(winit_spectrum_alloc(s, 2, 2, 4, NULL), 0);
	snprintf(s->name, sizeof s->name, "%s", k ? "relu he" : "tanh orthogonal");
	snprintf(s->activation, sizeof s->activation, "%s", k ? "relu" : "tanh");
	snprintf(s->weights, sizeof s->weights, "%s", k ? "he" : "orthogonal");
	s->sigma_w = k ? sqrt(2.0) : 1.0421258257731096;
	s->sigma_b = k ? 0 : 0.01;
	s->q_star = k ? NAN : 0.04570904991621466;
	s->chi_1 = 1.0 - 1.0 / 3e9;
	s->v_w = k;
	s->v_d = k ? 1 : 0.011462911630330863;
	s->width = 5;
	s->networks = 2;
	s->examples = 1;
	s->hist_lo = -8;
	s->hist_hi = 2.5;
	for (int d = 0; d < 2; d++) {
		struct winit_spectrum_depth *y = &s->depths[d];
		y->depth = d ? 7 : 3;
		y->values = 10;
		y->mean_sq = 1.0 / 3.0 + d + k;
		y->mean_sq_per_network[0] = 0.3 + d;
		y->mean_sq_per_network[1] = 1.0 / 7.0 + d;
		y->var_sq = 0.1 * (d + 1);
		y->norm_var = y->var_sq / (y->mean_sq * y->mean_sq);
		y->max = 1.5 + d;
		y->min = k ? 0 : 0.25;
		y->theory_mean_sq = pow(s->chi_1, y->depth);
		y->theory_norm_var = y->depth * (s->v_w + s->v_d);
		y->theory_var_sq = k && d == 0 ? NAN : y->theory_norm_var;
		int64_t counts[4] = { 1, 2, 3, 4 };
		memcpy(y->hist_counts, counts, sizeof counts);
	}
}

static void same_spectrum(const struct winit_spectrum *a, const struct winit_spectrum *b)
{
	ck_assert_str_eq(a->name, b->name);
	ck_assert_str_eq(a->activation, b->activation);
	ck_assert_str_eq(a->weights, b->weights);
	const double sa[] = { a->sigma_w, a->sigma_b, a->q_star, a->chi_1, a->v_w, a->v_d, a->hist_lo, a->hist_hi };
	const double sb[] = { b->sigma_w, b->sigma_b, b->q_star, b->chi_1, b->v_w, b->v_d, b->hist_lo, b->hist_hi };
	for (size_t i = 0; i < sizeof sa / sizeof *sa; i++)
		ck_assert_msg(sa[i] == sb[i] || (isnan(sa[i]) && isnan(sb[i])), "scalar %zu: %.17g != %.17g", i,
		              sa[i], sb[i]);
	ck_assert_int_eq(a->width, b->width);
	ck_assert_int_eq(a->networks, b->networks);
	ck_assert_int_eq(a->examples, b->examples);
	ck_assert_int_eq(a->hist_bins, b->hist_bins);
	ck_assert_int_eq(a->n_depths, b->n_depths);
	for (int32_t d = 0; d < a->n_depths; d++) {
		const struct winit_spectrum_depth *x = &a->depths[d], *y = &b->depths[d];
		ck_assert_int_eq(x->depth, y->depth);
		ck_assert_int_eq(x->values, y->values);
		const double xa[] = { x->mean_sq, x->var_sq, x->norm_var, x->max, x->min, x->theory_mean_sq,
			              x->theory_var_sq, x->theory_norm_var };
		const double ya[] = { y->mean_sq, y->var_sq, y->norm_var, y->max, y->min, y->theory_mean_sq,
			              y->theory_var_sq, y->theory_norm_var };
		for (size_t i = 0; i < sizeof xa / sizeof *xa; i++)
			ck_assert_msg(xa[i] == ya[i] || (isnan(xa[i]) && isnan(ya[i])), "depth %d value %zu: %.17g != %.17g",
			              (int)d, i, xa[i], ya[i]);
		ck_assert_mem_eq(x->mean_sq_per_network, y->mean_sq_per_network, (size_t)a->networks * sizeof(double));
		ck_assert_mem_eq(x->hist_counts, y->hist_counts, (size_t)a->hist_bins * sizeof(int64_t));
	}
}

/* Written with a study's runs (and a coordinate check), the spectra come back bit for bit
 * from every reader, what was read writes the same file again, and a saver that journals
 * every run gives the file the whole writer writes. */
START_TEST(spectra_read_back_exactly)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	make_runs(runs, res, 2);
	struct winit_spectrum sp[2];
	make_spectrum(&sp[0], 0);
	make_spectrum(&sp[1], 1);
	struct winit_coord_check cc;
	make_coord(&cc, 0);
	struct winit_results_sections sec = { &cc, 1, sp, 2 };
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "sp.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json_sections(path, "s", 9, runs, res, 2, &sec, 0, &err) == 0, "%s",
	              err.msg);
	char *want = strdup(slurp(path));
	ck_assert_int_eq(count(want, "\"spectra\""), 1);
	/* after the coordinate checks, before the runs; no q_star and a missing prediction as null */
	ck_assert_ptr_nonnull(strstr(want, "\"coord_checks\""));
	ck_assert(strstr(want, "\"coord_checks\"") < strstr(want, "\"spectra\""));
	ck_assert(strstr(want, "\"spectra\"") < strstr(want, "\"runs\""));
	ck_assert_int_eq(count(want, "\"q_star\": null"), 1);
	ck_assert_int_eq(count(want, "\"theory_var_sq\": null"), 1);
	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f.n_spectra, 2);
	same_spectrum(&sp[0], &f.spectra[0]);
	same_spectrum(&sp[1], &f.spectra[1]);
	/* What was read writes the same bytes. */
	const char *again = tu_path(dir, "sp_again.json");
	struct winit_results_sections sec2 = { f.coord_checks, f.n_coord_checks, f.spectra, f.n_spectra };
	ck_assert_msg(winit_results_write_json_sections(again, "s", 9, runs, res, 2, &sec2, 0, &err) == 0, "%s",
	              err.msg);
	ck_assert_str_eq(slurp(again), want);
	winit_results_file_free(&f);
	ck_assert_ptr_null(f.spectra);
	struct winit_report_study r;
	ck_assert_msg(winit_report_read(path, &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(r.n_spectra, 2);
	same_spectrum(&sp[0], &r.spectra[0]);
	same_spectrum(&sp[1], &r.spectra[1]);
	winit_report_free(&r);
	struct winit_spectrum copy;
	ck_assert_int_eq(winit_spectrum_copy(&copy, &sp[1], NULL), 0);
	same_spectrum(&sp[1], &copy);
	winit_spectrum_free(&copy);
	/* Saved run by run through the journal: the same bytes. */
	const char *jpath = tu_path(dir, "sp_journal.json");
	struct winit_run_result none[2];
	memset(none, 0, sizeof none);
	struct winit_save_options so = { .coord_checks = &cc, .n_coord_checks = 1, .spectra = sp, .n_spectra = 2 };
	struct winit_results_saver *s = NULL;
	setenv("WINIT_JOURNAL", "always", 1);
	ck_assert_msg(winit_results_saver_open(&s, jpath, "s", 9, runs, none, 2, &so, &err) == 0, "%s", err.msg);
	unsetenv("WINIT_JOURNAL");
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(winit_results_saver_add(s, (size_t)i, &res[i], NULL), 0);
	char *now = loaded(jpath);
	ck_assert_str_eq(now, want);
	free(now);
	ck_assert_int_eq(winit_results_saver_close(s, NULL), 0);
	ck_assert_str_eq(slurp(jpath), want);
	/* Without spectra the file has no "spectra" at all (files as before). */
	ck_assert_int_eq(winit_results_write_json_coord(path, "s", 9, runs, res, 2, &cc, 1, 0, NULL), 0);
	ck_assert_int_eq(count(slurp(path), "\"spectra\""), 0);
	free(want);
	winit_spectrum_free(&sp[0]);
	winit_spectrum_free(&sp[1]);
	winit_coord_check_free(&cc);
	free_results(res, 2);
}
END_TEST

/* The file with both spectra of make_spectrum, with `from` replaced by `to`, read back by
 * both readers (which must agree); the report reader's status. */
static int read_edited_spectra(const char *from, const char *to, struct winit_error *err)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	struct winit_spectrum sp[2];
	make_spectrum(&sp[0], 0);
	make_spectrum(&sp[1], 1);
	struct winit_results_sections sec = { NULL, 0, sp, 2 };
	const char *path = tu_path(tu_tmpdir(), "sp.json");
	ck_assert_int_eq(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, err), 0);
	winit_spectrum_free(&sp[0]);
	winit_spectrum_free(&sp[1]);
	free_results(res, 1);
	static char text[1 << 16], edited[1 << 16];
	snprintf(text, sizeof text, "%s", slurp(path));
	char *at = strstr(text, from);
	ck_assert_msg(at != NULL, "'%s' not in the file", from);
	snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	write_text(path, edited);
	struct winit_results_file f;
	struct winit_error err2 = { 0 };
	int rc2 = winit_results_read(path, &f, &err2);
	if (rc2 == 0)
		winit_results_file_free(&f);
	struct winit_report_study r;
	int rc = winit_report_read(path, &r, err);
	if (rc == 0)
		winit_report_free(&r);
	ck_assert_int_eq(rc, rc2);
	ck_assert_str_eq(err->msg, err2.msg);
	return rc;
}

#define REFUSED(from, to, want)                                                                 \
	do {                                                                                    \
		struct winit_error e_ = { 0 };                                                  \
		ck_assert_int_eq(read_edited_spectra(from, to, &e_), WINIT_ERR_FORMAT);         \
		ck_assert_msg(strstr(e_.msg, want), "refused as '%s', not '%s'", e_.msg, want); \
	} while (0)

START_TEST(a_wrong_spectrum_is_refused)
{
	REFUSED("\"mean_sq\": 0.3333333333333333", "\"mean_sq\": null",
	        "sp.json: spectra[0].depths[0].mean_sq: expected a number, found null");
	REFUSED("\"sigma_b\": 0.01", "\"sigma_b\": \"0.01\"",
	        "sp.json: spectra[0].sigma_b: expected a number, found a string");
	REFUSED("\"var_sq\": 0.1,", "\"var_sq\": -0.1,",
	        "sp.json: spectra[0].depths[0].var_sq: expected a number >= 0, found -0.10000000000000001");
	REFUSED("            1,\n            2,", "            1,\n            3,",
	        "sp.json: spectra[0]: depths[0].hist_counts: expected counts summing to values (10), found 11");
	REFUSED("\"hist_bins\": 4", "\"hist_bins\": 5",
	        "sp.json: spectra[0]: depths[0].hist_counts: expected 5 counts (hist_bins), found 4");
	REFUSED("\"networks\": 2", "\"networks\": 3",
	        "sp.json: spectra[0]: depths[0].mean_sq_per_network: expected 3 values (one per network), found 2");
	REFUSED("\"depth\": 7", "\"depth\": 3",
	        "sp.json: spectra[0]: depths[1].depth: expected depths increasing, found 3 after 3");
	REFUSED("\"depth\": 3", "\"depth\": 0", "sp.json: spectra[0].depths[0].depth: expected an integer in [1, 2147483647], found 0");
	REFUSED("\"relu he\"", "\"tanh orthogonal\"", "sp.json: spectra[1]: spectrum 'tanh orthogonal' is there twice (also [0])");
	REFUSED("\"min\": 0.25", "\"min\": 2", "sp.json: spectra[0]: depths[0]: expected min <= max, found min 2, max 1.5");
	REFUSED("-8,\n        2.5", "3,\n        2.5", "sp.json: spectra[0]: hist_log10_range: expected [lo, hi] with lo < hi");
	REFUSED("\"activation\": \"tanh\"", "\"activation\": \"\"",
	        "sp.json: spectra[0]: expected a name, an activation and weights, found \"\"");
	REFUSED("\"width\": 5,", "", "sp.json: spectra[0].width is missing (expected an integer)");
	REFUSED("\"spectra\": [", "\"spectra\": {}, \"x\": [", "sp.json: spectra: expected an array, found an object");
	/* The control: the file as written reads. */
	struct winit_error err = { 0 };
	ck_assert_msg(read_edited_spectra("\"relu he\"", "\"relu he\"", &err) == 0, "%s", err.msg);
	/* What the Lua binding and a C program attach is checked the same way. */
	struct winit_spectrum s;
	make_spectrum(&s, 1);
	ck_assert_msg(winit_spectrum_validate(&s, &err) == 0, "%s", err.msg);
	s.depths[1].mean_sq = INFINITY;
	ck_assert_int_eq(winit_spectrum_validate(&s, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "spectrum 'relu he': expected depths[1]: mean_sq, mean_sq_per_network, var_sq, "
	                              "norm_var, max and min finite and >= 0"),
	              "%s", err.msg);
	s.depths[1].mean_sq = 1;
	s.depths[1].hist_counts[3] = 5;
	ck_assert_int_eq(winit_spectrum_validate(&s, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "expected depths[1].hist_counts >= 0 summing to values (10)"), "%s", err.msg);
	s.depths[1].hist_counts[3] = 4;
	s.depths[1].depth = 3;
	ck_assert_int_eq(winit_spectrum_validate(&s, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "expected depths[1].depth >= 1, increasing"), "%s", err.msg);
	s.depths[1].depth = 7;
	s.q_star = -INFINITY;
	ck_assert_int_eq(winit_spectrum_validate(&s, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "expected q_star finite and >= 0, or none (NaN)"), "%s", err.msg);
	s.q_star = NAN;
	s.hist_hi = s.hist_lo;
	ck_assert_int_eq(winit_spectrum_validate(&s, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "expected hist_log10_range [lo, hi], finite, lo < hi"), "%s", err.msg);
	/* The writers never write what the readers refuse: a NaN where a value is measured
	 * (null in the file) or a name twice is refused before anything is written. */
	s.hist_hi = 2;
	s.depths[0].var_sq = NAN;
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	const char *dir = tu_tmpdir();
	const char *path = tu_path(dir, "nan.json");
	struct winit_results_sections sec = { NULL, 0, &s, 1 };
	ck_assert_int_eq(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "nan.json: spectrum 'relu he': expected depths[0]: mean_sq"), "%s", err.msg);
	ck_assert_int_ne(access(path, F_OK), 0);
	struct winit_results_saver *saver = NULL;
	struct winit_save_options so = { .spectra = &s, .n_spectra = 1 };
	ck_assert_int_eq(winit_results_saver_open(&saver, path, "s", 9, runs, res, 1, &so, &err), WINIT_ERR_ARG);
	ck_assert_ptr_null(saver);
	ck_assert_int_ne(access(path, F_OK), 0);
	s.depths[0].var_sq = 0.1;
	struct winit_spectrum two[2];
	two[0] = s;
	two[1] = s;
	sec.spectra = two;
	sec.n_spectra = 2;
	ck_assert_int_eq(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, &err), WINIT_ERR_ARG);
	ck_assert_msg(strstr(err.msg, "nan.json: spectrum 'relu he' is given twice"), "%s", err.msg);
	sec.n_spectra = 1;
	ck_assert_msg(winit_results_write_json_sections(path, "s", 9, runs, res, 1, &sec, 0, &err) == 0, "%s", err.msg);
	free_results(res, 1);
	winit_spectrum_free(&s);
}
END_TEST
#undef REFUSED

START_TEST(a_torn_last_record_is_dropped_at_every_byte)
{
	struct winit_run_spec runs[3];
	struct winit_run_result res[3];
	make_runs(runs, res, 3);
	const char *dir = tu_tmpdir();
	char *want[4];
	for (int k = 0; k <= 3; k++)
		want[k] = written(dir, runs, res, 3, k);
	char path[512], jpath[600], copy[512], cjpath[600];
	snprintf(path, sizeof path, "%s/r.json", dir);
	snprintf(jpath, sizeof jpath, "%s.journal", path);
	struct winit_results_saver *s = journal_only(path, runs, res, 3);
	FILE *f = fopen(jpath, "rb");
	ck_assert_ptr_nonnull(f);
	char *journal = malloc(1 << 20);
	ck_assert_ptr_nonnull(journal);
	size_t size = fread(journal, 1, (1 << 20) - 1, f);
	journal[size] = '\0'; /* sscanf and strchr below read it as a string */
	fclose(f);
	winit_results_saver_close(s, NULL);
	/* Where each record ends: the header's, then the runs'. */
	size_t ends[4];
	int n_ends = 0;
	const char *p = journal + strlen("winit-journal 1\n");
	while (p < journal + size) {
		char kind;
		unsigned long long index, len;
		unsigned crc;
		ck_assert_int_eq(sscanf(p, "%c %llu %llu %x", &kind, &index, &len, &crc), 4);
		p = strchr(p, '\n') + 1 + len + 1;
		ends[n_ends++] = (size_t)(p - journal);
	}
	ck_assert_int_eq(n_ends, 4);
	/* A copy of the study's file with no run, and beside it the journal cut at every
	 * byte after its header record: the runs whose records are whole, and no error. */
	snprintf(copy, sizeof copy, "%s/c.json", dir);
	snprintf(cjpath, sizeof cjpath, "%s.journal", copy);
	write_text(copy, want[0]);
	f = fopen(cjpath, "wb");
	ck_assert_uint_eq(fwrite(journal, 1, size, f), size);
	fclose(f);
	/* (Cut from the end down: rewriting a file from zero each time costs a flush.) */
	for (size_t cut = size; cut >= ends[0]; cut--) {
		ck_assert_int_eq(truncate(cjpath, (off_t)cut), 0);
		int k = 0;
		while (k < 3 && ends[k + 1] <= cut)
			k++;
		char *text = loaded(copy);
		ck_assert_msg(strcmp(text, want[k]) == 0, "cut at byte %zu of %zu: not the file of %d runs", cut,
		              size, k);
		free(text);
	}
	/* Damage inside the first run's record, with the others after it: refused, its byte
	 * named. */
	f = fopen(cjpath, "wb");
	journal[ends[0] + 30] ^= 1;
	fwrite(journal, 1, size, f);
	fclose(f);
	char *text = NULL;
	size_t len;
	struct winit_error err = { 0 };
	ck_assert_int_eq(winit_results_load_text(copy, &text, &len, &err), WINIT_ERR_FORMAT);
	char what[64];
	snprintf(what, sizeof what, "byte %zu: a record whose CRC-32 does not match", ends[0]);
	ck_assert_msg(strstr(err.msg, what) != NULL, "%s", err.msg);
	ck_assert_ptr_null(text);
	free(journal);
	for (int k = 0; k <= 3; k++)
		free(want[k]);
	free_results(res, 3);
}
END_TEST

START_TEST(one_writer_at_a_time_and_earlier_runs_kept_aside)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2], none[2];
	make_runs(runs, res, 2);
	memset(none, 0, sizeof none);
	const char *dir = tu_tmpdir();
	char *earlier = written(dir, runs, res, 2, 2);
	char path[512], aside[600];
	snprintf(path, sizeof path, "%s/r.json", dir);
	snprintf(aside, sizeof aside, "%s.1", path);
	write_text(path, earlier);
	struct winit_results_saver *a = NULL, *b = NULL;
	struct winit_error err = { 0 };
	char log[4096] = "";
	FILE *lf = fmemopen(log, sizeof log, "w");
	struct winit_save_options o = { .log = lf };
	ck_assert_int_eq(winit_results_saver_open(&a, path, "s", 9, runs, none, 2, &o, &err), 0);
	fclose(lf);
	ck_assert_str_eq(slurp(aside), earlier);
	ck_assert_msg(strstr(log, "held 2 runs of an earlier study: kept as ") != NULL, "%s", log);
	ck_assert_int_eq(count(slurp(path), "\"name\""), 0);
	/* A second saver of the same file, even in this process, is refused naming the pid. */
	ck_assert_int_eq(winit_results_saver_open(&b, path, "s", 9, runs, none, 2, NULL, &err),
	                 WINIT_ERR_ARG);
	char pid[64];
	snprintf(pid, sizeof pid, "another winit (pid %ld) is writing", (long)getpid());
	ck_assert_msg(strstr(err.msg, pid) != NULL, "%s", err.msg);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(winit_results_saver_close(a, NULL), 0);
	/* Once closed, the next writer gets in; the file held no run, so nothing is kept. */
	ck_assert_int_eq(winit_results_saver_open(&b, path, "s", 9, runs, none, 2, NULL, &err), 0);
	ck_assert_int_eq(winit_results_saver_close(b, NULL), 0);
	snprintf(aside, sizeof aside, "%s.2", path);
	ck_assert_int_ne(access(aside, F_OK), 0);
	free(earlier);
	free_results(res, 2);
}
END_TEST

/* Every per-layer diagnostic WINIT_DIAG_LAYER_FIELDS lists is written and read back, each
 * with a value of its own (and NaN as null): a field added to the list reaches the file
 * and the reader without another line here. */
START_TEST(every_layer_diagnostic_is_written_and_read)
{
	struct winit_run_spec runs[1];
	struct winit_run_result res[1];
	make_runs(runs, res, 1);
	struct winit_diagnostics *d = &res[0].diagnostics;
	d->snaps = calloc(1, sizeof *d->snaps);
	ck_assert_ptr_nonnull(d->snaps);
	d->n = d->cap = 1;
	d->snaps[0].n_layers = 2;
	d->snaps[0].probe_loss = 2.5;
	d->snaps[0].probe_accuracy = 0.25;
	d->snaps[0].val_loss = d->snaps[0].val_accuracy = NAN;
	struct winit_diag_layer *x = d->snaps[0].layers = calloc(2, sizeof *x);
	ck_assert_ptr_nonnull(x);
	int k = 0;
	for (int l = 0; l < 2; l++) {
#define SET_f64(name) x[l].name = l ? NAN : 0.0625 * ++k;
#define SET_i64(name) x[l].name = 5 * ++k;
#define SET(name, type, range) SET_##type(name)
		WINIT_DIAG_LAYER_FIELDS(SET)
#undef SET
#undef SET_i64
#undef SET_f64
	}
	const char *dir = tu_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/diag.json", dir);
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "s", 9, runs, res, 1, &err) == 0, "%s", err.msg);
	struct winit_results_file f;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(f.runs[0].result.diagnostics.n, 1);
	const struct winit_diag_layer *y = f.runs[0].result.diagnostics.snaps[0].layers;
	for (int l = 0; l < 2; l++) {
#define SAME_f64(name) ck_assert_msg(l ? isnan(y[l].name) : y[l].name == x[l].name, "%s", #name);
#define SAME_i64(name) ck_assert_msg(y[l].name == x[l].name, "%s", #name);
#define SAME(name, type, range) SAME_##type(name)
		WINIT_DIAG_LAYER_FIELDS(SAME)
#undef SAME
#undef SAME_i64
#undef SAME_f64
	}
	ck_assert_int_gt(k, 12);
	winit_results_file_free(&f);
	free_results(res, 1);
}
END_TEST

/* Each member of winit_fields_learning is present in got (page: the page model's struct,
 * for the members it has) where it is in want, missing where it is, else the same. */
static void learning_same(const struct winit_learning *want, const void *got, int page, const char *what)
{
	for (const struct winit_field *f = winit_fields_learning; f->key; f++) {
		struct winit_field g = *f;
		if (page && f->at_page == WINIT_FIELD_NONE)
			continue;
		if (page) {
			g.at = f->at_page;
			g.when = f->when_page;
		}
		int on = winit_field_present(f, want, 0);
		ck_assert_msg(winit_field_present(&g, got, 0) == on, "%s.%s: presence differs", what, f->key);
		if (!on)
			continue;
		int miss = winit_field_missing(f, want);
		ck_assert_msg(winit_field_missing(&g, got) == miss, "%s.%s: missing %d, expected %d", what, f->key,
		              !miss, miss);
		if (miss)
			continue;
		tu_field_value_eq(f, &g, got, want, what);
	}
}

/* Run i's "learning" object in the results file at path, read by its table. */
static void file_learning(const char *path, size_t i, struct winit_learning *out)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	ck_assert_msg(root != NULL, "%s", jerr.text);
	const json_t *run = json_array_get(json_object_get(root, "runs"), i);
	ck_assert_ptr_nonnull(json_object_get(run, "learning"));
	memset(out, 0, sizeof *out);
	winit_results_fill_fields(out, 0, winit_fields_learning, json_object_get(run, "learning"));
	/* Its presence flags, which the file has not: where the member is there. */
	for (const struct winit_field *f = winit_fields_learning; f->key; f++)
		winit_field_mark(f, out, 0, json_object_get(json_object_get(run, "learning"), f->key) != NULL);
	json_decref(root);
}

/* Every member that src/results/fields.h's tables declare (a run's outcome, each epoch, a
 * snapshot, a divergence, how fast it learned), each with a value of its own, is written
 * and read back by both readers; run 0 has every conditional member and reaches its
 * target, run 1 none (no test set, no validation, a divergence at the first step, a
 * target never reached).  A row added to a table is checked with no change here. */
START_TEST(every_run_field_is_written_and_read)
{
	struct winit_run_spec runs[2];
	struct winit_run_result res[2];
	make_runs(runs, res, 2);
	int k = 0;
	for (int i = 0; i < 2; i++) {
		struct winit_run_result *x = &res[i];
		tu_fields_fill(winit_fields_status, x, &k); /* "diverged", with an error */
		ck_assert_int_eq(x->status, WINIT_ERR_DIVERGED);
		tu_fields_fill(winit_fields_outcome, x, &k);
		tu_fields_fill(winit_fields_divergence, &x->divergence, &k);
		for (int e = 0; e < x->history.n; e++)
			tu_fields_fill(winit_fields_epoch, &x->history.epochs[e], &k);
		struct winit_diagnostics *d = &x->diagnostics;
		ck_assert_ptr_nonnull(d->snaps = calloc(2, sizeof *d->snaps));
		d->n = d->cap = 2;
		tu_fields_fill(winit_fields_snapshot, &d->snaps[0], &k);
		tu_fields_fill(winit_fields_snapshot, &d->snaps[1], &k);
	}
	res[1].has_test = 0;
	res[1].divergence.has_last = 0;
	for (int e = 0; e < res[1].history.n; e++)
		res[1].history.epochs[e].has_val = 0;
	runs[0].target = res[0].history.epochs[1].val_accuracy; /* reached at the second epoch */
	runs[1].target = 0.999;
	struct winit_learning want_lm[2];
	for (int i = 0; i < 2; i++)
		winit_learning_metrics(&want_lm[i], &res[i].history, &res[i].diagnostics, runs[i].target);
	ck_assert(want_lm[0].has_steps && want_lm[0].epochs_to_target == res[0].history.epochs[1].epoch);
	const char *path = tu_path(tu_tmpdir(), "fields.json");
	struct winit_error err = { 0 };
	ck_assert_msg(winit_results_write_json(path, "s", 9, runs, res, 2, &err) == 0, "%s", err.msg);
	struct winit_results_file f;
	struct winit_report_study page;
	ck_assert_msg(winit_results_read(path, &f, &err) == 0, "%s", err.msg);
	ck_assert_msg(winit_report_read(path, &page, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(f.n_runs, 2);
	for (int i = 0; i < 2; i++) {
		const struct winit_run_result *want = &res[i], *got = &f.runs[i].result;
		const struct winit_report_run *p = &page.runs[i];
		tu_fields_same(winit_fields_status, want, got, 0, "status");
		tu_fields_same(winit_fields_status, want, p, 1, "page status");
		tu_fields_same(winit_fields_outcome, want, got, 0, "outcome");
		tu_fields_same(winit_fields_outcome, want, p, 1, "page outcome");
		tu_fields_same(winit_fields_divergence, &want->divergence, &got->divergence, 0, "diverged");
		ck_assert_int_eq(got->history.n, want->history.n);
		ck_assert_uint_eq(p->n_epochs, (size_t)want->history.n);
		for (int e = 0; e < want->history.n; e++) {
			tu_fields_same(winit_fields_epoch, &want->history.epochs[e], &got->history.epochs[e], 0, "epoch");
			tu_fields_same(winit_fields_epoch, &want->history.epochs[e], &p->history[e], 1, "page epoch");
		}
		ck_assert_int_eq(got->diagnostics.n, 2);
		ck_assert_uint_eq(p->n_snapshots, 2);
		for (int n = 0; n < 2; n++) {
			const struct winit_diag_snapshot *sn = &want->diagnostics.snaps[n];
			tu_fields_same(winit_fields_snapshot, sn, &got->diagnostics.snaps[n], 0, "snapshot");
			tu_fields_same(winit_fields_snapshot, sn, &p->diagnostics[n], 1, "page snapshot");
		}
		struct winit_learning in_file, again;
		file_learning(path, (size_t)i, &in_file);
		learning_same(&want_lm[i], &in_file, 0, "learning");
		learning_same(&want_lm[i], p, 1, "page learning");
		ck_assert(f.runs[i].target == runs[i].target);
		winit_learning_metrics(&again, &got->history, &got->diagnostics, f.runs[i].target);
		learning_same(&want_lm[i], &again, 0, "learning read back");
	}
	ck_assert_int_gt(k, 2 * (2 + 4 + 5 + 3 * 6 + 2 * 7) - 1);
	winit_report_free(&page);
	winit_results_file_free(&f);
	free_results(res, 2);
}
END_TEST

static Suite *results_suite(void)
{
	Suite *s = suite_create("results");
	TCase *tc = tcase_create("path");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, a_directory_is_refused_up_front);
	tcase_add_test(tc, a_fifo_or_device_is_refused_and_left_alone);
	tcase_add_test(tc, a_symlink_is_followed_and_kept);
	tcase_add_test(tc, replacing_keeps_permissions_and_leaves_no_temp);
	tcase_add_test(tc, stale_temp_files_of_dead_writers_are_removed);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, a_failed_write_says_why_and_keeps_the_last_good_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, a_file_reads_back_exactly);
	tcase_add_test(tc, a_graph_description_reads_back);
	tcase_add_test(tc, a_wrong_graph_description_is_refused);
	tcase_add_test(tc, a_conv_description_reads_back);
	tcase_add_test(tc, a_description_changes_with_what_decides_the_numbers);
	tcase_add_test(tc, a_wrong_file_is_refused_with_the_reason);
	tcase_add_test(tc, every_layer_diagnostic_is_written_and_read);
	tcase_add_test(tc, every_run_field_is_written_and_read);
	suite_add_tcase(s, tc);
	tc = tcase_create("journal");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, the_journal_gives_the_writers_bytes);
	tcase_add_test(tc, a_torn_last_record_is_dropped_at_every_byte);
	tcase_add_test(tc, one_writer_at_a_time_and_earlier_runs_kept_aside);
	tcase_add_test(tc, coordinate_checks_read_back_exactly);
	tcase_add_test(tc, a_wrong_coordinate_check_is_refused);
	tcase_add_test(tc, spectra_read_back_exactly);
	tcase_add_test(tc, a_wrong_spectrum_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(results_suite());
}
