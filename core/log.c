// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/log.h"
#include "core/program.h"

/* printk_ringbuffer.h: the top two bits of state_var are the state. */
#define DESC_SV_BITS 64
#define DESC_FLAGS_SHIFT (DESC_SV_BITS - 2)
#define DESC_ID_MASK (~(3ULL << DESC_FLAGS_SHIFT))
#define DESC_RESERVED 0
#define DESC_COMMITTED 1
#define DESC_FINALIZED 2
#define MAX_LOG_BYTES (256u << 20)

struct prb_layout {
	uint64_t desc_ring, text_ring;		/* in printk_ringbuffer */
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t size_bits, data;
	uint64_t desc_size, sv, text_lpos, lpos_begin, lpos_next;
	uint64_t info_size, seq, ts, text_len, caller_id;
};

static struct kt_error *off(struct kt_program *prog, const char *type,
			    const char *member, uint64_t *ret)
{
	return kt_type_member_offset(prog, type, member, ret);
}

/*
 * The members read out of copies of whole descriptors and infos must lie
 * inside them: without DWARF the layout is VMCOREINFO's word alone.
 */
static struct kt_error *not_inside(const char *type, const char *member,
				   uint64_t off, uint64_t size)
{
	return kt_error_create(KT_ERR_CORRUPT,
		"%s.%s at offset %llu does not fit in the %llu bytes of %s: "
		"VMCOREINFO OFFSET(%s.%s) or SIZE(%s) is corrupt", type,
		member, (unsigned long long)off, (unsigned long long)size,
		type, type, member, type);
}

static struct kt_error *prb_layout_fits(const struct prb_layout *l)
{
	const char *d = "prb_desc", *i = "printk_info";

	if (!kt_fits(l->sv, 8, l->desc_size))
		return not_inside(d, "state_var", l->sv, l->desc_size);
	if (!kt_fits(l->text_lpos, 16, l->desc_size))
		return not_inside(d, "text_blk_lpos", l->text_lpos,
				  l->desc_size);
	if (!kt_fits(l->lpos_begin, 8, 16))
		return not_inside("prb_data_blk_lpos", "begin", l->lpos_begin,
				  16);
	if (!kt_fits(l->lpos_next, 8, 16))
		return not_inside("prb_data_blk_lpos", "next", l->lpos_next,
				  16);
	if (!kt_fits(l->seq, 8, l->info_size))
		return not_inside(i, "seq", l->seq, l->info_size);
	if (!kt_fits(l->ts, 8, l->info_size))
		return not_inside(i, "ts_nsec", l->ts, l->info_size);
	if (!kt_fits(l->text_len, 2, l->info_size))
		return not_inside(i, "text_len", l->text_len, l->info_size);
	if (!kt_fits(l->caller_id, 4, l->info_size))
		return not_inside(i, "caller_id", l->caller_id, l->info_size);
	return NULL;
}

static struct kt_error *prb_layout(struct kt_program *prog,
				   struct prb_layout *l)
{
	struct kt_error *err = NULL;
	const char *ring = "struct printk_ringbuffer", *dr = "struct prb_desc_ring";
	const char *tr = "struct prb_data_ring", *d = "struct prb_desc";
	const char *i = "struct printk_info";

	// The ring's types are printk_ringbuffer.c's, far down the CUs.
	kt_type_hint(prog, "prb_reserve");
	if (!err) err = off(prog, ring, "desc_ring", &l->desc_ring);
	if (!err) err = off(prog, ring, "text_data_ring", &l->text_ring);
	if (!err) err = off(prog, dr, "count_bits", &l->count_bits);
	if (!err) err = off(prog, dr, "descs", &l->descs);
	if (!err) err = off(prog, dr, "infos", &l->infos);
	if (!err) err = off(prog, dr, "head_id", &l->head_id);
	if (!err) err = off(prog, dr, "tail_id", &l->tail_id);
	if (!err) err = off(prog, tr, "size_bits", &l->size_bits);
	if (!err) err = off(prog, tr, "data", &l->data);
	if (!err) err = kt_type_size(prog, d, &l->desc_size);
	if (!err) err = off(prog, d, "state_var", &l->sv);
	if (!err) err = off(prog, d, "text_blk_lpos", &l->text_lpos);
	if (!err) err = off(prog, "struct prb_data_blk_lpos", "begin",
			    &l->lpos_begin);
	if (!err) err = off(prog, "struct prb_data_blk_lpos", "next",
			    &l->lpos_next);
	if (!err) err = kt_type_size(prog, i, &l->info_size);
	if (!err) err = off(prog, i, "seq", &l->seq);
	if (!err) err = off(prog, i, "ts_nsec", &l->ts);
	if (!err) err = off(prog, i, "text_len", &l->text_len);
	if (!err) err = off(prog, i, "caller_id", &l->caller_id);
	return err ? err : prb_layout_fits(l);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static bool add_record(struct kt_log *log, size_t *cap,
		       const struct kt_log_record *rec)
{
	if (log->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 512;
		void *p = realloc(log->recs, ncap * sizeof(*log->recs));

		if (!p)
			return false;
		log->recs = p;
		*cap = ncap;
	}
	log->recs[log->n++] = *rec;
	return true;
}

struct prb {
	struct prb_layout l;
	uint32_t count_bits, size_bits;
	uint64_t head_id, tail_id, descs, infos, data;
	unsigned char *desc_buf, *info_buf;
};

static struct kt_error *prb_read(struct kt_program *prog, struct prb *r,
				 struct kt_log *log)
{
	struct kt_error *err;
	uint64_t prb, ring, count, size, descs_len, infos_len;

	err = prb_layout(prog, &r->l);
	if (!err)
		err = kt_symbol_address(prog, "prb", &prb);
	if (!err)
		err = kt_read_u64(prog, prb, &prb);
	if (err)
		return err;
	ring = prb + r->l.desc_ring;
	if ((err = kt_read_u32(prog, ring + r->l.count_bits, &r->count_bits)) ||
	    (err = kt_read_u64(prog, ring + r->l.descs, &r->descs)) ||
	    (err = kt_read_u64(prog, ring + r->l.infos, &r->infos)) ||
	    (err = kt_read_u64(prog, ring + r->l.head_id, &r->head_id)) ||
	    (err = kt_read_u64(prog, ring + r->l.tail_id, &r->tail_id)))
		return err;
	ring = prb + r->l.text_ring;
	if ((err = kt_read_u32(prog, ring + r->l.size_bits, &r->size_bits)) ||
	    (err = kt_read_u64(prog, ring + r->l.data, &r->data)))
		return err;
	if (r->count_bits > 24 || r->size_bits > 28)
		return kt_error_create(KT_ERR_CORRUPT,
			"printk ring buffer: implausible size (count_bits %u,"
			" size_bits %u)", r->count_bits, r->size_bits);
	count = 1ULL << r->count_bits;
	size = 1ULL << r->size_bits;
	if (!kt_array_bytes(count, r->l.desc_size, &descs_len) ||
	    !kt_array_bytes(count, r->l.info_size, &infos_len))
		return kt_error_create(KT_ERR_CORRUPT,
			"printk ring buffer: %llu descriptors of %llu bytes and"
			" infos of %llu bytes are more than ktriage reads",
			(unsigned long long)count,
			(unsigned long long)r->l.desc_size,
			(unsigned long long)r->l.info_size);
	r->desc_buf = malloc(descs_len);
	r->info_buf = malloc(infos_len);
	log->data = malloc(size);
	if (!r->desc_buf || !r->info_buf || !log->data)
		return &kt_error_nomem;
	if ((err = kt_read(prog, r->descs, r->desc_buf, descs_len)) ||
	    (err = kt_read(prog, r->infos, r->info_buf, infos_len)) ||
	    (err = kt_read(prog, r->data, log->data, size)))
		return kt_error_wrap(err, "printk ring buffer");
	return NULL;
}

static struct kt_error *prb_records(struct prb *r, struct kt_log *log)
{
	uint64_t count = 1ULL << r->count_bits, size = 1ULL << r->size_bits;
	const struct prb_layout *l = &r->l;
	size_t cap = 0, skipped = 0;
	uint64_t id = r->tail_id & DESC_ID_MASK;

	// At most one record per descriptor.
	log->info_index = malloc(count * sizeof(*log->info_index));
	if (!log->info_index)
		return &kt_error_nomem;

	for (uint64_t n = 0; n < count; n++, id = (id + 1) & DESC_ID_MASK) {
		const unsigned char *d = r->desc_buf + (id % count) * l->desc_size;
		const unsigned char *info = r->info_buf +
					    (id % count) * l->info_size;
		uint64_t sv = get64(d + l->sv), begin, next, o;
		struct kt_log_record rec = { 0 };
		unsigned state = sv >> DESC_FLAGS_SHIFT;
		uint16_t len;

		if ((sv & DESC_ID_MASK) != id ||
		    (state != DESC_COMMITTED && state != DESC_FINALIZED)) {
			// Reserved: a record was being written at the crash.
			if ((sv & DESC_ID_MASK) == id && state == DESC_RESERVED)
				skipped++;
			goto next;
		}
		begin = get64(d + l->text_lpos + l->lpos_begin);
		next = get64(d + l->text_lpos + l->lpos_next);
		memcpy(&len, info + l->text_len, 2);
		rec.seq = get64(info + l->seq);
		rec.ts_nsec = get64(info + l->ts);
		memcpy(&rec.caller_id, info + l->caller_id, 4);
		rec.level = -1;
		rec.text = log->data;
		if (!(begin & 1) && !(next & 1)) {
			// A block that wraps starts again at offset 0.
			o = (begin >> r->size_bits) != (next >> r->size_bits) ?
				    0 : begin % size;
			o += 8;	// the block's id
			if (o + len > size)
				len = o < size ? size - o : 0;
			rec.text = log->data + o;
			rec.len = len;
		}
		if (!add_record(log, &cap, &rec))
			return &kt_error_nomem;
		log->info_index[log->n - 1] = id % count;
next:
		if (id == (r->head_id & DESC_ID_MASK))
			break;
	}
	if (skipped && asprintf(&log->warning,
				"%zu record%s still being written at the crash"
				" and left out", skipped,
				skipped == 1 ? " was" : "s were") < 0)
		log->warning = NULL;
	return NULL;
}

static struct kt_error *load_lockless(struct kt_program *prog,
				      struct kt_log *log)
{
	struct prb r = { 0 };
	struct kt_error *err = prb_read(prog, &r, log);

	if (!err)
		err = prb_records(&r, log);
	free(r.desc_buf);
	// Kept for kt_log_levels().
	log->infos = r.info_buf;
	log->info_size = r.l.info_size;
	return err;
}

/* Before 5.10: struct printk_log records in log_buf. */
static struct kt_error *load_logbuf(struct kt_program *prog,
				    struct kt_log *log)
{
	uint64_t buf, a, hsize, o_ts, o_len, o_tlen;
	uint32_t len, first, next;
	struct kt_error *err;
	size_t cap = 0;

	kt_type_hint(prog, "log_store");	// struct printk_log's file
	if ((err = kt_symbol_address(prog, "log_buf", &a)) ||
	    (err = kt_read_u64(prog, a, &buf)) ||
	    (err = kt_symbol_address(prog, "log_buf_len", &a)) ||
	    (err = kt_read_u32(prog, a, &len)) ||
	    (err = kt_symbol_address(prog, "log_first_idx", &a)) ||
	    (err = kt_read_u32(prog, a, &first)) ||
	    (err = kt_symbol_address(prog, "log_next_idx", &a)) ||
	    (err = kt_read_u32(prog, a, &next)) ||
	    (err = kt_type_size(prog, "struct printk_log", &hsize)) ||
	    (err = off(prog, "struct printk_log", "ts_nsec", &o_ts)) ||
	    (err = off(prog, "struct printk_log", "len", &o_len)) ||
	    (err = off(prog, "struct printk_log", "text_len", &o_tlen)))
		return err;
	if (!kt_fits(o_ts, 8, hsize))
		return not_inside("printk_log", "ts_nsec", o_ts, hsize);
	if (!kt_fits(o_len, 2, hsize))
		return not_inside("printk_log", "len", o_len, hsize);
	if (!kt_fits(o_tlen, 2, hsize))
		return not_inside("printk_log", "text_len", o_tlen, hsize);
	if (len > MAX_LOG_BYTES || first >= len || next >= len)
		return kt_error_create(KT_ERR_CORRUPT, "log_buf: bad indexes");
	log->data = malloc(len);
	if (!log->data)
		return &kt_error_nomem;
	err = kt_read(prog, buf, log->data, len);
	if (err)
		return err;
	for (uint32_t idx = first, n = 0; idx != next && n < len; n++) {
		const unsigned char *h = (unsigned char *)log->data + idx;
		struct kt_log_record rec = { .level = -1 };
		uint16_t rlen, tlen;

		if (idx + hsize > len)
			break;
		memcpy(&rlen, h + o_len, 2);
		if (!rlen) {	// wrap marker
			idx = 0;
			continue;
		}
		memcpy(&tlen, h + o_tlen, 2);
		rec.ts_nsec = get64(h + o_ts);
		rec.seq = n;
		rec.text = log->data + idx + hsize;
		rec.len = idx + hsize + tlen <= len ? tlen : 0;
		if (!add_record(log, &cap, &rec))
			return &kt_error_nomem;
		idx += rlen;
		if (idx >= len)
			break;
	}
	return NULL;
}

struct kt_error *kt_log_load(struct kt_program *prog,
			     const struct kt_log **ret)
{
	struct kt_log *log;
	struct kt_error *err;
	uint64_t a;

	if (prog->log) {
		*ret = prog->log;
		return NULL;
	}
	log = calloc(1, sizeof(*log));
	if (!log)
		return &kt_error_nomem;
	if (!kt_error_catch_any(kt_symbol_address(prog, "prb", &a)))
		err = load_lockless(prog, log);
	else
		err = load_logbuf(prog, log);
	if (err) {
		kt_log_destroy(log);
		return kt_error_wrap(err, "reading the kernel log");
	}
	prog->log = log;
	*ret = log;
	return NULL;
}

struct kt_error *kt_log_load_levels(struct kt_program *prog,
				    const struct kt_log **ret)
{
	struct kt_member level;
	struct kt_error *err;
	struct kt_log *log;

	err = kt_log_load(prog, ret);
	if (err)
		return err;
	log = prog->log;
	if (log->levels_loaded || !log->infos || !kt_program_has_types(prog))
		return NULL;
	err = kt_type_member(prog, "struct printk_info", "level", &level);
	if (err)
		return err;
	if (!level.bit_size || level.offset >= log->info_size)
		return kt_error_create(KT_ERR_UNSUPPORTED,
				       "printk_info.level is not a bitfield");
	for (size_t i = 0; i < log->n; i++) {
		const unsigned char *info = log->infos +
					    log->info_index[i] * log->info_size;

		log->recs[i].level = (info[level.offset] >> level.bit_offset) &
				     ((1u << level.bit_size) - 1);
	}
	log->levels_loaded = true;
	return NULL;
}

void kt_log_destroy(struct kt_log *log)
{
	if (!log)
		return;
	free(log->infos);
	free(log->info_index);
	free(log->recs);
	free(log->data);
	free(log->warning);
	free(log);
}
