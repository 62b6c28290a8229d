/* src/nn/diag_pool.c -- the probe's buffers, kept per thread from one probe to the next
 * (diag_pool.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
	float *delta[2];
};

/* The calling thread's spares; the key's destructor frees them when the thread exits. */
static _Thread_local struct spares *tls_spares;
static pthread_key_t spares_key;
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;
static int spares_key_ok;

static void free_work(struct spares *s)
{
	for (int i = 0; i < s->n_layers && s->has_work; i++) {
		free(s->z[i]);
		free(s->a[i]);
	}
	free(s->z);
	free(s->a);
	free(s->n_out);
	s->z = s->a = NULL;
	s->n_out = NULL;
	s->n_layers = 0;
	free(s->delta[0]);
	free(s->delta[1]);
	s->delta[0] = s->delta[1] = NULL;
	s->has_work = 0;
}

/* Move a model's work buffers (their pointers) to dst and clear them in the model. */
static void move_buffers(float **dz, float **da, float **ddelta, struct winit_model *m)
{
	for (int i = 0; i < m->spec.n_layers; i++) {
		dz[i] = m->z[i];
		da[i] = m->a[i];
		m->z[i] = m->a[i] = NULL;
	}
	ddelta[0] = m->delta[0];
	ddelta[1] = m->delta[1];
	m->delta[0] = m->delta[1] = NULL;
}

static void spares_destroy(void *v)
{
	struct spares *s = v;
	if (!s)
		return;
	for (int k = 0; k < WINIT_DIAG_BUF_COUNT; k++)
		free(s->buf[k]);
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
	void *b = aligned_alloc(64, want);
	*cap = b ? want : 0;
	return b;
}

void winit_diag_pool_give(enum winit_diag_buf role, void *buf, size_t cap)
{
	if (!buf)
		return;
	struct spares *s = spares();
	if (!s) {
		free(buf);
		return;
	}
	if (s->buf[role] && s->cap[role] >= cap) {
		free(buf);
		return;
	}
	free(s->buf[role]);
	s->buf[role] = buf;
	s->cap[role] = cap;
}

void winit_diag_pool_take_work(struct winit_model *m)
{
	struct spares *s = tls_spares;
	if (!s || !s->has_work || s->n_inputs != m->spec.n_inputs || s->n_layers != m->spec.n_layers)
		return;
	for (int i = 0; i < m->spec.n_layers; i++)
		if (s->n_out[i] != m->layer[i].n_out)
			return;
	for (int i = 0; i < m->spec.n_layers; i++) {
		m->z[i] = s->z[i];
		m->a[i] = s->a[i];
	}
	m->delta[0] = s->delta[0];
	m->delta[1] = s->delta[1];
	m->cap_batch = s->cap_batch;
	s->has_work = 0; /* the buffers are the model's now; free_work frees the arrays only */
	s->delta[0] = s->delta[1] = NULL;
	free_work(s);
}

void winit_diag_pool_give_work(struct winit_model *m)
{
	struct spares *s = spares();
	size_t nl = (size_t)m->spec.n_layers;
	if (!m->z || !m->a) /* a probe whose set-up failed: nothing reserved */
		return;
	if (s && m->cap_batch > 0) {
		free_work(s);
		s->z = calloc(nl, sizeof *s->z);
		s->a = calloc(nl, sizeof *s->a);
		s->n_out = calloc(nl, sizeof *s->n_out);
		if (s->z && s->a && s->n_out) {
			move_buffers(s->z, s->a, s->delta, m);
			s->cap_batch = m->cap_batch;
			s->n_inputs = m->spec.n_inputs;
			s->n_layers = m->spec.n_layers;
			for (int i = 0; i < m->spec.n_layers; i++)
				s->n_out[i] = m->layer[i].n_out;
			s->has_work = 1;
			m->cap_batch = 0;
			return;
		}
		free_work(s);
	}
	for (int i = 0; i < m->spec.n_layers; i++) {
		free(m->z[i]);
		free(m->a[i]);
		m->z[i] = m->a[i] = NULL;
	}
	free(m->delta[0]);
	free(m->delta[1]);
	m->delta[0] = m->delta[1] = NULL;
	m->cap_batch = 0;
}
