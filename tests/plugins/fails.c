// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin that fails after one finding: the runner reports it, goes on. */
#include <stdio.h>

#include <ktriage/plugin.h>

static int run(const struct ktriage_host *host, char *why, size_t len)
{
	struct ktriage_finding *f = host->finding(host->ctx, "partial",
		KTRIAGE_WARNING, "found before failing", "\x1b[31mred\x1b[0m");

	host->step(host->ctx, f, "a step");
	snprintf(why, len, "gave up: \x1b]0;owned\x07");
	return -1;
}

static const struct ktriage_plugin plugin = {
	.abi = KTRIAGE_PLUGIN_ABI,
	.name = "fails",
	.summary = "fails on purpose",
	.run = run,
};

const struct ktriage_plugin *ktriage_plugin_entry(void)
{
	return &plugin;
}
