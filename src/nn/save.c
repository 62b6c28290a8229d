/* src/nn/save.c -- writing model files (winit/model_io.h; the format is
 * docs/model-format.md, the reader src/nn/load.c): every number little-endian whatever
 * the host, the body built in memory, then written to a temporary file in the same
 * directory, fsynced and renamed over the path (and the directory fsynced). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include <winit/model_io.h>
#include <winit/safe_write.h>

#include "layers/kind.h"
#include "nn/graph.h"
#include "nn/model_file.h"

/* ---------------------------------------------------------------- writing */

struct wbuf {
	unsigned char *p;
	size_t n, cap;
	int failed; /* out of memory */
};

static void put(struct wbuf *b, const void *src, size_t n)
{
	if (b->failed)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		unsigned char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, src, n);
	b->n += n;
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	unsigned char c[8];
	for (int i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	put(b, c, 8);
}

static void put_u32(struct wbuf *b, uint32_t v)
{
	unsigned char c[4];
	for (int i = 0; i < 4; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	put(b, c, 4);
}

static void put_u8(struct wbuf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;
	put(b, &c, 1);
}

static void put_f64(struct wbuf *b, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	put_u64(b, u);
}

static void put_str(struct wbuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n > NAME_MAX_BYTES)
		n = NAME_MAX_BYTES;
	put_u8(b, (unsigned)n);
	put(b, s, n);
}

static void put_floats(struct wbuf *b, const float *x, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &x[i], 4);
		put_u32(b, u);
	}
}

/* A plugin use: name ("" for none), then each parameter by name with its type. */
static void put_use(struct wbuf *b, const struct winit_plugin_use *u)
{
	if (!u->info) {
		put_str(b, "");
		return;
	}
	put_str(b, u->info->name);
	put_u32(b, u->info->n_params);
	for (uint32_t k = 0; k < u->info->n_params; k++) {
		const struct winit_param_decl *d = &u->info->params[k];
		put_str(b, d->name);
		put_u8(b, d->type);
		if (d->type == WINIT_PARAM_CHOICE)
			put_str(b, d->choices[(int)u->params[k]]);
		else
			put_f64(b, u->params[k]);
	}
}

/* The oldest version that describes the model: version 1 for a chain of Dense layers
 * without names or multipliers (the models of before graphs keep their bytes, and older
 * winit reads them), version 2 for anything else. */
static uint32_t file_version(const struct winit_model_spec *s)
{
	return winit_model_spec_is_chain(s) ? MODEL_VERSION_CHAIN : MODEL_VERSION_GRAPH;
}

/* Dense's part of a layer, version 1's whole layer record. */
static void put_dense(struct wbuf *b, const struct winit_layer_spec *l)
{
	put_u64(b, (uint64_t)l->units);
	put_u8(b, l->use_bias ? 1 : 0);
	put_use(b, &l->activation);
	put_use(b, &l->kernel_initializer);
	put_use(b, &l->bias_initializer);
}

/* Version 2's layer record: kind, name, inputs, Dense's part (kinds with an activation),
 * the kind's configuration fields by name (src/layers/kind.h), the multipliers. */
static void put_node(struct wbuf *b, const struct winit_model_spec *s, int32_t i)
{
	const struct winit_layer_spec *l = &s->layers[i];
	const struct winit_layer_ops *k = winit_layer_kind_get(l->kind);
	put_u32(b, (uint32_t)l->kind);
	put_str(b, l->name);
	put_u32(b, (uint32_t)l->n_in);
	for (int32_t e = 0; e < l->n_in; e++) {
		int32_t src = s->inputs[l->in_off + e];
		put_u32(b, src == WINIT_MODEL_INPUT ? MODEL_INPUT_REF : (uint32_t)src);
	}
	if (k->has_activation) {
		put_dense(b, l);
	} else if (k->declare) { /* the initializers of its tensors (BatchNormalization's) */
		put_use(b, &l->kernel_initializer);
		put_use(b, &l->bias_initializer);
	}
	uint32_t n_fields = 0;
	for (const struct winit_layer_field *f = k->fields; f && f->name; f++)
		n_fields++;
	put_u32(b, n_fields);
	for (const struct winit_layer_field *f = k->fields; f && f->name; f++) {
		put_str(b, f->name);
		put_u8(b, (unsigned)f->type);
		if (f->type == WINIT_LAYER_FIELD_INT) {
			put_u64(b, (uint64_t)(int64_t)winit_layer_field_int(f, l));
		} else if (f->type == WINIT_LAYER_FIELD_INTS) {
			put_u32(b, (uint32_t)f->count);
			for (int32_t c = 0; c < f->count; c++)
				put_u64(b, (uint64_t)(int64_t)winit_layer_field_int_at(f, l, c));
		} else if (f->type == WINIT_LAYER_FIELD_CHOICE) {
			int32_t v = winit_layer_field_int(f, l);
			put_str(b, v >= 0 && v < winit_layer_field_n_choices(f) ? f->choices[v] : "");
		} else if (f->type == WINIT_LAYER_FIELD_REAL) {
			put_f64(b, winit_layer_field_real(f, l));
		} else {
			struct winit_shape sh = winit_layer_field_shape_of(f, l);
			put_u32(b, (uint32_t)sh.rank);
			for (int32_t d = 0; d < sh.rank && d < WINIT_MAX_RANK; d++)
				put_u64(b, (uint64_t)sh.dim[d]);
		}
	}
	put_u8(b, l->mult_set ? 1 : 0);
	if (l->mult_set) {
		put_u32(b, WINIT_MAX_LAYER_TENSORS);
		for (int t = 0; t < WINIT_MAX_LAYER_TENSORS; t++) {
			put_f64(b, l->mult[t].init);
			put_f64(b, l->mult[t].lr);
		}
		put_f64(b, l->out_mult);
	}
}

static void put_architecture(struct wbuf *b, const struct winit_trainer *t, uint32_t version)
{
	const struct winit_model_spec *s = &t->model.spec;
	put_u32(b, (uint32_t)s->n_input_dims);
	for (int i = 0; i < 3; i++)
		put_u64(b, (uint64_t)s->input_shape[i]);
	put_u32(b, (uint32_t)s->n_layers);
	put_u32(b, (uint32_t)s->loss);
	for (int i = 0; i < s->n_layers; i++) {
		if (version == MODEL_VERSION_CHAIN)
			put_dense(b, &s->layers[i]);
		else
			put_node(b, s, i);
	}
	const struct winit_optimizer_spec *o = &t->opt.spec;
	put_u32(b, (uint32_t)o->kind);
	put_f64(b, o->learning_rate);
	put_f64(b, o->beta_1);
	put_f64(b, o->beta_2);
	put_f64(b, o->epsilon);
	put_f64(b, o->momentum);
	put_u32(b, (uint32_t)o->nesterov);
	put_u64(b, t->seed);
}

/* Version 1: each layer's n_in, n_out and bias flag; version 2: each layer's tensors
 * (their count, then each one's rank and dims), as its kind declares them. */
static void put_weights(struct wbuf *b, const struct winit_model *m, uint32_t version)
{
	/* The instance's layers hold every output shape: declare needs the first input's. */
	struct winit_shape *shapes = NULL;
	if (version != MODEL_VERSION_CHAIN) {
		shapes = malloc((size_t)(m->spec.n_layers > 0 ? m->spec.n_layers : 1) * sizeof *shapes);
		if (!shapes) {
			b->failed = 1;
			return;
		}
		for (int k = 0; k < m->spec.n_layers; k++)
			shapes[k] = m->layer[k].shape;
	}
	put_u32(b, (uint32_t)m->spec.n_layers);
	for (int i = 0; i < m->spec.n_layers; i++) {
		if (version == MODEL_VERSION_CHAIN) {
			put_u64(b, (uint64_t)m->layer[i].n_in);
			put_u64(b, (uint64_t)m->layer[i].n_out);
			put_u8(b, m->layer[i].b ? 1 : 0);
			continue;
		}
		struct winit_tensor_decl decl[WINIT_MAX_LAYER_TENSORS];
		int32_t n = winit_model_spec_tensors(&m->spec, i, shapes, decl);
		put_u32(b, (uint32_t)n);
		for (int32_t t = 0; t < n; t++) {
			put_u32(b, (uint32_t)decl[t].rank);
			for (int32_t d = 0; d < decl[t].rank; d++)
				put_u64(b, (uint64_t)decl[t].dims[d]);
		}
	}
	free(shapes);
	put_u64(b, (uint64_t)m->n_params);
	put_floats(b, m->params, m->n_params);
}

static void put_optimizer(struct wbuf *b, const struct winit_trainer *t)
{
	const struct winit_optimizer *o = &t->opt;
	put_u32(b, (uint32_t)o->spec.kind);
	put_u64(b, (uint64_t)o->t);
	put_u64(b, (uint64_t)t->steps);
	for (int i = 0; i < 4; i++)
		put_u64(b, t->shuffle.s[i]);
	put_u64(b, (uint64_t)o->n);
	put_u8(b, o->m ? 1 : 0);
	put_u8(b, o->v ? 1 : 0);
	if (o->m)
		put_floats(b, o->m, o->n);
	if (o->v)
		put_floats(b, o->v, o->n);
}

int winit_model_save(const char *path, const struct winit_trainer *t, uint32_t what,
                     struct winit_error *err)
{
	return winit_model_save_ext(path, t, what, 0, err);
}

int winit_model_save_ext(const char *path, const struct winit_trainer *t, uint32_t what,
                         unsigned flags, struct winit_error *err)
{
	what = (what & (WINIT_MODEL_ARCHITECTURE | WINIT_MODEL_OPTIMIZER)) | WINIT_MODEL_WEIGHTS;
	struct wbuf body = { 0 }, file = { 0 };
	uint32_t version = file_version(&t->model.spec);
	if (what & WINIT_MODEL_ARCHITECTURE)
		put_architecture(&body, t, version);
	put_weights(&body, &t->model, version);
	if (what & WINIT_MODEL_OPTIMIZER)
		put_optimizer(&body, t);
	put(&file, WINIT_MODEL_MAGIC, 8);
	put_u32(&file, version);
	put_u32(&file, what);
	put_u64(&file, body.n);
	put(&file, body.p, body.n);
	if (!file.failed)
		put_u32(&file, (uint32_t)crc32(crc32(0L, Z_NULL, 0), file.p, (uInt)file.n));
	free(body.p);
	if (body.failed || file.failed) {
		free(file.p);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory building the model file",
		                       path);
	}
	struct winit_safe_write w;
	int rc = winit_safe_write_open(&w, path, WINIT_FILE_MODEL, "the model", flags, err);
	if (!rc) {
		winit_safe_write_bytes(&w, file.p, file.n);
		rc = winit_safe_write_commit(&w, err);
	}
	free(file.p);
	return rc;
}
