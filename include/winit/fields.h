/* winit/fields.h -- the scalar members of a run's outcome, of an epoch of its history, of
 * a diagnostics snapshot, of a divergence and of how fast the run learned
 * (winit/learning.h), each declared once: a row gives the member's
 * key (in the results file, in Lua tables, and its column of runs.csv), its type and
 * range, and where it lives in the engine's structs (winit/study.h, winit/train.h,
 * winit/diagnostics.h) and in the report's page model (winit/report_page.h).  A program
 * walks a table to read every member generically, as the Lua binding does
 * (src/lua/ldiag.c, lresults.c, lmodel.c).  The readers' and writers' side, and how to
 * add a member: src/results/fields.h.
 */
#ifndef WINIT_FIELDS_H
#define WINIT_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum winit_field_type {
	WINIT_FIELD_F64,    /* a double: NaN is null in the file, NA in CSV */
	WINIT_FIELD_I64,    /* an int64_t: an integer */
	WINIT_FIELD_I32,    /* an int32_t: an integer */
	WINIT_FIELD_CHOICE, /* an int32_t index into `choices`: a string in the file */
};

#define WINIT_FIELD_NONE (-1)

/* Flags of a row. */
#define WINIT_FIELD_WITNESS 1u /* its presence in the file is the presence flag (`when`): a \
	                        * reader sets the flag from it, and the members sharing the \
	                        * flag are then required */
#define WINIT_FIELD_NAN_NIL 2u /* Lua: absent from the table when NaN (else pushed as is) */
/* When a value counts as missing (winit_field_missing): a double when NaN, and with these
 * flags a number when <= 0 or < 0.  Each consumer treats a missing value its own way, the
 * same for every row: the results file writes null (but see WINIT_FIELD_KEEP), runs.csv
 * NA, Lua leaves the key out. */
#define WINIT_FIELD_MISS_NONPOS 4u /* missing when <= 0 */
#define WINIT_FIELD_MISS_NEG 8u    /* missing when < 0 */
#define WINIT_FIELD_KEEP 16u       /* the results file holds its value even when missing (never \
	                            * null), and a reader refuses null */
#define WINIT_FIELD_NO_LUA 32u     /* not a key of the Lua tables */
#define WINIT_FIELD_LAST 64u       /* the results file writes it after the table's other rows */

struct winit_field {
	const char *key;            /* NULL ends a table */
	const char *csv;            /* its column in runs.csv; NULL: not a column */
	unsigned char type;         /* enum winit_field_type */
	unsigned char need;         /* from which version of the results file a reader requires it */
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
extern const struct winit_field winit_fields_snapshot[];
/* struct winit_epoch_stats / winit_report_epoch: one object of "history". */
extern const struct winit_field winit_fields_epoch[];
/* struct winit_run_result / winit_report_run: the run's outcome after its "history". */
extern const struct winit_field winit_fields_outcome[];
/* struct winit_divergence: the run's "diverged" object. */
extern const struct winit_field winit_fields_divergence[];
/* struct winit_learning (winit/learning.h) / winit_report_run: the run's "learning"
 * object, derived from its history, snapshots and target (so not on the MPI wire). */
extern const struct winit_field winit_fields_learning[];

/* Row f's member in s, the engine's struct: a double (WINIT_FIELD_F64), or an integer
 * (the other types, widened to int64_t). */
double winit_field_f64(const struct winit_field *f, const void *s);
int64_t winit_field_int(const struct winit_field *f, const void *s);
/* Whether row f's member is present in s (page: s is the page model's struct): its flag
 * is set, or it has none. */
int winit_field_present(const struct winit_field *f, const void *s, int page);
/* Whether row f's member in s, the engine's struct, counts as missing (NaN, or by the
 * row's WINIT_FIELD_MISS_* flag). */
int winit_field_missing(const struct winit_field *f, const void *s);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_FIELDS_H */
