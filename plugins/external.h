/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * External plugins: shared objects built against include/ktriage/plugin.h,
 * loaded from the directories the user names (--plugin-dir, and
 * $KTRIAGE_PLUGIN_PATH), never from the current or the dump's directory.
 */
#ifndef KT_PLUGINS_EXTERNAL_H
#define KT_PLUGINS_EXTERNAL_H

#include <stddef.h>

#include "core/error.h"
#include "plugins/plugin.h"

struct kt_plugin_set;

/**
 * Load every *.so in each of @dirs (@ndirs) and in each directory of
 * @path_env (colon-separated, as $KTRIAGE_PLUGIN_PATH; NULL: none). Empty
 * and relative entries of @path_env are ignored with a warning. A plugin
 * that cannot be used (not loadable, no entry point, another ABI, a name
 * taken, a world-writable file) is not loaded; why goes to *@warnings
 * (one line each; free() it; NULL when none). Errors only when out of
 * memory. An empty set is returned when there is nothing to load.
 */
struct kt_error *kt_plugin_set_load(const char *const *dirs, size_t ndirs,
				    const char *path_env,
				    struct kt_plugin_set **ret,
				    char **warnings);

void kt_plugin_set_destroy(struct kt_plugin_set *set);

/** How many plugins @set holds (0 for NULL). */
size_t kt_plugin_set_count(const struct kt_plugin_set *set);

/** The name and the path of plugin @i of @set. */
void kt_plugin_set_describe(const struct kt_plugin_set *set, size_t i,
			    const char **name, const char **summary,
			    const char **path);

/** Run plugin @i of @set on @prog: its findings into @out, status into @run. */
void kt_plugin_set_run(const struct kt_plugin_set *set, size_t i,
		       struct kt_program *prog, struct kt_findings *out,
		       struct kt_plugin_run *run);

#endif /* KT_PLUGINS_EXTERNAL_H */
