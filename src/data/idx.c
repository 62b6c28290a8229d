/* src/data/idx.c -- IDX files (LeCun's MNIST format), plain or gzip-compressed.
 *
 * Layout: two zero bytes, a type code byte, a dimension count byte, then one big-endian
 * uint32 per dimension, then the payload in row-major order.  Only type code 0x08
 * (unsigned byte) is accepted.  Gzip is detected from the 0x1f 0x8b magic, never from the
 * name.  When winit is built with libdeflate, a regular file holding one gzip member is
 * read whole and inflated in one call (about three times faster than zlib); anything else
 * -- several members, a corrupt or truncated stream, a file past 4 GiB -- falls back to
 * zlib's inflate() straight into the destination buffer, so every error can name both the
 * compressed and the decompressed byte offset.  Byte offsets in messages count
 * decompressed bytes (the IDX stream) unless they say "compressed".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#ifdef WINIT_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include <winit/data.h>

#define IDX_TYPE_UBYTE 0x08
#define IDX_IN_CHUNK (256u * 1024u)   /* compressed bytes read per read(2) */
#define IDX_FIRST_ALLOC (64ull << 20) /* gzip payloads grow from here up to n */
#define IDX_DRAIN_CHUNK (64u * 1024u)

/* One open input: a plain file or a gzip stream over it. */
struct idx_src {
	const char *path;
	int fd;
	bool gz;
	bool z_init;       /* inflateInit2 succeeded */
	bool z_member_end; /* the current gzip member ended (Z_STREAM_END) */
	bool eof;          /* read(2) on fd returned 0 */
	z_stream zs;
	uint8_t *in;        /* (IDX_IN_CHUNK) compressed input */
	uint64_t file_pos;  /* bytes read from fd */
	uint64_t pos;       /* bytes delivered to the caller (IDX stream offset) */
	uint64_t file_size; /* st_size for regular files, else 0 */
	bool regular;
	bool whole;     /* libdeflate inflated the whole stream into mem */
	uint8_t *mem;   /* that stream (NULL once the payload took it over) */
	size_t mem_len; /* its length */
};

static const char *idx_type_name(unsigned code)
{
	switch (code) {
	case 0x08: return "unsigned byte";
	case 0x09: return "signed byte";
	case 0x0b: return "short";
	case 0x0c: return "int";
	case 0x0d: return "float";
	case 0x0e: return "double";
	default: return "unknown type";
	}
}

/* "decompressed byte" for gzip input so the reader is not sent to the wrong offset. */
static const char *src_byte_word(const struct idx_src *s)
{
	return s->gz ? "decompressed byte" : "byte";
}

/* read(2) up to len bytes, retrying on EINTR and short reads; *got < len only at EOF. */
static int fd_read_full(struct idx_src *s, uint8_t *buf, size_t len, size_t *got,
                        struct winit_error *err)
{
	size_t done = 0;
	while (done < len) {
		size_t want = len - done;
		if (want > (1u << 30))
			want = 1u << 30;
		ssize_t r = read(s->fd, buf + done, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*got = done;
			return winit_error_set(err, WINIT_ERR_IO, "%s: read failed at byte %" PRIu64 ": %s",
			                       s->path, s->file_pos, strerror(errno));
		}
		if (r == 0) {
			s->eof = true;
			break;
		}
		done += (size_t)r;
		s->file_pos += (uint64_t)r;
	}
	*got = done;
	return WINIT_OK;
}

/* Top up the compressed input buffer, keeping unconsumed bytes. */
static int src_refill(struct idx_src *s, struct winit_error *err)
{
	if (s->eof)
		return WINIT_OK;
	if (s->zs.avail_in > 0 && s->zs.next_in != s->in)
		memmove(s->in, s->zs.next_in, s->zs.avail_in);
	size_t got;
	int rc = fd_read_full(s, s->in + s->zs.avail_in, IDX_IN_CHUNK - s->zs.avail_in, &got, err);
	s->zs.next_in = s->in;
	s->zs.avail_in += (uInt)got;
	return rc;
}

/* Compressed bytes consumed by inflate so far. */
static uint64_t src_z_consumed(const struct idx_src *s)
{
	return s->file_pos - s->zs.avail_in;
}

/* Read up to len bytes of the IDX stream into dst; *got < len only at a clean end. */
static int src_read(struct idx_src *s, uint8_t *dst, size_t len, size_t *got,
                    struct winit_error *err)
{
	if (s->whole) {
		size_t left = s->mem ? s->mem_len - (size_t)s->pos : 0;
		*got = len < left ? len : left;
		if (*got > 0) /* once the payload took the buffer over, mem is NULL */
			memcpy(dst, s->mem + s->pos, *got);
		s->pos += *got;
		return WINIT_OK;
	}
	if (!s->gz) {
		int rc = fd_read_full(s, dst, len, got, err);
		s->pos += *got;
		return rc;
	}
	size_t done = 0;
	int rc = WINIT_OK;
	while (done < len) {
		if (s->z_member_end) {
			/* Another gzip member may follow (concatenated .gz files are valid). */
			if (s->zs.avail_in < 2 && (rc = src_refill(s, err)) != WINIT_OK)
				break;
			if (s->zs.avail_in == 0)
				break; /* clean end of the compressed stream */
			if (s->zs.avail_in < 2 || s->zs.next_in[0] != 0x1f || s->zs.next_in[1] != 0x8b) {
				rc = winit_error_set(err, WINIT_ERR_FORMAT,
				                     "%s: compressed byte %" PRIu64 ": trailing garbage "
				                     "after the gzip stream; expected end of file or "
				                     "another gzip member (0x1f 0x8b)",
				                     s->path, src_z_consumed(s));
				break;
			}
			if (inflateReset(&s->zs) != Z_OK) {
				rc = winit_error_set(err, WINIT_ERR_FORMAT, "%s: inflateReset failed",
				                     s->path);
				break;
			}
			s->z_member_end = false;
		}
		if (s->zs.avail_in == 0) {
			if ((rc = src_refill(s, err)) != WINIT_OK)
				break;
			if (s->zs.avail_in == 0) {
				rc = winit_error_set(err, WINIT_ERR_FORMAT,
				                     "%s: truncated gzip stream: the file ends at "
				                     "compressed byte %" PRIu64 " (decompressed byte %" PRIu64 ") inside a gzip member; expected more "
				                     "compressed data and the gzip trailer",
				                     s->path, s->file_pos, s->pos + done);
				break;
			}
		}
		size_t want = len - done;
		if (want > UINT_MAX)
			want = UINT_MAX;
		s->zs.next_out = dst + done;
		s->zs.avail_out = (uInt)want;
		int zr = inflate(&s->zs, Z_NO_FLUSH);
		done += want - s->zs.avail_out;
		if (zr == Z_STREAM_END) {
			s->z_member_end = true;
		} else if (zr == Z_MEM_ERROR) {
			rc = winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory in inflate",
			                     s->path);
			break;
		} else if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR) {
			rc = winit_error_set(err, WINIT_ERR_FORMAT,
			                     "%s: corrupt gzip data near compressed byte %" PRIu64
			                     " (decompressed byte %" PRIu64 "): %s",
			                     s->path, src_z_consumed(s), s->pos + done,
			                     s->zs.msg ? s->zs.msg : "inflate failed");
			break;
		} else if (zr == Z_BUF_ERROR && s->zs.avail_in > 0) {
			rc = winit_error_set(err, WINIT_ERR_FORMAT,
			                     "%s: gzip stream stalled at compressed byte %" PRIu64,
			                     s->path, src_z_consumed(s));
			break;
		}
		/* Z_OK, or Z_BUF_ERROR with the input exhausted: the loop refills. */
	}
	s->pos += done;
	*got = done;
	return rc;
}

static void src_close(struct idx_src *s)
{
	free(s->mem);
	s->mem = NULL;
	if (s->z_init)
		inflateEnd(&s->zs);
	s->z_init = false;
	free(s->in);
	s->in = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

const char *winit_idx_inflater(void)
{
#ifdef WINIT_HAVE_LIBDEFLATE
	return "libdeflate";
#else
	return "zlib";
#endif
}

#ifdef WINIT_HAVE_LIBDEFLATE
/* The largest ratio deflate can reach (258 bytes from one 1-bit code, about 1032:1): a
 * length field claiming more is corrupt, and must not make us allocate it. */
#define DEFLATE_MAX_RATIO 1032u

/* Inflate a regular gzip file of one member whole into s->mem with libdeflate.  False
 * (and s back at byte 0) when it cannot: the caller then streams it through zlib, which
 * also names the byte of any error. */
static bool src_inflate_whole(struct idx_src *s)
{
	uint64_t n = s->file_size;
	if (!s->regular || n < 18 || n > SIZE_MAX / DEFLATE_MAX_RATIO)
		return false;
	/* Map the file rather than read it: no copy, no fresh pages to fault in. */
	uint8_t *in = mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, s->fd, 0);
	if (in == MAP_FAILED)
		return false;
	uint8_t *out = NULL;
	size_t used = 0, made = 0;
	bool ok = false;
	/* ISIZE: the member's length mod 2^32, little-endian in its last 4 bytes. */
	size_t isize = (size_t)in[n - 4] | (size_t)in[n - 3] << 8 | (size_t)in[n - 2] << 16 |
	               (size_t)in[n - 1] << 24;
	struct libdeflate_decompressor *d = NULL;
	if (isize <= n * DEFLATE_MAX_RATIO && (out = malloc(isize ? isize : 1)) &&
	    (d = libdeflate_alloc_decompressor()))
		ok = libdeflate_gzip_decompress_ex(d, in, (size_t)n, out, isize, &used, &made) ==
		             LIBDEFLATE_SUCCESS &&
		     used == n && made == isize;
	libdeflate_free_decompressor(d);
	munmap(in, (size_t)n);
	if (!ok) {
		free(out);
		return false;
	}
	s->whole = true;
	s->mem = out;
	s->mem_len = made;
	return true;
}
#endif

static int not_regular(const char *path, mode_t mode, struct winit_error *err)
{
	const char *kind = S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device" :
	                   S_ISBLK(mode)  ? "a block device" : S_ISSOCK(mode) ? "a socket" :
	                   "not a regular file";
	return winit_error_set(err, WINIT_ERR_IO, "%s: is %s, expected a regular IDX file "
	                                          "(plain or gzip)",
	                       path, kind);
}

static int src_open(struct idx_src *s, const char *path, struct winit_error *err)
{
	memset(s, 0, sizeof *s);
	s->path = path;
	/* Only regular files: a FIFO (or a device) named like a data file would block the
	 * open or the reads forever.  stat() first, so a FIFO is never opened; O_NONBLOCK
	 * and fstat() for one swapped in between. */
	s->fd = -1;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return not_regular(path, st.st_mode, err);
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (s->fd < 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot open: %s", path,
		                       strerror(errno));
	if (fstat(s->fd, &st) != 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot stat: %s", path,
		                       strerror(errno));
	/* (A directory opens without blocking; reading it fails with EISDIR, said below.) */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return not_regular(path, st.st_mode, err);
	int fl = fcntl(s->fd, F_GETFL);
	if (fl < 0 || fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot clear O_NONBLOCK: %s", path,
		                       strerror(errno));
	if (S_ISREG(st.st_mode)) {
		s->regular = true;
		s->file_size = (uint64_t)st.st_size;
	}
	uint8_t magic[2];
	size_t got;
	int rc = fd_read_full(s, magic, sizeof magic, &got, err);
	if (rc != WINIT_OK)
		return rc;
	if (lseek(s->fd, 0, SEEK_SET) != 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot seek back to byte 0: %s "
		                                          "(IDX files must be regular files)",
		                       path, strerror(errno));
	s->file_pos = 0;
	s->eof = false;
	if (got < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
		return WINIT_OK;
	s->gz = true;
#ifdef WINIT_HAVE_LIBDEFLATE
	if (src_inflate_whole(s))
		return WINIT_OK;
	if (s->file_pos != 0 || lseek(s->fd, 0, SEEK_SET) != 0)
		return winit_error_set(err, WINIT_ERR_IO, "%s: cannot seek back to byte 0: %s", path,
		                       strerror(errno));
#endif
	s->in = malloc(IDX_IN_CHUNK);
	if (!s->in)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
	/* 16 + MAX_WBITS: gzip wrapper only, with its CRC-32 and length checked. */
	if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: inflateInit2 failed", path);
	s->z_init = true;
	return WINIT_OK;
}

static void format_dims(char *buf, size_t size, const uint32_t *dims, uint32_t n_dims)
{
	size_t len = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < n_dims && len < size; i++) {
		int w = snprintf(buf + len, size - len, i ? "x%" PRIu32 : "%" PRIu32, dims[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static int read_header(struct idx_src *s, struct winit_idx *out, struct winit_error *err)
{
	const char *p = s->path;
	const char *bw = src_byte_word(s);
	uint8_t magic[4];
	size_t got;
	int rc = src_read(s, magic, sizeof magic, &got, err);
	if (rc != WINIT_OK)
		return rc;
	if (got == 0)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s is empty; expected an IDX "
		                                              "header (0x00 0x00, type code, dimension count)",
		                       p, s->gz ? "decompressed data" : "file");
	if (got < sizeof magic)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s %zu: header truncated: "
		                                              "expected 4 magic bytes, found %zu",
		                       p, bw, got, got);
	for (int i = 0; i < 2; i++)
		if (magic[i] != 0)
			return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s %d: bad magic: found "
			                                              "0x%02x; expected 0x00 (an IDX file starts with two "
			                                              "zero bytes)",
			                       p, bw, i, magic[i]);
	if (magic[2] != IDX_TYPE_UBYTE)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s 2: type code 0x%02x (%s) "
		                                              "not supported; expected 0x08 (unsigned byte)",
		                       p, bw, magic[2], idx_type_name(magic[2]));
	if (magic[3] < 1 || magic[3] > WINIT_IDX_MAX_DIMS)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s 3: %u dimensions not "
		                                              "supported; expected 1 to %d",
		                       p, bw, magic[3],
		                       WINIT_IDX_MAX_DIMS);
	out->n_dims = magic[3];

	uint8_t raw[4 * WINIT_IDX_MAX_DIMS];
	size_t need = 4 * (size_t)out->n_dims;
	if ((rc = src_read(s, raw, need, &got, err)) != WINIT_OK)
		return rc;
	if (got < need)
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s %zu: header truncated: "
		                                              "expected %zu bytes for %" PRIu32 " dimension sizes, found "
		                                              "%zu",
		                       p, bw, 4 + got, need, out->n_dims, got);
	uint64_t n = 1;
	bool overflow = false;
	for (uint32_t i = 0; i < out->n_dims; i++) {
		const uint8_t *b = raw + 4 * i;
		out->dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		               (uint32_t)b[2] << 8 | (uint32_t)b[3];
		if (out->dims[i] == 0)
			return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s %" PRIu32 ": dimension %" PRIu32 " is 0; expected a positive size",
			                       p, bw, 4 + 4 * i, i);
		if (__builtin_mul_overflow(n, (uint64_t)out->dims[i], &n))
			overflow = true;
	}
	if (overflow || n > SIZE_MAX || n > UINT64_MAX - 4 - need) {
		char dims[128];
		format_dims(dims, sizeof dims, out->dims, out->n_dims);
		return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s 4: dimensions %s overflow: "
		                                              "their product does not fit in %zu-bit sizes",
		                       p, bw, dims, sizeof(size_t) * CHAR_BIT);
	}
	out->n = n;
	return WINIT_OK;
}

static int payload_short(const struct idx_src *s, const struct winit_idx *out,
                         uint64_t found, struct winit_error *err)
{
	char dims[128];
	format_dims(dims, sizeof dims, out->dims, out->n_dims);
	uint64_t header = 4 + 4 * (uint64_t)out->n_dims;
	return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s %" PRIu64 ": payload too short "
	                                              "for dimensions %s: expected %" PRIu64 " bytes, found %" PRIu64,
	                       s->path, src_byte_word(s), header + found, dims, out->n, found);
}

/* The payload must end the stream: count what follows (reading a gzip stream to its
 * end also verifies its CRC-32). */
static int check_trailing(struct idx_src *s, struct winit_error *err)
{
	uint64_t at = s->pos;
	uint64_t extra = 0;
	if (!s->gz) {
		if (s->regular) {
			extra = s->file_size > at ? s->file_size - at : 0;
		} else {
			uint8_t one;
			size_t got;
			int rc = src_read(s, &one, 1, &got, err);
			if (rc != WINIT_OK)
				return rc;
			extra = got;
		}
	} else {
		uint8_t *buf = malloc(IDX_DRAIN_CHUNK);
		if (!buf)
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", s->path);
		size_t got;
		int rc;
		do {
			rc = src_read(s, buf, IDX_DRAIN_CHUNK, &got, err);
			extra += got;
		} while (rc == WINIT_OK && got == IDX_DRAIN_CHUNK);
		free(buf);
		if (rc != WINIT_OK)
			return rc;
	}
	if (extra == 0)
		return WINIT_OK;
	return winit_error_set(err, WINIT_ERR_FORMAT, "%s: %s %" PRIu64 ": %" PRIu64 " trailing "
	                                              "byte%s after the payload; expected end of file",
	                       s->path, src_byte_word(s), at, extra, extra == 1 ? "" : "s");
}

static int read_payload(struct idx_src *s, struct winit_idx *out, struct winit_error *err)
{
	uint64_t header = 4 + 4 * (uint64_t)out->n_dims;
	if (!s->gz && s->regular && s->file_size < header + out->n)
		return payload_short(s, out, s->file_size - header, err);
	if (s->whole && s->mem_len - s->pos == out->n) {
		/* The payload ends the inflated stream: move it to the front and keep the buffer
		 * rather than copy 47 MB. */
		memmove(s->mem, s->mem + s->pos, (size_t)out->n);
		out->data = s->mem;
		s->mem = NULL;
		s->pos += out->n;
		return WINIT_OK;
	}

	/* Plain files: exact size known, one allocation.  Gzip: grow towards n, so a
	 * corrupt header cannot make us allocate gigabytes before the data runs out. */
	uint64_t cap = out->n;
	if (s->gz && cap > IDX_FIRST_ALLOC)
		cap = IDX_FIRST_ALLOC;
	uint8_t *data = malloc((size_t)cap);
	if (!data)
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for %" PRIu64 " payload bytes", s->path, cap);
	uint64_t have = 0;
	for (;;) {
		size_t got;
		int rc = src_read(s, data + have, (size_t)(cap - have), &got, err);
		have += got;
		if (rc != WINIT_OK) {
			free(data);
			return rc;
		}
		if (have < cap) {
			free(data);
			return payload_short(s, out, have, err);
		}
		if (cap == out->n)
			break;
		uint64_t ncap = cap * 2 < out->n ? cap * 2 : out->n;
		uint8_t *grown = realloc(data, (size_t)ncap);
		if (!grown) {
			free(data);
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory for %" PRIu64 " payload bytes", s->path, ncap);
		}
		data = grown;
		cap = ncap;
	}
	out->data = data;
	return WINIT_OK;
}

int winit_idx_read(struct winit_idx *out, const char *path, struct winit_error *err)
{
	memset(out, 0, sizeof *out);
	if (!path)
		return winit_error_set(err, WINIT_ERR_ARG, "winit_idx_read: path is NULL");
	struct idx_src s;
	int rc = src_open(&s, path, err);
	if (rc == WINIT_OK)
		rc = read_header(&s, out, err);
	if (rc == WINIT_OK)
		rc = read_payload(&s, out, err);
	if (rc == WINIT_OK)
		rc = check_trailing(&s, err);
	src_close(&s);
	if (rc != WINIT_OK)
		winit_idx_free(out);
	return rc;
}

void winit_idx_free(struct winit_idx *idx)
{
	if (!idx)
		return;
	free(idx->data);
	memset(idx, 0, sizeof *idx);
}
