/* src/results/fields.h -- the members of a run's status and outcome, of an epoch of its
 * history, of a diagnostics snapshot, of a divergence and of how fast a run learned, each
 * declared once (internal).
 *
 * A row says everything every consumer needs: the member's key (in the results file, in
 * Lua tables, and the column of runs.csv), its type and range, from which version of the
 * results file a reader requires it, where it lives in the engine's struct
 * (winit/study.h, winit/train.h, winit/diagnostics.h) and in the report's page model
 * (winit/report_page.h), and, for a member written only some of the time, the int32_t
 * flag that says it is there (a string each place stores its own way: the functions
 * reaching it).  These tables drive the results file's writer
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

#include <winit/fields.h>

#include "core/internal.h"

/* From which version of the results file a reader requires a member. */
enum rs_need {
	RS_OPTIONAL,
	RS_V2,  /* in version 2 (every writer of version 2 wrote it) */
	RS_ALL, /* in every version */
};

/* enum winit_field_type, struct winit_field, the tables and the getters
 * (winit_field_f64, winit_field_int, winit_field_present) are public: winit/fields.h.
 * struct winit_field's `need` is an enum rs_need. */

/* Store into row f's member of s (page: the page model's struct; nothing when it has no
 * such member). */
WINIT_INTERNAL void winit_field_put_f64(const struct winit_field *f, void *s, int page, double v);
WINIT_INTERNAL void winit_field_put_int(const struct winit_field *f, void *s, int page, int64_t v);
/* Store the file's string v (NULL: absent) into row f's member of s, a WINIT_FIELD_TEXT
 * or WINIT_FIELD_CHOICE (an unknown choice: the row's default).  WINIT_OK, or
 * WINIT_ERR_NOMEM. */
WINIT_INTERNAL int winit_field_put_text(const struct winit_field *f, void *s, int page, const char *v);
/* Set row f's presence flag in s (page: the page model's struct), when it has one. */
WINIT_INTERNAL void winit_field_mark(const struct winit_field *f, void *s, int page, int on);

#endif
