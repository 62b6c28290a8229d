/* src/core/internal.h -- marks libwinit's internal cross-file symbols (internal).
 *
 * libwinit.so exports only its public API (include/winit/, linked with libtool's
 * -export-symbols-regex '^winit_').  A function or object that several of libwinit's
 * own files share but that is not in include/winit/ is declared WINIT_INTERNAL in its
 * internal header: it stays out of the dynamic symbol table even when its name starts
 * with winit_, and calls to it need no PLT.  Tests reach such symbols through the
 * libwinit_core.la convenience library, never through the installed .so.
 */
#ifndef WINIT_CORE_INTERNAL_H
#define WINIT_CORE_INTERNAL_H

#if defined(__GNUC__) || defined(__clang__)
#define WINIT_INTERNAL __attribute__((visibility("hidden")))
#else
#define WINIT_INTERNAL
#endif

#endif /* WINIT_CORE_INTERNAL_H */
