/* src/study/progress.c -- Keras-like progress for concurrently running runs, and a live
 * line with the study's progress (run k of n, runs in flight, elapsed time, ETA) and each
 * running run's (epoch, step, loss, accuracy, ETA). */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <winit/model.h>
#include <winit/registry.h>
#include <winit/progress.h>

#include "core/clock.h"
#include "study/progress.h"

/* A run name (or a file name) for the terminal: control characters as \xHH. */
#define SHOWN_MAX (4 * WINIT_RUN_NAME_MAX)
static const char *shown(char *buf, const char *name)
{
	snprintf(buf, SHOWN_MAX, "%s", name);
	return winit_text_escape(buf, SHOWN_MAX, 0);
}

struct slot {
	int active;
	int32_t epoch, epochs, first_epoch; /* first_epoch: the fit's initial_epoch */
	int64_t step, steps;
	double loss, acc;
	double t_start; /* when the run started (p->clock) */
};

struct winit_progress {
	FILE *out;
	const struct winit_run_spec *runs;
	size_t n;
	int live;
	int drawn; /* a live line is on screen */
	double last_draw;
	pthread_mutex_t lock;
	struct slot *slot;
	double (*clock)(void);
	const struct winit_run_result *results; /* winit_progress_results; NULL: none */
	int begun;       /* a run has started: t0 and skipped are set */
	double t0;       /* when the first run started */
	size_t skipped;  /* runs done before the first start (resumed, other shards) */
	size_t started;  /* runs started here */
	size_t finished; /* runs ended here */
};

/* The time a run or a study takes, short: "12s", "3m10s", "1h05m", "2d03h"; "?" when
 * unknown. */
static const char *duration(char *buf, size_t size, double s)
{
	if (!(s >= 0) || s > 1e9) {
		snprintf(buf, size, "?");
		return buf;
	}
	long long t = (long long)(s + 0.5);
	if (t < 60)
		snprintf(buf, size, "%llds", t);
	else if (t < 3600)
		snprintf(buf, size, "%lldm%02llds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, size, "%lldh%02lldm", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", t / 86400, t % 86400 / 3600);
	return buf;
}

/* The share of a running run's steps taken, in [0, 1]. */
static double run_fraction(const struct slot *s)
{
	int64_t epochs = (int64_t)s->epochs - s->first_epoch;
	if (s->steps <= 0 || epochs <= 0)
		return 0;
	double f = ((double)(s->epoch - 1 - s->first_epoch) * (double)s->steps + (double)s->step) /
	           ((double)epochs * (double)s->steps);
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* Seconds left at the rate so far, `done` of 1 taken in `elapsed` (NaN: no rate yet). */
static double eta(double elapsed, double done, double left)
{
	return done > 0 && elapsed > 0 ? left * elapsed / done : NAN;
}

static void clear_line(struct winit_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", p->out);
		p->drawn = 0;
	}
}

/* Columns of the terminal on `out` (80 if unknown): the live line must never wrap, or
 * "\r" could not take it back. */
static size_t term_width(FILE *out)
{
	struct winsize ws;
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* The study's progress, "run 37 of 450, 2 in flight, 3m10s, ETA 35m | ", then one segment
 * per active run: "he_normal 2/5 [=====>    ] 412/750 loss 0.4312 acc 0.8461 ETA 12s",
 * shortened to "he_normal 2/5 412/750 loss 0.4312 ETA 12s" when several share the line.
 * The study's ETA: the runs left (in flight ones by their share of steps left) at the
 * rate of runs completed so far, in-flight shares included. */
static size_t format_line(struct winit_progress *p, char *line, size_t size)
{
	size_t len = 0, active = 0;
	if (!p->begun || size == 0)
		return 0;
	double now = p->clock(), in_flight = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->slot[i].active) {
			active += p->slot[i].steps > 0;
			in_flight += run_fraction(&p->slot[i]);
		}
	double done = (double)p->finished + in_flight;
	double left = (double)(p->n - p->skipped - p->finished) - in_flight;
	char el[32], et[32];
	int w0 = snprintf(line, size, "run %zu of %zu, %zu in flight, %s, ETA %s", p->skipped + p->started, p->n,
	                  p->started > p->finished ? p->started - p->finished : 0, duration(el, sizeof el, now - p->t0),
	                  duration(et, sizeof et, eta(now - p->t0, done, left)));
	if (w0 < 0)
		return 0;
	len = (size_t)w0 < size ? (size_t)w0 : size - 1;
	for (size_t i = 0; i < p->n && len < size - 1; i++) {
		const struct slot *s = &p->slot[i];
		if (!s->active || s->steps <= 0)
			continue;
		char bar[21];
		int fill = (int)(20 * s->step / s->steps);
		for (int k = 0; k < 20; k++)
			bar[k] = k < fill ? '=' : k == fill ? '>' :
			                                      '.';
		bar[20] = '\0';
		char nb[SHOWN_MAX], rt[32];
		const char *name = shown(nb, p->runs[i].name);
		double f = run_fraction(s);
		duration(rt, sizeof rt, eta(now - s->t_start, f, 1 - f));
		int w = active > 1 ?
		                snprintf(line + len, size - len, " | %s %d/%d %lld/%lld loss %.4f ETA %s", name,
		                         (int)s->epoch, (int)s->epochs, (long long)s->step, (long long)s->steps,
		                         s->loss, rt) :
		                snprintf(line + len, size - len, " | %s %d/%d [%s] %lld/%lld loss %.4f acc %.4f ETA %s",
		                         name, (int)s->epoch, (int)s->epochs, bar, (long long)s->step,
		                         (long long)s->steps, s->loss, s->acc, rt);
		if (w < 0)
			break;
		len += (size_t)w;
		if (len >= size)
			len = size - 1;
	}
	return len;
}

size_t winit_progress_line(struct winit_progress *p, char *buf, size_t size)
{
	pthread_mutex_lock(&p->lock);
	size_t len = format_line(p, buf, size);
	pthread_mutex_unlock(&p->lock);
	return len;
}

void winit_progress_set_clock(struct winit_progress *p, double (*clock)(void))
{
	p->clock = clock;
}

void winit_progress_results(struct winit_progress *p, const struct winit_run_result *results)
{
	p->results = results;
}

static void draw(struct winit_progress *p)
{
	char line[768];
	size_t len = format_line(p, line, sizeof line);
	if (!len)
		return;
	size_t width = term_width(p->out);
	if (len > width - 1)
		line[width - 1] = '\0';
	fprintf(p->out, "\r\033[K%s", line);
	fflush(p->out);
	p->drawn = 1;
}


/* "2 Dense layers" when every layer is Dense (as before graphs); else the count and each
 * kind's, in the kind table's order: "5 layers (3 Dense, 1 Flatten, 1 Add)". */
static void describe_layers(const struct winit_model_spec *m, char *buf, size_t size)
{
	int32_t count[WINIT_LAYER_KINDS] = { 0 }, other = 0;
	for (int32_t i = 0; i < m->n_layers; i++) {
		int32_t k = m->layers[i].kind;
		if (k >= 0 && k < WINIT_LAYER_KINDS)
			count[k]++;
		else
			other++;
	}
	if (count[WINIT_LAYER_DENSE] == m->n_layers) {
		snprintf(buf, size, "%d Dense layer%s", (int)m->n_layers, m->n_layers == 1 ? "" : "s");
		return;
	}
	size_t n = (size_t)snprintf(buf, size, "%d layer%s (", (int)m->n_layers, m->n_layers == 1 ? "" : "s");
	const char *sep = "";
	for (int32_t k = 0; k < WINIT_LAYER_KINDS && n < size; k++) {
		if (!count[k])
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%d %s", sep, (int)count[k], winit_layer_kind_name(k));
		sep = ", ";
	}
	if (other && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s%d of unknown kinds", sep, (int)other);
	if (n < size)
		snprintf(buf + n, size - n, ")");
}
static void on_start(void *ctx, size_t run, const struct winit_run_spec *spec)
{
	struct winit_progress *p = ctx;
	pthread_mutex_lock(&p->lock);
	double now = p->clock();
	if (!p->begun) {
		/* Runs done before the first start (resumed, or another shard's) stay done: no
		 * run has ended yet, so nothing writes the flags now (on one process: the live
		 * line is off under mpirun). */
		p->begun = 1;
		p->t0 = now;
		for (size_t i = 0; p->live && p->results && i < p->n; i++)
			p->skipped += p->results[i].done != 0;
	}
	p->started++;
	p->slot[run].active = 1;
	p->slot[run].epochs = spec->fit.epochs;
	p->slot[run].first_epoch = spec->fit.initial_epoch;
	p->slot[run].epoch = spec->fit.initial_epoch + 1;
	p->slot[run].t_start = now;
	clear_line(p);
	char nb[SHOWN_MAX], fb[SHOWN_MAX], layers[160];
	describe_layers(&spec->model, layers, sizeof layers);
	fprintf(p->out, "[%s] start: %lld input%s, %s, %s, %d epoch%s, batch %d, "
	                "seed %llu\n",
	        shown(nb, spec->name), (long long)spec->model.n_inputs,
	        spec->model.n_inputs == 1 ? "" : "s", layers,
	        spec->optimizer.kind == WINIT_OPT_ADAM ? "Adam" : "SGD", (int)spec->fit.epochs,
	        spec->fit.epochs == 1 ? "" : "s", (int)spec->fit.batch_size,
	        (unsigned long long)spec->seed);
	/* A plugin of $WINIT_PLUGIN_PATH (or any earlier directory) hiding another: say so
	 * for every run that uses it, since the numbers depend on which file ran. */
	for (int i = 0; i < spec->model.n_layers; i++) {
		const struct winit_layer_spec *l = &spec->model.layers[i];
		const struct winit_plugin_use *u[3] = { &l->activation, &l->kernel_initializer,
			                                &l->bias_initializer };
		for (int k = 0; k < 3; k++) {
			const struct winit_plugin_entry *e = u[k]->entry;
			if (k == 2 && !l->use_bias)
				continue;
			if (e && e->shadows)
				fprintf(p->out, "[%s] note: layer %d uses %s '%s' from %s, which shadows %s\n",
				        nb, i + 1, winit_kind_name(e->info->kind), e->info->name,
				        shown(fb, e->file), e->shadows);
		}
	}
	fflush(p->out);
	pthread_mutex_unlock(&p->lock);
}

static void on_batch(void *ctx, size_t run, int32_t epoch, int64_t step, int64_t steps,
                     double loss, double acc)
{
	struct winit_progress *p = ctx;
	if (!p->live)
		return;
	pthread_mutex_lock(&p->lock);
	struct slot *s = &p->slot[run];
	s->epoch = epoch;
	s->step = step;
	s->steps = steps;
	s->loss = loss;
	s->acc = acc;
	double t = p->clock();
	if (t - p->last_draw >= 0.1) {
		p->last_draw = t;
		draw(p);
	}
	pthread_mutex_unlock(&p->lock);
}

static void on_epoch(void *ctx, size_t run, const struct winit_epoch_stats *st)
{
	struct winit_progress *p = ctx;
	pthread_mutex_lock(&p->lock);
	clear_line(p);
	char nb[SHOWN_MAX];
	fprintf(p->out, "[%s] Epoch %d/%d - %.1fs - loss: %.4f - accuracy: %.4f", shown(nb, p->runs[run].name),
	        (int)st->epoch, (int)st->epochs, st->seconds, st->loss, st->accuracy);
	if (st->has_val)
		fprintf(p->out, " - val_loss: %.4f - val_accuracy: %.4f", st->val_loss, st->val_accuracy);
	fputc('\n', p->out);
	if (p->live)
		draw(p);
	fflush(p->out);
	pthread_mutex_unlock(&p->lock);
}

static void on_end(void *ctx, size_t run, const struct winit_run_spec *spec,
                   const struct winit_run_result *res)
{
	struct winit_progress *p = ctx;
	pthread_mutex_lock(&p->lock);
	p->slot[run].active = 0;
	p->finished++;
	clear_line(p);
	char nb[SHOWN_MAX];
	shown(nb, spec->name);
	if (res->status)
		fprintf(p->out, "[%s] %s: %s\n", nb,
		        res->status == WINIT_ERR_DIVERGED ? "DIVERGED" : "FAILED", res->error);
	else if (res->has_test)
		fprintf(p->out, "[%s] test_loss: %.4f - test_accuracy: %.4f (%.1fs)\n", nb,
		        res->test_loss, res->test_accuracy, res->seconds);
	if (p->live)
		draw(p);
	fflush(p->out);
	pthread_mutex_unlock(&p->lock);
}

struct winit_progress *winit_progress_new(FILE *out, const struct winit_run_spec *runs,
                                          size_t n_runs, int live)
{
	struct winit_progress *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->slot = calloc(n_runs ? n_runs : 1, sizeof *p->slot);
	if (!p->slot) {
		free(p);
		return NULL;
	}
	p->out = out;
	p->runs = runs;
	p->n = n_runs;
	p->live = live;
	p->clock = winit_clock_seconds;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void winit_progress_observer(struct winit_progress *p, struct winit_observer *obs)
{
	memset(obs, 0, sizeof *obs);
	obs->ctx = p;
	obs->run_start = on_start;
	obs->batch_end = on_batch;
	obs->epoch_end = on_epoch;
	obs->run_end = on_end;
}

void winit_progress_free(struct winit_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	clear_line(p);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	free(p->slot);
	free(p);
}
