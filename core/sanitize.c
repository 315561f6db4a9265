// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/sanitize.h"

/* Length of a valid UTF-8 sequence at @p (of @n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	// Overlong forms, surrogates, C1 controls and beyond U+10FFFF.
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

size_t kt_sanitize(const char *in, size_t len, char *out, size_t size,
		   bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len && p[i]; ) {
		size_t u = p[i] >= 0x80 ? utf8_len(p + i, len - i) : 0;

		if (u) {
			if (o + u >= size)
				break;
			memcpy(out + o, p + i, u);
			o += u;
			i += u;
			continue;
		}
		// A tab moves the cursor but cannot drive the terminal.
		if ((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\t' ||
		    (keep_newlines && p[i] == '\n')) {
			if (o + 1 >= size)
				break;
			out[o++] = p[i++];
			continue;
		}
		if (o + 4 >= size)
			break;
		snprintf(out + o, 5, "\\x%02x", p[i++]);
		o += 4;
	}
	out[o] = 0;
	return o;
}
