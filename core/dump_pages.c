// SPDX-License-Identifier: GPL-2.0-or-later
/* The dump's own page reads; see dump_pages.h. */
#include <stdlib.h>
#include <string.h>

#include "core/dump_pages.h"

#define PAGE 4096
#define SLOTS 1024	/* 4 MiB: stacks, structs and page tables of many tasks */
#define WINDOW 64	/* what a page-table read gets: its entry's line */

struct slot {
	uint64_t pfn;
	bool valid;
	unsigned char data[PAGE];
};

struct kt_dump_pages {
	struct kt_page_source src;
	struct slot *slots;
	addrxlat_ctx_t *xlat;	/* its page reads are these */
};

static struct kt_error *own_xlat(struct kt_dump_pages *p);

static enum kt_fault kdump_page(void *arg, uint64_t pfn, void *buf)
{
	return kt_diskdump_read_page(arg, pfn, buf);
}

static void kdump_destroy(void *arg)
{
	kt_diskdump_reader_destroy(arg);
}

struct kt_error *kt_dump_pages_kdump(struct kt_diskdump *dd,
				     struct kt_page_source *ret)
{
	struct kt_diskdump_reader *r;
	struct kt_error *err = kt_diskdump_reader_create(dd, &r);

	if (err)
		return err;
	*ret = (struct kt_page_source){ .arg = r, .page = kdump_page,
					.destroy = kdump_destroy };
	return NULL;
}

static enum kt_fault elf_page(void *arg, uint64_t pfn, void *buf)
{
	return kt_elf_pages_read_page(arg, pfn, buf);
}

static enum kt_fault elf_bytes(void *arg, uint64_t paddr, void *buf,
			       size_t size, size_t *done)
{
	return kt_elf_pages_read(arg, paddr, buf, size, done);
}

static void elf_destroy(void *arg)
{
	kt_elf_pages_destroy(arg);
}

struct kt_error *kt_dump_pages_elf(int fd, struct kt_page_source *ret)
{
	struct kt_elf_pages *e;
	struct kt_error *err = kt_elf_pages_open(fd, &e);

	*ret = (struct kt_page_source){ .arg = e, .page = elf_page,
					.bytes = elf_bytes,
					.destroy = elf_destroy };
	return err;
}

struct kt_error *kt_dump_pages_create(const struct kt_page_source *src,
				      struct kt_dump_pages **ret)
{
	struct kt_dump_pages *p = calloc(1, sizeof(*p));
	struct kt_error *err;

	if (!p) {
		src->destroy(src->arg);
		return &kt_error_nomem;
	}
	p->src = *src;
	p->slots = calloc(SLOTS, sizeof(*p->slots));
	err = p->slots ? own_xlat(p) : &kt_error_nomem;
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
	p->src.destroy(p->src.arg);
	free(p->slots);
	free(p);
}

/* Page @pfn, cached; NULL with *@fault when it cannot be read. */
static const unsigned char *page(struct kt_dump_pages *p, uint64_t pfn,
				 enum kt_fault *fault)
{
	// Fibonacci hashing: neighbouring pfns and page-table pages spread.
	struct slot *s = &p->slots[(pfn * 0x9e3779b97f4a7c15ULL) >> 54];

	if (s->valid && s->pfn == pfn)
		return s->data;
	s->valid = false;
	*fault = p->src.page(p->src.arg, pfn, s->data);
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
		size_t in = a & (PAGE - 1), n = PAGE - in, got;
		const unsigned char *d = page(p, a / PAGE, &fault);

		if (n > size - *done)
			n = size - *done;
		if (!d && fault == KT_FAULT_EXCLUDED && p->src.bytes) {
			// Part of the page may be held: as much as is.
			fault = p->src.bytes(p->src.arg, a,
					     (unsigned char *)buf + *done, n,
					     &got);
			*done += got;
			if (fault)
				return fault;
			continue;
		}
		if (!d)
			return fault;
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
	size_t done;
	void *w;

	if (buf->addr.as != ADDRXLAT_KPHYSADDR &&
	    buf->addr.as != ADDRXLAT_MACHPHYSADDR)
		return addrxlat_ctx_err(p->xlat, ADDRXLAT_ERR_NOTIMPL,
					"only physical pages are read");
	w = malloc(WINDOW);
	if (!w)
		return addrxlat_ctx_err(p->xlat, ADDRXLAT_ERR_NOMEM,
					"no memory for a page-table read");
	fault = kt_dump_pages_read(p, a, w, WINDOW, &done);
	if (fault) {
		free(w);
		return addrxlat_ctx_err(p->xlat, ADDRXLAT_ERR_NODATA,
					"physical address 0x%llx is not in "
					"the dump", (unsigned long long)a);
	}
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
