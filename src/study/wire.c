/* src/study/wire.c -- pack and unpack struct winit_run_result (see wire.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <winit/diagnostics.h>
#include <winit/kernels.h>
#include <winit/theory.h>

#include "results/fields.h"
#include "study/wire.h"

/* One diagnostics layer: a double or an int64_t per member of WINIT_DIAG_LAYER_FIELDS. */
#define LAYER_BYTES(name, type, range) +8
#define DIAG_LAYER_BYTES (0 WINIT_DIAG_LAYER_FIELDS(LAYER_BYTES))
/* One layer's weight histogram: 2 doubles, 2 + WINIT_DIAG_HIST_BINS int64s. */
#define HIST_BYTES ((4 + WINIT_DIAG_HIST_BINS) * 8)

/* The members of a fields.h table go on the wire in its order, each at its own width (an
 * int32_t, an int64_t or a double; a string as its length and bytes, or, when the engine
 * keeps it as an int32_t code (`at`), that code), the value of an absent one too, each
 * presence flag (an int32_t) just before the first member it governs. */
static size_t fields_bytes(const struct winit_field *table)
{
	size_t n = 0;
	ptrdiff_t flag = WINIT_FIELD_NONE;
	for (const struct winit_field *f = table; f->key; f++) {
		if (f->when != WINIT_FIELD_NONE && f->when != flag) {
			n += 4;
			flag = f->when;
		}
		n += f->type == WINIT_FIELD_I32 || f->type == WINIT_FIELD_CHOICE || f->type == WINIT_FIELD_TEXT ? 4 : 8;
	}
	return n;
}

struct out {
	unsigned char *p;
	size_t len, cap;
	int nomem;
};

static void put(struct out *o, const void *v, size_t n)
{
	if (o->nomem || n == 0) /* nothing to copy (v may then be NULL: memcpy must not see it) */
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 512;
		while (cap < o->len + n)
			cap *= 2;
		unsigned char *p = realloc(o->p, cap);
		if (!p) {
			o->nomem = 1;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, v, n);
	o->len += n;
}

static void put_u32(struct out *o, uint32_t v) { put(o, &v, sizeof v); }
static void put_i32(struct out *o, int32_t v) { put(o, &v, sizeof v); }
static void put_u64(struct out *o, uint64_t v) { put(o, &v, sizeof v); }
static void put_i64(struct out *o, int64_t v) { put(o, &v, sizeof v); }
static void put_f64(struct out *o, double v) { put(o, &v, sizeof v); }

static void put_str(struct out *o, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : 0;
	put_u32(o, n);
	put(o, s, n);
}

static void pack_fields(struct out *o, const struct winit_field *table, const void *s)
{
	ptrdiff_t flag = WINIT_FIELD_NONE;
	for (const struct winit_field *f = table; f->key; f++) {
		if (f->when != WINIT_FIELD_NONE && f->when != flag) {
			put_i32(o, winit_field_present(f, s, 0));
			flag = f->when;
		}
		if (f->type == WINIT_FIELD_F64)
			put_f64(o, winit_field_f64(f, s));
		else if (f->type == WINIT_FIELD_TEXT && f->at == WINIT_FIELD_NONE)
			put_str(o, winit_field_text(f, s, 0));
		else if (f->type == WINIT_FIELD_I64)
			put_i64(o, winit_field_int(f, s));
		else
			put_i32(o, (int32_t)winit_field_int(f, s));
	}
}

/* Each epoch: its members, then the fit's epochs (not in the results file). */
static void pack_history(struct out *o, const struct winit_history *h)
{
	put_i32(o, h->n);
	for (int32_t e = 0; e < h->n; e++) {
		pack_fields(o, winit_fields_epoch, &h->epochs[e]);
		put_i32(o, h->epochs[e].epochs);
	}
}

static void pack_layer(struct out *o, const struct winit_diag_layer *d)
{
/* winit/diagnostics.h's list, in its order. */
#define PUT(name, type, range) put_##type(o, d->name);
	WINIT_DIAG_LAYER_FIELDS(PUT)
#undef PUT
}

/* The snapshots, their weight histograms aside (pack_hists, after the divergence). */
static void pack_snapshots(struct out *o, const struct winit_diagnostics *d)
{
	put_i32(o, d->n);
	for (int32_t k = 0; k < d->n; k++) {
		const struct winit_diag_snapshot *sn = &d->snaps[k];
		pack_fields(o, winit_fields_snapshot, sn);
		put_i32(o, sn->n_layers);
		for (int32_t l = 0; l < sn->n_layers; l++)
			pack_layer(o, &sn->layers[l]);
	}
}

static void pack_theory(struct out *o, const struct winit_theory *t)
{
	put_i32(o, t->computed);
	put_i32(o, t->applies);
	put_str(o, t->reason);
	put_i32(o, t->n_layers);
	for (int32_t l = 0; l < t->n_layers; l++) {
		put_f64(o, t->pre_var[l]);
		put_f64(o, t->grad_var[l]);
	}
}

/* Version 3: the weight histograms of the snapshot at initialization. */
static void pack_hists(struct out *o, const struct winit_diagnostics *d)
{
	for (int32_t k = 0; k < d->n; k++) {
		const struct winit_diag_snapshot *sn = &d->snaps[k];
		put_i32(o, sn->hist != NULL);
		for (int32_t l = 0; sn->hist && l < sn->n_layers; l++) {
			const struct winit_diag_hist *h = &sn->hist[l];
			put_f64(o, h->half_width);
			put_f64(o, h->declared_sd);
			put_i64(o, h->underflow);
			put_i64(o, h->overflow);
			for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++)
				put_i64(o, h->count[b]);
		}
	}
}

int winit_wire_pack(uint64_t index, const struct winit_run_result *r, unsigned char **buf,
                    size_t *len, struct winit_error *err)
{
	struct out o = { 0 };
	put_u32(&o, WINIT_WIRE_MAGIC);
	put_u32(&o, WINIT_WIRE_VERSION);
	put_u64(&o, index);
	pack_fields(&o, winit_fields_status, r);
	put_i32(&o, r->done);
	pack_fields(&o, winit_fields_outcome, r);
	put_i64(&o, r->n_train);
	put_i64(&o, r->n_val);
	put_i64(&o, r->n_test);
	put_u64(&o, r->run_seed);
	pack_history(&o, &r->history);
	pack_snapshots(&o, &r->diagnostics);
	pack_theory(&o, &r->theory);
	pack_fields(&o, winit_fields_divergence, &r->divergence);
	pack_hists(&o, &r->diagnostics);
	if (o.nomem) {
		free(o.p);
		return winit_error_set(err, WINIT_ERR_NOMEM, "packing the result of run %llu: out of memory",
		                       (unsigned long long)index);
	}
	*buf = o.p;
	*len = o.len;
	return WINIT_OK;
}

struct in {
	const unsigned char *p;
	size_t len, at;
	int bad;
	size_t bad_at;
};

static void get(struct in *i, void *v, size_t n)
{
	if (n == 0) /* nothing to read (v may be NULL) */
		return;
	if (i->bad || n > i->len - i->at) {
		if (!i->bad) {
			i->bad = 1;
			i->bad_at = i->at;
		}
		memset(v, 0, n);
		return;
	}
	memcpy(v, i->p + i->at, n);
	i->at += n;
}

static uint32_t get_u32(struct in *i)
{
	uint32_t v;
	get(i, &v, sizeof v);
	return v;
}

static int32_t get_i32(struct in *i)
{
	int32_t v;
	get(i, &v, sizeof v);
	return v;
}

static uint64_t get_u64(struct in *i)
{
	uint64_t v;
	get(i, &v, sizeof v);
	return v;
}

static int64_t get_i64(struct in *i)
{
	int64_t v;
	get(i, &v, sizeof v);
	return v;
}

static double get_f64(struct in *i)
{
	double v;
	get(i, &v, sizeof v);
	return v;
}

/* A string into dst (cut to its size); the bytes past it are skipped. */
static void get_str(struct in *i, char *dst, size_t size)
{
	uint32_t n = get_u32(i);
	if (i->bad || n > i->len - i->at) {
		if (!i->bad) {
			i->bad = 1;
			i->bad_at = i->at;
		}
		dst[0] = '\0';
		return;
	}
	size_t k = n < size - 1 ? n : size - 1;
	memcpy(dst, i->p + i->at, k);
	dst[k] = '\0';
	i->at += n;
}

/* Mark the message malformed at byte `at` (the first fault stays). */
static void in_bad(struct in *i, size_t at)
{
	if (!i->bad) {
		i->bad = 1;
		i->bad_at = at;
	}
}

/* A string row's text goes through its functions (the kernel set's name: this process's
 * copy of it, which a pointer in the result names; storing into the engine's struct does
 * not fail). */
static void unpack_fields(struct in *in, const struct winit_field *table, void *s)
{
	ptrdiff_t flag = WINIT_FIELD_NONE;
	for (const struct winit_field *f = table; f->key; f++) {
		if (f->when != WINIT_FIELD_NONE && f->when != flag) {
			winit_field_mark(f, s, 0, get_i32(in));
			flag = f->when;
		}
		if (f->type == WINIT_FIELD_TEXT && f->at == WINIT_FIELD_NONE) {
			char text[WINIT_ERROR_MSG_MAX];
			get_str(in, text, sizeof text);
			(void)winit_field_put_text(f, s, 0, text);
		} else if (f->type == WINIT_FIELD_F64) {
			winit_field_put_f64(f, s, 0, get_f64(in));
		} else if (f->type == WINIT_FIELD_I64) {
			winit_field_put_int(f, s, 0, get_i64(in));
		} else {
			winit_field_put_int(f, s, 0, get_i32(in));
		}
	}
}

/* The run's scalars after the magic and version. */
static void unpack_scalars(struct in *in, uint64_t *index, struct winit_run_result *r)
{
	*index = get_u64(in);
	unpack_fields(in, winit_fields_status, r);
	r->done = get_i32(in);
	unpack_fields(in, winit_fields_outcome, r);
	r->n_train = get_i64(in);
	r->n_val = get_i64(in);
	r->n_test = get_i64(in);
	r->run_seed = get_u64(in);
}

static int unpack_history(struct in *in, struct winit_history *h, struct winit_error *err)
{
	int32_t n = get_i32(in);
	if (!in->bad && (n < 0 || (size_t)n > (in->len - in->at) / (fields_bytes(winit_fields_epoch) + 4)))
		in_bad(in, in->at - sizeof n);
	for (int32_t e = 0; e < n && !in->bad; e++) {
		struct winit_epoch_stats st;
		memset(&st, 0, sizeof st);
		unpack_fields(in, winit_fields_epoch, &st);
		st.epochs = get_i32(in);
		if (!in->bad && winit_history_append(h, &st, err))
			return WINIT_ERR_NOMEM;
	}
	return WINIT_OK;
}

static void unpack_layer(struct in *in, struct winit_diag_layer *d)
{
#define GET(name, type, range) d->name = get_##type(in);
	WINIT_DIAG_LAYER_FIELDS(GET)
#undef GET
}

/* One snapshot's values and layers; d->n counts it from when its layers are allocated, so
 * winit_diagnostics_free frees them. */
static int unpack_snapshot(struct in *in, struct winit_diagnostics *d, int32_t k,
                           struct winit_error *err)
{
	struct winit_diag_snapshot *sn = &d->snaps[k];
	unpack_fields(in, winit_fields_snapshot, sn);
	int32_t nl = get_i32(in);
	if (!in->bad && (nl < 0 ||
	                 (size_t)nl > (in->len - in->at) / DIAG_LAYER_BYTES))
		in_bad(in, in->at - sizeof nl);
	if (in->bad)
		return WINIT_OK;
	d->n = k + 1; /* freed with it from here on */
	if (nl > 0 && !(sn->layers = calloc((size_t)nl, sizeof *sn->layers)))
		return winit_error_set(err, WINIT_ERR_NOMEM, "run result message: out of memory");
	sn->n_layers = nl;
	for (int32_t l = 0; l < nl; l++)
		unpack_layer(in, &sn->layers[l]);
	return WINIT_OK;
}

static int unpack_snapshots(struct in *in, struct winit_diagnostics *d, struct winit_error *err)
{
	int32_t n_snaps = get_i32(in);
	if (!in->bad && (n_snaps < 0 || (size_t)n_snaps > (in->len - in->at) / (fields_bytes(winit_fields_snapshot) + 4)))
		in_bad(in, in->at - sizeof n_snaps);
	if (!in->bad && n_snaps > 0 && !(d->snaps = calloc((size_t)n_snaps, sizeof *d->snaps)))
		return winit_error_set(err, WINIT_ERR_NOMEM, "run result message: out of memory");
	d->cap = in->bad ? 0 : n_snaps;
	int rc = WINIT_OK;
	for (int32_t k = 0; k < n_snaps && !in->bad && !rc; k++)
		rc = unpack_snapshot(in, d, k, err);
	return rc;
}

static int unpack_theory(struct in *in, struct winit_theory *t, struct winit_error *err)
{
	int32_t computed = get_i32(in), applies = get_i32(in);
	char reason[sizeof t->reason];
	get_str(in, reason, sizeof reason);
	int32_t tl = get_i32(in);
	if (!in->bad && (tl < 0 || (size_t)tl > (in->len - in->at) / (2 * sizeof(double))))
		in_bad(in, in->at - sizeof tl);
	if (in->bad)
		return WINIT_OK;
	if (winit_theory_alloc(t, tl))
		return winit_error_set(err, WINIT_ERR_NOMEM, "run result message: out of memory");
	t->computed = computed;
	t->applies = applies;
	memcpy(t->reason, reason, sizeof reason);
	for (int32_t l = 0; l < t->n_layers && !in->bad; l++) {
		t->pre_var[l] = get_f64(in);
		t->grad_var[l] = get_f64(in);
	}
	return WINIT_OK;
}

/* Version 3: each snapshot's weight histograms, when it has them. */
static int unpack_hists(struct in *in, struct winit_diagnostics *d, struct winit_error *err)
{
	for (int32_t k = 0; k < d->n && !in->bad; k++) {
		struct winit_diag_snapshot *sn = &d->snaps[k];
		int32_t has = get_i32(in), nl = sn->n_layers;
		if (in->bad || !has || nl == 0)
			continue;
		if ((size_t)nl > (in->len - in->at) / HIST_BYTES) {
			in_bad(in, in->at);
			break;
		}
		if (!(sn->hist = calloc((size_t)nl, sizeof *sn->hist)))
			return winit_error_set(err, WINIT_ERR_NOMEM, "run result message: out of memory");
		for (int32_t l = 0; l < nl; l++) {
			struct winit_diag_hist *h = &sn->hist[l];
			h->half_width = get_f64(in);
			h->declared_sd = get_f64(in);
			h->underflow = get_i64(in);
			h->overflow = get_i64(in);
			for (int b = 0; b < WINIT_DIAG_HIST_BINS; b++)
				h->count[b] = get_i64(in);
		}
	}
	return WINIT_OK;
}

int winit_wire_unpack(const unsigned char *buf, size_t len, uint64_t *index,
                      struct winit_run_result *r, struct winit_error *err)
{
	struct in in = { .p = buf, .len = len };
	memset(r, 0, sizeof *r);
	uint32_t magic = get_u32(&in);
	if (!in.bad && magic != WINIT_WIRE_MAGIC)
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "run result message: byte 0: magic 0x%08x, expected 0x%08x (a "
		                       "rank of another architecture or program?)",
		                       magic, WINIT_WIRE_MAGIC);
	uint32_t version = get_u32(&in);
	if (!in.bad && version != WINIT_WIRE_VERSION)
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "run result message: byte 4: version %u, expected %u (every rank "
		                       "must run the same winit)",
		                       version, WINIT_WIRE_VERSION);
	unpack_scalars(&in, index, r);
	int rc;
	if ((rc = unpack_history(&in, &r->history, err)) ||
	    (rc = unpack_snapshots(&in, &r->diagnostics, err)))
		goto fail;
	if ((rc = unpack_theory(&in, &r->theory, err)))
		goto fail;
	unpack_fields(&in, winit_fields_divergence, &r->divergence);
	if ((rc = unpack_hists(&in, &r->diagnostics, err)))
		goto fail;
	if (!in.bad && in.at != len)
		in_bad(&in, in.at);
	if (!in.bad)
		return WINIT_OK;
	rc = winit_error_set(err, WINIT_ERR_FORMAT, "run result message: byte %zu of %zu: truncated or malformed",
	                     in.bad_at, len);
fail:
	winit_run_result_free(r);
	memset(r, 0, sizeof *r);
	return rc;
}
