/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * All of a case in memory: what a merge or an import brings in, and what
 * an export writes. Private to db/.
 */
#ifndef KT_DB_CONTENT_H
#define KT_DB_CONTENT_H

#include "db/case_private.h"

struct kt_case_tag {
	char *target, *tag, *author, *at;
};

struct kt_case_content {
	char dump_id[64];
	struct kt_note_list notes;
	struct kt_verdict_list verdicts;
	struct kt_case_tag *tags;
	size_t ntags;
};

/** Everything in @c. */
struct kt_error *kt_case_content_load(struct kt_case *c,
				      struct kt_case_content *ret);

/**
 * Validate @in (from @from, for messages), then bring it into @c in one
 * transaction: a union by UUID.
 */
struct kt_error *kt_case_content_apply(struct kt_case *c,
				       const struct kt_case_content *in,
				       const char *from,
				       struct kt_merge_stats *st);

void kt_case_content_deinit(struct kt_case_content *c);

#endif /* KT_DB_CONTENT_H */
