/* tests/check_plot.c -- winit/plot.h's heat map as SVG: one cell per value with its
 * tooltip, colours ordered as the values are (sequential and diverging scales, and their
 * colour bars), values written in the cells, and lines drawn over the map (dashed, broken
 * at non-finite points, placed at the cells' centres). */
#include <math.h>

#include "testutil.h"

#include <winit/plot.h>

static char *svg_of(const struct winit_plot_heatmap *h)
{
	ck_assert_ptr_null(winit_plot_heatmap_check(h));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	winit_plot_heatmap_svg(f, h);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* The fill of the k-th element that starts with `tag` (k from 0), as r, g, b. */
static void fill_of(const char *s, const char *tag, size_t k, int rgb[3])
{
	const char *p = strstr(s, tag);
	for (size_t i = 0; p && i < k; i++)
		p = strstr(p + 1, tag);
	ck_assert_msg(p != NULL, "no element %zu of %s", k, tag);
	const char *fill = strstr(p, "fill=\"rgb(");
	ck_assert_ptr_nonnull(fill);
	ck_assert_int_eq(sscanf(fill, "fill=\"rgb(%d,%d,%d)", &rgb[0], &rgb[1], &rgb[2]), 3);
}

static double lightness(const int rgb[3])
{
	return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

START_TEST(one_cell_per_value_with_its_tooltip)
{
	const double x[4] = { 1, 2, 3, 4 }, y[3] = { 10, 20, 40 };
	double z[12];
	for (int k = 0; k < 12; k++)
		z[k] = k / 11.0;
	z[5] = NAN; /* (x 2, y 20) */
	struct winit_plot_heatmap h = { .nx = 4, .ny = 3, .x = x, .y = y, .z = z,
		                        .colors = WINIT_PLOT_SEQUENTIAL, .title = "t" };
	char *s = svg_of(&h);
	ck_assert_uint_eq(count(s, "<rect class=\"cell\""), 12);
	ck_assert_ptr_nonnull(strstr(s, "<title>x 4, y 40: 1</title>"));
	ck_assert_ptr_nonnull(strstr(s, "<title>x 1, y 10: 0</title>"));
	ck_assert_ptr_nonnull(strstr(s, "<title>x 2, y 20: no value</title>"));
	int rgb[3];
	fill_of(s, "<rect class=\"cell\"", 5, rgb);
	ck_assert_msg(rgb[0] == 187 && rgb[1] == 187 && rgb[2] == 187, "no value: grey, got %d,%d,%d", rgb[0],
	              rgb[1], rgb[2]);
	free(s);
}
END_TEST

START_TEST(sequential_colors_grow_lighter_with_the_value)
{
	/* Values 0 .. 1.2 on a scale from 0.1 to 1: below 0.1 and above 1 saturate. */
	enum { N = 13 };
	double x[N], z[N];
	const double y[1] = { 0 };
	for (int i = 0; i < N; i++) {
		x[i] = i;
		z[i] = 0.1 * i;
	}
	struct winit_plot_heatmap h = { .nx = N, .ny = 1, .x = x, .y = y, .z = z,
		                        .colors = WINIT_PLOT_SEQUENTIAL, .zmin = 0.1, .zmax = 1 };
	char *s = svg_of(&h);
	int prev[3], cur[3];
	fill_of(s, "<rect class=\"cell\"", 0, prev);
	fill_of(s, "<rect class=\"cell\"", 1, cur);
	ck_assert_mem_eq(prev, cur, sizeof prev); /* 0 and 0.1: both at the low end */
	for (int i = 2; i <= 10; i++) {
		memcpy(prev, cur, sizeof prev);
		fill_of(s, "<rect class=\"cell\"", (size_t)i, cur);
		ck_assert_msg(lightness(cur) > lightness(prev), "z %g (%d,%d,%d) not lighter than z %g (%d,%d,%d)",
		              z[i], cur[0], cur[1], cur[2], z[i - 1], prev[0], prev[1], prev[2]);
	}
	for (int i = 11; i < N; i++) { /* beyond zmax: as zmax */
		fill_of(s, "<rect class=\"cell\"", (size_t)i, prev);
		ck_assert_mem_eq(prev, cur, sizeof prev);
	}
	/* The colour bar runs from zmax (top) to zmin, darker all the way down, and says so. */
	const char *bar = strstr(s, "<g class=\"colorbar\">");
	ck_assert_ptr_nonnull(bar);
	size_t steps = count(bar, "<rect") - count(strstr(bar, "</g>"), "<rect");
	ck_assert_uint_ge(steps, 16);
	fill_of(bar, "<rect", 0, prev);
	for (size_t k = 1; k < steps; k++) {
		fill_of(bar, "<rect", k, cur);
		ck_assert_msg(lightness(cur) < lightness(prev), "colour bar step %zu not darker", k);
		memcpy(prev, cur, sizeof prev);
	}
	ck_assert_ptr_nonnull(strstr(bar, "\xe2\x89\xa5 1</text>"));
	ck_assert_ptr_nonnull(strstr(bar, "\xe2\x89\xa4 0.1</text>"));
	free(s);
	/* Without zmin and zmax the scale spans the values: the smallest darkest, the largest lightest. */
	h.zmin = h.zmax = 0;
	s = svg_of(&h);
	fill_of(s, "<rect class=\"cell\"", 0, prev);
	fill_of(s, "<rect class=\"cell\"", 1, cur);
	ck_assert_double_gt(lightness(cur), lightness(prev));
	ck_assert_ptr_nonnull(strstr(s, "\xe2\x89\xa5 1.2</text>"));
	ck_assert_ptr_nonnull(strstr(s, "\xe2\x89\xa4 0</text>"));
	free(s);
}
END_TEST

START_TEST(diverging_colors_move_away_from_white_with_the_distance_to_center)
{
	enum { N = 9 };
	double x[N], z[N];
	const double y[1] = { 0 };
	for (int i = 0; i < N; i++) {
		x[i] = i;
		z[i] = i - 4; /* -4 .. 4 around center 0, range 4 */
	}
	struct winit_plot_heatmap h = { .nx = N, .ny = 1, .x = x, .y = y, .z = z };
	char *s = svg_of(&h);
	int c[N][3];
	for (int i = 0; i < N; i++)
		fill_of(s, "<rect class=\"cell\"", (size_t)i, c[i]);
	ck_assert_int_ge(c[4][0] + c[4][1] + c[4][2], 3 * 240); /* center: white */
	for (int i = 5; i < N; i++) {
		ck_assert_int_gt(c[i][0], c[i][2]);      /* above: red */
		ck_assert_int_lt(c[i][1], c[i - 1][1]); /* further: less white */
		ck_assert_int_gt(c[8 - i][2], c[8 - i][0]); /* below: blue */
		ck_assert_int_lt(c[8 - i][0], c[9 - i][0]);
	}
	free(s);
}
END_TEST

START_TEST(values_are_written_in_their_cells_readably)
{
	const double x[3] = { 1, 2, 3 }, y[2] = { 1, 2 };
	const double z[6] = { 0.1, 0.25, 0.5, 0.75, 1, NAN };
	struct winit_plot_heatmap h = { .nx = 3, .ny = 2, .x = x, .y = y, .z = z,
		                        .colors = WINIT_PLOT_SEQUENTIAL, .zmin = 0.1, .zmax = 1 };
	char *s = svg_of(&h);
	ck_assert_uint_eq(count(s, "class=\"value\""), 0); /* off unless asked */
	free(s);
	h.values = 1;
	h.digits = 2;
	s = svg_of(&h);
	ck_assert_uint_eq(count(s, "class=\"value\""), 5); /* none in the cell without a value */
	/* White on the dark end, black on the light end. */
	ck_assert_ptr_nonnull(strstr(s, "fill:#ffffff\" pointer-events=\"none\">0.10</text>"));
	ck_assert_ptr_nonnull(strstr(s, "fill:#000000\" pointer-events=\"none\">1.00</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">0.75</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">0.25</text>"));
	free(s);
	h.digits = 0;
	s = svg_of(&h);
	ck_assert_ptr_nonnull(strstr(s, "pointer-events=\"none\">1</text>"));
	ck_assert_ptr_null(strstr(s, "pointer-events=\"none\">1.0"));
	free(s);
	h.digits = 7;
	ck_assert_ptr_nonnull(winit_plot_heatmap_check(&h));
}
END_TEST

/* The centre of the k-th cell, in pixels (its rect is drawn 0.3 px wider and taller). */
static void cell_centre(const char *s, size_t k, double *cx, double *cy)
{
	const char *p = strstr(s, "<rect class=\"cell\"");
	for (size_t i = 0; p && i < k; i++)
		p = strstr(p + 1, "<rect class=\"cell\"");
	ck_assert_ptr_nonnull(p);
	double x, y, w, h;
	ck_assert_int_eq(sscanf(p, "<rect class=\"cell\" x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &x, &y,
	                        &w, &h),
	                 4);
	*cx = x + (w - 0.3) / 2;
	*cy = y + (h - 0.3) / 2;
}

START_TEST(lines_overlay_the_map_at_the_cells_and_break_at_non_finite_points)
{
	const double x[3] = { 1, 2, 3 }, y[3] = { 10, 20, 30 };
	const double z[9] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	/* Through the centres of cells (1, 10), (2, 20), a gap, then (3, 30) and far beyond. */
	const double lx[5] = { 1, 2, NAN, 3, 3.5 }, ly[5] = { 10, 20, 25, 30, 1e300 };
	const double bx[2] = { 1, 3 }, by[2] = { 20, 20 };
	struct winit_plot_line lines[2] = { { .x = lx, .y = ly, .n = 5, .label = "L = 6 xi_c" },
		                            { .x = bx, .y = by, .n = 2, .label = "band", .dash = 1 } };
	struct winit_plot_heatmap h = { .nx = 3, .ny = 3, .x = x, .y = y, .z = z, .lines = lines, .n_lines = 2,
		                        .colors = WINIT_PLOT_SEQUENTIAL };
	char *s = svg_of(&h);
	const char *start = strstr(s, "<g class=\"lines\"");
	ck_assert_ptr_nonnull(start);
	const char *end = strstr(start, "</g>");
	ck_assert_ptr_nonnull(end);
	char *over = strndup(start, (size_t)(end - start)); /* the overlay alone, not the legend */
	ck_assert_ptr_nonnull(strstr(s, "<rect class=\"cell\"")); /* cells first, lines over them */
	ck_assert(strstr(s, "<rect class=\"cell\"") < start);
	/* Two pieces of the first line and one of the second, each over its white halo. */
	ck_assert_uint_eq(count(over, "<polyline"), 6);
	ck_assert_uint_eq(count(over, "stroke=\"#ffffff\""), 3);
	ck_assert_uint_eq(count(over, "stroke=\"#000000\""), 2);
	ck_assert_uint_eq(count(over, "stroke-dasharray"), 2); /* the band and its halo */
	double cx, cy, px, py;
	cell_centre(s, 0, &cx, &cy); /* (1, 10) */
	const char *first = strstr(strstr(over, "stroke-width=\"2.5\""), "points=\"");
	ck_assert_int_eq(sscanf(first, "points=\"%lf,%lf", &px, &py), 2);
	ck_assert_double_eq_tol(px, cx, 0.06);
	ck_assert_double_eq_tol(py, cy, 0.06);
	cell_centre(s, 4, &cx, &cy); /* (2, 20) */
	const char *second = strchr(first + 8, ' ');
	ck_assert_int_eq(sscanf(second, " %lf,%lf", &px, &py), 2);
	ck_assert_double_eq_tol(px, cx, 0.06);
	ck_assert_double_eq_tol(py, cy, 0.06);
	ck_assert_ptr_nonnull(strstr(over, ",-100000.0\"")); /* 1e300: far above, not 300 digits */
	/* The legend names both, the dashed one dashed. */
	ck_assert_ptr_nonnull(strstr(s, ">L = 6 xi_c</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">band</text>"));
	ck_assert_uint_eq(count(s, "stroke-dasharray"), 3);
	free(over);
	free(s);
}
END_TEST

/* The k-th cell's height in pixels. */
static double cell_height(const char *s, size_t k)
{
	const char *p = strstr(s, "<rect class=\"cell\"");
	for (size_t i = 0; p && i < k; i++)
		p = strstr(p + 1, "<rect class=\"cell\"");
	ck_assert_ptr_nonnull(p);
	double x, y, w, h;
	ck_assert_int_eq(sscanf(p, "<rect class=\"cell\" x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &x, &y,
	                        &w, &h),
	                 4);
	return h - 0.3;
}

START_TEST(a_log_axis_gives_each_decade_the_same_room)
{
	/* Depths 10, 100, 1000: on a log axis three cells of one height, a line through their
	 * centres; on a linear one the first is a sliver. */
	const double x[1] = { 1 }, y[3] = { 10, 100, 1000 }, z[3] = { 1, 2, 3 };
	const double lx[2] = { 1, 1 }, ly[2] = { 100, 0 }; /* 0 cannot be drawn on a log axis */
	struct winit_plot_line line = { .x = lx, .y = ly, .n = 2 };
	struct winit_plot_heatmap h = { .nx = 1, .ny = 3, .x = x, .y = y, .z = z, .ylog = 1, .lines = &line,
		                        .n_lines = 1 };
	char *s = svg_of(&h);
	ck_assert_double_eq_tol(cell_height(s, 0), cell_height(s, 1), 0.02);
	ck_assert_double_eq_tol(cell_height(s, 2), cell_height(s, 1), 0.02);
	ck_assert_uint_eq(count(s, "<polyline"), 0); /* one drawable point: no line */
	free(s);
	h.ylog = 0;
	s = svg_of(&h);
	ck_assert_double_lt(cell_height(s, 0) * 5, cell_height(s, 2));
	ck_assert_uint_eq(count(s, "<polyline"), 2); /* the line and its halo */
	free(s);
	double zero[3] = { 0, 100, 1000 };
	h.ylog = 1;
	h.y = zero;
	ck_assert_str_eq(winit_plot_heatmap_check(&h), "y values must be > 0 on a log axis");
}
END_TEST

START_TEST(check_refuses_what_cannot_be_drawn)
{
	const double x[2] = { 1, 2 }, y[1] = { 0 }, z[2] = { 0, 1 };
	struct winit_plot_heatmap h = { .nx = 2, .ny = 1, .x = x, .y = y, .z = z };
	ck_assert_ptr_null(winit_plot_heatmap_check(&h));
	h.colors = 2;
	ck_assert_str_eq(winit_plot_heatmap_check(&h), "colors must be diverging or sequential");
	h.colors = WINIT_PLOT_SEQUENTIAL;
	h.zmin = 1;
	h.zmax = 0;
	ck_assert_str_eq(winit_plot_heatmap_check(&h), "zmin and zmax must be finite, zmin <= zmax");
	h.zmax = INFINITY;
	ck_assert_ptr_nonnull(winit_plot_heatmap_check(&h));
	h.zmax = 2;
	ck_assert_ptr_null(winit_plot_heatmap_check(&h));
}
END_TEST

static Suite *plot_suite(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("heatmap");
	tcase_add_test(tc, one_cell_per_value_with_its_tooltip);
	tcase_add_test(tc, sequential_colors_grow_lighter_with_the_value);
	tcase_add_test(tc, diverging_colors_move_away_from_white_with_the_distance_to_center);
	tcase_add_test(tc, values_are_written_in_their_cells_readably);
	tcase_add_test(tc, lines_overlay_the_map_at_the_cells_and_break_at_non_finite_points);
	tcase_add_test(tc, a_log_axis_gives_each_decade_the_same_room);
	tcase_add_test(tc, check_refuses_what_cannot_be_drawn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(plot_suite());
}
