// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/dump.h"
#include "core/mm.h"
#include "core/program.h"
#include "core/vmcoreinfo.h"

/* The non-KASLR bases, for kernels without the *_base variables. */
#define DEFAULT_PAGE_OFFSET 0xffff888000000000ULL
#define DEFAULT_VMEMMAP 0xffffea0000000000ULL
#define DEFAULT_VMALLOC 0xffffc90000000000ULL

/*
 * Page types live in _mapcount (page_type), in one of two encodings, told
 * apart by the value vmcoreinfo gives for a type (its PAGE_*_MAPCOUNT_VALUE):
 * - inverted bits (4.18 on): a page of type T has its bit T clear under a
 *   base of set high bits; the value is ~T (0xffffff7f for buddy);
 * - a type byte (6.12 on, enum pagetype): page_type >> 24 is the type,
 *   the low 24 bits are the type's own; the value is PGTY_x << 24.
 */
#define PAGE_TYPE_BASE 0xf0000000u

static bool page_type_match(uint32_t value, uint32_t page_type)
{
	uint32_t flag, base;

	if (!value)
		return false;
	if (!(value & 0xffffffu))
		return page_type >> 24 == value >> 24;
	flag = ~value;
	base = PAGE_TYPE_BASE & ~flag;
	return (page_type & (base | flag)) == base;
}

static uint64_t read_var(struct kt_program *prog, const char *name,
			 uint64_t fallback)
{
	uint64_t addr, v;

	if (kt_error_catch_any(kt_symbol_address(prog, name, &addr)) ||
	    kt_error_catch_any(kt_read_u64(prog, addr, &v)))
		return fallback;
	return v;
}

/*
 * A constant from VMCOREINFO's @key within [@min, @max], else enumerator
 * @name of @type in DWARF; *@from_vmcoreinfo says which. False when
 * neither has it. A value out of its range was reported at open or is
 * reported here, naming the key, and passed over.
 */
static bool number_or_enum(struct kt_program *prog, const char *key,
			   int64_t min, int64_t max, const char *type,
			   const char *name, int64_t *ret,
			   bool *from_vmcoreinfo)
{
	struct kt_error *err;

	err = kt_vmcoreinfo_number(prog->dump, key, min, max, ret);
	if (err && err->code == KT_ERR_CORRUPT)
		kt_program_warn(prog, "%s; ktriage does without it",
				err->message);
	*from_vmcoreinfo = !err;
	kt_error_destroy(err);
	if (*from_vmcoreinfo)
		return true;
	return *type && !kt_error_catch_any(kt_enum_value(prog, type, name,
							  ret));
}

static int page_flag(struct kt_program *prog, const char *name)
{
	char key[64];
	bool vi;
	int64_t v, e;

	snprintf(key, sizeof(key), "NUMBER(%s)", name);
	if (!number_or_enum(prog, key, 0, 63, "enum pageflags", name, &v, &vi))
		return -1;
	// The vmlinux's enum is trusted over the dump's word.
	if (vi && !kt_error_catch_any(kt_enum_value(prog, "enum pageflags",
						    name, &e))) {
		kt_program_warn_vmcoreinfo(prog, key, v, e);
		v = e;
	}
	return (int)v;
}

/*
 * Where a compound page's order is, from its head's struct page: the first
 * tail page's compound_order, or from 6.6 ("mm: free
 * up a word in the first tail page") the low byte of folio->_flags_1, which
 * is that tail page's flags.
 */
static struct kt_error *order_offset(struct kt_program *prog, struct kt_mm *mm)
{
	struct kt_error *err;
	uint64_t off;

	err = kt_type_member_offset(prog, "struct page", "compound_order", &off);
	if (!err) {
		mm->off_order = mm->page_struct_size + off;
		return NULL;
	}
	if (!kt_error_catch_any(kt_type_member_offset(prog, "struct folio",
						      "_flags_1", &off))) {
		kt_error_destroy(err);
		mm->off_order = off;
		return NULL;
	}
	return kt_error_wrap(err, "struct page, and struct folio has no "
			     "_flags_1 either: the compound order");
}

/*
 * kt_mm_page() reads members out of a copy of a whole struct page: each
 * must lie inside it (without DWARF, the layout is VMCOREINFO's word).
 */
static struct kt_error *layout_fits(const struct kt_mm *mm)
{
	const struct {
		const char *name;
		uint64_t off, width;
	} m[] = {
		{ "flags", mm->off_flags, 8 },
		{ "mapping", mm->off_mapping, 8 },
		{ "private", mm->off_private, 8 },
		{ "_mapcount", mm->off_mapcount, 4 },
		{ "_refcount", mm->off_refcount, 4 },
		{ "compound_head", mm->off_head, 8 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!kt_fits(m[i].off, m[i].width, mm->page_struct_size))
			return kt_error_create(KT_ERR_CORRUPT,
				"struct page.%s at offset %llu does not fit in "
				"its %llu bytes: the layout (VMCOREINFO OFFSET"
				"(page.%s), SIZE(page)) is corrupt", m[i].name,
				(unsigned long long)m[i].off,
				(unsigned long long)mm->page_struct_size,
				m[i].name);
	return NULL;
}

static struct kt_error *load_layout(struct kt_program *prog, struct kt_mm *mm)
{
	static const struct {
		const char *member;
		size_t off;
	} members[] = {
		{ "flags", offsetof(struct kt_mm, off_flags) },
		{ "mapping", offsetof(struct kt_mm, off_mapping) },
		{ "private", offsetof(struct kt_mm, off_private) },
		{ "_mapcount", offsetof(struct kt_mm, off_mapcount) },
		{ "_refcount", offsetof(struct kt_mm, off_refcount) },
	};
	struct kt_error *err;

	err = kt_type_size(prog, "struct page", &mm->page_struct_size);
	if (err)
		return err;
	// kt_mm_page() copies struct pages into 256-byte buffers, and
	// divides by the size (slab.c): no kernel's is under 32 bytes.
	if (mm->page_struct_size < 32 || mm->page_struct_size > 256)
		return kt_error_create(KT_ERR_UNSUPPORTED,
				       "struct page of %llu bytes",
				       (unsigned long long)mm->page_struct_size);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		uint64_t *off = (uint64_t *)((char *)mm + members[i].off);

		err = kt_type_member_offset(prog, "struct page",
					    members[i].member, off);
		if (err)
			return kt_error_wrap(err, "struct page");
	}
	// A tail page's link to its head: compound_head, renamed
	// compound_info when it could also hold a mask (see tail_head()).
	err = kt_type_member_offset(prog, "struct page", "compound_head",
				    &mm->off_head);
	if (err && !kt_error_catch_any(kt_type_member_offset(prog,
			"struct page", "compound_info", &mm->off_head))) {
		kt_error_destroy(err);
		err = NULL;
	}
	if (err)
		return kt_error_wrap(err, "struct page (nor compound_info)");
	err = layout_fits(mm);
	return err ? err : order_offset(prog, mm);
}

/* A page type's _mapcount value in one of the two encodings (above). */
static bool page_type_value_ok(int64_t v)
{
	uint32_t u = (uint32_t)v, flag = ~u;

	if (!(u & 0xffffffu))
		return u != 0;
	return !(flag & (flag - 1)) && (flag & ~PAGE_TYPE_BASE) && flag;
}

/*
 * The _mapcount value of a page of type @name: from vmcoreinfo, else from
 * the type byte of enum pagetype, else ~@flag, the bit of the inverted
 * encoding before either existed (0 for none). @bits: the dump's
 * vmcoreinfo gave a type in the inverted encoding, so this kernel has no
 * enum pagetype (it came with the type byte): no lookup of it, which
 * would index every CU of the DWARF to find nothing.
 */
static uint32_t page_type_value(struct kt_program *prog, const char *name,
				const char *pgty, uint32_t flag, bool bits)
{
	char key[64];
	bool vi;
	int64_t v;

	snprintf(key, sizeof(key), "NUMBER(PAGE_%s_MAPCOUNT_VALUE)", name);
	if (number_or_enum(prog, key, INT32_MIN, UINT32_MAX,
			   bits ? "" : "enum pagetype", pgty, &v, &vi) && !vi)
		return (uint32_t)v << 24;
	if (vi && page_type_value_ok(v))
		return (uint32_t)v;
	if (vi)
		kt_program_warn(prog, "VMCOREINFO %s=%" PRId64 " is neither "
				"~bit nor a type byte: the dump's VMCOREINFO is "
				"corrupt; ktriage does without it", key, v);
	if (vi && !kt_error_catch_any(kt_enum_value(prog, "enum pagetype",
						    pgty, &v)))
		return (uint32_t)v << 24;
	return flag ? ~flag : 0;
}

static void load_flags(struct kt_program *prog, struct kt_mm *mm)
{
	bool vi, bits;
	int64_t n;

	mm->pg_slab = page_flag(prog, "PG_slab");
	mm->pg_head = page_flag(prog, "PG_head");
	if (number_or_enum(prog, "NUMBER(PG_head_mask)", 1, INT64_MAX, "", "",
			   &n, &vi) && vi) {
		if (mm->pg_head < 0)
			mm->pg_head = __builtin_ctzll(n);
		else if ((uint64_t)n != 1ULL << mm->pg_head)
			kt_program_warn(prog, "VMCOREINFO NUMBER(PG_head_mask)"
					"=%" PRId64 " is not 1 << PG_head (%d) of "
					"the vmlinux's DWARF: the dump's "
					"VMCOREINFO is corrupt; ktriage uses the "
					"DWARF value", n, mm->pg_head);
	}
	mm->pg_reserved = page_flag(prog, "PG_reserved");
	mm->pt_buddy = page_type_value(prog, "BUDDY", "PGTY_buddy", 0x80,
				       false);
	// the buddy type as a bit (~0x80, not a type byte in the top byte)
	bits = mm->pt_buddy & 0xffffffu;
	mm->pt_offline = page_type_value(prog, "OFFLINE", "PGTY_offline",
					 0x100, bits);
	mm->pt_table = page_type_value(prog, "TABLE", "PGTY_table", 0x200,
				       bits);
	// 46df8e73a4a3 (6.10): PG_slab became a page type.
	mm->pt_slab = page_type_value(prog, "SLAB", "PGTY_slab", 0, bits);
	mm->max_order = 11;
	if (number_or_enum(prog, "LENGTH(zone.free_area)", 1, 20, "", "", &n,
			   &vi) && vi)
		mm->max_order = (unsigned)n;
}

struct kt_error *kt_mm_get(struct kt_program *prog, const struct kt_mm **ret)
{
	struct kt_error *err;
	struct kt_mm *mm;

	if (prog->mm) {
		*ret = prog->mm;
		return NULL;
	}
	mm = calloc(1, sizeof(*mm));
	if (!mm)
		return &kt_error_nomem;
	err = load_layout(prog, mm);
	if (err) {
		free(mm);
		return kt_error_wrap(err, "the memory map");
	}
	mm->page_offset = read_var(prog, "page_offset_base", DEFAULT_PAGE_OFFSET);
	mm->vmemmap = read_var(prog, "vmemmap_base", DEFAULT_VMEMMAP);
	mm->vmalloc_start = read_var(prog, "vmalloc_base", DEFAULT_VMALLOC);
	mm->vmalloc_end = mm->vmalloc_start + KT_VMALLOC_SIZE;
	mm->max_pfn = read_var(prog, "max_pfn", kt_dump_info(prog->dump)->max_pfn);
	load_flags(prog, mm);
	prog->mm = mm;
	*ret = mm;
	return NULL;
}

void kt_mm_destroy(struct kt_mm *mm)
{
	free(mm);
}

bool kt_mm_direct_pfn(const struct kt_mm *mm, uint64_t addr, uint64_t *ret)
{
	// The direct map spans 64 TiB in 4-level paging, but KASLR packs the
	// regions: the vmalloc area may start sooner.
	uint64_t end = mm->page_offset + (64ULL << 40);

	if (mm->vmalloc_start > mm->page_offset && mm->vmalloc_start < end)
		end = mm->vmalloc_start;
	if (addr < mm->page_offset || addr >= end)
		return false;
	*ret = (addr - mm->page_offset) >> KT_PAGE_SHIFT;
	return true;
}

uint64_t kt_mm_pfn_to_page(const struct kt_mm *mm, uint64_t pfn)
{
	return mm->vmemmap + pfn * mm->page_struct_size;
}

uint64_t kt_mm_pfn_to_virt(const struct kt_mm *mm, uint64_t pfn)
{
	return mm->page_offset + (pfn << KT_PAGE_SHIFT);
}

static uint64_t word_at(const uint8_t *buf, uint64_t off)
{
	uint64_t v;

	memcpy(&v, buf + off, sizeof(v));
	return v;
}

static uint32_t u32_at(const uint8_t *buf, uint64_t off)
{
	uint32_t v;

	memcpy(&v, buf + off, sizeof(v));
	return v;
}

/*
 * The head of tail page @page from its compound_head/compound_info word
 * @info (bit 0 set): the head's address + 1, or, where the kernel keeps a
 * mask there instead (compound_info_has_mask(): HugeTLB vmemmap
 * optimisation with a power-of-2 struct page), GENMASK(63, shift) | 1 to
 * apply to the tail's own address. A mask is all ones from bit 63 down,
 * which no struct page address is.
 */
static uint64_t tail_head(const struct kt_mm *mm, uint64_t page, uint64_t info)
{
	uint64_t v = info - 1, low = ~v;

	(void)mm;
	if (v && !(low & (low + 1)) && low >= 63)
		return page & v;
	return v;
}

struct kt_error *kt_mm_page(struct kt_program *prog, uint64_t pfn,
			    struct kt_page *ret)
{
	uint8_t buf[256], head[256];
	const struct kt_mm *mm;
	struct kt_error *err;
	uint64_t ch;

	err = kt_mm_get(prog, &mm);
	if (err)
		return err;
	memset(ret, 0, sizeof(*ret));
	ret->pfn = ret->head_pfn = pfn;
	ret->page = ret->head = kt_mm_pfn_to_page(mm, pfn);
	err = kt_read(prog, ret->page, buf, mm->page_struct_size);
	if (err)
		return kt_error_wrap(err, "struct page of pfn 0x%llx",
				     (unsigned long long)pfn);
	ret->private = word_at(buf, mm->off_private);
	ret->page_type = u32_at(buf, mm->off_mapcount);
	memcpy(head, buf, mm->page_struct_size);
	ch = word_at(buf, mm->off_head);
	if (ch & 1) {
		uint64_t h = tail_head(mm, ret->page, ch);

		if (h < mm->vmemmap || (h - mm->vmemmap) % mm->page_struct_size)
			return kt_error_create(KT_ERR_CORRUPT,
					       "pfn 0x%llx: bad compound_head 0x%llx",
					       (unsigned long long)pfn,
					       (unsigned long long)ch);
		ret->head = h;
		ret->head_pfn = (h - mm->vmemmap) / mm->page_struct_size;
		ret->compound = true;
		err = kt_read(prog, h, head, mm->page_struct_size);
		if (err)
			return kt_error_wrap(err, "head page of pfn 0x%llx",
					     (unsigned long long)pfn);
	}
	ret->head_type = u32_at(head, mm->off_mapcount);
	ret->flags = word_at(head, mm->off_flags);
	ret->mapping = word_at(head, mm->off_mapping);
	ret->refcount = (int32_t)u32_at(head, mm->off_refcount);
	if (mm->pg_head >= 0 && (ret->flags >> mm->pg_head) & 1) {
		uint8_t order;

		ret->compound = true;
		// an order past any page size (a gigantic page is order 18
		// to 22) is corruption: not used to size anything
		if (!kt_error_catch_any(kt_read_u8(prog, ret->head +
						   mm->off_order, &order)) &&
		    order <= KT_MM_MAX_COMPOUND_ORDER)
			ret->order = order;
	}
	return NULL;
}

bool kt_mm_page_has_type(const struct kt_mm *mm, const struct kt_page *p,
			 uint32_t type)
{
	(void)mm;
	return page_type_match(type, p->page_type);
}

bool kt_mm_page_slab(const struct kt_mm *mm, const struct kt_page *p)
{
	// A slab is a folio: its head page has the type, its tails do not.
	if (mm->pt_slab)
		return page_type_match(mm->pt_slab, p->head_type);
	return mm->pg_slab >= 0 && (p->flags >> mm->pg_slab) & 1;
}

bool kt_mm_page_buddy(const struct kt_mm *mm, const struct kt_page *p)
{
	return kt_mm_page_has_type(mm, p, mm->pt_buddy);
}

bool kt_mm_buddy_block(struct kt_program *prog, uint64_t pfn,
		       uint64_t *first, unsigned *order)
{
	const struct kt_mm *mm;

	if (kt_error_catch_any(kt_mm_get(prog, &mm)))
		return false;
	for (unsigned o = 0; o < mm->max_order; o++) {
		uint64_t start = pfn & ~((1ULL << o) - 1);
		struct kt_page p;

		if (kt_error_catch_any(kt_mm_page(prog, start, &p)))
			return false;
		// A buddy head's private is its order.
		if (kt_mm_page_buddy(mm, &p) && p.private >= o &&
		    p.private < mm->max_order) {
			*first = start;
			*order = (unsigned)p.private;
			return pfn < start + (1ULL << p.private);
		}
	}
	return false;
}
