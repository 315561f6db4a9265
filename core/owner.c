// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership engine: range checks first (NULL, user, non-canonical,
 * symbols), then what the kernel's own bookkeeping says about the memory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/owner.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/vmlinux.h"

/* Below this, a "pointer" is NULL plus a member offset. */
#define KT_NULL_LIMIT 0x10000ULL
#define KT_USER_END 0x0000800000000000ULL
#define KT_KERNEL_START 0xffff800000000000ULL

struct kt_owner_cache {
	int unused;
};

void kt_owner_cache_destroy(struct kt_program *prog)
{
	free(prog->owner);
	prog->owner = NULL;
}

const char *kt_owner_kind_name(enum kt_owner_kind kind)
{
	static const char *const names[] = {
		[KT_OWNER_NULL] = "null",
		[KT_OWNER_USER] = "user",
		[KT_OWNER_NONCANONICAL] = "non-canonical",
		[KT_OWNER_POISON] = "poison",
		[KT_OWNER_SYMBOL] = "symbol",
		[KT_OWNER_SLAB] = "slab",
		[KT_OWNER_PAGE] = "page",
		[KT_OWNER_VMALLOC] = "vmalloc",
		[KT_OWNER_STACK] = "stack",
		[KT_OWNER_PERCPU] = "percpu",
		[KT_OWNER_PAGE_STRUCT] = "struct page",
		[KT_OWNER_NOT_RAM] = "not RAM",
		[KT_OWNER_EXCLUDED] = "excluded",
		[KT_OWNER_UNMAPPED] = "unmapped",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
								   "?";
}

const char *kt_slab_state_name(enum kt_slab_state state)
{
	switch (state) {
	case KT_SLAB_ALLOCATED:
		return "alloc";
	case KT_SLAB_FREE:
		return "free";
	default:
		return "unknown";
	}
}

const char *kt_page_kind_name(enum kt_page_kind kind)
{
	static const char *const names[] = {
		[KT_PAGE_OTHER] = "allocated",
		[KT_PAGE_SLAB] = "slab",
		[KT_PAGE_LARGE_KMALLOC] = "large kmalloc",
		[KT_PAGE_BUDDY] = "free (buddy)",
		[KT_PAGE_ANON] = "anonymous",
		[KT_PAGE_FILE] = "page cache",
		[KT_PAGE_RESERVED] = "reserved",
		[KT_PAGE_TABLE] = "page table",
		[KT_PAGE_OFFLINE] = "offline",
		[KT_PAGE_VMALLOC] = "vmalloc",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
								   "?";
}

static struct kt_owner_id *add_id(struct kt_owner *o, enum kt_owner_kind kind)
{
	struct kt_owner_id *id;

	if (o->n == KT_OWNER_MAX)
		return NULL;
	id = &o->ids[o->n++];
	memset(id, 0, sizeof(*id));
	id->kind = kind;
	id->cpu = -1;
	id->freelist_pos = -1;
	id->pid = -1;
	return id;
}

static bool identify_symbol(struct kt_program *prog, uint64_t addr,
			    struct kt_owner *o)
{
	struct kt_symbol_hit h;
	struct kt_owner_id *id;

	if (addr < KT_START_KERNEL_MAP || !kt_symbol_lookup(prog, addr, &h))
		return false;
	id = add_id(o, KT_OWNER_SYMBOL);
	if (!id)
		return true;
	id->base = h.addr;
	id->offset = h.offset;
	id->size = h.size;
	kt_sanitize(h.name, strlen(h.name), id->name, sizeof(id->name), false);
	if (h.module)
		kt_sanitize(h.module, strlen(h.module), id->name2,
			    sizeof(id->name2), false);
	snprintf(id->reason, sizeof(id->reason), "%s symbol table",
		 h.module ? "module" : "vmlinux");
	return true;
}

struct kt_error *kt_owner_identify(struct kt_program *prog, uint64_t addr,
				   struct kt_owner *ret)
{
	struct kt_owner_id *id;
	uint8_t byte;

	memset(ret, 0, sizeof(*ret));
	ret->addr = addr;
	if (addr < KT_NULL_LIMIT) {
		id = add_id(ret, KT_OWNER_NULL);
		id->offset = addr;
		snprintf(id->reason, sizeof(id->reason),
			 "below 0x%llx: NULL plus an offset", KT_NULL_LIMIT);
		return NULL;
	}
	if (addr < KT_USER_END) {
		id = add_id(ret, KT_OWNER_USER);
		snprintf(id->reason, sizeof(id->reason),
			 "below 0x%llx: user space", KT_USER_END);
		return NULL;
	}
	if (addr < KT_KERNEL_START) {
		id = add_id(ret, KT_OWNER_NONCANONICAL);
		snprintf(id->reason, sizeof(id->reason),
			 "bits 63..47 differ: no x86-64 CPU can use it");
		return NULL;
	}
	if (identify_symbol(prog, addr, ret))
		return NULL;
	if (kt_error_catch_any(kt_read_u8(prog, addr, &byte))) {
		id = add_id(ret, KT_OWNER_UNMAPPED);
		snprintf(id->reason, sizeof(id->reason),
			 "no page table entry maps it");
	}
	return NULL;
}

void kt_owner_brief(struct kt_program *prog, uint64_t addr, char *buf,
		    size_t size)
{
	struct kt_owner o;
	const struct kt_owner_id *id;

	*buf = 0;
	if (kt_error_catch_any(kt_owner_identify(prog, addr, &o)) || !o.n)
		return;
	id = &o.ids[0];
	switch (id->kind) {
	case KT_OWNER_NULL:
		return;
	case KT_OWNER_SYMBOL:
		if (*id->name2)
			snprintf(buf, size, "%s+0x%" PRIx64 " [%s]", id->name,
				 id->offset, id->name2);
		else
			snprintf(buf, size, "%s+0x%" PRIx64, id->name,
				 id->offset);
		return;
	case KT_OWNER_SLAB:
		snprintf(buf, size, "%s+0x%" PRIx64 " %s", id->name,
			 id->offset, kt_slab_state_name(id->state));
		return;
	default:
		snprintf(buf, size, "%s", kt_owner_kind_name(id->kind));
	}
}
