// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"

uint32_t kt_hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void kt_hashmap_init(struct kt_hashmap *map)
{
	memset(map, 0, sizeof(*map));
}

void kt_hashmap_deinit(struct kt_hashmap *map)
{
	free(map->entries);
	kt_hashmap_init(map);
}

static struct kt_hashmap_entry *slot(const struct kt_hashmap *map,
				     const char *key, uint32_t hash)
{
	size_t mask = map->capacity - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct kt_hashmap_entry *e = &map->entries[i];

		if (!e->key || (e->hash == hash && !strcmp(e->key, key)))
			return e;
	}
}

static bool grow(struct kt_hashmap *map)
{
	struct kt_hashmap old = *map;
	size_t cap = old.capacity ? old.capacity * 2 : 64;

	map->entries = calloc(cap, sizeof(*map->entries));
	if (!map->entries) {
		*map = old;
		return false;
	}
	map->capacity = cap;
	for (size_t i = 0; i < old.capacity; i++) {
		if (old.entries[i].key)
			*slot(map, old.entries[i].key, old.entries[i].hash) =
				old.entries[i];
	}
	free(old.entries);
	return true;
}

bool kt_hashmap_insert(struct kt_hashmap *map, const char *key,
		       uint64_t value, bool *inserted)
{
	uint32_t hash = kt_hash_str(key);
	struct kt_hashmap_entry *e;

	if ((map->count + 1) * 4 > map->capacity * 3 && !grow(map))
		return false;
	e = slot(map, key, hash);
	if (inserted)
		*inserted = !e->key;
	if (e->key)
		return true;
	e->key = key;
	e->hash = hash;
	e->value = value;
	map->count++;
	return true;
}

bool kt_hashmap_get(const struct kt_hashmap *map, const char *key,
		    uint64_t *ret)
{
	struct kt_hashmap_entry *e;

	if (!map->capacity)
		return false;
	e = slot(map, key, kt_hash_str(key));
	if (!e->key)
		return false;
	*ret = e->value;
	return true;
}

void kt_u64map_init(struct kt_u64map *map)
{
	memset(map, 0, sizeof(*map));
}

void kt_u64map_deinit(struct kt_u64map *map)
{
	free(map->keys);
	free(map->values);
	kt_u64map_init(map);
}

static size_t u64_slot(const uint64_t *keys, size_t cap, uint64_t key)
{
	uint64_t h = key;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (!keys[i] || keys[i] == key)
			return i;
	}
}

static bool u64_grow(struct kt_u64map *map)
{
	size_t cap = map->capacity ? map->capacity * 2 : 64;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	uint64_t *values = calloc(cap, sizeof(*values));

	if (!keys || !values) {
		free(keys);
		free(values);
		return false;
	}
	for (size_t i = 0; i < map->capacity; i++) {
		if (map->keys[i]) {
			size_t j = u64_slot(keys, cap, map->keys[i]);

			keys[j] = map->keys[i];
			values[j] = map->values[i];
		}
	}
	free(map->keys);
	free(map->values);
	map->keys = keys;
	map->values = values;
	map->capacity = cap;
	return true;
}

bool kt_u64map_set(struct kt_u64map *map, uint64_t key, uint64_t value)
{
	size_t i;

	if ((map->count + 1) * 2 > map->capacity && !u64_grow(map))
		return false;
	i = u64_slot(map->keys, map->capacity, key);
	if (!map->keys[i]) {
		map->keys[i] = key;
		map->count++;
	}
	map->values[i] = value;
	return true;
}

bool kt_u64map_get(const struct kt_u64map *map, uint64_t key, uint64_t *ret)
{
	size_t i;

	if (!map->capacity || !key)
		return false;
	i = u64_slot(map->keys, map->capacity, key);
	if (map->keys[i] != key)
		return false;
	*ret = map->values[i];
	return true;
}
