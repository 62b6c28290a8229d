/* src/nn/diagnostics.c -- snapshots of a model on a fixed probe batch (winit/diagnostics.h):
 * per layer the statistics of z, f(z), dL/dz, dL/dW and W, dead and saturated units
 * (through the activation plugin's own backward) and the number of distinct units; the
 * model's loss and accuracy on the probe and on the validation split's first rows.
 *
 * The probe pass runs on `scratch`, a model that shares the trained model's weights but
 * has its own gradients and work buffers, so the training numbers never see it. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <winit/diagnostics.h>
#include <winit/plugin_call.h>
#include <winit/plugin_util.h> /* WINIT_HOT */
#include <winit/stream.h>
#include <winit/train.h>

#include "core/guard.h"
#include "layers/kind.h"
#include "nn/diag_pool.h"
#include "nn/model_guard.h"

_Static_assert(WINIT_DIAG_BUF_COUNT == WINIT_DIAG_PROBE_BUFS, "one buf[] per role");

/* Where the maximum of |f'| is looked for, besides the probe itself. */
#define GRID_POINTS 2001
#define GRID_HALF_WIDTH 10.0
/* A derivative below this fraction of the largest is saturated. */
#define SATURATION 0.01

void winit_diagnostics_free(struct winit_diagnostics *d)
{
	for (int32_t i = 0; i < d->n; i++) {
		free(d->snaps[i].layers);
		free(d->snaps[i].hist);
	}
	free(d->snaps);
	memset(d, 0, sizeof *d);
}

void winit_diag_probe_free(struct winit_diag_probe *p)
{
	for (int k = 0; k < WINIT_DIAG_BUF_COUNT; k++)
		winit_diag_pool_give((enum winit_diag_buf)k, p->buf[k], p->buf_cap[k]);
	winit_diag_pool_give_work(&p->scratch);
	/* The scratch model's own arrays (its spec is the model's, borrowed). */
	free(p->scratch.layer);
	free(p->scratch.z);
	free(p->scratch.a);
	free(p->scratch.delta);
	for (int i = 0; i < p->scratch.spec.n_layers && p->scratch.work; i++)
		winit_guarded_free(p->scratch.work[i]);
	free(p->scratch.work);
	free(p->max_deriv);
	memset(p, 0, sizeof *p);
}

/* A buffer of `bytes` for role k of p (the thread's spare when it fits). */
static void *take(struct winit_diag_probe *p, enum winit_diag_buf k, size_t bytes)
{
	winit_diag_pool_give(k, p->buf[k], p->buf_cap[k]);
	return p->buf[k] = winit_diag_pool_take(k, bytes, &p->buf_cap[k]);
}

/* Whether only the output can say a unit is off: a row-wise activation (its derivative
 * couples a row's units) or none (a kind without an activation). */
static int is_rowwise(const struct winit_layer *d)
{
	return !d->act || (d->act->flags & WINIT_ACT_ROWWISE) != 0;
}

/* The largest |f'(z)| over an even grid of [-GRID_HALF_WIDTH, GRID_HALF_WIDTH], on
 * guarded buffers: a write outside them is recorded in the scratch model m (layer i). */
static int grid_max_deriv(double *out, struct winit_model *m, int i)
{
	const struct winit_layer *d = &m->layer[i];
	float *x = winit_guarded_alloc(GRID_POINTS), *y = winit_guarded_alloc(GRID_POINTS),
	      *one = winit_guarded_alloc(GRID_POINTS), *dx = winit_guarded_alloc(GRID_POINTS);
	int rc = -1;
	if (!x || !y || !one || !dx)
		goto out;
	for (int k = 0; k < GRID_POINTS; k++) {
		x[k] = (float)(-GRID_HALF_WIDTH + 2 * GRID_HALF_WIDTH * k / (GRID_POINTS - 1));
		one[k] = 1.0f;
	}
	winit_activation_forward(d->act, y, x, 1, GRID_POINTS, d->act_params);
	winit_model_guard_note(m, y, i, "forward", "the diagnostics' derivative grid");
	winit_model_guard_note(m, x, i, "forward", "the diagnostics' derivative grid");
	winit_activation_backward(d->act, dx, one, x, y, 1, GRID_POINTS, d->act_params);
	winit_model_guard_note(m, dx, i, "backward", "the diagnostics' derivative grid");
	winit_model_guard_note(m, one, i, "backward", "the diagnostics' derivative grid");
	double mx = 0;
	for (int k = 0; k < GRID_POINTS; k++)
		if (fabs(dx[k]) > mx)
			mx = fabs(dx[k]);
	*out = mx;
	rc = 0;
out:
	winit_guarded_free(x);
	winit_guarded_free(y);
	winit_guarded_free(one);
	winit_guarded_free(dx);
	return rc;
}

/* The scratch model: m's weights (read only), its own gradients, layer views and work
 * buffers.  m's team (borrowed) splits the validation rows' passes; the probe's own pass
 * has hooks, so it runs on the calling thread (model.h).  Same numbers either way.
 * -1: no memory (what was allocated is freed with the probe). */
static int scratch_alloc(struct winit_diag_probe *p, const struct winit_model *m)
{
	size_t nl = (size_t)m->spec.n_layers;
	p->scratch = *m;
	p->scratch.grads = take(p, WINIT_DIAG_BUF_GRADS, (size_t)m->n_params * sizeof(float));
	p->scratch.cap_batch = 0;
	p->scratch.layer = malloc(nl * sizeof *p->scratch.layer);
	p->scratch.z = calloc(nl, sizeof *p->scratch.z);
	p->scratch.a = calloc(nl, sizeof *p->scratch.a);
	p->scratch.work = calloc(nl, sizeof *p->scratch.work); /* its own: reserve fills it */
	p->max_deriv = calloc(nl, sizeof *p->max_deriv);
	if (p->scratch.layer)
		memcpy(p->scratch.layer, m->layer, nl * sizeof *p->scratch.layer);
	p->scratch.delta = calloc((size_t)(m->n_delta > 0 ? m->n_delta : 1), sizeof *p->scratch.delta);
	memset(&p->scratch.hooks, 0, sizeof p->scratch.hooks);
	p->scratch.team = m->team;
	return p->scratch.grads && p->scratch.layer && p->scratch.z && p->scratch.a && p->scratch.work &&
	                       p->scratch.delta && p->max_deriv ?
	               0 :
	               -1;
}

/* The scratch layers' gradients in its own block, and each activation's largest
 * derivative (an activation writing outside its buffers there fails the probe). */
static int scratch_layers(struct winit_diag_probe *p, const struct winit_model *m,
                          struct winit_error *err)
{
	winit_diag_pool_take_work(&p->scratch);
	memset(p->scratch.grads, 0, (size_t)m->n_params * sizeof(float));
	for (int i = 0; i < m->spec.n_layers; i++) {
		struct winit_layer *d = &p->scratch.layer[i];
		for (int t = 0; t < WINIT_MAX_LAYER_TENSORS; t++)
			d->dt[t] = m->layer[i].dt[t] ? p->scratch.grads + (m->layer[i].dt[t] - m->grads) : NULL;
		d->dw = d->dt[0];
		d->db = d->dt[1];
		p->max_deriv[i] = 0;
		if (!is_rowwise(d) && grid_max_deriv(&p->max_deriv[i], &p->scratch, i))
			return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for the derivative grid");
	}
	return winit_model_fault(&p->scratch, err);
}

int winit_diag_probe_init(struct winit_diag_probe *p, const struct winit_model *m,
                          const struct winit_dataset *ds, int64_t n_train, uint64_t seed,
                          struct winit_error *err)
{
	memset(p, 0, sizeof *p);
	if (n_train <= 0 || n_train > ds->n || ds->n_features != m->spec.n_inputs)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "diagnostics: no usable training rows (%lld of %lld, %lld features for %lld inputs)",
		                       (long long)n_train, (long long)ds->n, (long long)ds->n_features,
		                       (long long)m->spec.n_inputs);
	int64_t widest = 1, outs = winit_model_outputs(m);
	for (int i = 0; i < m->spec.n_layers; i++)
		if (m->layer[i].n_out > widest)
			widest = m->layer[i].n_out;
	int64_t rows = n_train < WINIT_DIAG_PROBE_ROWS ? n_train : WINIT_DIAG_PROBE_ROWS;
	const int64_t fit = WINIT_DIAG_PROBE_VALUES / widest; /* a wide layer: fewer rows, >= 1 */
	if (rows > fit)
		rows = fit > 1 ? fit : 1;
	p->rows = rows;
	uint32_t *idx = take(p, WINIT_DIAG_BUF_IDX, (size_t)n_train * sizeof *idx);
	p->x = take(p, WINIT_DIAG_BUF_X, (size_t)(rows * m->spec.n_inputs) * sizeof *p->x);
	p->y = take(p, WINIT_DIAG_BUF_Y, (size_t)rows);
	p->dout = take(p, WINIT_DIAG_BUF_DOUT, (size_t)(rows * outs) * sizeof *p->dout);
	p->ones = take(p, WINIT_DIAG_BUF_ONES, (size_t)(rows * widest) * sizeof *p->ones);
	p->deriv = take(p, WINIT_DIAG_BUF_DERIV, (size_t)(rows * widest) * sizeof *p->deriv);
	p->live = take(p, WINIT_DIAG_BUF_LIVE, (size_t)widest);
	p->prev = take(p, WINIT_DIAG_BUF_PREV, (size_t)m->n_params * sizeof *p->prev);
	int rc = WINIT_OK;
	if (!idx || !p->x || !p->y || !p->dout || !p->ones || !p->deriv || !p->live || !p->prev ||
	    scratch_alloc(p, m)) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for the probe batch of %lld rows",
		                     (long long)rows);
		goto out;
	}
	if ((rc = scratch_layers(p, m, err)) || (rc = winit_model_reserve(&p->scratch, rows, err)))
		goto out;
	/* The first `rows` entries of a Fisher-Yates shuffle of the training rows. */
	struct winit_rng rng;
	winit_stream_open(&rng, seed, WINIT_STREAM_PROBE, 0);
	for (int64_t i = 0; i < n_train; i++)
		idx[i] = (uint32_t)i;
	for (int64_t i = 0; i < rows; i++) {
		int64_t j = i + (int64_t)winit_rng_below(&rng, (uint64_t)(n_train - i));
		uint32_t t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	winit_dataset_gather(p->x, p->y, ds, idx, rows);
	double m2 = 0, sum = 0;
	for (int64_t i = 0; i < rows * m->spec.n_inputs; i++) {
		m2 += (double)p->x[i] * p->x[i];
		sum += p->x[i];
	}
	p->input_m2 = m2 / (double)(rows * m->spec.n_inputs);
	p->input_mean = sum / (double)(rows * m->spec.n_inputs);
	for (int64_t i = 0; i < rows * widest; i++)
		p->ones[i] = 1.0f;
out:
	winit_diag_pool_give(WINIT_DIAG_BUF_IDX, p->buf[WINIT_DIAG_BUF_IDX], p->buf_cap[WINIT_DIAG_BUF_IDX]);
	p->buf[WINIT_DIAG_BUF_IDX] = NULL;
	if (rc)
		winit_diag_probe_free(p);
	return rc;
}

void winit_diag_probe_keep_weights(struct winit_diag_probe *p, const struct winit_model *m)
{
	memcpy(p->prev, m->params, (size_t)m->n_params * sizeof *p->prev);
	p->has_prev = 1;
}

int winit_diag_probe_validation(struct winit_diag_probe *p, const struct winit_dataset *val,
                                int64_t begin, int64_t end, struct winit_error *err)
{
	if (!val || begin < 0 || end > val->n || begin >= end ||
	    val->n_features != p->scratch.spec.n_inputs)
		return winit_error_set(err, WINIT_ERR_ARG,
		                       "diagnostics: invalid validation rows [%lld, %lld) of %lld",
		                       (long long)begin, (long long)end, (long long)(val ? val->n : 0));
	int64_t rows = end - begin < WINIT_DIAG_VAL_ROWS ? end - begin : WINIT_DIAG_VAL_ROWS;
	int64_t f = val->n_features;
	p->val = NULL;
	if (val->xf) {
		p->vx = val->xf + begin * f; /* float rows are read where they are */
	} else {
		/* Bytes become floats once here, not at every snapshot. */
		float *vx = take(p, WINIT_DIAG_BUF_VAL, (size_t)(rows * f) * sizeof *vx);
		if (!vx)
			return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for the validation rows");
		for (int64_t i = 0; i < rows; i++) {
			uint32_t row = (uint32_t)(begin + i);
			winit_dataset_gather(vx + i * f, NULL, val, &row, 1);
		}
		p->vx = vx;
	}
	p->vy = val->y + begin;
	p->val = val;
	p->val_begin = begin;
	p->val_rows = rows;
	return WINIT_OK;
}

/* Loss and accuracy of the scratch model (m's weights) on the probe's validation rows, in
 * chunks of the probe's rows (the scratch model's capacity).  Forward only, no hooks. */
static void measure_validation(struct winit_diag_snapshot *s, struct winit_diag_probe *p)
{
	s->val_rows = 0;
	s->val_loss = NAN;
	s->val_accuracy = NAN;
	if (!p->val || p->val_later)
		return;
	s->val_rows = p->val_rows;
	int64_t f = p->scratch.spec.n_inputs;
	double total = 0;
	int64_t hits = 0;
	for (int64_t at = 0; at < p->val_rows; at += p->rows) {
		int64_t n = p->val_rows - at < p->rows ? p->val_rows - at : p->rows;
		winit_model_forward_train(&p->scratch, p->vx + at * f, n);
		int64_t c = 0;
		total += winit_model_loss(&p->scratch, p->vy + at, n, NULL, 0, &c);
		hits += c;
	}
	s->val_loss = total / (double)p->val_rows;
	s->val_accuracy = (double)hits / (double)p->val_rows;
}

int winit_diag_due(const struct winit_diag_cadence *c, int64_t step, int epoch_end)
{
	if (c->epochs && epoch_end)
		return 1;
	return c->early && step >= 1 && step <= WINIT_DIAG_EARLY_MAX && (step & (step - 1)) == 0;
}

/* The statistics' sums: each adds its terms in DIAG_LANES running sums (term i into sum
 * i mod DIAG_LANES, in index order), then the sums in lane order, then the tail past the
 * last whole group.  The order is the source's, not the vector width's: every clone of
 * WINIT_HOT gives the same bits, and the independent chains of additions let a vector
 * unit add 16 terms at a time where one running sum waits on every add.  A square is
 * rounded before it is added (no fused multiply-add, which the AVX clones would have and
 * the baseline one not): the same bits on every processor too. */
#define DIAG_LANES 16
#define DIAG_SUM WINIT_HOT __attribute__((optimize("fp-contract=off")))

enum lane_term {
	TERM_VALUE,   /* u[i] */
	TERM_SQ_DEV,  /* (u[i] - c)^2 */
	TERM_SQ_DIFF, /* (u[i] - v[i])^2 */
};

static inline __attribute__((always_inline)) double lane_term(enum lane_term kind, const float *u,
                                                              const float *v, double c, int64_t i)
{
	double d = kind == TERM_SQ_DIFF ? (double)u[i] - v[i] : (double)u[i] - c;
	return kind == TERM_VALUE ? (double)u[i] : d * d;
}

static inline __attribute__((always_inline)) double lane_sum(enum lane_term kind, const float *u,
                                                             const float *v, double c, int64_t n)
{
	double s[DIAG_LANES] = { 0 }, t = 0;
	int64_t i = 0;
	for (; i + DIAG_LANES <= n; i += DIAG_LANES)
		for (int j = 0; j < DIAG_LANES; j++)
			s[j] += lane_term(kind, u, v, c, i + j);
	for (int j = 0; j < DIAG_LANES; j++)
		t += s[j];
	for (; i < n; i++)
		t += lane_term(kind, u, v, c, i);
	return t;
}

/* The sum of v[0..n). */
DIAG_SUM static double sum_of(const float *v, int64_t n)
{
	return lane_sum(TERM_VALUE, v, NULL, 0, n);
}

/* The sum of (v[i] - c)^2 over v[0..n) (c = 0: of the squares). */
DIAG_SUM static double sum_sq_dev(const float *v, int64_t n, double c)
{
	return lane_sum(TERM_SQ_DEV, v, NULL, c, n);
}

/* The sum of (u[i] - v[i])^2 over [0, n). */
DIAG_SUM static double sum_sq_diff(const float *u, const float *v, int64_t n)
{
	return lane_sum(TERM_SQ_DIFF, u, v, 0, n);
}

/* Mean and (population) variance of v[0..n), in two passes. */
static void mean_var(double *mean, double *var, const float *v, int64_t n)
{
	*mean = sum_of(v, n) / (double)n;
	*var = sum_sq_dev(v, n, *mean) / (double)n;
}

/* The largest |v[i]| of v[0..n), NaNs skipped (0 when there is none).  A float's
 * magnitude bits order as its magnitude does, so this is an integer maximum, which
 * vectorises; NaNs, above infinity's bits, count as 0. */
WINIT_HOT static float largest_magnitude(const float *v, int64_t n)
{
	int32_t top = 0; /* signed: magnitude bits fit, and a signed maximum vectorises */
	for (int64_t i = 0; i < n; i++) {
		int32_t b;
		memcpy(&b, &v[i], sizeof b);
		b &= 0x7fffffff;
		b = b > 0x7f800000 ? 0 : b;
		top = b > top ? b : top;
	}
	float f;
	memcpy(&f, &top, sizeof f);
	return f;
}

/* Mark the v[k] of v[0..n) farther than tol from r in differs (n); returns how many are
 * left unmarked. */
WINIT_HOT static int64_t mark_differing(uint8_t *differs, const float *v, int64_t n, double r,
                                        double tol)
{
	int64_t left = 0;
	for (int64_t k = 0; k < n; k++) {
		differs[k] |= fabs((double)v[k] - r) > tol;
		left += !differs[k];
	}
	return left;
}

int64_t winit_diag_distinct_units(const float *w, int64_t n_in, int64_t n_out)
{
	double tol = WINIT_DIAG_TOLERANCE * largest_magnitude(w, n_in * n_out);
	/* Column j is a new unit unless it matches (no entry differs by more than tol) an
	 * earlier unit's first column, the first such unit claiming it.  Each new unit
	 * claims the later unclaimed columns it matches at once, a row of the kernel at a
	 * time (contiguous: the loop vectorises), stopping when none is left in the running
	 * (columns of random kernels differ in the first row).  The same columns are
	 * claimed by the same units as comparing each column with every unit in turn. */
	uint8_t *claimed = calloc((size_t)(n_out > 0 ? 2 * n_out : 1), 1);
	if (!claimed)
		return -1;
	uint8_t *differs = claimed + n_out; /* (n_out): differs from unit j's column */
	int64_t units = 0;
	for (int64_t j = 0; j < n_out; j++) {
		if (claimed[j])
			continue;
		units++;
		int64_t running = 0;
		for (int64_t k = j + 1; k < n_out; k++) {
			differs[k] = claimed[k];
			running += !claimed[k];
		}
		for (int64_t i = 0; i < n_in && running > 0; i++) {
			const float *row = w + i * n_out; /* (n_out) */
			double r = row[j];
			running = mark_differing(differs + j + 1, row + j + 1, n_out - j - 1, r, tol);
		}
		for (int64_t k = j + 1; k < n_out; k++)
			claimed[k] |= !differs[k];
	}
	free(claimed);
	return units;
}

/* One layer's statistics after the backward pass: the variances of dL/dz (dz, nz) and of
 * dL/dW (dw, n), the kernel's (w, n) mean and sd and, with the weights before the last
 * step (prev, else NULL), the update ratio. */
static void backward_stats(struct winit_diag_layer *L, const float *dz, int64_t nz,
                           const float *dw, const float *w, const float *prev, int64_t n)
{
	double m, v;
	mean_var(&m, &L->grad_var, dz, nz);
	mean_var(&m, &L->wgrad_var, dw, n);
	mean_var(&L->w_mean, &v, w, n);
	L->w_sd = sqrt(v);
	double ww = prev ? sum_sq_dev(w, n, 0.0) : 0;
	L->update_ratio = prev && ww > 0 ? sqrt(sum_sq_diff(w, prev, n) / ww) : NAN;
}

struct hook_ctx {
	struct winit_diag_probe *p;
	struct winit_diag_layer *layers;
};

/* How many |v[i]| of v[0..n) are below bound (NaNs are not). */
WINIT_HOT static int64_t count_below(const float *v, int64_t n, float bound)
{
	int64_t c = 0;
	for (int64_t i = 0; i < n; i++)
		c += fabsf(v[i]) < bound;
	return c;
}

/* The columns of v (rows, cols) that are 0 in every row.  Rows are read in order, whole
 * (contiguous: the loop vectorises), until every column has shown a non-zero; live
 * (cols) is scratch. */
WINIT_HOT static int64_t zero_columns(const float *v, int64_t rows, int64_t cols, uint8_t *live)
{
	memset(live, 0, (size_t)cols);
	int64_t n_live = 0;
	for (int64_t r = 0; r < rows && n_live < cols; r++) {
		const float *row = v + r * cols; /* (cols) */
		n_live = 0;
		for (int64_t j = 0; j < cols; j++) {
			live[j] |= row[j] != 0.0f;
			n_live += live[j];
		}
	}
	return cols - n_live;
}

static void forward_hook(void *ctx, int layer, const float *z, const float *a, int64_t rows,
                         int64_t cols)
{
	struct hook_ctx *h = ctx;
	struct winit_diag_layer *L = &h->layers[layer];
	const struct winit_layer *d = &h->p->scratch.layer[layer];
	mean_var(&L->pre_mean, &L->pre_var, z, rows * cols);
	if (a == z) { /* a kind without an activation: its output is both */
		L->act_mean = L->pre_mean;
		L->act_var = L->pre_var;
	} else {
		mean_var(&L->act_mean, &L->act_var, a, rows * cols);
	}
	int64_t dead = 0;
	if (is_rowwise(d)) {
		/* The derivative couples a row's units: only the activation says a unit is off. */
		dead = zero_columns(a, rows, cols, h->p->live);
		L->saturated_fraction = NAN;
	} else {
		float *fd = h->p->deriv;
		winit_activation_backward(d->act, fd, h->p->ones, z, a, rows, cols, d->act_params);
		winit_model_guard_note(&h->p->scratch, fd, layer, "backward", "the diagnostics' derivatives");
		double mx = fmax(h->p->max_deriv[layer], largest_magnitude(fd, rows * cols));
		/* |f'| < SATURATION mx, compared in float: below the smallest float >= the
		 * bound is the same test for every float. */
		double bound = SATURATION * mx;
		float fbound = (float)bound;
		if ((double)fbound < bound)
			fbound = nextafterf(fbound, INFINITY);
		int64_t sat = count_below(fd, rows * cols, fbound);
		dead = zero_columns(fd, rows, cols, h->p->live);
		L->saturated_fraction = (double)sat / (double)(rows * cols);
	}
	L->dead = dead;
	L->dead_fraction = (double)dead / (double)cols;
}

static void backward_hook(void *ctx, int layer, const float *dz, const float *dw, int64_t rows,
                          int64_t n_in, int64_t cols)
{
	struct hook_ctx *h = ctx;
	const struct winit_diag_probe *p = h->p;
	const float *w = p->scratch.layer[layer].w; /* the model's own weights */
	struct winit_diag_layer *L = &h->layers[layer];
	if (!p->scratch.layer[layer].k_rows) { /* no kernel: its gradients' statistics only */
		double m;
		mean_var(&m, &L->grad_var, dz, rows * cols);
		L->wgrad_var = L->w_mean = L->w_sd = L->update_ratio = NAN;
		return;
	}
	backward_stats(L, dz, rows * cols, dw, w,
	               p->has_prev ? p->prev + (w - p->scratch.params) : NULL, n_in * cols);
}

/* Each kernel's histogram, with the sd its initializer declares for it (as theory uses
 * it: none for a data-aware initializer, whose adapt hook rescaled the weights). */
static struct winit_diag_hist *kernel_histograms(const struct winit_model *m)
{
	struct winit_diag_hist *h = calloc((size_t)m->spec.n_layers, sizeof *h);
	if (!h)
		return NULL;
	for (int i = 0; i < m->spec.n_layers; i++) {
		const struct winit_layer *d = &m->layer[i];
		const struct winit_layer_spec *l = &m->spec.layers[i];
		if (!d->k_rows) { /* no kernel: an empty histogram, no declared sd */
			h[i].declared_sd = NAN;
			continue;
		}
		const struct winit_initializer *k =
			(const struct winit_initializer *)l->kernel_initializer.info;
		winit_diag_histogram(&h[i], d->w, d->k_rows * d->units);
		struct winit_shape in = d->src[0] == WINIT_MODEL_INPUT ? winit_model_spec_input_of(&m->spec, i) :
		                                                         m->layer[d->src[0]].shape;
		struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
		if (k && d->act && !winit_initializer_adapter(k) && d->kind->declare(l, &in, decl) > 0)
			h[i].declared_sd = winit_initializer_stddev(k, decl[0].dims, (uint32_t)decl[0].rank,
			                                            winit_activation_gain(d->act, d->act_params),
			                                            l->kernel_initializer.params);
	}
	return h;
}

int winit_diag_snapshot(struct winit_diagnostics *out, struct winit_diag_probe *p,
                        const struct winit_model *m, int64_t step, int32_t epoch,
                        struct winit_error *err)
{
	int n_layers = m->spec.n_layers;
	if (out->n == out->cap) {
		int32_t cap = out->cap ? 2 * out->cap : 32;
		void *q = realloc(out->snaps, (size_t)cap * sizeof *out->snaps);
		if (!q)
			return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: cannot grow to %d snapshots",
			                       (int)cap);
		out->snaps = q;
		out->cap = cap;
	}
	struct winit_diag_layer *layers = calloc((size_t)n_layers, sizeof *layers);
	if (!layers)
		return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for a snapshot");
	struct hook_ctx hc = { p, layers };
	struct winit_layer_hooks hooks = { &hc, forward_hook, backward_hook };
	p->scratch.hooks = hooks;
	int64_t hits = 0;
	p->scratch.training = WINIT_PASS_PROBE; /* what training sees, nothing updated */
	winit_model_forward_train(&p->scratch, p->x, p->rows);
	double loss = winit_model_loss(&p->scratch, p->y, p->rows, p->dout, 1.0f / (float)p->rows, &hits);
	winit_model_backward(&p->scratch, p->x, p->dout, p->rows);
	p->scratch.training = WINIT_PASS_INFERENCE;
	memset(&p->scratch.hooks, 0, sizeof p->scratch.hooks);
	for (int i = 0; i < n_layers; i++) {
		const struct winit_layer *d = &m->layer[i];
		struct winit_diag_layer *L = &layers[i];
		if (!d->k_rows) {
			L->distinct_units = -1; /* not recorded for this layer kind */
			continue;
		}
		L->distinct_units = winit_diag_distinct_units(d->w, d->k_rows, d->units);
		if (L->distinct_units < 0) {
			free(layers);
			return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory to compare units");
		}
	}
	struct winit_diag_hist *hist = NULL;
	if (step == 0 && !(hist = kernel_histograms(m))) {
		free(layers);
		return winit_error_set(err, WINIT_ERR_NOMEM, "diagnostics: no memory for the weight histograms");
	}
	p->has_prev = 0;
	struct winit_diag_snapshot *s = &out->snaps[out->n++];
	s->hist = hist;
	s->step = step;
	s->epoch = epoch;
	s->n_layers = n_layers;
	s->layers = layers;
	s->probe_loss = loss / (double)p->rows;
	s->probe_accuracy = (double)hits / (double)p->rows;
	s->probe_rows = p->rows;
	measure_validation(s, p);
	p->val_later = 0;
	/* The probe's loss gradient, past the loss, is written only by the output
	 * activation's backward (when not fused into the loss). */
	winit_model_guard_note(&p->scratch, p->dout, n_layers - 1, "backward",
	                       "the diagnostics' output gradient");
	return winit_model_fault(&p->scratch, err);
}
