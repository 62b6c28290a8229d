/* src/nn/passes.c -- a model's forward and backward passes, split among the model's
 * thread team (winit/team.h) in phases of one chunk per member, each layer through its
 * kind's table (src/layers/kind.h); every element computed in one fixed order whoever
 * computes it.  The gradient of a layer's output that feeds several layers is summed in
 * the fixed order of the backward plan (model.c).  The optimizer's step is applied to
 * each block of parameters as its gradient is final (winit_model_backward_update). */
#include "config.h"

#include <stdio.h>

#include <winit/kernels.h>
#include <winit/model.h>
#include <winit/plugin_call.h>
#include <winit/team.h>

#include "core/guard.h"
#include "layers/kind.h"
#include "nn/model_guard.h"

/* The team a pass runs on: none when hooks watch (they see whole layers in order). */
static struct winit_team *pass_team(const struct winit_model *m)
{
	return m->hooks.forward || m->hooks.backward ? NULL : m->team;
}

/* An activation's writes outside the work buffers land in their guard zones
 * (core/guard.h): checked after each pass (the forward's z and a, the backward's z and
 * a) and after each chunk of an input gradient (its delta buffer, which layers share in
 * turn), the first found kept for winit_model_fault.  Two memcmp of 256 bytes per
 * buffer: no work per value. */
void winit_model_guard_note(struct winit_model *m, const void *buf, int layer,
                            const char *callback, const char *what)
{
	struct winit_guard_hit hit;
	if (!winit_guard_check(buf, &hit))
		return;
	int none = 0;
	if (!__atomic_compare_exchange_n(&m->faulted, &none, 1, 0, __ATOMIC_ACQ_REL,
	                                 __ATOMIC_ACQUIRE))
		return; /* an earlier one is kept */
	char where[96];
	winit_guard_describe(&hit, where, sizeof where);
	const struct winit_layer *d = &m->layer[layer];
	if (d->act)
		snprintf(m->fault, sizeof m->fault,
		         "layer %d: activation '%s' wrote outside its buffers in its %s: %s of %s; "
		         "%s must write only its rows * cols values",
		         layer + 1, d->act->info.name, callback, where, what, callback);
	else
		snprintf(m->fault, sizeof m->fault, "layer %d (%s): its %s wrote outside its buffers: %s of %s",
		         layer + 1, d->kind->name, callback, where, what);
}

static void guard_check_layers(struct winit_model *m, int n_layers, const char *callback)
{
	for (int i = 0; i < n_layers && !m->faulted; i++) {
		winit_model_guard_note(m, m->a[i], i, callback, "the layer's activations");
		winit_model_guard_note(m, m->z[i], i, callback, "the layer's pre-activations");
	}
}

void winit_pass_rows(const struct winit_pass *p, int c, int n, int64_t *r0, int64_t *r1)
{
	winit_team_share(p->n_batch, WINIT_ROW_QUANTUM, c, n, r0, r1);
}

/* Edge k of layer i: its index in m->src. */
static int64_t edge(const struct winit_model *m, int i, int k)
{
	return (m->layer[i].src - m->src) + k;
}

float *winit_pass_grad_dst(const struct winit_pass *p, int i, int k, int64_t r0)
{
	struct winit_model *m = p->m;
	int32_t s = m->layer[i].src[k];
	if (s == WINIT_MODEL_INPUT && !m->dx)
		return NULL;
	int64_t w = s == WINIT_MODEL_INPUT ? m->spec.n_inputs : m->layer[s].n_out;
	/* Adding: the product goes to the scratch buffer first. */
	if (m->edge_acc[edge(m, i, k)])
		return m->delta[m->n_delta - 1] + r0 * w;
	return (s == WINIT_MODEL_INPUT ? m->dx : m->delta[m->layer[s].gbuf]) + r0 * w;
}

void winit_pass_grad_done(const struct winit_pass *p, int i, int k, int64_t r0, int64_t r1)
{
	struct winit_model *m = p->m;
	int32_t s = m->layer[i].src[k];
	if (s == WINIT_MODEL_INPUT) { /* into the caller's dx: no activation, no guard zones */
		int64_t w = m->spec.n_inputs, len = (r1 - r0) * w;
		if (m->edge_acc[edge(m, i, k)])
			for (int64_t j = 0; j < len; j++)
				m->dx[r0 * w + j] += m->delta[m->n_delta - 1][r0 * w + j];
		return;
	}
	const struct winit_layer *in = &m->layer[s];
	int64_t w = in->n_out, len = (r1 - r0) * w;
	float *dst = m->delta[in->gbuf] + r0 * w;
	if (m->edge_acc[edge(m, i, k)]) {
		const float *add = m->delta[m->n_delta - 1] + r0 * w;
		for (int64_t j = 0; j < len; j++)
			dst[j] += add[j];
	} else if (in->act && in->n_consumers == 1) {
		/* Its only consumer: the input layer's activation backward on the same rows. */
		winit_activation_backward(in->act, dst, dst, winit_layer_pre(m, s) + r0 * w, m->a[s] + r0 * w,
		                          (r1 - r0) * (w / in->units), in->units, in->act_params);
	}
	winit_model_guard_note(m, m->delta[in->gbuf], s, "backward", "the layer's gradients");
}

struct forward_job {
	struct winit_pass p;
	struct winit_team *team; /* the pass's (NULL with hooks) */
	int n_layers;
	int logits_last;
};

/* Layers [0, n_layers), one phase each.  With `logits_last`, the last layer stops at its
 * pre-activation (its activation runs only when a hook wants to see it). */
static void forward_part(void *arg, int id, int n)
{
	const struct forward_job *j = arg;
	struct winit_model *m = j->p.m;
	int ph = 0;
	for (int i = 0; i < j->n_layers; i++) {
		const struct winit_layer *d = &m->layer[i];
		int activate = d->act && !(j->logits_last && i == j->n_layers - 1);
		if (d->kind->forward_prepare) {
			WINIT_TEAM_CHUNKS(j->team, ph, id, c)
			{
				d->kind->forward_prepare(&j->p, i, c, n);
				winit_team_done(j->team, ph);
			}
			winit_team_wait(j->team, ph++);
		}
		WINIT_TEAM_CHUNKS(j->team, ph, id, c)
		{
			d->kind->forward(&j->p, i, activate, c, n);
			winit_team_done(j->team, ph);
		}
		winit_team_wait(j->team, ph++);
		if (m->hooks.forward) { /* only on a pass without a team */
			int64_t rows = j->p.n_batch * (d->n_out / d->units);
			if (d->act && !activate)
				winit_activation_forward(d->act, m->a[i], m->z[i], rows, d->units, d->act_params);
			m->hooks.forward(m->hooks.ctx, i, d->act ? m->z[i] : m->a[i], m->a[i], rows, d->units);
		}
	}
}

static const float *forward(struct winit_model *m, const float *x, int64_t n_batch, int n_layers,
                            int logits_last)
{
	if (n_layers == 0)
		return x;
	struct forward_job job = { { m, x, n_batch, NULL }, pass_team(m), n_layers, logits_last };
	int phases = 0;
	for (int i = 0; i < n_layers; i++)
		phases += 1 + (m->layer[i].kind->forward_prepare != NULL);
	winit_team_run_phases(job.team, forward_part, &job, phases);
	guard_check_layers(m, n_layers, "forward");
	return logits_last ? m->z[n_layers - 1] : m->a[n_layers - 1];
}

const float *winit_model_forward(struct winit_model *m, const float *x, int64_t n_batch)
{
	return forward(m, x, n_batch, m->spec.n_layers, 0);
}

const float *winit_model_forward_train(struct winit_model *m, const float *x, int64_t n_batch)
{
	return forward(m, x, n_batch, m->spec.n_layers, m->output_fused);
}

const float *winit_model_forward_layers(struct winit_model *m, const float *x, int64_t n_batch,
                                        int n_layers)
{
	return forward(m, x, n_batch, n_layers, 0);
}

struct backward_job {
	struct winit_pass p;
	struct winit_team *team; /* the pass's (NULL with hooks) */
	float *dout;
};

/* Chunk c of n of layer i's activation backward on its own (the output layer's when not
 * fused into the loss; a layer's whose output feeds several): its rows of g, in place. */
static void act_chunk(const struct backward_job *j, int i, float *g, int c, int n)
{
	struct winit_model *m = j->p.m;
	const struct winit_layer *d = &m->layer[i];
	int64_t r0, r1;
	winit_pass_rows(&j->p, c, n, &r0, &r1);
	if (r1 > r0)
		winit_activation_backward(d->act, g + r0 * d->n_out, g + r0 * d->n_out,
		                          winit_layer_pre(m, i) + r0 * d->n_out, m->a[i] + r0 * d->n_out,
		                          (r1 - r0) * (d->n_out / d->units), d->units, d->act_params);
}

/* Whether layer i has an input that needs a gradient: a layer, or the model's input when
 * the caller asked for its gradient (dx). */
static int has_layer_input(const struct winit_model *m, const struct winit_layer *d)
{
	for (int32_t k = 0; k < d->n_src; k++)
		if (d->src[k] != WINIT_MODEL_INPUT || m->dx)
			return 1;
	return 0;
}

/* The backward pass, layer by layer from the last, in phases: a layer's activation
 * backward when no consumer ran it (the output layer's unless fused; one feeding several
 * layers, once their gradients are summed); its inputs' gradients (every row done before
 * anyone updates the weights they read); its parameters' gradients and their updates.
 * Every phase ends when all its chunks are done. */
static void backward_part(void *arg, int id, int n)
{
	const struct backward_job *j = arg;
	struct winit_model *m = j->p.m;
	struct winit_team *t = j->team;
	const int last = m->spec.n_layers - 1;
	int ph = 0;
	for (int i = last; i >= 0; i--) {
		const struct winit_layer *d = &m->layer[i];
		float *g = d->gbuf < 0 ? j->dout : m->delta[d->gbuf];
		if (d->act && (i == last ? !m->output_fused : d->n_consumers > 1)) {
			WINIT_TEAM_CHUNKS(t, ph, id, c)
			{
				act_chunk(j, i, g, c, n);
				winit_team_done(t, ph);
			}
			winit_team_wait(t, ph++);
		}
		if (d->kind->backward_prepare) {
			WINIT_TEAM_CHUNKS(t, ph, id, c)
			{
				d->kind->backward_prepare(&j->p, i, g, c, n);
				winit_team_done(t, ph);
			}
			winit_team_wait(t, ph++);
		}
		if (d->kind->input_grad && has_layer_input(m, d)) {
			WINIT_TEAM_CHUNKS(t, ph, id, c)
			{
				d->kind->input_grad(&j->p, i, g, c, n);
				winit_team_done(t, ph);
			}
			winit_team_wait(t, ph++);
		}
		if (d->kind->param_grad) {
			WINIT_TEAM_CHUNKS(t, ph, id, c)
			{
				d->kind->param_grad(&j->p, i, g, c, n);
				winit_team_done(t, ph);
			}
			winit_team_wait(t, ph++);
		}
		if (m->hooks.backward) /* only on a pass without a team */
			m->hooks.backward(m->hooks.ctx, i, g, d->dw, j->p.n_batch * (d->n_out / d->units),
			                  d->k_rows, d->units);
	}
}

void winit_model_backward_update(struct winit_model *m, const float *x, float *dout,
                                 int64_t n_batch, const struct winit_param_update *update)
{
	struct backward_job job = { { m, x, n_batch, update }, pass_team(m), dout };
	/* Per layer at most: its activation, its preparation, its inputs' gradients, its
	 * parameters. */
	int phases = 0;
	for (int i = 0; i < m->spec.n_layers; i++) {
		const struct winit_layer *d = &m->layer[i];
		phases += (d->act != NULL) + (d->kind->backward_prepare != NULL) +
		          (d->kind->input_grad != NULL) + (d->kind->param_grad != NULL);
	}
	winit_team_run_phases(job.team, backward_part, &job, phases);
	guard_check_layers(m, m->spec.n_layers, "backward");
}

void winit_model_backward(struct winit_model *m, const float *x, float *dout, int64_t n_batch)
{
	winit_model_backward_update(m, x, dout, n_batch, NULL);
}
