/* src/core/error.c -- the error record. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <winit/error.h>

int winit_error_set(struct winit_error *err, int status, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->status = status;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
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
