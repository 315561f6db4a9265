// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/module.h"
#include "core/orc.h"
#include "core/program.h"

#define ORC_ENTRY_SIZE 6	/* s16 sp_offset, s16 bp_offset, u16 bits */
#define MAX_ORCS (16u << 20)

/* All ORC tables of a program: vmlinux's and one per module. */
struct kt_orc_set {
	struct kt_orc_table vmlinux;
	bool vmlinux_loaded;
	struct kt_orc_table *mods;	/* indexed like prog->modules->mods */
	bool *mods_loaded;
	unsigned nmods;
	bool v3;	/* 6.4+ layout (commit fb799447ae29), has .orc_header */
	bool renumbered;	/* registers numbered as from 7.1 */
};

/*
 * The register numbers of the later orc_types.h, as enum kt_orc_reg:
 * UNDEFINED, AX, DX, SP, BP, DI, R10, R13, PREV_SP, SP_INDIRECT,
 * BP_INDIRECT.
 */
static const uint8_t renumbered_regs[16] = {
	KT_ORC_REG_UNDEFINED, KT_ORC_REG_AX, KT_ORC_REG_DX, KT_ORC_REG_SP,
	KT_ORC_REG_BP, KT_ORC_REG_DI, KT_ORC_REG_R10, KT_ORC_REG_R13,
	KT_ORC_REG_PREV_SP, KT_ORC_REG_SP_INDIRECT, KT_ORC_REG_BP_INDIRECT,
	KT_ORC_REG_UNDEFINED, KT_ORC_REG_UNDEFINED, KT_ORC_REG_UNDEFINED,
	KT_ORC_REG_UNDEFINED, KT_ORC_REG_UNDEFINED,
};

/*
 * Which numbering a table uses, from its data: nearly every function's
 * frame is found from SP (5 before, 3 after); DI, which took 3 before, is
 * rare. No version number or header hash is needed.
 */
static bool uses_renumbered_regs(const struct kt_orc_table *t)
{
	size_t five = 0, three = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->entries[i].type != KT_ORC_CALL)
			continue;
		five += t->entries[i].sp_reg == 5;
		three += t->entries[i].sp_reg == 3;
	}
	return three > five;
}

static void renumber(struct kt_orc_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		t->entries[i].sp_reg = renumbered_regs[t->entries[i].sp_reg & 15];
		t->entries[i].bp_reg = renumbered_regs[t->entries[i].bp_reg & 15];
	}
}

void kt_orc_table_deinit(struct kt_orc_table *t)
{
	free(t->ips);
	free(t->entries);
	memset(t, 0, sizeof(*t));
}

/*
 * Before 6.4: sp_reg:4 bp_reg:4 type:2 end:1, type CALL/REGS/REGS_PARTIAL,
 * an undefined sp_reg meaning "no info" or, with end set, end of stack.
 * From 6.4: sp_reg:4 bp_reg:4 type:3 signal:1, with explicit UNDEFINED and
 * END_OF_STACK types; REGS types imply a signal frame in both.
 */
static struct kt_orc decode(const unsigned char *p, bool v3)
{
	struct kt_orc o = { 0 };
	uint16_t bits;

	memcpy(&o.sp_offset, p, 2);
	memcpy(&o.bp_offset, p + 2, 2);
	memcpy(&bits, p + 4, 2);
	o.sp_reg = bits & 0xf;
	o.bp_reg = (bits >> 4) & 0xf;
	if (v3) {
		static const uint8_t types[] = {
			KT_ORC_UNDEFINED, KT_ORC_END, KT_ORC_CALL, KT_ORC_REGS,
			KT_ORC_REGS_PARTIAL,
		};
		unsigned t = (bits >> 8) & 7;

		o.type = t < sizeof(types) ? types[t] : KT_ORC_UNDEFINED;
		o.signal = (bits >> 11) & 1;
	} else if (o.sp_reg == KT_ORC_REG_UNDEFINED) {
		o.type = (bits >> 10) & 1 ? KT_ORC_END : KT_ORC_UNDEFINED;
	} else {
		static const uint8_t types[] = {
			KT_ORC_CALL, KT_ORC_REGS, KT_ORC_REGS_PARTIAL,
			KT_ORC_UNDEFINED,
		};

		o.type = types[(bits >> 8) & 3];
	}
	if (o.type == KT_ORC_REGS || o.type == KT_ORC_REGS_PARTIAL)
		o.signal = true;
	return o;
}

struct sort_item {
	uint64_t ip;
	struct kt_orc orc;
};

static int cmp_item(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	// At one ip prefer real information over a terminator.
	return (x->orc.type == KT_ORC_UNDEFINED) -
	       (y->orc.type == KT_ORC_UNDEFINED);
}

/*
 * Build a table from raw ip offsets (self-relative s32 at @ip_base + 4i)
 * and raw entries. Module tables are sorted by the kernel at load and
 * vmlinux's at build time, but a corrupt dump promises nothing: sort when
 * they are not.
 */
static struct kt_error *build(struct kt_orc_table *t, const int32_t *rel,
			      const unsigned char *raw, size_t n,
			      uint64_t ip_base, bool v3)
{
	struct sort_item *items = malloc(n * sizeof(*items));
	size_t out = 0;

	if (!items)
		return &kt_error_nomem;
	for (size_t i = 0; i < n; i++) {
		items[i].ip = ip_base + 4 * i + (int64_t)rel[i];
		items[i].orc = decode(raw + i * ORC_ENTRY_SIZE, v3);
	}
	for (size_t i = 1; i < n; i++) {
		if (cmp_item(&items[i - 1], &items[i]) > 0) {
			kt_qsort(items, n, sizeof(*items), cmp_item);
			break;
		}
	}
	t->ips = malloc(n * sizeof(*t->ips));
	t->entries = malloc(n * sizeof(*t->entries));
	if (!t->ips || !t->entries) {
		free(items);
		kt_orc_table_deinit(t);
		return &kt_error_nomem;
	}
	for (size_t i = 0; i < n; i++) {
		if (out && t->ips[out - 1] == items[i].ip)
			continue;	// keep the first, preferred, entry
		t->ips[out] = items[i].ip;
		t->entries[out++] = items[i].orc;
	}
	t->n = out;
	free(items);
	return NULL;
}

const struct kt_orc *kt_orc_find(const struct kt_orc_table *t, uint64_t pc)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->ips[mid] <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->entries[lo - 1] : NULL;
}

static struct kt_error *load_vmlinux(struct kt_program *prog,
				     struct kt_orc_set *set)
{
	uint64_t ip_addr, ip_size, u_addr, u_size;
	unsigned char *raw = NULL;
	int32_t *rel = NULL;
	struct kt_error *err;
	size_t n;

	err = kt_vmlinux_section(prog->vmlinux, ".orc_unwind_ip", &ip_addr,
				 &ip_size);
	if (!err)
		err = kt_vmlinux_section(prog->vmlinux, ".orc_unwind", &u_addr,
					 &u_size);
	if (err)
		return kt_error_wrap(err, "vmlinux has no ORC tables");
	set->v3 = !kt_error_catch_any(kt_vmlinux_section(prog->vmlinux,
					".orc_header", &(uint64_t){ 0 },
					&(uint64_t){ 0 }));
	n = ip_size / 4;
	if (n * ORC_ENTRY_SIZE != u_size || n > MAX_ORCS)
		return kt_error_create(KT_ERR_FORMAT,
				       "vmlinux: ORC tables of unequal length");
	rel = malloc(ip_size);
	raw = malloc(u_size);
	if (!rel || !raw)
		err = &kt_error_nomem;
	if (!err)
		err = kt_vmlinux_read(prog->vmlinux, ip_addr, rel, ip_size);
	if (!err)
		err = kt_vmlinux_read(prog->vmlinux, u_addr, raw, u_size);
	if (!err)
		err = build(&set->vmlinux, rel, raw, n,
			    ip_addr + prog->kaslr_offset, set->v3);
	if (!err && set->v3 && uses_renumbered_regs(&set->vmlinux)) {
		set->renumbered = true;
		renumber(&set->vmlinux);
	}
	free(rel);
	free(raw);
	return err;
}

static struct kt_error *load_module(struct kt_program *prog,
				    struct kt_orc_set *set,
				    const struct kt_module *mod,
				    struct kt_orc_table *t)
{
	uint64_t off, ip_ptr, u_ptr;
	unsigned char *raw = NULL;
	int32_t *rel = NULL;
	struct kt_error *err;
	uint32_t n;

	if ((err = kt_type_member_offset(prog, "struct module", "arch.num_orcs",
					 &off)) ||
	    (err = kt_read_u32(prog, mod->addr + off, &n)) ||
	    (err = kt_type_member_offset(prog, "struct module",
					 "arch.orc_unwind_ip", &off)) ||
	    (err = kt_read_u64(prog, mod->addr + off, &ip_ptr)) ||
	    (err = kt_type_member_offset(prog, "struct module",
					 "arch.orc_unwind", &off)) ||
	    (err = kt_read_u64(prog, mod->addr + off, &u_ptr)))
		return err;
	if (n > MAX_ORCS)
		return kt_error_create(KT_ERR_CORRUPT, "%u ORC entries", n);
	rel = malloc(n * 4 + 1);
	raw = malloc(n * ORC_ENTRY_SIZE + 1);
	if (!rel || !raw)
		err = &kt_error_nomem;
	if (!err)
		err = kt_read(prog, ip_ptr, rel, n * 4);
	if (!err)
		err = kt_read(prog, u_ptr, raw, n * ORC_ENTRY_SIZE);
	if (!err)
		err = build(t, rel, raw, n, ip_ptr, set->v3);
	if (!err && set->renumbered)
		renumber(t);
	free(rel);
	free(raw);
	return err;
}

static struct kt_orc_set *get_set(struct kt_program *prog)
{
	if (!prog->orc)
		prog->orc = calloc(1, sizeof(*prog->orc));
	return prog->orc;
}

const struct kt_orc *kt_orc_lookup(struct kt_program *prog, uint64_t pc)
{
	struct kt_orc_set *set = get_set(prog);
	const struct kt_module_list *mods;
	const struct kt_module *m;

	if (!set)
		return NULL;
	if (!set->vmlinux_loaded) {
		set->vmlinux_loaded = true;
		kt_error_destroy(load_vmlinux(prog, set));
	}
	if (pc >= KT_START_KERNEL_MAP && pc < 0xffffffffc0000000ULL)
		return kt_orc_find(&set->vmlinux, pc);
	if (kt_error_catch_any(kt_modules_load(prog, &mods)) ||
	    !(m = kt_module_by_addr(prog, pc)))
		return NULL;
	if (!set->mods) {
		set->mods = calloc(mods->n, sizeof(*set->mods));
		set->mods_loaded = calloc(mods->n, sizeof(bool));
		if (!set->mods || !set->mods_loaded)
			return NULL;
		set->nmods = mods->n;
	}
	size_t i = m - mods->mods;

	if (i >= set->nmods)
		return NULL;
	if (!set->mods_loaded[i]) {
		set->mods_loaded[i] = true;
		kt_error_destroy(load_module(prog, set, m, &set->mods[i]));
	}
	return kt_orc_find(&set->mods[i], pc);
}

void kt_orc_destroy(struct kt_program *prog)
{
	struct kt_orc_set *set = prog->orc;

	if (!set)
		return;
	kt_orc_table_deinit(&set->vmlinux);
	for (unsigned i = 0; i < set->nmods; i++)
		kt_orc_table_deinit(&set->mods[i]);
	free(set->mods);
	free(set->mods_loaded);
	free(set);
	prog->orc = NULL;
}
