// The declared paths of a decoder compiled into a trie, and the one walk over a parsed record
// that locates all of them (include/csimdjson.h says why one walk; csimdjson.cpp calls it).
//
// Semantics are those of walking each path from the root with `at_key` / `at`, which the decoder
// did before: an object step takes the first field with that key (a duplicate key later in the
// object is ignored, and so is anything under it), an index step on an array takes that element,
// a step through a scalar finds nothing. Each trie node stands for one path prefix, so it is
// matched at most once per record; a node's generation stamp records that it was, which is how a
// duplicate key is recognised without clearing anything per record.
#ifndef CSIMDJSON_PATH_PLAN_HPP
#define CSIMDJSON_PATH_PLAN_HPP

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace csj {

class PathPlan {
public:
    PathPlan() : nodes_(1) {}

    /// Compiles a dotted path; its id, or -1 if the path is empty or has an empty segment.
    int32_t add(const char *path, size_t len) {
        if (len == 0) return -1;
        for (size_t i = 0; i <= len; i++) // reject before touching the trie
            if ((i == len || path[i] == '.') && (i == 0 || path[i - 1] == '.')) return -1;
        int32_t node = 0;
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && path[i] != '.') continue;
            node = child(node, path + start, i - start);
            start = i + 1;
        }
        int32_t id = static_cast<int32_t>(path_next_.size());
        path_next_.push_back(nodes_[node].first_path);
        nodes_[node].first_path = id; // several fields may share one path
        located_.emplace_back();
        found_.push_back(0);
        return id;
    }

    size_t count() const { return path_next_.size(); }

    /// Locates every compiled path in `root` (an object) in one walk. With `fill`, also calls
    /// fill(id, element) for each path found, in document order.
    template <typename Fill>
    void walk(simdjson::dom::object root, Fill &&fill) {
        clear();
        walk_object(root, 0, fill);
    }

    /// The element at path `id` in the last walked record; false when it was absent.
    bool find(int32_t id, simdjson::dom::element &out) const {
        if (id < 0 || static_cast<size_t>(id) >= found_.size() || found_[id] != generation_) return false;
        out = located_[static_cast<size_t>(id)];
        return true;
    }

    /// Forgets the last record (a failed parse leaves nothing to find): a new generation.
    void clear() {
        if (++generation_ == 0) { // wrapped: forget every stamp, once every 2^32 records
            for (Node &n : nodes_) n.seen = 0;
            for (uint32_t &f : found_) f = 0;
            generation_ = 1;
        }
    }

private:
    struct Node {
        std::string key;        // the segment's text (an object key)
        int64_t index = -1;     // >= 0 when the segment is decimal digits (an array index too)
        int32_t first_child = -1;
        int32_t next_sibling = -1;
        int32_t first_path = -1; // ids of the paths ending here, chained through path_next_
        uint32_t keyed = 0;      // children: all match object keys
        uint32_t indexed = 0;    // children with an index: the only ones an array can match
        uint32_t seen = 0;       // generation in which this node was matched
    };

    int32_t child(int32_t parent, const char *segment, size_t len) {
        for (int32_t c = nodes_[parent].first_child; c >= 0; c = nodes_[c].next_sibling)
            if (nodes_[c].key.size() == len && std::memcmp(nodes_[c].key.data(), segment, len) == 0) return c;
        Node n;
        n.key.assign(segment, len);
        bool digits = len <= 18;
        for (size_t i = 0; i < len && digits; i++) digits = segment[i] >= '0' && segment[i] <= '9';
        if (digits) n.index = std::stoll(n.key);
        n.next_sibling = nodes_[parent].first_child;
        int32_t id = static_cast<int32_t>(nodes_.size());
        nodes_[parent].first_child = id;
        nodes_[parent].keyed++;
        if (n.index >= 0) nodes_[parent].indexed++;
        nodes_.push_back(std::move(n));
        return id;
    }

    template <typename Fill>
    void visit(simdjson::dom::element e, int32_t node, Fill &fill) {
        for (int32_t id = nodes_[node].first_path; id >= 0; id = path_next_[static_cast<size_t>(id)]) {
            located_[static_cast<size_t>(id)] = e;
            found_[static_cast<size_t>(id)] = generation_;
            fill(id, e);
        }
        if (nodes_[node].first_child < 0) return;
        switch (e.type()) {
        case simdjson::dom::element_type::OBJECT: walk_object(e.get_object().value_unsafe(), node, fill); break;
        case simdjson::dom::element_type::ARRAY: walk_array(e.get_array().value_unsafe(), node, fill); break;
        default: break; // a path through a scalar finds nothing
        }
    }

    // Reads the object's fields once, stopping when every child of `node` has been matched;
    // values that hold no declared path are skipped unread.
    template <typename Fill>
    void walk_object(simdjson::dom::object o, int32_t node, Fill &fill) {
        uint32_t remaining = nodes_[node].keyed;
        for (auto field = o.begin(), end = o.end(); remaining > 0 && field != end; ++field) {
            size_t len = field.key_length();
            const char *key = field.key_c_str();
            for (int32_t c = nodes_[node].first_child; c >= 0; c = nodes_[c].next_sibling) {
                Node &n = nodes_[static_cast<size_t>(c)];
                if (n.key.size() != len || std::memcmp(n.key.data(), key, len) != 0) continue;
                if (n.seen != generation_) { // else a duplicate key: the first one counts
                    n.seen = generation_;
                    remaining--;
                    visit(field.value(), c, fill);
                }
                break; // keys are unique among a node's children
            }
        }
    }

    // Reads the array's elements once, up to the last declared index. Two segments may name one
    // index ("7" and "07"), so every child is checked.
    template <typename Fill>
    void walk_array(simdjson::dom::array a, int32_t node, Fill &fill) {
        uint32_t remaining = nodes_[node].indexed;
        int64_t i = 0;
        for (auto item = a.begin(), end = a.end(); remaining > 0 && item != end; ++item, ++i) {
            for (int32_t c = nodes_[node].first_child; c >= 0; c = nodes_[c].next_sibling) {
                Node &n = nodes_[static_cast<size_t>(c)];
                if (n.index != i) continue;
                n.seen = generation_;
                remaining--;
                visit(*item, c, fill);
            }
        }
    }

    std::vector<Node> nodes_; // nodes_[0] is the record's root object
    std::vector<int32_t> path_next_;
    std::vector<simdjson::dom::element> located_;
    std::vector<uint32_t> found_; // generation in which each path was found
    uint32_t generation_ = 0;
};

} // namespace csj

#endif
