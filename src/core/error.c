/* src/core/error.c -- the error record. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <winit/error.h>

static int is_control(unsigned char c, int keep_layout)
{
	return (c < 0x20 && !(keep_layout && (c == '\n' || c == '\t'))) || c == 0x7f;
}

char *winit_text_escape(char *s, size_t size, int keep_layout)
{
	if (size == 0)
		return s;
	/* The characters that fit whole (an escape is never cut) and their length. */
	size_t m = 0, len = 0, grow = 0;
	for (; s[m]; m++) {
		size_t k = is_control((unsigned char)s[m], keep_layout) ? 4 : 1;
		if (len + k > size - 1)
			break;
		len += k;
		grow += k - 1;
	}
	if (grow == 0)
		return s;
	/* From the end, in place: each control character becomes four bytes. */
	s[len] = '\0';
	size_t w = len;
	for (size_t r = m; r-- > 0;) {
		unsigned char c = (unsigned char)s[r];
		if (is_control(c, keep_layout)) {
			char esc[5];
			snprintf(esc, sizeof esc, "\\x%02x", c);
			w -= 4;
			memcpy(s + w, esc, 4);
		} else {
			s[--w] = (char)c;
		}
	}
	return s;
}

int winit_error_set(struct winit_error *err, int status, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->status = status;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		/* Messages name plugins, files and labels from outside: for a terminal. */
		winit_text_escape(err->msg, sizeof err->msg, 1);
	}
	return status;
}

int winit_error_prefix(struct winit_error *err, const char *fmt, ...)
{
	if (!err)
		return WINIT_ERR_ARG;
	char prefix[WINIT_ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	size_t plen = n < 0 ? 0 : (size_t)n;
	if (plen >= sizeof err->msg)
		plen = sizeof err->msg - 1;
	size_t olen = strnlen(err->msg, sizeof err->msg - 1);
	if (plen + olen >= sizeof err->msg)
		olen = sizeof err->msg - 1 - plen;
	memmove(err->msg + plen, err->msg, olen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + olen] = '\0';
	winit_text_escape(err->msg, sizeof err->msg, 1);
	return err->status;
}

void winit_error_clear(struct winit_error *err)
{
	if (err) {
		err->status = WINIT_OK;
		err->msg[0] = '\0';
	}
}

const char *winit_status_name(int status)
{
	switch (status) {
	case WINIT_OK: return "ok";
	case WINIT_ERR_IO: return "I/O error";
	case WINIT_ERR_FORMAT: return "format error";
	case WINIT_ERR_NOMEM: return "out of memory";
	case WINIT_ERR_ARG: return "invalid argument";
	case WINIT_ERR_PLUGIN: return "plugin error";
	case WINIT_ERR_NUMERIC: return "numeric error";
	case WINIT_ERR_CANCELLED: return "cancelled";
	case WINIT_ERR_DIVERGED: return "diverged";
	default: return "unknown error";
	}
}
