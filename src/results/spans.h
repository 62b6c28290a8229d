/* src/results/spans.h -- where a value lies in a results file's text.
 *
 * For text Jansson has already parsed: these only find extents, so that what is copied
 * (winit merge's runs, the runs resume keeps) is the very text that was read.  Public:
 * struct winit_span, winit_span_member and winit_span_elements are in winit/results_doc.h. */
#ifndef WINIT_RESULTS_SPANS_H
#define WINIT_RESULTS_SPANS_H

#include <winit/results_doc.h>

#endif
