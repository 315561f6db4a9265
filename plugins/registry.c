// SPDX-License-Identifier: GPL-2.0-or-later
/* The built-in plugins, in the order they run. */
#include <stddef.h>

#include "plugins/plugin.h"

extern const struct kt_plugin kt_plugin_oops;
extern const struct kt_plugin kt_plugin_hctx_fq;
extern const struct kt_plugin kt_plugin_blk_mq;
extern const struct kt_plugin kt_plugin_list_poison;
extern const struct kt_plugin kt_plugin_list_debug;
extern const struct kt_plugin kt_plugin_hung_tasks;
extern const struct kt_plugin kt_plugin_lock_irq;
extern const struct kt_plugin kt_plugin_lock_chain;
extern const struct kt_plugin kt_plugin_lockup;
extern const struct kt_plugin kt_plugin_orphan_sockets;
extern const struct kt_plugin kt_plugin_stale_refs;

const struct kt_plugin *const kt_plugin_registry[] = {
	&kt_plugin_oops,
	&kt_plugin_hctx_fq,
	&kt_plugin_blk_mq,
	&kt_plugin_list_poison,
	&kt_plugin_list_debug,
	&kt_plugin_lock_irq,
	&kt_plugin_lockup,
	&kt_plugin_hung_tasks,
	&kt_plugin_lock_chain,
	&kt_plugin_orphan_sockets,
	&kt_plugin_stale_refs,
	NULL,
};
