/* src/results/fields.h -- the scalar members of a run's outcome, of an epoch of its history,
 * of a diagnostics snapshot and of a divergence, each declared once (internal).
 *
 * A row says everything every consumer needs: the member's key (in the results file, in
 * Lua tables, and the column of runs.csv), its type and range, from which version of the
 * results file a reader requires it, where it lives in the engine's struct
 * (winit/study.h, winit/train.h, winit/diagnostics.h) and in the report's page model
 * (winit/report_page.h), and, for a member written only some of the time, the int32_t
 * flag that says it is there.  These tables drive the results file's writer
 * (src/results/results.c), its validation and both readers (results_schema.c,
 * results_read.c, report_read.c), the MPI wire format (src/study/wire.c), runs.csv
 * (src/report/csv.c) and the Lua tables (src/lua/ldiag.c, lresults.c, lmodel.c), each in
 * the table's order.  Adding a member is a member in the structs and one row in
 * fields.c.  A layer's diagnostics are declared the same way, as an X-macro list
 * (WINIT_DIAG_LAYER_FIELDS, winit/diagnostics.h). */
#ifndef WINIT_RESULTS_FIELDS_H
#define WINIT_RESULTS_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

enum winit_field_type {
	WINIT_FIELD_F64,    /* a double: NaN is null in the file, NA in CSV */
	WINIT_FIELD_I64,    /* an int64_t: an integer */
	WINIT_FIELD_I32,    /* an int32_t: an integer */
	WINIT_FIELD_CHOICE, /* an int32_t index into `choices`: a string in the file */
};

/* From which version of the results file a reader requires a member. */
enum rs_need {
	RS_OPTIONAL,
	RS_V2,  /* in version 2 (every writer of version 2 wrote it) */
	RS_ALL, /* in every version */
};

#define WINIT_FIELD_NONE (-1)

/* Flags of a row. */
#define WINIT_FIELD_WITNESS 1u /* its presence in the file is the presence flag (`when`): a \
	                        * reader sets the flag from it, and the members sharing the \
	                        * flag are then required */
#define WINIT_FIELD_NAN_NIL 2u /* Lua: absent from the table when NaN (else pushed as is) */

struct winit_field {
	const char *key;            /* NULL ends a table */
	const char *csv;            /* its column in runs.csv; NULL: not a column */
	unsigned char type;         /* enum winit_field_type */
	unsigned char need;         /* enum rs_need */
	unsigned char flags;        /* WINIT_FIELD_WITNESS, WINIT_FIELD_NAN_NIL */
	double lo, hi;              /* its range (a number's NaN, null in the file, aside) */
	double dflt;                /* what a reader takes when the file lacks it */
	const char *const *choices; /* WINIT_FIELD_CHOICE's strings, NULL-terminated */
	/* Offsets of the member, and of the int32_t flag saying it is present
	 * (WINIT_FIELD_NONE: always present), in the engine's struct and in the page
	 * model's (WINIT_FIELD_NONE: not there). */
	ptrdiff_t at, when, at_page, when_page;
};

/* struct winit_diag_snapshot / winit_report_snapshot, before its layers. */
WINIT_INTERNAL extern const struct winit_field winit_fields_snapshot[];
/* struct winit_epoch_stats / winit_report_epoch: one object of "history". */
WINIT_INTERNAL extern const struct winit_field winit_fields_epoch[];
/* struct winit_run_result / winit_report_run: the run's outcome after its "history". */
WINIT_INTERNAL extern const struct winit_field winit_fields_outcome[];
/* struct winit_divergence: the run's "diverged" object. */
WINIT_INTERNAL extern const struct winit_field winit_fields_divergence[];

/* Row f's member in s, the engine's struct: a double (WINIT_FIELD_F64), or an integer
 * (the other types, widened to int64_t). */
WINIT_INTERNAL double winit_field_f64(const struct winit_field *f, const void *s);
WINIT_INTERNAL int64_t winit_field_int(const struct winit_field *f, const void *s);
/* Whether row f's member is present in s (page: s is the page model's struct): its flag
 * is set, or it has none. */
WINIT_INTERNAL int winit_field_present(const struct winit_field *f, const void *s, int page);
/* Store into row f's member of s (page: the page model's struct; nothing when it has no
 * such member). */
WINIT_INTERNAL void winit_field_put_f64(const struct winit_field *f, void *s, int page, double v);
WINIT_INTERNAL void winit_field_put_int(const struct winit_field *f, void *s, int page, int64_t v);
/* Set row f's presence flag in s (page: the page model's struct), when it has one. */
WINIT_INTERNAL void winit_field_mark(const struct winit_field *f, void *s, int page, int on);

#endif
