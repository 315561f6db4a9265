// SPDX-License-Identifier: GPL-2.0-or-later
/* The built-in plugins, in the order they run. */
#include <stddef.h>

#include "plugins/plugin.h"

extern const struct kt_plugin kt_plugin_orphan_sockets;

const struct kt_plugin *const kt_plugin_registry[] = {
	&kt_plugin_orphan_sockets,
	NULL,
};
