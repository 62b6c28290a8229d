/* src/report/progress.c -- Keras-like progress for concurrently running runs. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <winit/registry.h>
#include <winit/report.h>

#include "core/clock.h"
#include "core/text.h"

/* A run name (or a file name) for the terminal: control characters as \xHH. */
#define SHOWN_MAX (4 * WINIT_RUN_NAME_MAX)
static const char *shown(char *buf, const char *name)
{
	snprintf(buf, SHOWN_MAX, "%s", name);
	return winit_text_escape(buf, SHOWN_MAX, 0);
}

struct slot {
	int active;
	int32_t epoch, epochs;
	int64_t step, steps;
	double loss, acc;
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
};

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

/* One segment per active run: "he_normal 2/5 [=====>    ] 412/750 loss 0.4312 acc 0.8461",
 * shortened to "he_normal 2/5 412/750 loss 0.4312" when several share the line. */
static void draw(struct winit_progress *p)
{
	char line[512];
	size_t len = 0, active = 0;
	for (size_t i = 0; i < p->n; i++)
		active += p->slot[i].active && p->slot[i].steps > 0;
	for (size_t i = 0; i < p->n && len < sizeof line - 1; i++) {
		const struct slot *s = &p->slot[i];
		if (!s->active || s->steps <= 0)
			continue;
		char bar[21];
		int fill = (int)(20 * s->step / s->steps);
		for (int k = 0; k < 20; k++)
			bar[k] = k < fill ? '=' : k == fill ? '>' :
			                                      '.';
		bar[20] = '\0';
		char nb[SHOWN_MAX];
		const char *name = shown(nb, p->runs[i].name);
		int w = active > 1 ?
		                snprintf(line + len, sizeof line - len, "%s%s %d/%d %lld/%lld loss %.4f",
		                         len ? " | " : "", name, (int)s->epoch, (int)s->epochs,
		                         (long long)s->step, (long long)s->steps, s->loss) :
		                snprintf(line + len, sizeof line - len, "%s %d/%d [%s] %lld/%lld loss %.4f acc %.4f",
		                         name, (int)s->epoch, (int)s->epochs, bar,
		                         (long long)s->step, (long long)s->steps, s->loss, s->acc);
		if (w < 0)
			break;
		len += (size_t)w;
		if (len >= sizeof line)
			len = sizeof line - 1;
	}
	if (!len)
		return;
	size_t width = term_width(p->out);
	if (len > width - 1)
		line[width - 1] = '\0';
	fprintf(p->out, "\r\033[K%s", line);
	fflush(p->out);
	p->drawn = 1;
}

static void on_start(void *ctx, size_t run, const struct winit_run_spec *spec)
{
	struct winit_progress *p = ctx;
	pthread_mutex_lock(&p->lock);
	p->slot[run].active = 1;
	p->slot[run].epochs = spec->fit.epochs;
	clear_line(p);
	char nb[SHOWN_MAX], fb[SHOWN_MAX];
	fprintf(p->out, "[%s] start: %lld input%s, %d Dense layer%s, %s, %d epoch%s, batch %d, "
	                "seed %llu\n",
	        shown(nb, spec->name), (long long)spec->model.n_inputs,
	        spec->model.n_inputs == 1 ? "" : "s", (int)spec->model.n_layers,
	        spec->model.n_layers == 1 ? "" : "s",
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
	double t = winit_clock_seconds();
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
