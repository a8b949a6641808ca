/// Column padding for the commands' plain-text tables.
extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    func padLeft(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
