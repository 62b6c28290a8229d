/* winit/relocate.h -- where an installed winit's directories are now.  configure places
 * the plugins and scripts under $(prefix); a GNU `make install prefix=DIR` (or a copy of
 * the whole prefix) puts them under DIR instead, and libwinit finds them from where its
 * own shared object is (src/core/relocate.c).
 */
#ifndef WINIT_RELOCATE_H
#define WINIT_RELOCATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `configured` (a directory configure placed under libwinit's $(prefix), e.g. its
 * plugin or scripts directory), or, when libwinit runs from outside the configured
 * prefix, the same directory relative to where it is, if that exists (written into
 * buf).  Never NULL. */
const char *winit_relocated_dir(const char *configured, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_RELOCATE_H */
