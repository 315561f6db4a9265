// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/program.h"
#include "fuzz/common.h"
#include "fuzz/overlay.h"

static bool take(struct kt_overlay *ov, void *to, size_t n)
{
	if ((size_t)(ov->end - ov->p) < n)
		return false;
	memcpy(to, ov->p, n);
	ov->p += n;
	return true;
}

/* An 8-byte aligned word of the read, at @pos 256ths of it. */
static size_t word_at(uint8_t pos, size_t size)
{
	size_t at = (size * pos / 256) & ~(size_t)7;

	return at + 8 <= size ? at : (size < 8 ? 0 : size - 8);
}

static void put_word(void *buf, size_t size, size_t at, uint64_t v,
		     bool xor)
{
	unsigned char *b = (unsigned char *)buf + at;
	size_t n = size - at < 8 ? size - at : 8;
	uint64_t old = 0;

	memcpy(&old, b, n);
	v = xor ? old ^ v : v;
	memcpy(b, &v, n);
}

static struct kt_error *hook(void *arg, uint64_t addr, bool phys, void *buf,
			     size_t size)
{
	struct kt_overlay *ov = arg;
	uint8_t op, pos, k, n[2];
	int8_t d;
	uint64_t v;
	size_t len;

	if (++ov->reads > ov->max_reads)
		kt_fuzz_fail(__FILE__, __LINE__,
			     "a walk read more than its bound: unbounded?");
	ov->recent[ov->nrecent++ % KT_OVERLAY_RECENT] = addr;
	if (!size || !take(ov, &op, 1) || op % 8 < 4)
		return NULL;
	ov->changed++;
	switch (op % 8) {
	case 4:
		return kt_error_fault(addr, phys, KT_FAULT_EXCLUDED);
	case 5:
		if (take(ov, &pos, 1) && take(ov, &v, 8))
			put_word(buf, size, word_at(pos, size), v, true);
		break;
	case 6:
		if (take(ov, &pos, 1) && take(ov, &k, 1) && take(ov, &d, 1)) {
			v = ov->recent[(ov->nrecent - 1 - k % KT_OVERLAY_RECENT) %
				       KT_OVERLAY_RECENT] + (int64_t)d * 8;
			put_word(buf, size, word_at(pos, size), v, false);
		}
		break;
	default:
		if (!take(ov, n, 2))
			break;
		len = n[0] | n[1] << 8;
		len = len < size ? len : size;
		if (len > (size_t)(ov->end - ov->p))
			len = ov->end - ov->p;
		take(ov, buf, len);
	}
	return NULL;
}

void kt_overlay_start(struct kt_overlay *ov, struct kt_program *prog,
		      const uint8_t *data, size_t size, uint64_t max_reads)
{
	memset(ov, 0, sizeof(*ov));
	ov->p = data;
	ov->end = data + size;
	ov->max_reads = max_reads;
	kt_program_forget(prog);
	kt_dump_set_read_hook(prog->dump, hook, ov);
}

void kt_overlay_stop(struct kt_overlay *ov, struct kt_program *prog)
{
	kt_dump_set_read_hook(prog->dump, NULL, NULL);
	kt_program_forget(prog);
}
