// SPDX-License-Identifier: GPL-2.0-or-later
/* The dump's own page reads of kdump files; see dump_pages.h. */
#include <stdlib.h>
#include <string.h>

#include "core/dump_pages.h"

#define PAGE 4096
#define SLOTS 128	/* 512 KiB: a task's stack, its structs, page tables */
#define WINDOW 64	/* what a page-table read gets: its entry's line */

struct slot {
	uint64_t pfn;
	bool valid;
	unsigned char data[PAGE];
};

struct kt_dump_pages {
	struct kt_diskdump_reader *r;
	struct slot *slots;
	addrxlat_ctx_t *xlat;	/* its page reads are these */
};

static struct kt_error *own_xlat(struct kt_dump_pages *p);

struct kt_error *kt_dump_pages_create(struct kt_diskdump *dd,
				      struct kt_dump_pages **ret)
{
	struct kt_dump_pages *p = calloc(1, sizeof(*p));
	struct kt_error *err;

	if (!p)
		return &kt_error_nomem;
	p->slots = calloc(SLOTS, sizeof(*p->slots));
	if (!p->slots) {
		free(p);
		return &kt_error_nomem;
	}
	err = kt_diskdump_reader_create(dd, &p->r);
	if (!err)
		err = own_xlat(p);
	if (err) {
		kt_dump_pages_destroy(p);
		return err;
	}
	*ret = p;
	return NULL;
}

void kt_dump_pages_destroy(struct kt_dump_pages *p)
{
	if (!p)
		return;
	if (p->xlat)
		addrxlat_ctx_decref(p->xlat);
	kt_diskdump_reader_destroy(p->r);
	free(p->slots);
	free(p);
}

/* Page @pfn, cached; NULL with *@fault when it cannot be read. */
static const unsigned char *page(struct kt_dump_pages *p, uint64_t pfn,
				 enum kt_fault *fault)
{
	// Fibonacci hashing: neighbouring pfns and page-table pages spread.
	struct slot *s = &p->slots[(pfn * 0x9e3779b97f4a7c15ULL) >> 57];

	if (s->valid && s->pfn == pfn)
		return s->data;
	s->valid = false;
	*fault = kt_diskdump_read_page(p->r, pfn, s->data);
	if (*fault)
		return NULL;
	s->pfn = pfn;
	s->valid = true;
	return s->data;
}

enum kt_fault kt_dump_pages_read(struct kt_dump_pages *p, uint64_t paddr,
				 void *buf, size_t size, size_t *done)
{
	enum kt_fault fault = KT_FAULT_NONE;

	*done = 0;
	while (*done < size) {
		uint64_t a = paddr + *done;
		size_t in = a & (PAGE - 1), n = PAGE - in;
		const unsigned char *d = page(p, a / PAGE, &fault);

		if (!d)
			return fault;
		if (n > size - *done)
			n = size - *done;
		memcpy((unsigned char *)buf + *done, d + in, n);
		*done += n;
	}
	return KT_FAULT_NONE;
}

static void put_window(const addrxlat_buffer_t *buf)
{
	free(buf->priv);
}

/*
 * libaddrxlat reads one aligned entry of at most 8 bytes from what it
 * gets (addrxlat.h): a copy of the entry's 64 bytes, freed on put, so
 * that no cache slot it holds can be reused under it.
 */
static addrxlat_status get_page(const addrxlat_cb_t *cb,
				addrxlat_buffer_t *buf)
{
	struct kt_dump_pages *p = cb->priv;
	uint64_t a = buf->addr.addr & ~(uint64_t)(WINDOW - 1);
	enum kt_fault fault;
	const unsigned char *d;
	void *w;

	if (buf->addr.as != ADDRXLAT_KPHYSADDR &&
	    buf->addr.as != ADDRXLAT_MACHPHYSADDR)
		return addrxlat_ctx_err(p->xlat, ADDRXLAT_ERR_NOTIMPL,
					"only physical pages are read");
	d = page(p, a / PAGE, &fault);
	if (!d)
		return addrxlat_ctx_err(p->xlat, ADDRXLAT_ERR_NODATA,
					"page 0x%llx is not in the dump",
					(unsigned long long)(a / PAGE));
	w = malloc(WINDOW);
	if (!w)
		return addrxlat_ctx_err(p->xlat, ADDRXLAT_ERR_NOMEM,
					"no memory for a page-table read");
	memcpy(w, d + (a & (PAGE - 1)), WINDOW);
	buf->addr.addr = a;
	buf->ptr = w;
	buf->size = WINDOW;
	buf->byte_order = ADDRXLAT_LITTLE_ENDIAN;
	buf->put_page = put_window;
	buf->priv = w;
	return ADDRXLAT_OK;
}

addrxlat_ctx_t *kt_dump_pages_xlat(struct kt_dump_pages *p)
{
	return p->xlat;
}

static unsigned long read_caps(const addrxlat_cb_t *cb)
{
	(void)cb;
	return ADDRXLAT_CAPS(ADDRXLAT_KPHYSADDR) |
	       ADDRXLAT_CAPS(ADDRXLAT_MACHPHYSADDR);
}

/*
 * A context of its own, not libkdumpfile's: libkdumpfile frees and makes
 * again its callbacks in its context whenever it sets the kernel layout up
 * anew, which would leave one chained above them pointing at freed memory.
 */
static struct kt_error *own_xlat(struct kt_dump_pages *p)
{
	addrxlat_cb_t *cb;

	p->xlat = addrxlat_ctx_new();
	cb = p->xlat ? addrxlat_ctx_add_cb(p->xlat) : NULL;
	if (!cb)
		return &kt_error_nomem;
	cb->priv = p;
	cb->get_page = get_page;
	cb->read_caps = read_caps;
	return NULL;
}
