/* tests/plugins/crash_describe/segv_describe.c -- deliberately broken at load time: the
 * entry point itself writes through a bad pointer (SIGSEGV).  In a folder of its own, so
 * that only the tests meant to load it do. */
#include <stdint.h>

#include <winit/plugin.h>

static volatile uintptr_t bad_address = 8;

const struct winit_plugin_info *winit_plugin_describe(uint32_t index)
{
	*(volatile uint32_t *)bad_address = index;
	return NULL;
}
