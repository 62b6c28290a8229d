/* src/results/journal.c -- the journal beside a results file being written: records
 * made, read back and put together into the file's text (format: journal.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include <winit/results.h>

#include "results/results.h"
#include "results/journal.h"

/* A record's payload is one run's entry: far below this. */
#define RECORD_MAX ((size_t)1 << 30)

static uint32_t crc_of(const char *text, size_t len)
{
	uLong c = crc32(0L, Z_NULL, 0);
	while (len > 0) {
		uInt part = len > (1u << 30) ? 1u << 30 : (uInt)len;
		c = crc32(c, (const Bytef *)text, part);
		text += part;
		len -= part;
	}
	return (uint32_t)c;
}

char *winit_journal_record(char kind, uint64_t index, const char *text, size_t len,
                           size_t *out_len)
{
	char line[96];
	int n = snprintf(line, sizeof line, "%c %" PRIu64 " %zu %08" PRIx32 "\n", kind, index, len,
	                 crc_of(text, len));
	char *rec = malloc((size_t)n + len + 1);
	if (!rec)
		return NULL;
	memcpy(rec, line, (size_t)n);
	memcpy(rec + n, text, len);
	rec[(size_t)n + len] = '\n';
	*out_len = (size_t)n + len + 1;
	return rec;
}

void winit_journal_free(struct winit_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->records[i].text);
	free(j->records);
	memset(j, 0, sizeof *j);
	j->torn_at = -1;
}

/* The whole of a regular file (a FIFO or device is refused before it could block);
 * NULL with err set, errno kept from the failing call. */
static char *read_whole(const char *path, size_t *len, struct winit_error *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int e = errno;
	if (fd < 0) {
		winit_error_set(err, WINIT_ERR_IO, "%s: cannot read results: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		winit_error_set(err, WINIT_ERR_IO, "%s: cannot read results: not a regular file", path);
		errno = EINVAL;
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t n = 0;
	while (buf && n < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	e = errno;
	close(fd);
	if (!buf || n < (size_t)st.st_size) {
		winit_error_set(err, buf ? WINIT_ERR_IO : WINIT_ERR_NOMEM, "%s: cannot read results: %s", path,
		                buf ? strerror(e) : "out of memory");
		free(buf);
		errno = e;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Parse "KIND INDEX LENGTH CRC\n" at p; 0 when it is one. */
static int parse_line(const char *p, const char *end, char *kind, uint64_t *index, size_t *len,
                      uint32_t *crc, const char **payload)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || nl - p > 80)
		return -1;
	char line[96];
	memcpy(line, p, (size_t)(nl - p));
	line[nl - p] = '\0';
	char k;
	unsigned long long idx, n;
	unsigned c;
	int used = 0;
	if (sscanf(line, "%c %llu %llu %8x%n", &k, &idx, &n, &c, &used) != 4 || line[used] ||
	    (k != 'H' && k != 'R' && k != 'K') || n > RECORD_MAX || line[1] != ' ')
		return -1;
	*kind = k;
	*index = idx;
	*len = (size_t)n;
	*crc = c;
	*payload = nl + 1;
	return 0;
}

static int push(struct winit_journal *j, char kind, uint64_t index, const char *text, size_t len)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 16;
		void *p = realloc(j->records, cap * sizeof *j->records);
		if (!p)
			return -1;
		j->records = p;
		j->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	j->records[j->n++] = (struct winit_journal_record){ kind, index, copy, len };
	return 0;
}

int winit_journal_read(const char *path, struct winit_journal *j, struct winit_error *err)
{
	memset(j, 0, sizeof *j);
	j->torn_at = -1;
	size_t size = 0;
	char *buf = read_whole(path, &size, err);
	if (!buf)
		return WINIT_ERR_IO;
	size_t mlen = strlen(WINIT_JOURNAL_MAGIC);
	if (size < mlen || memcmp(buf, WINIT_JOURNAL_MAGIC, mlen) != 0) {
		free(buf);
		return winit_error_set(err, WINIT_ERR_FORMAT,
		                       "%s: byte 0: expected the line \"winit-journal 1\": not a "
		                       "journal of this winit's results files",
		                       path);
	}
	const char *p = buf + mlen, *end = buf + size;
	while (p < end) {
		char kind;
		uint64_t index;
		size_t len;
		uint32_t crc;
		const char *payload;
		long long at = (long long)(p - buf);
		const char *why = NULL;
		int torn = 0;
		if (parse_line(p, end, &kind, &index, &len, &crc, &payload) != 0) {
			/* A line cut short (no line break left) is the tail of an interrupted write. */
			torn = memchr(p, '\n', (size_t)(end - p)) == NULL;
			why = "expected a record line \"KIND INDEX LENGTH CRC32\"";
		} else if ((size_t)(end - payload) <= len) {
			torn = 1; /* the payload cut short */
		} else if (payload[len] != '\n') {
			why = "a record without its closing line break";
		} else if (crc_of(payload, len) != crc) {
			torn = payload + len + 1 == end; /* only the last record can be torn */
			why = "a record whose CRC-32 does not match";
		}
		if (torn) {
			j->torn_at = at;
			break;
		}
		if (why) {
			free(buf);
			winit_journal_free(j);
			return winit_error_set(err, WINIT_ERR_FORMAT,
			                       "%s: byte %lld: %s, and records follow it: the journal is "
			                       "damaged (not an interrupted write)",
			                       path, at, why);
		}
		if ((kind == 'H') != (j->n == 0)) {
			free(buf);
			winit_journal_free(j);
			return winit_error_set(err, WINIT_ERR_FORMAT,
			                       "%s: byte %lld: %s", path, at,
			                       kind == 'H' ? "a second header record" :
			                                     "expected the header record (H) first");
		}
		if (push(j, kind, index, payload, len) != 0) {
			free(buf);
			winit_journal_free(j);
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", path);
		}
		p = payload + len + 1;
	}
	free(buf);
	return WINIT_OK;
}

static int by_index(const void *a, const void *b)
{
	const struct winit_journal_record *x = *(const struct winit_journal_record *const *)a;
	const struct winit_journal_record *y = *(const struct winit_journal_record *const *)b;
	if (x->kind != y->kind)
		return x->kind == 'R' ? -1 : 1; /* the study's runs, then the kept ones */
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x < y ? -1 : x > y; /* file order */
}

char *winit_journal_compose(const struct winit_journal *j, size_t *len)
{
	*len = 0;
	if (j->n == 0 || j->records[0].kind != 'H')
		return NULL;
	size_t n = j->n - 1;
	const struct winit_journal_record **order = malloc((n ? n : 1) * sizeof *order);
	const char **texts = malloc((n ? n : 1) * sizeof *texts);
	size_t *lens = malloc((n ? n : 1) * sizeof *lens);
	char *out = NULL;
	if (order && texts && lens) {
		for (size_t i = 0; i < n; i++)
			order[i] = &j->records[i + 1];
		qsort(order, n, sizeof *order, by_index);
		/* Of records with one index, the last written stands. */
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (order[i]->kind == 'R' && i + 1 < n && order[i + 1]->kind == 'R' &&
			    order[i + 1]->index == order[i]->index)
				continue;
			texts[k] = order[i]->text;
			lens[k++] = order[i]->len;
		}
		out = winit_results_join(j->records[0].text, j->records[0].len, texts, lens, k, len);
	}
	free(order);
	free(texts);
	free(lens);
	return out;
}

int winit_results_load_text(const char *path, char **text, size_t *len, struct winit_error *err)
{
	char jpath[PATH_MAX + 16], real[PATH_MAX];
	*text = NULL;
	*len = 0;
	/* The journal lies beside the file the writer wrote: links followed, as it did. */
	if (winit_results_target(path, real, sizeof real, NULL) != WINIT_OK)
		snprintf(real, sizeof real, "%s", path);
	if (snprintf(jpath, sizeof jpath, "%s%s", real, WINIT_JOURNAL_SUFFIX) >= (int)sizeof jpath)
		return winit_error_set(err, WINIT_ERR_ARG, "%.64s...: path too long", path);
	struct stat st;
	if (stat(jpath, &st) == 0) {
		struct winit_journal j;
		int rc = winit_journal_read(jpath, &j, err);
		if (rc)
			return rc;
		*text = winit_journal_compose(&j, len);
		int empty = j.n == 0;
		winit_journal_free(&j);
		if (*text)
			return WINIT_OK;
		if (!empty)
			return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory", jpath);
		/* A journal cut before its header was made: the file is what there is. */
	}
	*text = read_whole(path, len, err);
	return *text ? WINIT_OK : WINIT_ERR_IO;
}
