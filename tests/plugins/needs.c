// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin whose needs no kernel meets: it must be skipped, never run. */
#include <stdlib.h>

#include <ktriage/plugin.h>

static int run(const struct ktriage_host *host, char *why, size_t len)
{
	abort();
}

static const char *const types[] = { "struct no_such_type_anywhere", NULL };

static const struct ktriage_plugin plugin = {
	.abi = KTRIAGE_PLUGIN_ABI,
	.name = "needs",
	.summary = "needs a type no kernel has",
	.types = types,
	.run = run,
};

const struct ktriage_plugin *ktriage_plugin_entry(void)
{
	return &plugin;
}
