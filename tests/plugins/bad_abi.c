// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin built for another ABI: ktriage must refuse it. */
#include <ktriage/plugin.h>

static int run(const struct ktriage_host *host, char *why, size_t len)
{
	return 0;
}

static const struct ktriage_plugin plugin = {
	.abi = KTRIAGE_PLUGIN_ABI + 98,
	.name = "bad_abi",
	.summary = "built for a future ABI",
	.run = run,
};

const struct ktriage_plugin *ktriage_plugin_entry(void)
{
	return &plugin;
}
