/* src/plugin/host.c -- the host services handed to plugins (winit/plugin.h's struct
 * winit_host): random draws from the run's streams (winit/rng.h) and logging. */
#include "config.h"

#include <stdio.h>

#include <winit/plugin_call.h>
#include <winit/rng.h>

static double host_uniform(void *rng)
{
	return winit_rng_uniform(rng);
}

static double host_normal(void *rng)
{
	return winit_rng_normal(rng);
}

static uint64_t host_next(void *rng)
{
	return winit_rng_next(rng);
}

static void host_log(const struct winit_host *host, int level, const char *msg)
{
	(void)host;
	fprintf(stderr, "winit: plugin %s: %s\n", level ? "warning" : "info", msg);
}

static const struct winit_host host_services = {
	.abi_version = WINIT_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(struct winit_host),
	.uniform = host_uniform,
	.normal = host_normal,
	.next_u64 = host_next,
	.log = host_log,
};

const struct winit_host *winit_host_services(void)
{
	return &host_services;
}
