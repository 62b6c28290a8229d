/* src/plugin/registry.c -- finding, dlopen'ing and validating plugin objects.
 *
 * A registry owns the handles of the objects it accepted and a flat list of the
 * descriptors they provide.  Loading mutates it; once loaded, every query is read-only,
 * so several threads may share one registry.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include <winit/plugin_call.h>
#include <winit/registry.h>

#include "core/relocate.h"
#include "plugin/plugin_internal.h"

#ifndef WINIT_PLUGIN_INSTALL_DIR
#define WINIT_PLUGIN_INSTALL_DIR "/usr/local/lib/winit/plugins"
#endif
#define WINIT_BUILD_PLUGIN_DIRS_ENV "WINIT_BUILD_PLUGIN_DIRS"

struct loaded_object {
	void *handle;
	char *file;
};

struct winit_registry {
	struct winit_plugin_entry *entries; /* (n_entries) */
	size_t n_entries, cap_entries;
	struct loaded_object *objects; /* (n_objects) */
	size_t n_objects, cap_objects;
	char **problems; /* (n_problems) */
	size_t n_problems, cap_problems;
	unsigned char *problem_shadow; /* (cap_problems): problem i is a shadowing */
	char *search_path;             /* set by load_default */
};

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *p = realloc(*buf, n * elem);
	if (!p)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

struct winit_registry *winit_registry_new(void)
{
	return calloc(1, sizeof(struct winit_registry));
}

void winit_registry_free(struct winit_registry *reg)
{
	if (!reg)
		return;
	for (size_t i = reg->n_objects; i-- > 0;) {
		if (reg->objects[i].handle) /* NULL: a descriptor the host made (winit_registry_add) */
			dlclose(reg->objects[i].handle);
		free(reg->objects[i].file);
	}
	for (size_t i = 0; i < reg->n_problems; i++)
		free(reg->problems[i]);
	free(reg->objects);
	free(reg->entries);
	free(reg->problems);
	free(reg->problem_shadow);
	free(reg->search_path);
	free(reg);
}

static int add_problem_as(struct winit_registry *reg, const char *msg, int shadowing)
{
	char *s = strdup(msg);
	size_t cap = reg->cap_problems;
	if (!s || grow((void **)&reg->problems, &reg->cap_problems, reg->n_problems + 1,
	               sizeof *reg->problems)) {
		free(s);
		return -1;
	}
	if (reg->cap_problems != cap || !reg->problem_shadow) {
		unsigned char *f = realloc(reg->problem_shadow, reg->cap_problems);
		if (!f) {
			free(s);
			return -1;
		}
		reg->problem_shadow = f;
	}
	reg->problem_shadow[reg->n_problems] = (unsigned char)shadowing;
	reg->problems[reg->n_problems++] = s;
	return 0;
}

static int add_problem(struct winit_registry *reg, const char *msg)
{
	return add_problem_as(reg, msg, 0);
}

/* The size and zlib crc32 of a file, for the results file's record of what ran. */
static void file_identity(const char *path, int64_t *size, uint32_t *crc)
{
	*size = -1;
	*crc = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	unsigned char buf[65536];
	uLong c = crc32(0L, Z_NULL, 0);
	int64_t n = 0;
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		c = crc32(c, buf, (uInt)got);
		n += (int64_t)got;
	}
	if (!ferror(f)) {
		*size = n;
		*crc = (uint32_t)c;
	}
	fclose(f);
}

static const struct winit_plugin_entry *find_entry(const struct winit_registry *reg,
                                                   uint32_t kind, const char *name)
{
	for (size_t i = 0; i < reg->n_entries; i++) {
		const struct winit_plugin_info *info = reg->entries[i].info;
		if (info->kind == kind && strcmp(info->name, name) == 0)
			return &reg->entries[i];
	}
	return NULL;
}

/* Refuse an object: close it and return the status already set in the error. */
static int refuse(void *handle, int status)
{
	dlclose(handle);
	return status;
}

int winit_registry_add(struct winit_registry *reg, const struct winit_plugin_info *info,
                       const char *origin, struct winit_error *err)
{
	int rc = winit_plugin_validate(info, origin, err);
	if (rc)
		return rc;
	const struct winit_plugin_entry *prev = find_entry(reg, info->kind, info->name);
	if (prev)
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: %s '%s' already exists (from %s); choose another name",
		                       origin, winit_kind_name(info->kind), info->name, prev->file);
	char *file = strdup(origin);
	if (!file ||
	    grow((void **)&reg->objects, &reg->cap_objects, reg->n_objects + 1,
	         sizeof *reg->objects) ||
	    grow((void **)&reg->entries, &reg->cap_entries, reg->n_entries + 1,
	         sizeof *reg->entries)) {
		free(file);
		return winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory registering '%s'",
		                       origin, info->name);
	}
	reg->entries[reg->n_entries++] = (struct winit_plugin_entry){
		.info = info,
		.file = file,
		.builtin = 1,
	};
	reg->objects[reg->n_objects++] = (struct loaded_object){ NULL, file };
	return WINIT_OK;
}

int winit_registry_load_file(struct winit_registry *reg, const char *path,
                             struct winit_error *err)
{
	const struct winit_plugin_info *infos[WINIT_PLUGIN_DESCRIPTORS_MAX];
	size_t n = 0;

	/* A bare file name means the file here, not a library search (dlopen's rule). */
	char here[PATH_MAX];
	const char *open_path = path;
	if (!strchr(path, '/') && snprintf(here, sizeof here, "./%s", path) < (int)sizeof here)
		open_path = here;
	winit_plugin_crash_report_install();
	dlerror();
	struct winit_plugin_call saved = winit_plugin_call_enter(path, "loading: constructors");
	void *handle = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
	winit_plugin_call_leave(saved);
	if (!handle) {
		const char *why = dlerror();
		struct stat st;
		if (stat(open_path, &st) != 0)
			return winit_error_set(err, WINIT_ERR_PLUGIN,
			                       "%s: cannot load plugin: %s; expected an existing "
			                       "shared object; check the path (a name without '/' "
			                       "means the current directory)",
			                       path, strerror(errno));
		return winit_error_set(err, WINIT_ERR_PLUGIN,
		                       "%s: cannot load plugin: %s; expected a shared object "
		                       "whose dependencies all resolve; check them with `ldd %s`",
		                       path, why ? why : "unknown dlopen error", path);
	}
	/* The same object reached twice (e.g. one directory listed twice): already in. */
	for (size_t i = 0; i < reg->n_objects; i++) {
		if (reg->objects[i].handle == handle) {
			dlclose(handle);
			return WINIT_OK;
		}
	}
	dlerror();
	void *sym = dlsym(handle, WINIT_PLUGIN_ENTRY);
	if (!sym) {
		const char *why = dlerror();
		winit_error_set(err, WINIT_ERR_PLUGIN,
		                "%s: not a winit plugin: expected an exported function '%s', "
		                "found none (%s); define it non-static, with default visibility "
		                "(extern \"C\" in C++), and check with `nm -D %s | grep %s`",
		                path, WINIT_PLUGIN_ENTRY, why ? why : "symbol is NULL", path,
		                WINIT_PLUGIN_ENTRY);
		return refuse(handle, WINIT_ERR_PLUGIN);
	}
	winit_plugin_describe_fn describe;
	/* POSIX guarantees dlsym results convert to function pointers. */
	memcpy(&describe, &sym, sizeof describe);

	/* First collect (bounded), then validate, so an endless list is named as such. */
	for (;;) {
		saved = winit_plugin_call_enter(path, WINIT_PLUGIN_ENTRY "()");
		const struct winit_plugin_info *info = describe((uint32_t)n);
		winit_plugin_call_leave(saved);
		if (!info)
			break;
		if (n == WINIT_PLUGIN_DESCRIPTORS_MAX) {
			winit_error_set(err, WINIT_ERR_PLUGIN,
			                "%s: %s(%d) returned a descriptor, expected NULL past the "
			                "last one (at most %d per object); end the list with NULL",
			                path, WINIT_PLUGIN_ENTRY, WINIT_PLUGIN_DESCRIPTORS_MAX, WINIT_PLUGIN_DESCRIPTORS_MAX);
			return refuse(handle, WINIT_ERR_PLUGIN);
		}
		infos[n++] = info;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = winit_plugin_validate(infos[i], path, err);
		if (rc)
			return refuse(handle, rc);
		for (size_t j = 0; j < i; j++) {
			if (infos[j]->kind == infos[i]->kind &&
			    strcmp(infos[j]->name, infos[i]->name) == 0) {
				winit_error_set(err, WINIT_ERR_PLUGIN,
				                "%s: describes %s '%s' twice (descriptors %zu and "
				                "%zu), expected unique names per kind; rename one",
				                path, winit_kind_name(infos[i]->kind), infos[i]->name,
				                j, i);
				return refuse(handle, WINIT_ERR_PLUGIN);
			}
		}
	}
	if (n == 0) {
		winit_error_set(err, WINIT_ERR_PLUGIN,
		                "%s: %s(0) returned NULL, expected at least one descriptor; "
		                "the object describes no plugin",
		                path, WINIT_PLUGIN_ENTRY);
		return refuse(handle, WINIT_ERR_PLUGIN);
	}

	/* Accept: first loaded wins, later duplicates are recorded as shadowed. */
	char *file = strdup(path);
	if (!file ||
	    grow((void **)&reg->objects, &reg->cap_objects, reg->n_objects + 1,
	         sizeof *reg->objects) ||
	    grow((void **)&reg->entries, &reg->cap_entries, reg->n_entries + n,
	         sizeof *reg->entries)) {
		free(file);
		winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory registering plugins",
		                path);
		return refuse(handle, WINIT_ERR_NOMEM);
	}
	int64_t size;
	uint32_t crc;
	file_identity(open_path, &size, &crc);
	size_t added = 0;
	for (size_t j = 0; j < n; j++) {
		const struct winit_plugin_entry *prev = find_entry(reg, infos[j]->kind,
		                                                   infos[j]->name);
		if (prev) {
			char msg[WINIT_ERROR_MSG_MAX];
			snprintf(msg, sizeof msg,
			         "%s: %s '%s' shadowed by the one already loaded from %s "
			         "(the first in the search path wins); remove or rename one",
			         path, winit_kind_name(infos[j]->kind), infos[j]->name,
			         prev->file);
			if (!prev->shadows)
				((struct winit_plugin_entry *)prev)->shadows = file;
			if (add_problem_as(reg, msg, 1)) {
				free(file);
				winit_error_set(err, WINIT_ERR_NOMEM, "%s: out of memory "
				                                      "recording a shadowed plugin",
				                path);
				return refuse(handle, WINIT_ERR_NOMEM);
			}
			continue;
		}
		reg->entries[reg->n_entries + added] = (struct winit_plugin_entry){
			.info = infos[j],
			.file = file,
			.builtin = 0,
			.size = size,
			.crc32 = crc,
		};
		added++;
	}
	if (added == 0) {
		/* Everything it offers is already provided: keep nothing of it but its name,
		 * which the entries it shadows point to. */
		dlclose(handle);
		reg->objects[reg->n_objects++] = (struct loaded_object){ NULL, file };
		return WINIT_OK;
	}
	reg->n_entries += added;
	reg->objects[reg->n_objects++] = (struct loaded_object){ handle, file };
	return WINIT_OK;
}

static int has_so_suffix(const char *name)
{
	size_t len = strlen(name);
	return len > 3 && strcmp(name + len - 3, ".so") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int winit_registry_load_dir(struct winit_registry *reg, const char *dir,
                            struct winit_error *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return WINIT_OK;
		return winit_error_set(err, WINIT_ERR_IO,
		                       "%s: cannot read plugin directory: %s; check its "
		                       "permissions",
		                       dir, strerror(errno));
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = WINIT_OK;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!has_so_suffix(de->d_name))
			continue;
		char *s = strdup(de->d_name);
		if (!s || grow((void **)&names, &cap, n + 1, sizeof *names)) {
			free(s);
			rc = winit_error_set(err, WINIT_ERR_NOMEM,
			                     "%s: out of memory listing plugins", dir);
			break;
		}
		names[n++] = s;
	}
	closedir(d);
	if (rc == WINIT_OK && n > 1) /* none: names is NULL, which qsort must not be given */
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && rc == WINIT_OK; i++) {
		char path[PATH_MAX];
		struct stat st;
		struct winit_error e;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		winit_error_clear(&e);
		int lrc = winit_registry_load_file(reg, path, &e);
		if (lrc == WINIT_ERR_NOMEM)
			rc = winit_error_set(err, lrc, "%s", e.msg);
		else if (lrc && add_problem(reg, e.msg))
			rc = winit_error_set(err, WINIT_ERR_NOMEM,
			                     "%s: out of memory recording a problem", dir);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* ---- The default search path ---- */

struct dir_list {
	char *buf; /* "a:b:c" */
	size_t len, cap;
	char **keys; /* canonical forms already listed */
	size_t n, cap_keys;
};

static int list_add(struct dir_list *l, const char *dir, size_t len)
{
	char raw[PATH_MAX], canon[PATH_MAX];
	if (len == 0 || len >= sizeof raw)
		return 0;
	memcpy(raw, dir, len);
	raw[len] = '\0';
	const char *key = realpath(raw, canon) ? canon : raw;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return 0;
	char *k = strdup(key);
	if (!k || grow((void **)&l->keys, &l->cap_keys, l->n + 1, sizeof *l->keys) ||
	    grow((void **)&l->buf, &l->cap, l->len + len + 2, 1)) {
		free(k);
		return -1;
	}
	l->keys[l->n++] = k;
	if (l->len)
		l->buf[l->len++] = ':';
	memcpy(l->buf + l->len, raw, len);
	l->len += len;
	l->buf[l->len] = '\0';
	return 0;
}

static int list_add_all(struct dir_list *l, const char *dirs)
{
	if (!dirs)
		return 0;
	while (*dirs) {
		const char *end = strchr(dirs, ':');
		size_t len = end ? (size_t)(end - dirs) : strlen(dirs);
		if (list_add(l, dirs, len))
			return -1;
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	return 0;
}

int winit_registry_load_default(struct winit_registry *reg, const char *extra,
                                struct winit_error *err)
{
	struct dir_list l = { 0 };
	int rc = WINIT_OK;
	/* Uninstalled = this libwinit is the one in a build tree (not an installed copy),
	 * whatever program loaded it: the winit binary, a test, or a stock lua5.4 with the
	 * module on package.cpath.  Only then are the build tree's plugins searched. */
	char tree[PATH_MAX], tree_dirs[2 * PATH_MAX + 64];
	const char *build = NULL;
	if (winit_build_tree(tree, sizeof tree)) {
		build = getenv(WINIT_BUILD_PLUGIN_DIRS_ENV);
		if (!build || !*build) {
			snprintf(tree_dirs, sizeof tree_dirs,
			         "%s/plugins/initializers/.libs:%s/plugins/activations/.libs", tree, tree);
			build = tree_dirs;
		}
	}
	/* Uninstalled: the build tree only, never an installed copy's plugins.  Installed:
	 * the plugin directory, where the installation now is (make install prefix=DIR). */
	char moved[PATH_MAX];
	const char *installed = winit_relocated_dir(WINIT_PLUGIN_INSTALL_DIR, moved, sizeof moved);
	if (list_add_all(&l, getenv(WINIT_PLUGIN_PATH_ENV)) || list_add_all(&l, extra) ||
	    list_add_all(&l, build ? build : installed)) {
		rc = winit_error_set(err, WINIT_ERR_NOMEM,
		                     "out of memory building the plugin search path");
		goto out;
	}
	free(reg->search_path);
	reg->search_path = l.buf ? l.buf : strdup("");
	l.buf = NULL;
	const char *p = reg->search_path;
	while (p && *p && rc == WINIT_OK) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char dir[PATH_MAX];
		memcpy(dir, p, len);
		dir[len] = '\0';
		rc = winit_registry_load_dir(reg, dir, err);
		p += len;
		if (*p == ':')
			p++;
	}
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.keys[i]);
	free(l.keys);
	free(l.buf);
	return rc;
}

const char *winit_registry_search_path(const struct winit_registry *reg)
{
	return reg && reg->search_path ? reg->search_path : "";
}

/* ---- Read-only queries (safe from several threads once loaded) ---- */

size_t winit_registry_count(const struct winit_registry *reg)
{
	return reg ? reg->n_entries : 0;
}

const struct winit_plugin_entry *winit_registry_entry(const struct winit_registry *reg,
                                                      size_t i)
{
	return reg && i < reg->n_entries ? &reg->entries[i] : NULL;
}

size_t winit_registry_problem_count(const struct winit_registry *reg)
{
	return reg ? reg->n_problems : 0;
}

const char *winit_registry_problem(const struct winit_registry *reg, size_t i)
{
	return reg && i < reg->n_problems ? reg->problems[i] : NULL;
}

int winit_registry_problem_is_shadowing(const struct winit_registry *reg, size_t i)
{
	return reg && i < reg->n_problems ? reg->problem_shadow[i] : 0;
}

const struct winit_plugin_entry *winit_registry_find(const struct winit_registry *reg,
                                                     uint32_t kind, const char *name)
{
	if (!reg || !name)
		return NULL;
	return find_entry(reg, kind, name);
}

char *winit_registry_names(const struct winit_registry *reg, uint32_t kind, char *buf,
                           size_t size)
{
	if (!buf || size == 0)
		return buf;
	buf[0] = '\0';
	if (!reg)
		return buf;
	/* Alphabetical: pick the next larger name each round (no allocation, so it stays
	 * usable from any thread; registries are small). */
	size_t len = 0;
	const char *last = NULL;
	for (;;) {
		const char *next = NULL;
		for (size_t i = 0; i < reg->n_entries; i++) {
			const struct winit_plugin_info *info = reg->entries[i].info;
			if (info->kind != kind)
				continue;
			if (last && strcmp(info->name, last) <= 0)
				continue;
			if (!next || strcmp(info->name, next) < 0)
				next = info->name;
		}
		if (!next)
			break;
		int w = snprintf(buf + len, size - len, "%s%s", last ? ", " : "", next);
		if (w < 0 || (size_t)w >= size - len) {
			/* Truncated: end with an ellipsis when there is room. */
			if (size >= 4)
				strcpy(buf + size - 4, "...");
			break;
		}
		len += (size_t)w;
		last = next;
	}
	return buf;
}
