/* src/core/text.h -- (internal) text from outside (plugin names, labels, file names, a
 * script's strings) made safe for a terminal: every message and table line that may hold
 * such text goes through here, so a name holding ESC cannot drive the terminal. */
#ifndef WINIT_CORE_TEXT_H
#define WINIT_CORE_TEXT_H

#include <stddef.h>

#include "core/internal.h"

/* Rewrite s (a NUL-terminated string in a buffer of `size` bytes) with every control
 * character (below 0x20, and DEL) written as \xHH, but newlines and tabs when
 * `keep_layout` (messages of several lines); truncated to the buffer, never inside an
 * escape.  Returns s. */
WINIT_INTERNAL char *winit_text_escape(char *s, size_t size, int keep_layout);

#endif /* WINIT_CORE_TEXT_H */
