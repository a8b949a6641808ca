import Foundation
import Yams

/// Where a stage's reference distribution comes from.
public enum ReferenceSpec: Sendable, Equatable {
    /// A CSV (header row) whose column `field` holds the reference sample.
    /// `path` is as written in the file; `resolvedPath` is relative to the pipeline file.
    case file(path: String, resolvedPath: String, field: String)
    /// Bin edges only (interior cut points, strictly increasing); the reference counts are then
    /// learnt from the first window.
    case edges([Double])
    /// A frozen histogram: `counts.count == edges.count + 1` (first and last bins open).
    case histogram(edges: [Double], counts: [Double])
    /// The first complete window is the reference (js_divergence).
    case firstWindow
}

/// The `reference:` and `edges:` blocks the drift and token stages share.
extension SpecBuilder {
    /// Strictly increasing finite numbers.
    func edges(_ node: Node, _ what: String) -> [Double]? {
        guard let values = reader.doubles(node, what) else { return nil }
        if values.isEmpty { reader.error(node.mark, "`\(what)` must list at least one edge"); return nil }
        if zip(values, values.dropFirst()).contains(where: { $0 >= $1 }) {
            reader.error(node.mark, "`\(what)` must be strictly increasing")
            return nil
        }
        return values
    }

    func reference(_ node: Node, allowFirstWindow: Bool) -> ReferenceSpec? {
        guard let entries = reader.mapping(node, "reference") else { return nil }
        var allowed = ["file", "field", "edges", "histogram"]
        if allowFirstWindow { allowed.append("first_window") }
        let keys = reader.checkKeys(entries, allowed: allowed, in: "reference")
        let forms = ["file", "edges", "histogram", "first_window"].filter { keys[$0] != nil }
        guard forms.count == 1 else {
            reader.error(node.mark, forms.isEmpty ? "`reference` needs one of: " + allowed.filter { $0 != "field" }.joined(separator: ", ")
                                                  : "`reference` must use one form, found " + forms.joined(separator: " and "))
            return nil
        }
        if forms[0] != "file", let f = keys["field"] {
            reader.error(f.keyNode.mark, "`field` goes with `file` only")
        }
        switch forms[0] {
        case "file":
            guard let path = reader.string(keys["file"]!.value, "file"),
                  let f = reader.require("field", in: keys, at: node, "reference (file)"),
                  let field = reader.string(f, "field") else { return nil }
            let resolved = path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
            checkReferenceFile(resolved, written: path, field: field, fileNode: keys["file"]!.value, fieldNode: f)
            return .file(path: path, resolvedPath: resolved, field: field)
        case "edges":
            return edges(keys["edges"]!.value, "edges").map(ReferenceSpec.edges)
        case "histogram":
            let h = keys["histogram"]!.value
            guard let he = reader.mapping(h, "histogram") else { return nil }
            let hk = reader.checkKeys(he, allowed: ["edges", "counts"], in: "histogram")
            guard let en = reader.require("edges", in: hk, at: h, "histogram"),
                  let cn = reader.require("counts", in: hk, at: h, "histogram"),
                  let e = edges(en, "edges"), let c = reader.doubles(cn, "counts") else { return nil }
            if c.count != e.count + 1 {
                reader.error(cn.mark, "`counts` must have one more entry than `edges` (\(e.count + 1)), found \(c.count)",
                             hint: "the first bin is (-inf, edges[0]), the last [edges[last], +inf)")
                return nil
            }
            if c.contains(where: { $0 < 0 }) { reader.error(cn.mark, "`counts` must not be negative"); return nil }
            return .histogram(edges: e, counts: c)
        default:
            guard let b = reader.bool(keys["first_window"]!.value, "first_window") else { return nil }
            if !b { reader.error(keys["first_window"]!.value.mark, "`first_window: false` names no reference") }
            return .firstWindow
        }
    }

    /// The file must exist and its header must name `field` (reading only the first line).
    private func checkReferenceFile(_ resolved: String, written: String, field: String, fileNode: Node,
                                    fieldNode: Node) {
        guard let handle = FileHandle(forReadingAtPath: resolved) else {
            reader.error(fileNode.mark, "reference file `\(written)` not found",
                         hint: "looked for \(resolved); paths are relative to the pipeline file")
            return
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
        var rows = CSVReader([UInt8](head))
        let columns = (rows.next() ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        if !columns.contains(field) {
            var hint = "columns: " + columns.joined(separator: ", ")
            if let near = Suggest.nearest(field, among: columns) { hint = "did you mean `\(near)`? " + hint }
            reader.error(fieldNode.mark, "reference file `\(written)` has no column `\(field)`", hint: hint)
        }
    }
}
