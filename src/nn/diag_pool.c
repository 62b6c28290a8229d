/* src/nn/diag_pool.c -- the probe's buffers, kept per thread from one probe to the next
 * (diag_pool.h).  Every buffer has guard zones (core/guard.h): activations write into
 * some of them; one found written outside its values is freed, never kept. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/guard.h"
#include "nn/diag_pool.h"

struct spares {
	void *buf[WINIT_DIAG_BUF_COUNT];
	size_t cap[WINIT_DIAG_BUF_COUNT];
	/* A scratch model's work buffers and the shapes they were reserved for. */
	int has_work;
	int32_t n_layers;
	int64_t n_inputs, cap_batch;
	int64_t *n_out; /* n_layers entries */
	float **z, **a; /* n_layers entries each */
	int32_t n_delta;
	float **delta; /* n_delta entries */
};

/* The calling thread's spares; the key's destructor frees them when the thread exits. */
static _Thread_local struct spares *tls_spares;
static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;
static int spares_key_ok;

static void free_work(struct spares *s)
{
	for (int i = 0; i < s->n_layers && s->has_work; i++) {
		winit_guarded_free(s->z[i]);
		winit_guarded_free(s->a[i]);
	}
	free(s->z);
	free(s->a);
	free(s->n_out);
	s->z = s->a = NULL;
	s->n_out = NULL;
	s->n_layers = 0;
	for (int k = 0; k < s->n_delta && s->delta; k++)
		winit_guarded_free(s->delta[k]);
	free(s->delta);
	s->delta = NULL;
	s->n_delta = 0;
	s->has_work = 0;
}

static void spares_destroy(void *v)
{
	struct spares *s = v;
	if (!s)
		return;
	for (int k = 0; k < WINIT_DIAG_BUF_COUNT; k++)
		winit_guarded_free(s->buf[k]);
	free_work(s);
	free(s);
	if (tls_spares == s)
		tls_spares = NULL;
}

static void spares_key_init(void)
{
	spares_key_ok = pthread_key_create(&spares_key, spares_destroy) == 0;
}

/* The thread's spares, made on first use; NULL when they cannot be (nothing is kept). */
static struct spares *spares(void)
{
	if (tls_spares)
		return tls_spares;
	pthread_once(&spares_once, spares_key_init);
	if (!spares_key_ok)
		return NULL;
	struct spares *s = calloc(1, sizeof *s);
	if (s && pthread_setspecific(spares_key, s) != 0) {
		free(s);
		s = NULL;
	}
	return tls_spares = s;
}

void winit_diag_spares_free(void)
{
	if (!tls_spares)
		return;
	struct spares *s = tls_spares;
	pthread_setspecific(spares_key, NULL);
	spares_destroy(s);
}

void *winit_diag_pool_take(enum winit_diag_buf role, size_t bytes, size_t *cap)
{
	size_t want = (bytes + 63) / 64 * 64;
	if (want == 0)
		want = 64;
	struct spares *s = spares();
	if (s && s->buf[role] && s->cap[role] >= want) {
		void *b = s->buf[role];
		*cap = s->cap[role];
		s->buf[role] = NULL;
		s->cap[role] = 0;
		return b;
	}
	void *b = winit_guarded_alloc_bytes(want);
	*cap = b ? want : 0;
	return b;
}

/* Whether a buffer's guard zones are intact (a buffer written outside is not kept). */
static int intact(const void *buf)
{
	struct winit_guard_hit hit;
	return !winit_guard_check(buf, &hit);
}

void winit_diag_pool_give(enum winit_diag_buf role, void *buf, size_t cap)
{
	if (!buf)
		return;
	struct spares *s = spares();
	if (!s || !intact(buf)) {
		winit_guarded_free(buf);
		return;
	}
	if (s->buf[role] && s->cap[role] >= cap) {
		winit_guarded_free(buf);
		return;
	}
	winit_guarded_free(s->buf[role]);
	s->buf[role] = buf;
	s->cap[role] = cap;
}

void winit_diag_pool_take_work(struct winit_model *m)
{
	struct spares *s = tls_spares;
	if (!s || !s->has_work || s->n_inputs != m->spec.n_inputs || s->n_layers != m->spec.n_layers ||
	    s->n_delta != m->n_delta)
		return;
	for (int i = 0; i < m->spec.n_layers; i++)
		if (s->n_out[i] != m->layer[i].n_out)
			return;
	for (int i = 0; i < m->spec.n_layers; i++) {
		m->z[i] = s->z[i];
		m->a[i] = s->a[i];
	}
	for (int k = 0; k < m->n_delta; k++) {
		m->delta[k] = s->delta[k];
		s->delta[k] = NULL;
	}
	m->cap_batch = s->cap_batch;
	s->has_work = 0; /* the buffers are the model's now: free_work frees the arrays only */
	free_work(s);
}

/* Keep a model's work buffers as the thread's spares (their pointers move); 0 when there
 * is no memory for the arrays that hold them. */
static int keep_work(struct spares *s, struct winit_model *m)
{
	size_t nl = (size_t)m->spec.n_layers;
	free_work(s);
	s->z = calloc(nl, sizeof *s->z);
	s->a = calloc(nl, sizeof *s->a);
	s->n_out = calloc(nl, sizeof *s->n_out);
	s->delta = calloc((size_t)(m->n_delta > 0 ? m->n_delta : 1), sizeof *s->delta);
	if (!s->z || !s->a || !s->n_out || !s->delta) {
		free_work(s);
		return 0;
	}
	for (int i = 0; i < m->spec.n_layers; i++) {
		s->z[i] = m->z[i];
		s->a[i] = m->a[i];
		s->n_out[i] = m->layer[i].n_out;
		m->z[i] = m->a[i] = NULL;
	}
	for (int k = 0; k < m->n_delta; k++) {
		s->delta[k] = m->delta[k];
		m->delta[k] = NULL;
	}
	s->n_delta = m->n_delta;
	s->cap_batch = m->cap_batch;
	s->n_inputs = m->spec.n_inputs;
	s->n_layers = m->spec.n_layers;
	s->has_work = 1;
	return 1;
}

void winit_diag_pool_give_work(struct winit_model *m)
{
	struct spares *s = spares();
	if (!m->z || !m->a) /* a probe whose set-up failed: nothing reserved */
		return;
	int keep = m->cap_batch > 0;
	for (int k = 0; k < m->n_delta && keep; k++)
		keep = intact(m->delta[k]);
	for (int i = 0; i < m->spec.n_layers && keep; i++)
		keep = intact(m->z[i]) && intact(m->a[i]);
	if (!(s && keep && keep_work(s, m))) {
		for (int i = 0; i < m->spec.n_layers; i++) {
			winit_guarded_free(m->z[i]);
			winit_guarded_free(m->a[i]);
			m->z[i] = m->a[i] = NULL;
		}
		for (int k = 0; k < m->n_delta; k++) {
			winit_guarded_free(m->delta[k]);
			m->delta[k] = NULL;
		}
	}
	m->cap_batch = 0;
}
