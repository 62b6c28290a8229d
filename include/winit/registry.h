/* winit/registry.h -- finding, loading and validating plugins.
 *
 * Search order (first match of a name wins; later duplicates are reported as shadowed):
 *   1. each directory in $WINIT_PLUGIN_PATH (colon-separated),
 *   2. the `extra` directories given to winit_registry_load_default,
 *   3. when this libwinit runs uninstalled (from its build tree, as told by where the
 *      object holding it is, not by a path compiled in): the build tree's plugin
 *      directories ($WINIT_BUILD_PLUGIN_DIRS if set, else plugins/initializers/.libs and
 *      plugins/activations/.libs there) and nothing else, so an installed copy never
 *      interferes;
 *      when installed: the install directory ($(libdir)/winit/plugins).
 * Directories are scanned for *.so in sorted order, so loading is deterministic.
 * Objects are opened with dlopen(RTLD_NOW | RTLD_LOCAL); every descriptor field is
 * validated; an object that fails is dlclose'd and the reason recorded (file, what was
 * expected, what was found, what to try next).
 */
#ifndef WINIT_REGISTRY_H
#define WINIT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <winit/error.h>
#include <winit/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WINIT_PLUGIN_PATH_ENV "WINIT_PLUGIN_PATH"

struct winit_registry; /* opaque */

struct winit_plugin_entry {
	const struct winit_plugin_info *info; /* points into the loaded object */
	const char *file;                     /* the .so it came from */
	int builtin;                          /* 1 if linked into the host, not dlopen'd */
	const char *shadows;                  /* a later file with the same kind and name
	                                       * that this one hides, or NULL */
	int64_t size;                         /* the file's size in bytes (-1: unknown) */
	uint32_t crc32;                       /* zlib crc32 of the file's contents */
};

struct winit_registry *winit_registry_new(void);
void winit_registry_free(struct winit_registry *reg);

/* Load one shared object.  On failure nothing of it stays loaded. */
int winit_registry_load_file(struct winit_registry *reg, const char *path,
                             struct winit_error *err);
/* Add a descriptor the host itself made (e.g. an initializer written in Lua), validated
 * like a loaded one; `origin` names where it came from ("script.lua:12").  A name already
 * taken for that kind is an error.  The descriptor must outlive the registry. */
int winit_registry_add(struct winit_registry *reg, const struct winit_plugin_info *info,
                       const char *origin, struct winit_error *err);

/* Load every *.so in a directory (non-existent directories are skipped, 0 returned).
 * A broken object does not stop the scan: its error is kept in the registry's
 * problem list and the others load. */
int winit_registry_load_dir(struct winit_registry *reg, const char *dir,
                            struct winit_error *err);
/* Load the default search path described above.  `extra` (may be NULL) is a
 * colon-separated list searched right after $WINIT_PLUGIN_PATH. */
int winit_registry_load_default(struct winit_registry *reg, const char *extra,
                                struct winit_error *err);
/* The directories load_default searches, colon-separated, for messages. */
const char *winit_registry_search_path(const struct winit_registry *reg);

size_t winit_registry_count(const struct winit_registry *reg);
const struct winit_plugin_entry *winit_registry_entry(const struct winit_registry *reg,
                                                      size_t i);
/* Problems met while scanning (one line each); count and access. */
size_t winit_registry_problem_count(const struct winit_registry *reg);
const char *winit_registry_problem(const struct winit_registry *reg, size_t i);
/* 1 when problem i is a plugin shadowed by an earlier one (the object loaded, one of its
 * names did not), 0 when an object was refused. */
int winit_registry_problem_is_shadowing(const struct winit_registry *reg, size_t i);

/* Find by kind and name; NULL if absent. */
const struct winit_plugin_entry *winit_registry_find(const struct winit_registry *reg,
                                                     uint32_t kind, const char *name);
/* "a, b, c": names of one kind, for "unknown initializer 'x' (known: ...)" messages.
 * Writes at most size bytes; returns buf. */
char *winit_registry_names(const struct winit_registry *reg, uint32_t kind, char *buf,
                           size_t size);

/* Validate named parameter values against a declaration and produce the full value
 * array (defaults filled in) in declaration order.  Unknown names, wrong types, out of
 * range values and unknown choices are errors naming the plugin, the parameter and the
 * accepted range. For CHOICE parameters, `choice_names[i]` (non-NULL) gives the value
 * by name; otherwise values[i] is the index. */
int winit_params_resolve(double out[WINIT_MAX_PARAMS], const struct winit_plugin_info *info,
                         size_t n, const char *const names[], const double values[],
                         const char *const choice_names[], struct winit_error *err);

/* Validate a descriptor as the loader does (for tests and check-plugin). */
int winit_plugin_validate(const struct winit_plugin_info *info, const char *file,
                          struct winit_error *err);

const char *winit_kind_name(uint32_t kind);

/* Keras's compute_fans for a row-major tensor of n_dims dims: none -> (1, 1); 1-D (a
 * bias) -> (dims[0], dims[0]); 2-D (fan_in, fan_out) -> as is; more (a convolution
 * kernel, spatial dims first) -> both multiplied by the receptive field, the product
 * of all but the last two dims.  For filling struct winit_fill_args. */
void winit_compute_fans(const int64_t *dims, uint32_t n_dims, int64_t *fan_in,
                        int64_t *fan_out);

#ifdef __cplusplus
}
#endif
#endif /* WINIT_REGISTRY_H */
