// SPDX-License-Identifier: GPL-2.0-or-later
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf.h"
#include "core/dwarf_cus.h"
#include "core/hashmap.h"
#include "core/release.h"

enum index_kind {
	IDX_STRUCT,
	IDX_UNION,
	IDX_ENUM,
	IDX_PLAIN,	/* typedefs and base types share C's ordinary names */
	IDX_VARIABLE,
	IDX_VAR_DECL,	/* declarations: jiffies is only declared in C */
	NR_IDX,
};

/* kt_dwarf_frame_vars()' cache: a pc's variables */
#define VARS_SLOTS 1024

struct vars_slot {
	uint64_t addr;		/* 0: empty */
	size_t n, max;		/* found; the most the computation could hold */
	struct kt_dwarf_var *items;
};

struct kt_dwarf {
	Dwarf *dwarf;
	struct kt_hashmap index[NR_IDX];
	Dwarf_CU *next_cu;	/* where the scan goes on; NULL at start */
	bool started, complete;
	unsigned ncus;
	const char *path;
	Dwfl *dwfl;		/* owns dwarf when opened by path */
	Dwarf_CFI *cfi;		/* .debug_frame, owned by dwarf */
	bool cfi_tried;
	struct kt_xlat *xlat;	/* runtime -> file addresses of a module */
	unsigned nxlat;
	struct chain_slot *chains;	/* kt_dwarf_inline_chain() cache */
	struct vars_slot *vars;		/* kt_dwarf_frame_vars() cache */
	struct kt_release scanned;	/* .debug_info the index has passed */
	struct kt_dwarf_cus cus;	/* address -> CU, for the vmlinux */
	char build_id[41];
	char *owned_path;
};

struct kt_error *kt_dwarf_open(void *elf, const char *path,
			       struct kt_dwarf **ret)
{
	struct kt_dwarf *dw = calloc(1, sizeof(*dw));

	if (!dw)
		return &kt_error_nomem;
	dw->dwarf = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw->dwarf) {
		free(dw);
		return kt_error_create(KT_ERR_NO_DWARF,
			"%s: no DWARF debug info (%s)", path, dwarf_errmsg(-1));
	}
	for (int i = 0; i < NR_IDX; i++)
		kt_hashmap_init(&dw->index[i]);
	// libelf mapped the vmlinux read-only (ELF_C_READ_MMAP)
	kt_release_init(&dw->scanned, elf, ".debug_info");
	dw->path = path;
	*ret = dw;
	return NULL;
}

void kt_dwarf_destroy(struct kt_dwarf *dw)
{
	if (!dw)
		return;
	for (int i = 0; i < NR_IDX; i++)
		kt_hashmap_deinit(&dw->index[i]);
	if (dw->dwfl)
		dwfl_end(dw->dwfl);
	else
		dwarf_end(dw->dwarf);
	free(dw->owned_path);
	free(dw->xlat);
	free(dw->chains);
	kt_dwarf_cus_deinit(&dw->cus);
	for (size_t i = 0; dw->vars && i < VARS_SLOTS; i++)
		free(dw->vars[i].items);
	free(dw->vars);
	free(dw);
}

/*
 * The CU DIE holding file address @addr. The vmlinux's from its
 * .debug_aranges (core/dwarf_cus.h: without libdw's walk of every CU
 * header); a module's (relocated by libdwfl) and a file without
 * .debug_aranges from dwarf_addrdie().
 */
static bool cu_at(struct kt_dwarf *dw, uint64_t addr, Dwarf_Die *cu)
{
	if (!dw->dwfl) {
		kt_dwarf_cus_load(&dw->cus, dw->dwarf, dwarf_getelf(dw->dwarf));
		if (dw->cus.ncus)
			return kt_dwarf_cus_find(&dw->cus, dw->dwarf, addr, cu);
	}
	return dwarf_addrdie(dw->dwarf, addr, cu) != NULL;
}

static int kind_of_tag(int tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
		return IDX_STRUCT;
	case DW_TAG_union_type:
		return IDX_UNION;
	case DW_TAG_enumeration_type:
		return IDX_ENUM;
	case DW_TAG_typedef:
	case DW_TAG_base_type:
		return IDX_PLAIN;
	case DW_TAG_variable:
		return IDX_VARIABLE;
	}
	return -1;
}

static bool index_die(struct kt_dwarf *dw, Dwarf_Die *die)
{
	int kind = kind_of_tag(dwarf_tag(die));
	const char *name;

	if (kind == IDX_VARIABLE && dwarf_hasattr(die, DW_AT_declaration) &&
	    dwarf_hasattr(die, DW_AT_type))
		kind = IDX_VAR_DECL;
	else if (kind < 0 || dwarf_hasattr(die, DW_AT_declaration))
		return true;
	if (kind == IDX_VARIABLE && !dwarf_hasattr(die, DW_AT_location))
		return true;
	name = dwarf_diename(die);
	if (!name)
		return true;
	return kt_hashmap_insert(&dw->index[kind], name, dwarf_dieoffset(die),
				 NULL);
}

/* Index the top-level DIEs of the next CU; false when there is none. */
static struct kt_error *index_next_cu(struct kt_dwarf *dw, bool *more)
{
	Dwarf_CU *cu = dw->next_cu;
	Dwarf_Die cudie, child;
	Dwarf_Half version;
	uint8_t unit_type;

	if (dwarf_get_units(dw->dwarf, cu, &cu, &version, &unit_type, &cudie,
			    NULL)) {
		dw->complete = true;
		*more = false;
		return NULL;
	}
	dw->next_cu = cu;
	dw->started = true;
	dw->ncus++;
	*more = true;
	// the CUs before this one are indexed: their pages can go
	kt_release_upto(&dw->scanned, dwarf_dieoffset(&cudie));
	if (dwarf_child(&cudie, &child))
		return NULL;
	do {
		if (!index_die(dw, &child))
			return &kt_error_nomem;
	} while (dwarf_siblingof(&child, &child) == 0);
	return NULL;
}

static struct kt_error *lookup(struct kt_dwarf *dw, int kind,
			       const char *name, Dwarf_Die *ret)
{
	uint64_t off;

	for (;;) {
		struct kt_error *err;
		bool more;

		if (kt_hashmap_get(&dw->index[kind], name, &off)) {
			if (!dwarf_offdie(dw->dwarf, off, ret))
				return kt_error_create(KT_ERR_CORRUPT,
					"%s: bad DIE offset 0x%lx", dw->path,
					(unsigned long)off);
			return NULL;
		}
		if (dw->complete)
			break;
		err = index_next_cu(dw, &more);
		if (err)
			return err;
		if (!more)
			break;
	}
	return kt_error_create(KT_ERR_LOOKUP, "%s '%s' not found in debuginfo",
			       kind >= IDX_VARIABLE ? "variable" : "type",
			       name);
}

struct kt_error *kt_dwarf_find_type(struct kt_dwarf *dw, const char *name,
				    Dwarf_Die *ret)
{
	static const struct {
		const char *prefix;
		int kind;
	} prefixes[] = {
		{ "struct ", IDX_STRUCT },
		{ "union ", IDX_UNION },
		{ "enum ", IDX_ENUM },
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (!strncmp(name, prefixes[i].prefix, n))
			return lookup(dw, prefixes[i].kind, name + n, ret);
	}
	return lookup(dw, IDX_PLAIN, name, ret);
}

struct kt_error *kt_dwarf_find_variable(struct kt_dwarf *dw, const char *name,
					Dwarf_Die *ret)
{
	return lookup(dw, IDX_VARIABLE, name, ret);
}

struct kt_error *kt_dwarf_variable_type(struct kt_dwarf *dw, const char *name,
					Dwarf_Die *ret)
{
	Dwarf_Attribute attr;
	struct kt_error *err;
	Dwarf_Die var;

	err = kt_dwarf_find_variable(dw, name, &var);
	// Symbols the linker script defines (jiffies) are only declared.
	if (err && kt_error_catch(&err, KT_ERR_LOOKUP))
		err = lookup(dw, IDX_VAR_DECL, name, &var);
	if (err)
		return err;
	// A definition may give its type only through DW_AT_specification.
	if (!dwarf_attr_integrate(&var, DW_AT_type, &attr) ||
	    !dwarf_formref_die(&attr, ret))
		return kt_error_create(KT_ERR_CORRUPT,
				       "variable '%s' has no type", name);
	return NULL;
}

struct kt_error *kt_dwarf_die(struct kt_dwarf *dw, Dwarf_Off off,
			      Dwarf_Die *ret)
{
	if (!dwarf_offdie(dw->dwarf, off, ret))
		return kt_error_create(KT_ERR_CORRUPT, "bad DIE offset 0x%lx",
				       (unsigned long)off);
	return NULL;
}

struct kt_error *kt_dwarf_underlying(Dwarf_Die *type, Dwarf_Die *ret)
{
	Dwarf_Die die = *type;

	// Bounded: a typedef chain longer than this is a cycle.
	for (int depth = 0; depth < 64; depth++) {
		Dwarf_Attribute attr;
		int tag = dwarf_tag(&die);

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type &&
		    tag != DW_TAG_atomic_type) {
			*ret = die;
			return NULL;
		}
		if (!dwarf_attr(&die, DW_AT_type, &attr) ||
		    !dwarf_formref_die(&attr, &die))
			return kt_error_create(KT_ERR_LOOKUP,
					       "type of void has no layout");
	}
	return kt_error_create(KT_ERR_CORRUPT, "typedef cycle in debuginfo");
}

struct kt_error *kt_dwarf_type_size(Dwarf_Die *type, uint64_t *ret)
{
	Dwarf_Word size;
	Dwarf_Die die = *type;

	if (dwarf_aggregate_size(&die, &size))
		return kt_error_create(KT_ERR_LOOKUP, "type %s has no size",
				       dwarf_diename(type) ?: "<anonymous>");
	*ret = size;
	return NULL;
}

static bool member_location(Dwarf_Die *member, uint64_t *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Word off;

	if (!dwarf_attr(member, DW_AT_data_member_location, &attr)) {
		*ret = 0;	// union members and some bitfields
		return true;
	}
	if (dwarf_formudata(&attr, &off))
		return false;	// a location expression: not in C kernels
	*ret = off;
	return true;
}

/*
 * A bitfield's place: DW_AT_data_bit_offset (DWARF 5, and gcc 11 on)
 * counts from the member's location, DW_AT_bit_offset (DWARF 2-4, as the
 * gcc 10 of 5.10 kernels writes) from the top bit of a storage unit of
 * DW_AT_byte_size, or of the member type's size, on little-endian x86.
 */
static void bitfield(Dwarf_Die *member, Dwarf_Die *mtype, struct kt_member *m)
{
	Dwarf_Attribute attr;
	Dwarf_Word bits, bitoff, bytes;
	uint64_t bit;

	if (!dwarf_attr(member, DW_AT_bit_size, &attr) ||
	    dwarf_formudata(&attr, &bits))
		return;
	m->bit_size = bits;
	if (dwarf_attr(member, DW_AT_data_bit_offset, &attr) &&
	    !dwarf_formudata(&attr, &bitoff)) {
		bit = bitoff;
	} else if (dwarf_attr(member, DW_AT_bit_offset, &attr) &&
		   !dwarf_formudata(&attr, &bitoff)) {
		if (!dwarf_attr(member, DW_AT_byte_size, &attr) ||
		    dwarf_formudata(&attr, &bytes)) {
			uint64_t size;

			if (kt_error_catch_any(kt_dwarf_type_size(mtype, &size)))
				return;
			bytes = size;
		}
		if (bitoff + bits > bytes * 8)
			return;
		bit = bytes * 8 - bitoff - bits;
	} else {
		return;
	}
	m->offset += bit / 8;
	m->bit_offset = bit % 8;
}

/* Search one level, through anonymous members; depth-bounded. */
static bool find_member(Dwarf_Die *type, const char *name, size_t len,
			struct kt_member *ret, int depth)
{
	Dwarf_Die child, mtype;

	if (depth > 16 || dwarf_child(type, &child))
		return false;
	do {
		const char *mname;
		Dwarf_Attribute attr;
		uint64_t off;

		if (dwarf_tag(&child) != DW_TAG_member ||
		    !member_location(&child, &off) ||
		    !dwarf_attr(&child, DW_AT_type, &attr) ||
		    !dwarf_formref_die(&attr, &mtype))
			continue;
		mname = dwarf_diename(&child);
		if (mname && strlen(mname) == len && !memcmp(mname, name, len)) {
			memset(ret, 0, sizeof(*ret));
			ret->offset = off;
			ret->type = dwarf_dieoffset(&mtype);
			bitfield(&child, &mtype, ret);
			return true;
		}
		if (!mname) {
			Dwarf_Die inner;

			if (kt_error_catch_any(kt_dwarf_underlying(&mtype,
								&inner)))
				continue;
			if (find_member(&inner, name, len, ret, depth + 1)) {
				ret->offset += off;
				return true;
			}
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

struct kt_error *kt_dwarf_member(Dwarf_Die *type, const char *path,
				 struct kt_member *ret)
{
	Dwarf_Die cur, mtype;
	uint64_t base = 0;
	const char *p = path;
	struct kt_error *err;

	err = kt_dwarf_underlying(type, &cur);
	if (err)
		return err;
	for (;;) {
		size_t len = strcspn(p, ".");
		struct kt_member m;

		if (!find_member(&cur, p, len, &m, 0))
			return kt_error_create(KT_ERR_LOOKUP,
				"%s %s has no member '%.*s'",
				dwarf_tag(&cur) == DW_TAG_union_type ?
				"union" : "struct",
				dwarf_diename(&cur) ?: "<anonymous>",
				(int)len, p);
		base += m.offset;
		if (!dwarf_offdie(dwarf_cu_getdwarf(cur.cu), m.type, &mtype))
			return kt_error_create(KT_ERR_CORRUPT,
					       "bad member type DIE");
		if (!p[len]) {
			*ret = m;
			ret->offset = base;
			if (kt_error_catch_any(kt_dwarf_type_size(&mtype,
								      &ret->size)))
				ret->size = 0;
			return NULL;
		}
		err = kt_dwarf_underlying(&mtype, &cur);
		if (err)
			return err;
		p += len + 1;
	}
}

void kt_dwarf_index_stats(const struct kt_dwarf *dw, unsigned *indexed,
			  bool *complete)
{
	*indexed = dw->ncus;
	*complete = dw->complete;
}

static void save_build_id(struct kt_dwarf *dw, Dwfl_Module *mod)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(mod, &bits, &vaddr);

	for (int i = 0; i < n && i < 20; i++)
		snprintf(dw->build_id + 2 * i, 3, "%02x", bits[i]);
}

const char *kt_dwarf_build_id(const struct kt_dwarf *dw)
{
	return dw->build_id;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct placement {
	const struct kt_dwarf_section *secs;
	unsigned n;
};

/* A runtime address range of a module section, and where libdwfl put it. */
struct kt_xlat {
	uint64_t rt, file, size;
};

/*
 * libdwfl lays out a .ko's sections itself; record, per section the
 * loaded module has, its runtime address and where libdwfl put it.
 */
static void build_xlat(struct kt_dwarf *dw, Dwfl_Module *mod,
		       const struct placement *place)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) ||
	    !(dw->xlat = calloc(place->n + 1, sizeof(*dw->xlat))))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC) ||
		    !(name = elf_strptr(elf, shstrndx, shdr.sh_name)))
			continue;
		for (unsigned i = 0; i < place->n; i++) {
			if (strcmp(place->secs[i].name, name) ||
			    dw->nxlat >= place->n)
				continue;
			dw->xlat[dw->nxlat].rt = place->secs[i].addr;
			dw->xlat[dw->nxlat].file = shdr.sh_addr + bias;
			dw->xlat[dw->nxlat++].size = shdr.sh_size;
		}
	}
}

/* A runtime address as the file's DWARF knows it. */
static uint64_t file_addr(const struct kt_dwarf *dw, uint64_t addr)
{
	for (unsigned i = 0; i < dw->nxlat; i++) {
		const struct kt_xlat *x = &dw->xlat[i];

		if (addr >= x->rt && addr < x->rt + x->size)
			return addr - x->rt + x->file;
	}
	return addr;
}

uint64_t kt_dwarf_runtime_addr(const struct kt_dwarf *dw, uint64_t addr)
{
	for (unsigned i = 0; i < dw->nxlat; i++) {
		const struct kt_xlat *x = &dw->xlat[i];

		if (addr >= x->file && addr < x->file + x->size)
			return addr - x->file + x->rt;
	}
	return addr;
}

static struct kt_error *open_dwfl(const char *path, const Dwfl_Callbacks *cb,
				  struct placement *place,
				  struct kt_dwarf **ret)
{
	struct kt_dwarf *dw = calloc(1, sizeof(*dw));
	Dwfl_Module *mod;
	Dwarf_Addr bias;

	if (!dw)
		return &kt_error_nomem;
	dw->owned_path = strdup(path);
	dw->dwfl = dwfl_begin(cb);
	if (!dw->owned_path || !dw->dwfl)
		goto nomem;
	// ET_REL files need their relocations applied; libdwfl does that,
	// with the section addresses the callbacks give.
	mod = dwfl_report_offline(dw->dwfl, path, path, -1);
	dwfl_report_end(dw->dwfl, NULL, NULL);
	dw->dwarf = mod ? dwfl_module_getdwarf(mod, &bias) : NULL;
	if (dw->dwarf && place)
		build_xlat(dw, mod, place);
	if (!dw->dwarf) {
		struct kt_error *err = kt_error_create(KT_ERR_NO_DWARF,
			"%s: no DWARF debug info (%s)", path,
			dwfl_errmsg(-1));

		dwfl_end(dw->dwfl);
		free(dw->owned_path);
		free(dw);
		return err;
	}
	for (int i = 0; i < NR_IDX; i++)
		kt_hashmap_init(&dw->index[i]);
	dw->path = dw->owned_path;
	save_build_id(dw, mod);
	*ret = dw;
	return NULL;
nomem:
	if (dw->dwfl)
		dwfl_end(dw->dwfl);
	free(dw->owned_path);
	free(dw);
	return &kt_error_nomem;
}

struct kt_error *kt_dwarf_open_path(const char *path, struct kt_dwarf **ret)
{
	return open_dwfl(path, &offline_callbacks, NULL, ret);
}

struct kt_error *kt_dwarf_open_module(const char *path,
				      const struct kt_dwarf_section *secs,
				      unsigned nsecs, struct kt_dwarf **ret)
{
	struct placement place = { secs, nsecs };

	// Relocation happens inside open_dwfl(), while place is alive.
	return open_dwfl(path, &offline_callbacks, &place, ret);
}

static bool cfi_rule(Dwarf_Frame *frame, int regno, struct kt_cfi_rule *r)
{
	Dwarf_Op mem[3], *ops;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (dwarf_frame_register(frame, regno, mem, &ops, &n))
		return false;
	if (!n) {
		r->kind = ops ? KT_CFI_UNDEFINED : KT_CFI_SAME;
		return true;
	}
	// libdw spells offset(N) as "call_frame_cfa; plus_uconst N" (or
	// consts N; plus) and val_offset(N) with a final stack_value.
	if (ops[0].atom == DW_OP_call_frame_cfa) {
		size_t i = 1;

		r->kind = KT_CFI_AT_CFA;
		if (i < n && ops[i].atom == DW_OP_plus_uconst) {
			r->off = ops[i++].number;
		} else if (i + 1 < n && ops[i].atom == DW_OP_consts &&
			   ops[i + 1].atom == DW_OP_plus) {
			r->off = (int64_t)ops[i].number;
			i += 2;
		}
		if (i < n && ops[i].atom == DW_OP_stack_value) {
			r->kind = KT_CFI_IS_CFA;
			i++;
		}
		if (i == n)
			return true;
	}
	if (n == 2 && ops[1].atom == DW_OP_stack_value &&
	    ((ops[0].atom == DW_OP_bregx && !ops[0].number2) ||
	     (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg16 &&
	      !ops[0].number))) {
		r->kind = KT_CFI_REG;
		r->reg = ops[0].atom == DW_OP_bregx ? ops[0].number :
			 (Dwarf_Word)(ops[0].atom - DW_OP_breg0);
		return true;
	}
	r->kind = KT_CFI_COMPLEX;
	return true;
}

struct kt_error *kt_dwarf_cfi_row(struct kt_dwarf *dw, uint64_t pc,
				  struct kt_cfi_row *ret)
{
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops;
	size_t n;
	bool ok;

	if (!dw->cfi_tried) {
		dw->cfi_tried = true;
		dw->cfi = dwarf_getcfi(dw->dwarf);
	}
	pc = file_addr(dw, pc);
	if (!dw->cfi || dwarf_cfi_addrframe(dw->cfi, pc, &frame))
		return kt_error_create(KT_ERR_LOOKUP, "no CFI for 0x%lx",
				       (unsigned long)pc);
	memset(ret, 0, sizeof(*ret));
	// libdw gives register+offset as DW_OP_bregx (or bregN).
	ok = !dwarf_frame_cfa(frame, &ops, &n) && n == 1;
	if (ok && ops[0].atom == DW_OP_bregx) {
		ret->cfa_reg = ops[0].number;
		ret->cfa_off = (int64_t)ops[0].number2;
	} else if (ok && ops[0].atom >= DW_OP_breg0 &&
		   ops[0].atom <= DW_OP_breg16) {
		ret->cfa_reg = ops[0].atom - DW_OP_breg0;
		ret->cfa_off = (int64_t)ops[0].number;
	} else {
		ok = false;
	}
	for (int r = 0; ok && r < KT_CFI_NREGS; r++)
		ok = cfi_rule(frame, r, &ret->rules[r]);
	free(frame);
	if (!ok)
		return kt_error_create(KT_ERR_LOOKUP,
				       "CFI at 0x%lx is not register+offset",
				       (unsigned long)pc);
	return NULL;
}

struct kt_error *kt_dwarf_source(struct kt_dwarf *dw, uint64_t addr,
				 const char **file, int *line)
{
	Dwarf_Die cu;
	Dwarf_Line *l;

	addr = file_addr(dw, addr);
	if (!cu_at(dw, addr, &cu) ||
	    !(l = dwarf_getsrc_die(&cu, addr)) ||
	    !(*file = dwarf_linesrc(l, NULL, NULL)) || dwarf_lineno(l, line))
		return kt_error_create(KT_ERR_LOOKUP, "no line for 0x%lx",
				       (unsigned long)addr);
	return NULL;
}

/* A DIE's name, through DW_AT_abstract_origin/specification. */
struct kt_error *kt_dwarf_index_cu_at(struct kt_dwarf *dw, uint64_t addr)
{
	Dwarf_Die cu, child;

	if (dw->complete)
		return NULL;
	if (!cu_at(dw, file_addr(dw, addr), &cu))
		return kt_error_create(KT_ERR_LOOKUP, "no CU holds 0x%lx",
				       (unsigned long)addr);
	if (dwarf_child(&cu, &child))
		return NULL;
	do {
		if (!index_die(dw, &child))
			return &kt_error_nomem;
	} while (dwarf_siblingof(&child, &child) == 0);
	return NULL;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (!dwarf_attr_integrate(die, DW_AT_name, &attr))
		return NULL;
	return dwarf_formstring(&attr);
}

#define MAX_SCOPE_DEPTH 64

/*
 * Descend from the CU into the subprogram, inlined subroutine or lexical
 * block whose ranges hold @addr, outermost first, calling @visit on each.
 * (dwarf_getscopes() goes on into the abstract definition after the first
 * inlined level, losing the levels between.)
 */
static void descend(Dwarf_Die *cu, uint64_t addr,
		    void (*visit)(Dwarf_Die *scope, int tag, void *arg),
		    void *arg)
{
	Dwarf_Die die = *cu, child;

	for (int depth = 0; depth < MAX_SCOPE_DEPTH; depth++) {
		bool found = false;

		if (dwarf_child(&die, &child))
			return;
		do {
			int tag = dwarf_tag(&child);

			if ((tag != DW_TAG_subprogram &&
			     tag != DW_TAG_inlined_subroutine &&
			     tag != DW_TAG_lexical_block) ||
			    dwarf_haspc(&child, addr) != 1)
				continue;
			visit(&child, tag, arg);
			die = child;
			found = true;
			break;
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!found)
			return;
	}
}

struct chain_walk {
	Dwarf_Die *out;
	size_t n, max;
};

static void add_function(Dwarf_Die *scope, int tag, void *arg)
{
	struct chain_walk *w = arg;

	if (tag != DW_TAG_lexical_block && w->n < w->max)
		w->out[w->n++] = *scope;
}

/* The concrete chain of functions at @addr, outermost first. */
static size_t concrete_chain(Dwarf_Die *cu, uint64_t addr, Dwarf_Die *out,
			     size_t max)
{
	struct chain_walk w = { out, 0, max };

	descend(cu, addr, add_function, &w);
	return w.n;
}

/*
 * Tasks sleep at the same few pcs (schedule, the syscall entry): a
 * direct-mapped cache of chains keeps foreach bt from walking the same
 * CU again for each.
 */
#define CHAIN_SLOTS 4096
#define CHAIN_MAX 8

struct chain_slot {
	uint64_t addr;		/* 0: empty */
	size_t n;
	struct kt_inline items[CHAIN_MAX];
};

static size_t compute_chain(struct kt_dwarf *dw, uint64_t addr,
			    struct kt_inline *ret, size_t max);

size_t kt_dwarf_inline_chain(struct kt_dwarf *dw, uint64_t addr,
			     struct kt_inline *ret, size_t max)
{
	struct chain_slot *slot;
	size_t n;

	if (!dw->chains)
		dw->chains = calloc(CHAIN_SLOTS, sizeof(*dw->chains));
	if (!dw->chains || max > CHAIN_MAX || !addr)
		return compute_chain(dw, addr, ret, max);
	slot = &dw->chains[(addr ^ (addr >> 12)) % CHAIN_SLOTS];
	if (slot->addr != addr) {
		slot->n = compute_chain(dw, addr, slot->items, CHAIN_MAX);
		slot->addr = addr;
	}
	n = slot->n < max ? slot->n : max;
	memcpy(ret, slot->items, n * sizeof(*ret));
	return n;
}

bool kt_dwarf_noreturn(struct kt_dwarf *dw, uint64_t addr)
{
	Dwarf_Die cu, chain[MAX_SCOPE_DEPTH];
	Dwarf_Attribute attr;
	bool flag = false;
	size_t n;

	addr = file_addr(dw, addr);
	if (!cu_at(dw, addr, &cu))
		return false;
	n = concrete_chain(&cu, addr, chain, MAX_SCOPE_DEPTH);
	// the outermost is the subprogram; the flag may be on its
	// declaration (DW_AT_specification)
	return n && dwarf_attr_integrate(&chain[0], DW_AT_noreturn, &attr) &&
	       !dwarf_formflag(&attr, &flag) && flag;
}

static size_t compute_chain(struct kt_dwarf *dw, uint64_t addr,
			    struct kt_inline *ret, size_t max)
{
	Dwarf_Die cu, chain[MAX_SCOPE_DEPTH];
	const char *file = NULL;
	Dwarf_Files *files;
	Dwarf_Line *l;
	size_t n, out = 0;
	int line = 0;

	addr = file_addr(dw, addr);
	if (!cu_at(dw, addr, &cu))
		return 0;
	n = concrete_chain(&cu, addr, chain, MAX_SCOPE_DEPTH);
	if ((l = dwarf_getsrc_die(&cu, addr))) {
		file = dwarf_linesrc(l, NULL, NULL);
		dwarf_lineno(l, &line);
	}
	// Innermost first; each outer one is where the inner was called.
	for (size_t i = n; i-- > 0 && out < max;) {
		Dwarf_Attribute attr;
		Dwarf_Word v;

		ret[out].function = die_name(&chain[i]);
		ret[out].file = file;
		ret[out++].line = line;
		if (dwarf_tag(&chain[i]) != DW_TAG_inlined_subroutine)
			break;
		file = NULL;
		line = 0;
		if (dwarf_attr(&chain[i], DW_AT_call_file, &attr) &&
		    !dwarf_formudata(&attr, &v) &&
		    !dwarf_getsrcfiles(&cu, &files, NULL))
			file = dwarf_filesrc(files, v, NULL, NULL);
		if (dwarf_attr(&chain[i], DW_AT_call_line, &attr) &&
		    !dwarf_formudata(&attr, &v))
			line = v;
	}
	return out;
}

static bool copy_location(Dwarf_Die *die, uint64_t addr,
			  struct kt_dwarf_var *v)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;

	v->nops = 0;
	if (!dwarf_attr_integrate(die, DW_AT_location, &attr))
		return true;	// optimized out entirely
	if (dwarf_getlocation_addr(&attr, addr, &ops, &n, 1) != 1 ||
	    n > KT_LOC_MAX_OPS)
		return true;	// not at this pc, or too complex to show
	for (size_t i = 0; i < n; i++) {
		v->ops[i].atom = ops[i].atom;
		v->ops[i].number = ops[i].number;
		v->ops[i].number2 = ops[i].number2;
	}
	v->nops = n;
	return true;
}

static bool frame_base_is_cfa(Dwarf_Die *fn)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t n;

	return dwarf_attr_integrate(fn, DW_AT_frame_base, &attr) &&
	       !dwarf_getlocation(&attr, &ops, &n) && n == 1 &&
	       ops[0].atom == DW_OP_call_frame_cfa;
}

static void add_vars(Dwarf_Die *scope, uint64_t addr, const char *function,
		     bool cfa_base, struct kt_dwarf_var *ret, size_t *n,
		     size_t max)
{
	Dwarf_Die child, type;
	Dwarf_Attribute attr;

	if (dwarf_child(scope, &child))
		return;
	do {
		int tag = dwarf_tag(&child);
		struct kt_dwarf_var *v;
		Dwarf_Word size;

		if ((tag != DW_TAG_formal_parameter && tag != DW_TAG_variable) ||
		    *n >= max)
			continue;
		v = &ret[*n];
		memset(v, 0, sizeof(*v));
		v->name = die_name(&child);
		if (!v->name)
			continue;
		v->function = function;
		v->param = tag == DW_TAG_formal_parameter;
		v->frame_base_cfa = cfa_base;
		if (dwarf_attr_integrate(&child, DW_AT_type, &attr) &&
		    dwarf_formref_die(&attr, &type)) {
			v->type = dwarf_dieoffset(&type);
			if (!dwarf_aggregate_size(&type, &size))
				v->size = size;
		}
		copy_location(&child, addr, v);
		(*n)++;
	} while (dwarf_siblingof(&child, &child) == 0);
}

struct vars_walk {
	uint64_t addr;
	const char *function;
	bool cfa_base;
	struct kt_dwarf_var *ret;
	size_t n, max;
};

static void add_scope_vars(Dwarf_Die *scope, int tag, void *arg)
{
	struct vars_walk *w = arg;

	if (tag != DW_TAG_lexical_block) {
		w->function = die_name(scope);
		if (tag == DW_TAG_subprogram)
			w->cfa_base = frame_base_is_cfa(scope);
	}
	add_vars(scope, w->addr, w->function, w->cfa_base, w->ret, &w->n,
		 w->max);
}

static size_t compute_vars(struct kt_dwarf *dw, uint64_t addr,
			   struct kt_dwarf_var *ret, size_t max)
{
	struct vars_walk w = { .ret = ret, .max = max };
	Dwarf_Die cu;

	w.addr = addr = file_addr(dw, addr);
	if (!cu_at(dw, addr, &cu))
		return 0;
	descend(&cu, addr, add_scope_vars, &w);
	// The innermost scope's variables were added last: put them first.
	for (size_t i = 0; i < w.n / 2; i++) {
		struct kt_dwarf_var t = ret[i];

		ret[i] = ret[w.n - 1 - i];
		ret[w.n - 1 - i] = t;
	}
	return w.n;
}

/*
 * Thousands of tasks sleep at the same few pcs: finding the scopes of a pc
 * walks its CU's DIEs, the cost of stale_refs and bt -v on a machine with
 * many tasks. A direct-mapped cache of each pc's variables, as for chains.
 */
size_t kt_dwarf_frame_vars(struct kt_dwarf *dw, uint64_t addr,
			   struct kt_dwarf_var *ret, size_t max)
{
	struct vars_slot *slot;
	struct kt_dwarf_var *items;
	size_t n;

	if (!dw->vars)
		dw->vars = calloc(VARS_SLOTS, sizeof(*dw->vars));
	if (!dw->vars || !addr)
		return compute_vars(dw, addr, ret, max);
	slot = &dw->vars[(addr ^ (addr >> 12)) % VARS_SLOTS];
	// a hit: the same pc, asked for no more than was computed (or the
	// computation found fewer than it could have held)
	if (slot->addr == addr && (max <= slot->max || slot->n < slot->max)) {
		n = slot->n < max ? slot->n : max;
		memcpy(ret, slot->items, n * sizeof(*ret));
		return n;
	}
	n = compute_vars(dw, addr, ret, max);
	items = malloc((n ? n : 1) * sizeof(*items));
	if (!items)
		return n;
	memcpy(items, ret, n * sizeof(*items));
	free(slot->items);
	*slot = (struct vars_slot){ .addr = addr, .n = n, .max = max,
				    .items = items };
	return n;
}

struct kt_error *kt_dwarf_enumerator(Dwarf_Die *type, const char *name,
				     int64_t *ret)
{
	Dwarf_Die die, child;
	struct kt_error *err = kt_dwarf_underlying(type, &die);

	if (err)
		return err;
	if (dwarf_tag(&die) != DW_TAG_enumeration_type)
		return kt_error_create(KT_ERR_LOOKUP, "not an enum type");
	if (dwarf_child(&die, &child) == 0) {
		do {
			Dwarf_Attribute attr;
			Dwarf_Sword v;
			const char *n = dwarf_diename(&child);

			if (dwarf_tag(&child) != DW_TAG_enumerator || !n ||
			    strcmp(n, name))
				continue;
			if (!dwarf_attr(&child, DW_AT_const_value, &attr) ||
			    dwarf_formsdata(&attr, &v))
				break;
			*ret = v;
			return NULL;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	return kt_error_create(KT_ERR_LOOKUP, "no enumerator %s", name);
}
