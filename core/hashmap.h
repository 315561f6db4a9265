/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An open-addressing map from strings to 64-bit values.
 *
 * Keys are borrowed: the caller keeps each key alive and unchanged while it
 * is in the map (ktriage's keys live in mmapped ELF/DWARF sections or in
 * string pools owned by the map's owner). Inserting an existing key keeps
 * the first value, which is what symbol and type tables want: the first
 * definition wins.
 */
#ifndef KT_CORE_HASHMAP_H
#define KT_CORE_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_hashmap_entry {
	const char *key;
	uint64_t value;
	uint32_t hash;
};

struct kt_hashmap {
	struct kt_hashmap_entry *entries;
	size_t capacity;	/* a power of two, or 0 */
	size_t count;
};

/** Hash of a string (FNV-1a). */
uint32_t kt_hash_str(const char *s);

void kt_hashmap_init(struct kt_hashmap *map);
void kt_hashmap_deinit(struct kt_hashmap *map);

/**
 * Insert @key unless present. Returns false only when memory ran out.
 * *@inserted (if not NULL) tells whether the key was new.
 */
bool kt_hashmap_insert(struct kt_hashmap *map, const char *key,
		       uint64_t value, bool *inserted);

/** Look up @key; true and *ret set when found. */
bool kt_hashmap_get(const struct kt_hashmap *map, const char *key,
		    uint64_t *ret);

/*
 * A map from non-zero 64-bit keys (addresses) to 64-bit values, for what is
 * derived per object of the dump: a slab's free set, a cache's state.
 */
struct kt_u64map {
	uint64_t *keys;		/* 0 marks an empty slot */
	uint64_t *values;
	size_t capacity;	/* a power of two, or 0 */
	size_t count;
};

void kt_u64map_init(struct kt_u64map *map);
void kt_u64map_deinit(struct kt_u64map *map);

/** Set @key (not 0) to @value. False only when memory ran out. */
bool kt_u64map_set(struct kt_u64map *map, uint64_t key, uint64_t value);

/** Look up @key; true and *ret set when found. */
bool kt_u64map_get(const struct kt_u64map *map, uint64_t key, uint64_t *ret);

#endif /* KT_CORE_HASHMAP_H */
