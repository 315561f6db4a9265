// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An external ktriage plugin: why the kernel was tainted.
 *
 * It reads tainted_mask and names each flag as the kernel's taint_flags[]
 * table does (kernel/panic.c); out-of-tree (O) and unsigned (E) modules,
 * or an earlier oops (D) or warning (W), change how much a crash can be
 * trusted. Build it on its own, against the installed header only:
 *
 *	cc -shared -fPIC -I/usr/local/include -o taint.so taint.c
 *
 * and run `ktriage --plugin-dir DIR VMCORE VMLINUX -c findings`.
 */
#include <stdio.h>
#include <string.h>

#include <ktriage/plugin.h>

/* Bit, letter and meaning; 6.1's list (TAINT_FLAGS_COUNT 19). */
static const struct {
	unsigned bit;
	char c;
	const char *what;
} flags[] = {
	{ 0, 'P', "proprietary module loaded" },
	{ 1, 'F', "module force-loaded" },
	{ 2, 'S', "kernel running on an out-of-spec system" },
	{ 3, 'R', "module force-unloaded" },
	{ 4, 'M', "machine check exception" },
	{ 5, 'B', "bad page referenced" },
	{ 6, 'U', "taint requested by user space" },
	{ 7, 'D', "kernel died recently (an earlier oops)" },
	{ 8, 'A', "ACPI table overridden" },
	{ 9, 'W', "a warning was issued" },
	{ 10, 'C', "staging driver loaded" },
	{ 11, 'I', "firmware bug workaround applied" },
	{ 12, 'O', "out-of-tree module loaded" },
	{ 13, 'E', "unsigned module loaded" },
	{ 14, 'L', "soft lockup occurred" },
	{ 15, 'K', "kernel live-patched" },
	{ 16, 'X', "auxiliary taint (distribution-defined)" },
	{ 17, 'T', "kernel built with the struct randomization plugin" },
	{ 18, 'N', "in-kernel test run" },
};

#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

static int run(const struct ktriage_host *host, char *why, size_t len)
{
	char letters[NFLAGS + 1], text[1024], step[160];
	struct ktriage_finding *f;
	unsigned long mask;
	uint64_t addr;
	size_t n = 0, used = 0;

	if (host->symbol(host->ctx, "tainted_mask", &addr) ||
	    host->read(host->ctx, addr, &mask, sizeof(mask))) {
		snprintf(why, len, "tainted_mask cannot be read");
		return -1;
	}
	if (!mask)
		return 0;
	text[0] = '\0';
	for (size_t i = 0; i < NFLAGS; i++) {
		if (!(mask & (1UL << flags[i].bit)))
			continue;
		letters[n++] = flags[i].c;
		used += snprintf(text + used, sizeof(text) - used, "%s%c: %s",
				 used ? "; " : "", flags[i].c, flags[i].what);
		if (used >= sizeof(text))
			break;
	}
	letters[n] = '\0';
	snprintf(step, sizeof(step), "tainted_mask at 0x%llx = 0x%lx",
		 (unsigned long long)addr, mask);
	f = host->finding(host->ctx, letters, KTRIAGE_INFO,
			  "kernel tainted", text);
	host->ref_address(host->ctx, f, "tainted_mask", addr, "unsigned long");
	host->step(host->ctx, f, step);
	return 0;
}

static const char *const symbols[] = { "tainted_mask", NULL };

static const struct ktriage_plugin plugin = {
	.abi = KTRIAGE_PLUGIN_ABI,
	.name = "taint",
	.summary = "why the kernel was tainted (tainted_mask)",
	.symbols = symbols,
	.run = run,
};

const struct ktriage_plugin *ktriage_plugin_entry(void)
{
	return &plugin;
}
