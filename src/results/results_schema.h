/* src/results/results_schema.h -- the results file's members, each declared once (its JSON
 * key, type, range, whether null stands for a non-finite value, from which version it is
 * required, and where it lands in the readers' structs), and the one validation every
 * reader runs on a file before taking anything from it: resume (results_read.c), the
 * report's page model (report_read.c) and `winit merge` (src/cli/merge.c).  Internal. */
#ifndef WINIT_REPORT_RESULTS_SCHEMA_H
#define WINIT_REPORT_RESULTS_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <winit/error.h>

#include "core/internal.h"
#include "results/fields.h"
#include "results/json_read.h"

enum rs_kind {
	RS_STR,     /* a string; hi: its most bytes (0: any); choices: its allowed values */
	RS_INT,     /* an integer in [lo, hi] */
	RS_NUM,     /* a number in [lo, hi] */
	RS_SEED,    /* a 64-bit unsigned integer: a decimal string (version 1: or an integer) */
	RS_BOOL,    /* true or false */
	RS_OBJ,     /* an object: the members in sub, then the rule `check` across them */
	RS_ARR,     /* an array of at most hi elements (0: any), each as sub[0] says */
	RS_PARAMS,  /* a plugin's parameters: an object of numbers, strings or nulls */
	RS_FACTORS, /* a grid run's factors: at most WINIT_FACTORS_MAX short strings */
	RS_FIELDS,  /* not a member: the members a table of fields.h declares (`fields`), in
	             * its order, each where its row says it lands; after every member of
	             * the object, its groups' rule (a witness present: its group's members
	             * are required) */
};

#define RS_NULL 1u /* null allowed: a number's NaN or infinity, an integer "none" */

struct rs_ctx;

struct rs_field {
	const char *key; /* NULL ends a list of members */
	unsigned char kind, need, flags;
	double lo, hi;
	const struct rs_field *sub;
	int (*check)(struct rs_ctx *x, const json_t *obj);
	const char *const *choices; /* NULL-terminated */
	/* Where a number or an integer lands (a double, or an int64_t), -1 if nowhere: in
	 * resume's structs (winit/diagnostics.h) and in the page model's (winit/report_page.h),
	 * and what an absent (or null) member reads as. */
	ptrdiff_t at_result, at_page;
	double dflt;
	const struct winit_field *fields; /* RS_FIELDS: the table */
};

/* A snapshot's and a layer's members in "diagnostics" (the rows with a place). */
WINIT_INTERNAL extern const struct rs_field winit_results_snapshot_fields[];
WINIT_INTERNAL extern const struct rs_field winit_results_layer_fields[];

/* struct winit_results_doc, winit_results_doc_load (jr_load_doc, then the table) and
 * winit_results_doc_free: winit/results_doc.h. */

/* Copy the members of a validated object that have a place (at_page when page, else
 * at_result) into the struct at dst: numbers as double (null: NaN), integers as int64_t;
 * absent ones get the row's default.  An RS_FIELDS row's table lands each member as its
 * row says (an int32_t, a choice's index), and sets each group's flag from its witness. */
WINIT_INTERNAL void winit_results_fill(void *dst, int page, const struct rs_field *fields,
                                       const json_t *obj);
/* The same for the members a fields.h table declares (a string through its row's
 * functions).  WINIT_OK, or WINIT_ERR_NOMEM when a string could not be copied (the page
 * model's). */
WINIT_INTERNAL int winit_results_fill_fields(void *dst, int page, const struct winit_field *table,
                                             const json_t *obj);

#endif
