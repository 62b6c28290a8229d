/* tests/plugins/test_plugin.h -- what the one-descriptor broken test plugins share: a
 * fill that writes zeros and the descriptor with its describe(), so each file states
 * only the one thing it breaks. */
#ifndef WINIT_TEST_PLUGIN_H
#define WINIT_TEST_PLUGIN_H

#include <winit/plugin.h>

static inline int test_zero_fill(float *w, const struct winit_fill_args *args, char *err,
                                 size_t errlen)
{
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < args->n; i++)
		w[i] = 0.0f;
	return 0;
}

/* The object's one initializer descriptor, summary "test: broken", and its describe(). */
#define TEST_INITIALIZER(abi_version_, struct_size_, name_, n_params_, params_, fill_) \
	static const struct winit_initializer test_desc = {                            \
		.info = { (abi_version_), (struct_size_), WINIT_KIND_INITIALIZER,      \
		          (n_params_), (name_), "test: broken", (params_), NULL },     \
		.fill = (fill_),                                                       \
	};                                                                             \
	const struct winit_plugin_info *winit_plugin_describe(uint32_t index)          \
	{                                                                              \
		return index == 0 ? &test_desc.info : NULL;                            \
	}

#endif
