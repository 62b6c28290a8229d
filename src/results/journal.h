/* src/results/journal.h -- the journal of a results file being written (internal).
 *
 * PATH.journal is text: a first line "winit-journal 1", then records, each
 *     KIND INDEX LENGTH CRC32\n PAYLOAD \n
 * with KIND "H" (the file's header text, index 0), "R" (run INDEX's entry as the writer
 * writes it; a later record of the same index replaces an earlier one) or "K" (an entry
 * kept from an earlier file, INDEX counting them), LENGTH the payload's bytes in decimal
 * and CRC32 zlib's crc32 of the payload in 8 lower-case hex digits. */
#ifndef WINIT_RESULTS_JOURNAL_H
#define WINIT_RESULTS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <winit/error.h>

#include "core/internal.h"

#define WINIT_JOURNAL_MAGIC "winit-journal 1\n"
#define WINIT_JOURNAL_SUFFIX ".journal"

struct winit_journal_record {
	char kind; /* 'H', 'R' or 'K' */
	uint64_t index;
	char *text; /* owned */
	size_t len;
};

struct winit_journal {
	size_t n, cap;
	struct winit_journal_record *records;
	/* The byte where a torn last record began (it was dropped), or -1. */
	long long torn_at;
};

/* Read a journal; on failure j is empty.  Only a last record cut short or failing its
 * CRC is dropped (torn_at says where); anything else wrong is refused with its byte. */
WINIT_INTERNAL int winit_journal_read(const char *path, struct winit_journal *j,
                                      struct winit_error *err);
/* The results file's text the journal describes: its header, then its R records by
 * index (the last of each index), then its K records in order.  NULL when out of memory
 * or when it has no header (*len 0). */
WINIT_INTERNAL char *winit_journal_compose(const struct winit_journal *j, size_t *len);
WINIT_INTERNAL void winit_journal_free(struct winit_journal *j);

/* One record, ready to append: the line and the payload in one buffer (malloc'd). */
WINIT_INTERNAL char *winit_journal_record(char kind, uint64_t index, const char *text,
                                          size_t len, size_t *out_len);

#endif
