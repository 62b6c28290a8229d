/* src/data/npy.c -- NumPy's .npy files (numpy.lib.format, versions 1.0, 2.0 and 3.0) and
 * labelled datasets from a pair of them.
 *
 * Layout: the magic "\x93NUMPY" (bytes 0-5), the major and minor version (bytes 6, 7), the
 * header's length (little-endian: uint16 at bytes 8-9 for 1.0, uint32 at bytes 8-11 for
 * 2.0 and 3.0), the header, then the elements in C order.  The header is a Python dict
 * literal, Latin-1 text for 1.0 and 2.0 and UTF-8 for 3.0, that NumPy writes as
 *
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }      ...spaces...\n
 *
 * (padded so that the data start on a 64-byte boundary; older NumPy padded to 16, which
 * nothing here requires).  NumPy reads it with ast.literal_eval; this reader takes the
 * subset of Python that .npy writers produce and refuses the rest, each refusal naming the
 * byte.  Messages count bytes from the file's start.  The same code reads a file (through
 * pread) or bytes in memory (winit_npy_parse: the fuzz harness compares the two).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <winit/data.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_SUPPORTED \
	"'|u1', '|i1', '<u2', '<i2', '<u4', '<i4', '<u8', '<i8', '<f4', '<f8' or a '>' (big-endian) form"

/* Where the bytes come from: memory (mem) or a regular file (fd). */
struct npy_in {
	const char *name;
	const uint8_t *mem; /* NULL: read fd */
	int fd;
	uint64_t size; /* the file's size, or the bytes in memory */
};

/* Up to len bytes from byte `at`; *got < len only at the end. */
static int in_read(const struct npy_in *in, uint64_t at, void *dst, size_t len, size_t *got,
                   struct winit_error *err)
{
	*got = 0;
	if (in->mem) {
		uint64_t left = at < in->size ? in->size - at : 0;
		*got = left < len ? (size_t)left : len;
		if (*got)
			memcpy(dst, in->mem + at, *got);
		return WINIT_OK;
	}
	uint8_t *d = dst;
	while (*got < len) {
		size_t want = len - *got;
		if (want > (1u << 30))
			want = 1u << 30;
		ssize_t r = pread(in->fd, d + *got, want, (off_t)(at + *got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return winit_error_set(err, WINIT_ERR_IO, "%s: read failed at byte %" PRIu64 ": %s",
			                       in->name, at + *got, strerror(errno));
		}
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return WINIT_OK;
}

/* "%s: byte N: " + the message, as WINIT_ERR_FORMAT. */
__attribute__((format(printf, 4, 5))) static int
fail_at(struct winit_error *err, const char *name, uint64_t at, const char *fmt, ...)
{
	char msg[WINIT_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return winit_error_set(err, WINIT_ERR_FORMAT, "%s: byte %" PRIu64 ": %s", name, at, msg);
}

/* s[0..n) for a message: printable ASCII as it is, anything else as \xHH, cut at 40
 * characters (then "..."). */
static void quote_text(char *buf, size_t size, const uint8_t *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 8 < size; i++) {
		if (i == 40) {
			o += (size_t)snprintf(buf + o, size - o, "...");
			break;
		}
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			buf[o++] = (char)s[i];
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", s[i]);
	}
	buf[o] = '\0';
}

/* What stands at h[p] (p == n: the header's end), for "found ..." */
static void describe_at(char *buf, size_t size, const uint8_t *h, size_t n, size_t p)
{
	if (p >= n)
		snprintf(buf, size, "the header's end");
	else if (h[p] >= 0x20 && h[p] < 0x7f)
		snprintf(buf, size, "\"%c\"", h[p]);
	else if (h[p] == '\n')
		snprintf(buf, size, "a newline");
	else
		snprintf(buf, size, "byte 0x%02x", h[p]);
}

/* "(2, 3)", "(5,)" or "()", as Python prints a shape. */
static void format_shape(char *buf, size_t size, const uint64_t *dims, uint32_t n_dims)
{
	size_t o = (size_t)snprintf(buf, size, "(");
	for (uint32_t i = 0; i < n_dims && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, i ? ", %" PRIu64 : "%" PRIu64, dims[i]);
	if (o < size)
		snprintf(buf + o, size - o, n_dims == 1 ? ",)" : ")");
}

/* The first byte of s[0..n) that is not UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF), or n. */
static size_t utf8_invalid_at(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (n - i <= k)
			return i;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += k + 1;
	}
	return n;
}

/* The header's parser: h[0..n) is the header without its final newline, h[0] is at byte
 * `base` of the file. */
struct hp {
	const uint8_t *h;
	size_t n, p;
	uint64_t base;
	const char *name;
	uint8_t major;
	struct winit_error *err;
};

__attribute__((format(printf, 3, 4))) static int hp_fail(struct hp *hp, size_t at,
                                                         const char *fmt, ...)
{
	char msg[WINIT_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return fail_at(hp->err, hp->name, hp->base + at, "%s", msg);
}

static int hp_expected(struct hp *hp, const char *what)
{
	char found[32];
	describe_at(found, sizeof found, hp->h, hp->n, hp->p);
	return hp_fail(hp, hp->p, "header: expected %s, found %s", what, found);
}

static void hp_ws(struct hp *hp)
{
	while (hp->p < hp->n && (hp->h[hp->p] == ' ' || hp->h[hp->p] == '\t'))
		hp->p++;
}

static bool hp_is(struct hp *hp, char c)
{
	return hp->p < hp->n && hp->h[hp->p] == (uint8_t)c;
}

/* A string literal in ' or " (no escapes, no newline): its text is h[*s .. *s + *len). */
static int hp_string(struct hp *hp, size_t *s, size_t *len, const char *what)
{
	if (!hp_is(hp, '\'') && !hp_is(hp, '"'))
		return hp_expected(hp, what);
	size_t start = hp->p;
	uint8_t q = hp->h[hp->p++];
	while (hp->p < hp->n && hp->h[hp->p] != q) {
		if (hp->h[hp->p] == '\\')
			return hp_fail(hp, hp->p, "header: a backslash in a string (escape sequences are "
			                          "not supported); expected plain text");
		hp->p++;
	}
	if (hp->p >= hp->n)
		return hp_fail(hp, start, "header: unterminated string; expected a closing %c before "
		                          "the header's end",
		               q);
	*s = start + 1;
	*len = hp->p - start - 1;
	hp->p++;
	return WINIT_OK;
}

/* A dtype string: '<', '>' or '|' (one-byte types only), a kind (u, i, f) and a size. */
static int hp_dtype(struct hp *hp, struct winit_npy *out, size_t s, size_t len)
{
	const uint8_t *d = hp->h + s;
	char q[200];
	quote_text(q, sizeof q, d, len);
	const char *why = NULL;
	if (len == 3 && (d[0] == '<' || d[0] == '>' || d[0] == '|') &&
	    (d[1] == 'u' || d[1] == 'i' || d[1] == 'f') &&
	    (d[2] == '1' || d[2] == '2' || d[2] == '4' || d[2] == '8')) {
		unsigned size = (unsigned)(d[2] - '0');
		if (d[1] == 'f' && size < 4)
			why = "half-precision floats are not read";
		else if (d[0] == '|' && size != 1)
			why = "'|' (no byte order) is only for one-byte types";
		else {
			out->kind = (char)d[1];
			out->item_size = (uint8_t)size;
			memcpy(out->descr, d, 3);
			out->descr[3] = '\0';
			return WINIT_OK;
		}
	} else if (len >= 1 && (d[0] == '=' || (d[0] != '<' && d[0] != '>' && d[0] != '|'))) {
		why = "no explicit byte order";
	} else if (len >= 2 && d[1] == 'b') {
		why = "booleans are not read";
	} else if (len >= 2 && d[1] == 'c') {
		why = "complex numbers are not read";
	} else if (len >= 2 && (d[1] == 'S' || d[1] == 'U' || d[1] == 'O' || d[1] == 'V')) {
		why = "strings, objects and raw bytes are not read";
	} else {
		why = "not a simple numeric type";
	}
	return hp_fail(hp, s - 1, "dtype '%s' not supported (%s); expected %s", q, why,
	               NPY_SUPPORTED);
}

/* A shape: "()", "(n,)", "(n, m, ...)" with an optional trailing comma. */
static int hp_shape(struct hp *hp, struct winit_npy *out)
{
	if (!hp_is(hp, '('))
		return hp_expected(hp, "a tuple of integers for 'shape', such as (60000, 28, 28)");
	size_t open = hp->p++;
	out->shape_at = hp->base + open;
	uint32_t k = 0;
	bool comma = false;
	hp_ws(hp);
	while (!hp_is(hp, ')')) {
		if (hp->p >= hp->n || hp->h[hp->p] < '0' || hp->h[hp->p] > '9')
			return hp_expected(hp, "a dimension (a non-negative integer) or \")\"");
		size_t at = hp->p;
		if (k == WINIT_NPY_MAX_DIMS)
			return hp_fail(hp, at, "shape: more than %d dimensions; expected at most %d",
			               WINIT_NPY_MAX_DIMS, WINIT_NPY_MAX_DIMS);
		uint64_t v = 0;
		while (hp->p < hp->n && hp->h[hp->p] >= '0' && hp->h[hp->p] <= '9') {
			if (hp->p > at && hp->h[at] == '0')
				return hp_fail(hp, at, "shape: dimension %" PRIu32 " has a leading zero "
				                       "(not a Python integer); expected a decimal size",
				               k);
			unsigned digit = (unsigned)(hp->h[hp->p] - '0');
			if (v > ((uint64_t)INT64_MAX - digit) / 10)
				return hp_fail(hp, at, "shape: dimension %" PRIu32 " is too large; expected "
				                       "at most %" PRId64 " (NumPy's sizes are 64-bit signed)",
				               k, INT64_MAX);
			v = v * 10 + digit;
			hp->p++;
		}
		if (hp->major < 3 && hp_is(hp, 'L'))
			hp->p++; /* Python 2's long integers: 60000L */
		out->dims[k++] = v;
		hp_ws(hp);
		comma = hp_is(hp, ',');
		if (comma) {
			hp->p++;
			hp_ws(hp);
		} else if (!hp_is(hp, ')')) {
			return hp_expected(hp, "\",\" or \")\" in the shape");
		}
	}
	if (k == 1 && !comma)
		return hp_fail(hp, open, "shape: (%" PRIu64 ") is a number, not a tuple; expected a "
		                         "1-tuple written (%" PRIu64 ",)",
		               out->dims[0], out->dims[0]);
	hp->p++;
	out->n_dims = k;
	return WINIT_OK;
}

static int hp_fortran(struct hp *hp)
{
	size_t at = hp->p, e = hp->p;
	while (e < hp->n && ((hp->h[e] >= 'a' && hp->h[e] <= 'z') || (hp->h[e] >= 'A' && hp->h[e] <= 'Z')))
		e++;
	if (e - at == 5 && memcmp(hp->h + at, "False", 5) == 0) {
		hp->p = e;
		return WINIT_OK;
	}
	if (e - at == 4 && memcmp(hp->h + at, "True", 4) == 0)
		return hp_fail(hp, at, "fortran_order is True: Fortran-ordered (column-major) arrays "
		                       "are not read; expected False (save numpy.ascontiguousarray(a))");
	return hp_expected(hp, "True or False for 'fortran_order'");
}

static const char *const npy_keys[3] = { "descr", "fortran_order", "shape" };

/* The dict: each of the three keys exactly once, in any order, a trailing comma allowed,
 * then only spaces and tabs. */
static int parse_dict(struct hp *hp, struct winit_npy *out)
{
	size_t seen[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
	int rc;
	hp_ws(hp);
	if (!hp_is(hp, '{'))
		return hp_expected(hp, "\"{\" (the header is a Python dict)");
	hp->p++;
	for (;;) {
		hp_ws(hp);
		if (hp_is(hp, '}'))
			break;
		size_t ks, kl;
		if ((rc = hp_string(hp, &ks, &kl, "a key ('descr', 'fortran_order' or 'shape') or \"}\"")))
			return rc;
		int key = -1;
		for (int i = 0; i < 3; i++)
			if (kl == strlen(npy_keys[i]) && memcmp(hp->h + ks, npy_keys[i], kl) == 0)
				key = i;
		char q[200];
		quote_text(q, sizeof q, hp->h + ks, kl);
		if (key < 0)
			return hp_fail(hp, ks - 1, "header: unknown key '%s'; expected 'descr', "
			                           "'fortran_order' or 'shape'",
			               q);
		if (seen[key] != SIZE_MAX)
			return hp_fail(hp, ks - 1, "header: key '%s' given twice (first at byte %" PRIu64 "); expected each key once",
			               q, hp->base + seen[key]);
		seen[key] = ks - 1;
		hp_ws(hp);
		if (!hp_is(hp, ':'))
			return hp_expected(hp, "\":\" after the key");
		hp->p++;
		hp_ws(hp);
		if (key == 0) {
			size_t vs, vl;
			if (hp_is(hp, '['))
				return hp_fail(hp, hp->p, "descr: a list of fields (a structured dtype) is "
				                          "not supported; expected a simple dtype: %s",
				               NPY_SUPPORTED);
			if ((rc = hp_string(hp, &vs, &vl, "a dtype string for 'descr', such as '<f4'")))
				return rc;
			out->descr_at = hp->base + vs - 1;
			if ((rc = hp_dtype(hp, out, vs, vl)))
				return rc;
		} else if (key == 1) {
			if ((rc = hp_fortran(hp)))
				return rc;
		} else if ((rc = hp_shape(hp, out))) {
			return rc;
		}
		hp_ws(hp);
		if (hp_is(hp, ','))
			hp->p++;
		else if (!hp_is(hp, '}'))
			return hp_expected(hp, "\",\" or \"}\" after a value");
	}
	size_t close = hp->p++;
	for (int i = 0; i < 3; i++)
		if (seen[i] == SIZE_MAX)
			return hp_fail(hp, close, "header: the dict lacks the key '%s'; expected "
			                          "'descr', 'fortran_order' and 'shape'",
			               npy_keys[i]);
	hp_ws(hp);
	if (hp->p < hp->n)
		return hp_expected(hp, "spaces then the newline after the dict");
	return WINIT_OK;
}

static void swap_bytes(uint8_t *d, uint64_t n, unsigned size)
{
	if (size == 1)
		return;
	for (uint64_t i = 0; i < n; i++, d += size)
		for (unsigned a = 0, b = size - 1; a < b; a++, b--) {
			uint8_t t = d[a];
			d[a] = d[b];
			d[b] = t;
		}
}

/* The magic, the version and the header's length: *base is where the header starts. */
static int npy_preamble(struct winit_npy *out, const struct npy_in *in, uint64_t *base_out,
                        uint32_t *hlen_out, struct winit_error *err)
{
	const char *nm = in->name;
	uint8_t pre[12];
	size_t got;
	int rc = in_read(in, 0, pre, sizeof pre, &got, err);
	if (rc)
		return rc;
	if (got == 0)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: file is empty; expected a .npy "
		                                              "file (the magic \\x93NUMPY, a version, a header)",
		                       nm);
	for (size_t i = 0; i < NPY_MAGIC_LEN; i++) {
		if (i == got)
			return fail_at(err, nm, i, "file ends inside the magic; expected the 6 bytes "
			                           "\\x93NUMPY");
		if (pre[i] != (uint8_t)NPY_MAGIC[i])
			return fail_at(err, nm, i, "bad magic: found 0x%02x; expected 0x%02x (a .npy file "
			                           "starts with \\x93NUMPY)",
			               pre[i], (uint8_t)NPY_MAGIC[i]);
	}
	if (got < 8)
		return fail_at(err, nm, got, "file ends inside the version; expected 2 bytes (major, "
		                             "minor)");
	out->major = pre[6];
	out->minor = pre[7];
	if (!(out->minor == 0 && out->major >= 1 && out->major <= 3))
		return fail_at(err, nm, 6, "format version %u.%u not supported; expected 1.0, 2.0 or "
		                           "3.0",
		               out->major, out->minor);
	size_t len_bytes = out->major == 1 ? 2 : 4;
	uint64_t base = 8 + len_bytes;
	if (got < base)
		return fail_at(err, nm, got, "file ends inside the header length; expected %zu bytes "
		                             "(a little-endian uint%zu)",
		               len_bytes, 8 * len_bytes);
	uint32_t hlen = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
	if (len_bytes == 4)
		hlen |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
	if (hlen == 0)
		return fail_at(err, nm, 8, "header length 0; expected a header (a Python dict ended "
		                           "by a newline)");
	if (hlen > WINIT_NPY_MAX_HEADER)
		return fail_at(err, nm, 8, "header length %" PRIu32 " too large; expected at most %u "
		                           "bytes (simple dtypes have headers of about 128)",
		               hlen, WINIT_NPY_MAX_HEADER);
	*base_out = base;
	*hlen_out = hlen;
	return WINIT_OK;
}

/* The header of hlen bytes at base: whole, UTF-8 for version 3, ended by a newline, a
 * dict of the three keys (parse_dict). */
static int npy_header(struct winit_npy *out, const struct npy_in *in, uint64_t base, uint32_t hlen,
                      struct winit_error *err)
{
	const char *nm = in->name;
	size_t got;
	int rc;
	uint64_t after = in->size > base ? in->size - base : 0;
	if (after < hlen)
		return fail_at(err, nm, base + after, "header truncated: its length (byte 8) says %" PRIu32 " bytes, the file ends after %" PRIu64,
		               hlen, after);
	uint8_t *h = malloc(hlen);
	if (!h)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for a %" PRIu32 "-byte header", nm, hlen);
	if ((rc = in_read(in, base, h, hlen, &got, err)) == WINIT_OK && got < hlen)
		rc = fail_at(err, nm, base + got, "header truncated: its length (byte 8) says %" PRIu32 " bytes, the file ends after %zu",
		             hlen, got);
	if (rc == WINIT_OK && out->major == 3) {
		size_t bad = utf8_invalid_at(h, hlen);
		if (bad < hlen)
			rc = fail_at(err, nm, base + bad, "found 0x%02x, not UTF-8; expected a version 3.0 "
			                                  "header in UTF-8",
			             h[bad]);
	}
	if (rc == WINIT_OK && h[hlen - 1] != '\n') {
		char found[32];
		describe_at(found, sizeof found, h, hlen, hlen - 1);
		rc = fail_at(err, nm, base + hlen - 1, "header does not end with a newline: found %s "
		                                       "as its last byte; expected \"\\n\" (the header "
		                                       "length may be wrong)",
		             found);
	}
	if (rc == WINIT_OK) {
		struct hp hp = { .h = h, .n = hlen - 1, .base = base, .name = nm, .major = out->major,
			         .err = err };
		rc = parse_dict(&hp, out);
	}
	free(h);
	return rc;
}

/* The data from data_at: exactly as many bytes as the shape says, in native byte order. */
static int npy_data(struct winit_npy *out, const struct npy_in *in, struct winit_error *err)
{
	const char *nm = in->name;
	size_t got;
	int rc;
	char shape[32 * WINIT_NPY_MAX_DIMS];
	format_shape(shape, sizeof shape, out->dims, out->n_dims);
	uint64_t n = 1, bytes;
	bool over = false;
	for (uint32_t i = 0; i < out->n_dims; i++)
		over |= __builtin_mul_overflow(n, out->dims[i], &n);
	if (over || __builtin_mul_overflow(n, (uint64_t)out->item_size, &bytes) ||
	    bytes > SIZE_MAX - 1 || bytes > UINT64_MAX - out->data_at)
		return fail_at(err, nm, out->shape_at, "shape %s of '%s' overflows: its size in "
		                                       "bytes does not fit in %zu bits",
		               shape, out->descr, 8 * sizeof(size_t) < 64 ? 8 * sizeof(size_t) : 64);
	out->n = n;
	uint64_t have = in->size - out->data_at; /* the header fit, so size >= data_at */
	if (have < bytes)
		return fail_at(err, nm, in->size, "data too short for shape %s of '%s': expected %" PRIu64 " bytes from byte %" PRIu64 ", found %" PRIu64,
		               shape, out->descr, bytes, out->data_at, have);
	if (have > bytes)
		return fail_at(err, nm, out->data_at + bytes, "%" PRIu64 " trailing byte%s after the "
		                                              "data of shape %s of '%s'; expected end of file",
		               have - bytes, have - bytes == 1 ? "" : "s", shape, out->descr);
	out->data = malloc(bytes ? (size_t)bytes : 1);
	if (!out->data)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for %" PRIu64 " bytes of data", nm, bytes);
	if ((rc = in_read(in, out->data_at, out->data, (size_t)bytes, &got, err)))
		return rc;
	if (got < bytes) /* the file shrank under us */
		return fail_at(err, nm, out->data_at + got, "data too short for shape %s of '%s': expected %" PRIu64 " bytes from byte %" PRIu64 ", found %zu",
		               shape, out->descr, bytes, out->data_at, got);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	if (out->descr[0] == '<')
#else
	if (out->descr[0] == '>')
#endif
		swap_bytes(out->data, n, out->item_size);
	return WINIT_OK;
}

static int npy_load(struct winit_npy *out, const struct npy_in *in, struct winit_error *err)
{
	uint64_t base = 0;
	uint32_t hlen = 0;
	int rc = npy_preamble(out, in, &base, &hlen, err);
	if (rc || (rc = npy_header(out, in, base, hlen, err)))
		return rc;
	out->data_at = base + hlen;
	return npy_data(out, in, err);
}

int winit_npy_parse(struct winit_npy *out, const void *bytes, size_t len, const char *name,
                    struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	if (!name || (!bytes && len))
		return winit_error_set(err, WINIT_ERR_ARG, "winit_npy_parse: %s is NULL",
		                       name ? "bytes" : "name");
	static const uint8_t none[1];
	struct npy_in in = { .name = name, .mem = bytes ? bytes : none, .fd = -1, .size = len };
	int rc = npy_load(out, &in, err);
	if (rc)
		winit_npy_free(out);
	return rc;
}

static int not_regular(const char *path, mode_t mode, struct winit_error *err)
{
	const char *kind = S_ISDIR(mode)  ? "a directory" :
	                   S_ISFIFO(mode) ? "a FIFO" :
	                   S_ISCHR(mode)  ? "a character device" :
	                   S_ISBLK(mode)  ? "a block device" :
	                   S_ISSOCK(mode) ? "a socket" :
	                                    "not a regular file";
	return winit_error_set(err, WINIT_ERR_IO, "%s: is %s, expected a regular .npy file", path,
	                       kind);
}

int winit_npy_read(struct winit_npy *out, const char *path, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	if (!path)
		return winit_error_set(err, WINIT_ERR_ARG, "winit_npy_read: path is NULL");
	/* Only regular files: stat() first, so a FIFO is never opened; O_NONBLOCK and fstat()
	 * for one swapped in between. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return not_regular(path, st.st_mode, err);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	int rc;
	if (fstat(fd, &st) != 0)
		rc = winit_error_set(err, WINIT_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = not_regular(path, st.st_mode, err);
	else {
		struct npy_in in = { .name = path, .fd = fd, .size = (uint64_t)st.st_size };
		rc = npy_load(out, &in, err);
	}
	close(fd);
	if (rc)
		winit_npy_free(out);
	return rc;
}

void winit_npy_free(struct winit_npy *npy)
{
	if (!npy)
		return;
	free(npy->data);
	memset(npy, 0, sizeof *npy);
}

/* Element i of an integer array, as a signed value (*neg) or an unsigned one. */
static uint64_t int_at(const struct winit_npy *a, uint64_t i, bool *neg)
{
	const uint8_t *p = (const uint8_t *)a->data + i * a->item_size;
	int64_t s = 0;
	uint64_t u = 0;
	switch (a->item_size) {
	case 1: { uint8_t v; memcpy(&v, p, 1); u = v; s = (int8_t)v; break; }
	case 2: { uint16_t v; memcpy(&v, p, 2); u = v; s = (int16_t)v; break; }
	case 4: { uint32_t v; memcpy(&v, p, 4); u = v; s = (int32_t)v; break; }
	default: { uint64_t v; memcpy(&v, p, 8); u = v; s = (int64_t)v; break; }
	}
	*neg = a->kind == 'i' && s < 0;
	return *neg ? (uint64_t)(-(s + 1)) + 1 : u;
}

/* Labels: any integer dtype, shape (N,), each in [0, n_classes) (n_classes 0: [0, 255],
 * and n_classes becomes the largest + 1). */
static int labels_from(uint8_t *y, int32_t *n_classes, const struct winit_npy *a,
                       const char *path, struct winit_error *err)
{
	int32_t nc = *n_classes, top = nc ? nc : 256, max = 0;
	for (uint64_t i = 0; i < a->n; i++) {
		bool neg;
		uint64_t v = int_at(a, i, &neg);
		if (neg || v >= (uint64_t)top) {
			char range[96];
			if (nc)
				snprintf(range, sizeof range, "0 to %" PRId32 " (%" PRId32 " class%s)", nc - 1,
				         nc, nc == 1 ? "" : "es");
			else
				snprintf(range, sizeof range, "0 to 255 (class indices; at most 256 classes)");
			return fail_at(err, path, a->data_at + i * a->item_size, "label %" PRIu64 " is %s%" PRIu64 ", out of range; expected %s",
			               i, neg ? "-" : "", v, range);
		}
		y[i] = (uint8_t)v;
		max = y[i] > max ? y[i] : max;
	}
	if (!nc)
		*n_classes = max + 1;
	return WINIT_OK;
}

/* Float images: finite float32, checked in place; float64 rounded to float32 into *xf. */
static int floats_from(float **xf, struct winit_npy *a, const char *path,
                       struct winit_error *err)
{
	if (a->item_size == 4) {
		float *f = a->data;
		for (uint64_t i = 0; i < a->n; i++)
			if (!isfinite(f[i]))
				return fail_at(err, path, a->data_at + 4 * i, "element %" PRIu64 " is %g; "
				                                               "expected a finite number",
				               i, (double)f[i]);
		*xf = f;
		a->data = NULL;
		return WINIT_OK;
	}
	const double *d = a->data;
	float *f = malloc((size_t)a->n * sizeof *f);
	if (!f)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for %" PRIu64 " floats", path, a->n);
	for (uint64_t i = 0; i < a->n; i++) {
		if (!isfinite(d[i]) || fabs(d[i]) > FLT_MAX) {
			free(f);
			return fail_at(err, path, a->data_at + 8 * i, "element %" PRIu64 " is %g; expected "
			                                               "a finite number a float32 holds (|x| <= %g): "
			                                               "features are stored as float32",
			               i, d[i], (double)FLT_MAX);
		}
		f[i] = (float)d[i];
	}
	*xf = f;
	return WINIT_OK;
}

int winit_dataset_load_npy(struct winit_dataset *out, const char *images_path,
                           const char *labels_path, int32_t n_classes,
                           struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	if (!images_path || !labels_path)
		return winit_error_set(err, WINIT_ERR_ARG, "winit_dataset_load_npy: %s path is NULL",
		                       images_path ? "labels" : "images");
	if (n_classes < 0 || n_classes > 256)
		return winit_error_set(err, WINIT_ERR_ARG, "winit_dataset_load_npy: n_classes %" PRId32 " out of range; expected 1 to 256 (labels are bytes), or 0 for the largest label + 1",
		                       n_classes);
	struct winit_npy im, lb;
	int rc = winit_npy_read(&im, images_path, err);
	if (rc)
		return rc;
	if ((rc = winit_npy_read(&lb, labels_path, err))) {
		winit_npy_free(&im);
		return rc;
	}
	char ims[32 * WINIT_NPY_MAX_DIMS], lbs[32 * WINIT_NPY_MAX_DIMS];
	format_shape(ims, sizeof ims, im.dims, im.n_dims);
	format_shape(lbs, sizeof lbs, lb.dims, lb.n_dims);
	uint64_t feat = 1;
	for (uint32_t i = 1; i < im.n_dims; i++)
		feat *= im.dims[i]; /* no overflow: the whole product fit */
	if (im.n_dims != 3 && im.n_dims != 4) {
		rc = fail_at(err, images_path, im.shape_at, "images of shape %s (%" PRIu32 " dimension%s); expected 3 (count, height, width) or 4 (count, height, width, channels)",
		             ims, im.n_dims, im.n_dims == 1 ? "" : "s");
	} else if (!(im.kind == 'f' || (im.kind == 'u' && im.item_size == 1))) {
		rc = fail_at(err, images_path, im.descr_at, "images of dtype '%s'; expected '|u1' (uint8), '<f4' or '>f4' (float32), '<f8' or '>f8' (float64)",
		             im.descr);
	} else if (lb.n_dims != 1) {
		rc = fail_at(err, labels_path, lb.shape_at, "labels of shape %s; expected 1 dimension (count,)", lbs);
	} else if (lb.kind == 'f') {
		rc = fail_at(err, labels_path, lb.descr_at, "labels of dtype '%s'; expected an integer dtype (class indices): '|u1', '|i1', '<i8', ... (numpy.save of labels.astype('int64'))",
		             lb.descr);
	} else if (im.dims[0] == 0) {
		rc = fail_at(err, images_path, im.shape_at, "images of shape %s hold no sample; expected at least one", ims);
	} else if (im.dims[1] == 0 || im.dims[2] == 0 || (im.n_dims == 4 && im.dims[3] == 0)) {
		rc = fail_at(err, images_path, im.shape_at, "images of shape %s: an image dimension is 0; expected positive sizes", ims);
	} else if (im.dims[0] > UINT32_MAX) {
		rc = fail_at(err, images_path, im.shape_at, "images of shape %s: %" PRIu64 " samples; expected at most 2^32", ims, im.dims[0]);
	} else if (feat > INT32_MAX) {
		rc = fail_at(err, images_path, im.shape_at, "images of shape %s: %" PRIu64 " values per image; expected at most %d", ims, feat, INT32_MAX);
	} else if (im.dims[0] != lb.dims[0]) {
		rc = winit_error_set(err, WINIT_ERR_FORMAT, "sample counts disagree: %s holds %" PRIu64 " images (shape %s at byte %" PRIu64 ") but %s holds %" PRIu64 " labels (shape %s at byte %" PRIu64 ")",
		                     images_path, im.dims[0], ims, im.shape_at, labels_path, lb.dims[0],
		                     lbs, lb.shape_at);
	}
	if (rc)
		goto fail;
	uint8_t *y = malloc((size_t)lb.n);
	if (!y) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for %" PRIu64 " labels", labels_path, lb.n);
		goto fail;
	}
	out->y = y;
	if ((rc = labels_from(y, &n_classes, &lb, labels_path, err)))
		goto fail;
	if (im.kind == 'f') {
		if ((rc = floats_from(&out->xf, &im, images_path, err)))
			goto fail;
	} else {
		out->x = im.data; /* ownership moves to the dataset */
		im.data = NULL;
	}
	out->n = (int64_t)im.dims[0];
	out->height = (int32_t)im.dims[1];
	out->width = (int32_t)im.dims[2];
	out->channels = im.n_dims == 4 ? (int32_t)im.dims[3] : 0;
	out->n_features = (int64_t)feat;
	out->n_classes = n_classes;
	winit_npy_free(&im);
	winit_npy_free(&lb);
	return WINIT_OK;

fail:
	winit_npy_free(&im);
	winit_npy_free(&lb);
	winit_dataset_free(out);
	return rc;
}
