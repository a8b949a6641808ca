// The C ABI over simdjson's DOM parser declared in include/csimdjson.h.
#include "csimdjson.h"
#include "path_plan.hpp"

#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

struct csj_decoder {
    dom::parser parser;
    csj::PathPlan plan;
    uint8_t *buffer = nullptr; // capacity + SIMDJSON_PADDING bytes
    size_t capacity = 0;
    error_code last_error = SUCCESS;
};

namespace {

// A located element as the C value the caller reads.
inline void describe(dom::element e, csj_value *out) {
    switch (e.type()) {
    case dom::element_type::NULL_VALUE: out->kind = CSJ_NULL; break;
    case dom::element_type::BOOL:
        out->kind = CSJ_BOOL;
        out->boolean = e.get_bool().value_unsafe() ? 1 : 0;
        break;
    case dom::element_type::INT64:
        out->kind = CSJ_INT64;
        out->integer = e.get_int64().value_unsafe();
        out->number = static_cast<double>(out->integer);
        break;
    case dom::element_type::UINT64:
        out->kind = CSJ_UINT64;
        out->uinteger = e.get_uint64().value_unsafe();
        out->number = static_cast<double>(out->uinteger);
        break;
    case dom::element_type::DOUBLE:
        out->kind = CSJ_DOUBLE;
        out->number = e.get_double().value_unsafe();
        break;
    case dom::element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        out->kind = CSJ_STRING;
        out->str = s.data();
        out->len = s.size();
        break;
    }
    case dom::element_type::ARRAY:
        out->kind = CSJ_ARRAY;
        out->len = e.get_array().value_unsafe().size();
        break;
    case dom::element_type::OBJECT:
        out->kind = CSJ_OBJECT;
        out->len = e.get_object().value_unsafe().size();
        break;
    }
}

} // namespace

extern "C" {

csj_decoder *csj_create(size_t max_bytes) {
    csj_decoder *d = new (std::nothrow) csj_decoder();
    if (!d) return nullptr;
    if (max_bytes == 0) max_bytes = 1;
    d->buffer = static_cast<uint8_t *>(std::calloc(max_bytes + SIMDJSON_PADDING, 1));
    if (!d->buffer || d->parser.allocate(max_bytes) != SUCCESS) {
        std::free(d->buffer);
        delete d;
        return nullptr;
    }
    d->capacity = max_bytes;
    return d;
}

void csj_destroy(csj_decoder *d) {
    if (!d) return;
    std::free(d->buffer);
    delete d;
}

int32_t csj_add_path(csj_decoder *d, const char *path, size_t len) { return d->plan.add(path, len); }

size_t csj_path_count(const csj_decoder *d) { return d->plan.count(); }

int32_t csj_parse(csj_decoder *d, const void *bytes, size_t len, csj_value *values) {
    d->plan.clear();
    if (len > d->capacity) {
        d->last_error = CAPACITY;
        return CSJ_PARSE_OVERSIZED;
    }
    if (len > 0) std::memcpy(d->buffer, bytes, len);
    auto result = d->parser.parse(d->buffer, len, false);
    if (result.error()) {
        d->last_error = result.error();
        switch (result.error()) {
        case NUMBER_ERROR:
        case NUMBER_OUT_OF_RANGE:
            return CSJ_PARSE_NUMBER;
        default:
            return CSJ_PARSE_MALFORMED;
        }
    }
    dom::element root = result.value_unsafe();
    d->last_error = SUCCESS;
    if (root.type() != dom::element_type::OBJECT) return CSJ_PARSE_NOT_OBJECT;
    if (values) std::memset(values, 0, d->plan.count() * sizeof(csj_value)); // CSJ_MISSING
    d->plan.walk(root.get_object().value_unsafe(), [values](int32_t id, dom::element e) {
        if (values) describe(e, &values[id]);
    });
    return CSJ_PARSE_OK;
}

const char *csj_last_error(const csj_decoder *d) { return error_message(d->last_error); }

} // extern "C"

namespace {

inline uint64_t fnv1a(const void *bytes, size_t len) {
    const uint8_t *p = static_cast<const uint8_t *>(bytes);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

// Reads a number element as a double; false if it is not a number.
inline bool number_of(dom::element e, double &out) {
    switch (e.type()) {
    case dom::element_type::DOUBLE: out = e.get_double().value_unsafe(); return true;
    case dom::element_type::INT64: out = static_cast<double>(e.get_int64().value_unsafe()); return true;
    case dom::element_type::UINT64: out = static_cast<double>(e.get_uint64().value_unsafe()); return true;
    default: return false;
    }
}

template <typename T>
int32_t read_numbers(const csj_decoder *d, int32_t path, T *out, size_t cap, size_t *count) {
    *count = 0;
    dom::element e;
    if (!d->plan.find(path, e)) return CSJ_ARRAY_MISSING;
    if (e.type() != dom::element_type::ARRAY) return CSJ_ARRAY_WRONG_TYPE;
    size_t n = 0;
    for (dom::element item : e.get_array().value_unsafe()) {
        double v;
        if (!number_of(item, v)) return CSJ_ARRAY_WRONG_TYPE;
        if (n < cap) {
            T t = static_cast<T>(v);
            if (!std::isfinite(t)) return CSJ_ARRAY_NOT_FINITE;
            out[n] = t;
        }
        n++;
    }
    *count = n;
    return n > cap ? CSJ_ARRAY_TOO_LONG : CSJ_ARRAY_OK;
}

} // namespace

extern "C" {

int32_t csj_get_floats(const csj_decoder *d, int32_t path, float *out, size_t cap, size_t *count) {
    return read_numbers<float>(d, path, out, cap, count);
}

int32_t csj_get_doubles(const csj_decoder *d, int32_t path, double *out, size_t cap, size_t *count) {
    return read_numbers<double>(d, path, out, cap, count);
}

int32_t csj_get_token_ids(const csj_decoder *d, int32_t path, uint64_t *out, size_t cap, size_t *count) {
    *count = 0;
    dom::element e;
    if (!d->plan.find(path, e)) return CSJ_ARRAY_MISSING;
    if (e.type() != dom::element_type::ARRAY) return CSJ_ARRAY_WRONG_TYPE;
    size_t n = 0;
    char digits[24];
    for (dom::element item : e.get_array().value_unsafe()) {
        uint64_t id;
        switch (item.type()) {
        case dom::element_type::STRING: {
            std::string_view s = item.get_string().value_unsafe();
            id = fnv1a(s.data(), s.size());
            break;
        }
        case dom::element_type::INT64: {
            int len = std::snprintf(digits, sizeof digits, "%lld",
                                    static_cast<long long>(item.get_int64().value_unsafe()));
            id = fnv1a(digits, static_cast<size_t>(len));
            break;
        }
        case dom::element_type::UINT64: {
            int len = std::snprintf(digits, sizeof digits, "%llu",
                                    static_cast<unsigned long long>(item.get_uint64().value_unsafe()));
            id = fnv1a(digits, static_cast<size_t>(len));
            break;
        }
        default:
            return CSJ_ARRAY_WRONG_TYPE;
        }
        if (n < cap) out[n] = id;
        n++;
    }
    *count = n;
    return n > cap ? CSJ_ARRAY_TOO_LONG : CSJ_ARRAY_OK;
}

uint64_t csj_fnv1a64(const void *bytes, size_t len) { return fnv1a(bytes, len); }

} // extern "C"
