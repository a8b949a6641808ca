/* CSimdJSON: the least glue between Shannon's record decoder and simdjson's DOM parser.
 *
 * Why a C ABI: Swift imports C cleanly in every build mode; a C++-interop import of simdjson's
 * templates would tie our consumers to Swift's C++ interop flags. Why the DOM parser: it picks the
 * best kernel (haswell here) by runtime dispatch without `-m` flags, whereas On-Demand compiled
 * without them falls back to the portable kernel, and it validates the whole record, which the
 * dead-letter reasons need (see docs/pipelines.md for the measurement).
 *
 * One pass: the declared paths are compiled into a trie (path_plan.hpp), and csj_parse walks the
 * parsed record once, reading each object's fields in order and descending only into values that
 * hold a declared path, so every path is found in one walk rather than one walk from the root per
 * path. It fills the caller's csj_value array, one entry per compiled path id; the array readers
 * below then start from the element that walk found.
 *
 * One decoder = one parser + one padded input buffer + compiled field paths, all allocated up
 * front, so parsing a record allocates nothing. Not thread-safe: one decoder per thread. Strings
 * in the values point into the parser and stay valid until the next csj_parse. */
#ifndef CSIMDJSON_H
#define CSIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct csj_decoder csj_decoder;

/* Kinds of a located value. */
enum {
    CSJ_MISSING = 0,
    CSJ_NULL = 1,
    CSJ_BOOL = 2,
    CSJ_INT64 = 3,
    CSJ_UINT64 = 4,
    CSJ_DOUBLE = 5,
    CSJ_STRING = 6,
    CSJ_ARRAY = 7,
    CSJ_OBJECT = 8
};

/* Results of csj_parse. */
enum {
    CSJ_PARSE_OK = 0,
    CSJ_PARSE_MALFORMED = 1,  /* not JSON */
    CSJ_PARSE_NOT_OBJECT = 2, /* JSON, but the root is not an object */
    CSJ_PARSE_NUMBER = 3,     /* a number simdjson cannot represent (e.g. 1e400) */
    CSJ_PARSE_OVERSIZED = 4   /* longer than the decoder's capacity */
};

/* Results of the array readers. */
enum {
    CSJ_ARRAY_OK = 0,
    CSJ_ARRAY_MISSING = 1,
    CSJ_ARRAY_WRONG_TYPE = 2, /* not an array, or an element of the wrong type */
    CSJ_ARRAY_NOT_FINITE = 3, /* an element overflows the output type */
    CSJ_ARRAY_TOO_LONG = 4    /* more elements than `cap`; *count holds the real length */
};

typedef struct {
    int32_t kind;      /* CSJ_* kind */
    int32_t boolean;   /* CSJ_BOOL */
    double number;     /* CSJ_INT64, CSJ_UINT64, CSJ_DOUBLE: the value as a double */
    int64_t integer;   /* CSJ_INT64 */
    uint64_t uinteger; /* CSJ_UINT64 */
    const char *str;   /* CSJ_STRING: UTF-8 bytes, not NUL-terminated */
    size_t len;        /* CSJ_STRING: byte length; CSJ_ARRAY/CSJ_OBJECT: element count */
} csj_value;

/* A decoder for records of at most max_bytes bytes. NULL if allocation fails. */
csj_decoder *csj_create(size_t max_bytes);
void csj_destroy(csj_decoder *d);

/* Compiles a dotted path ("a.b.0.c": keys of objects, or decimal indices into arrays) and
 * returns its id (0, 1, 2, … in call order), or -1 if the path is empty or has an empty segment.
 * An object step takes the first field with that key, as a lookup from the root would. */
int32_t csj_add_path(csj_decoder *d, const char *path, size_t len);
/* Number of compiled paths: the length of the array csj_parse fills. */
size_t csj_path_count(const csj_decoder *d);

/* Parses one record (copied into the padded buffer: librdkafka's buffers have no padding) and,
 * when it is an object, locates every compiled path in one walk: values[id] for each path id
 * (kind CSJ_MISSING when absent). values may be NULL when there are no paths; on any result
 * other than CSJ_PARSE_OK its contents are unspecified. */
int32_t csj_parse(csj_decoder *d, const void *bytes, size_t len, csj_value *values);
/* simdjson's message for the last parse failure (static storage). */
const char *csj_last_error(const csj_decoder *d);

/* Reads an array of numbers at `path` (as located by the last csj_parse) into out[0..<cap]. */
int32_t csj_get_floats(const csj_decoder *d, int32_t path, float *out, size_t cap, size_t *count);
int32_t csj_get_doubles(const csj_decoder *d, int32_t path, double *out, size_t cap, size_t *count);
/* Reads an array of strings or integers at `path` as token ids: FNV-1a 64 of the string's
 * bytes, or of the integer's decimal text (so 42 and "42" are the same token). */
int32_t csj_get_token_ids(const csj_decoder *d, int32_t path, uint64_t *out, size_t cap, size_t *count);

/* FNV-1a 64 of bytes: the hash every token and category id uses. */
uint64_t csj_fnv1a64(const void *bytes, size_t len);

#ifdef __cplusplus
}
#endif

#endif
