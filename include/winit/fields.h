/* winit/fields.h -- the members of a run's status and outcome, of an epoch of its
 * history, of a diagnostics snapshot, of a divergence and of how fast the run learned
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
	WINIT_FIELD_TEXT,   /* a string, reached through the row's `text` functions (each place
	                     * stores it its own way); `choices` lists the values a writer
	                     * writes (NULL: any), but a reader takes any string of at most `hi`
	                     * bytes (0: any length) */
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

/* How a WINIT_FIELD_TEXT row's member is reached in the engine's struct (page 0) and in
 * the page model's (page 1). */
struct winit_field_text {
	/* The member of s as the results file holds it; NULL: absent (not written). */
	const char *(*get)(const void *s, int page);
	/* Store v, the file's string (NULL: absent), into s: WINIT_OK, or WINIT_ERR_NOMEM. */
	int (*put)(void *s, int page, const char *v);
};

struct winit_field {
	const char *key;            /* NULL ends a table */
	const char *csv;            /* its column in runs.csv; NULL: not a column */
	unsigned char type;         /* enum winit_field_type */
	unsigned char need;         /* from which version of the results file a reader requires it */
	unsigned char flags;        /* WINIT_FIELD_WITNESS, WINIT_FIELD_NAN_NIL */
	double lo, hi;              /* its range (a number's NaN, null in the file, aside);
	                             * WINIT_FIELD_TEXT: hi its most bytes (0: any) */
	double dflt;                /* what a reader takes when the file lacks it */
	const char *const *choices; /* WINIT_FIELD_CHOICE's strings, WINIT_FIELD_TEXT's known
	                             * values (or NULL), NULL-terminated */
	/* Offsets of the member, and of the int32_t flag saying it is present
	 * (WINIT_FIELD_NONE: always present), in the engine's struct and in the page
	 * model's (WINIT_FIELD_NONE: not there).  A WINIT_FIELD_TEXT row has `text` instead,
	 * and `at` only when the engine's member is an int32_t code the functions map (the
	 * status: the MPI wire carries the code itself). */
	ptrdiff_t at, when, at_page, when_page;
	const struct winit_field_text *text; /* WINIT_FIELD_TEXT's functions, else NULL */
};

/* struct winit_run_result / winit_report_run: the run's "status" and, when it is not "ok",
 * its "error", before everything else of its outcome. */
extern const struct winit_field winit_fields_status[];

/* struct winit_diag_snapshot / winit_report_snapshot, before its layers. */
extern const struct winit_field winit_fields_snapshot[];
/* struct winit_epoch_stats / winit_report_epoch: one object of "history". */
extern const struct winit_field winit_fields_epoch[];
/* struct winit_run_result / winit_report_run: the run's outcome after its "history"
 * (the test metrics, the time it took, its kernel set). */
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
/* Row f's member in s (page: the page model's struct) as the results file writes it, a
 * string: a WINIT_FIELD_TEXT's, or a WINIT_FIELD_CHOICE's choice; NULL when absent (or
 * for another type). */
const char *winit_field_text(const struct winit_field *f, const void *s, int page);
/* Whether row f's member is present in s (page: s is the page model's struct): its flag
 * is set, or it has none (a WINIT_FIELD_TEXT: its text is not NULL). */
int winit_field_present(const struct winit_field *f, const void *s, int page);
/* Whether row f's member in s, the engine's struct, counts as missing (NaN, or by the
 * row's WINIT_FIELD_MISS_* flag; a string never is). */
int winit_field_missing(const struct winit_field *f, const void *s);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_FIELDS_H */
