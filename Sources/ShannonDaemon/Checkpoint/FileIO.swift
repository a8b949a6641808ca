import ShannonCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Thin POSIX helpers for the checkpoint store: explicit about every syscall so durability
// (fsync of files and directories) is visible, and errors carry errno and path.

enum CheckpointIO {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CheckpointError.io(operation: "write", path: path, errno: errno)
                }
                done += n
            }
        }
    }

    /// Reads a whole file.
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError.io(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError.io(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func syncDirectory(_ dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError.io(operation: "open", path: dir, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CheckpointError.io(operation: "fsync", path: dir, errno: errno) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `mkdir -p`, fsyncing the parent of every directory it creates so the new entry is durable too.
    static func makeDirectories(_ path: String) throws {
        if CheckpointIO.isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + part
            if CheckpointIO.isDirectory(prefix) { continue }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw CheckpointError.io(operation: "mkdir", path: prefix, errno: errno)
            }
            try CheckpointIO.syncDirectory(parent)
        }
    }

    /// Names in a directory, without "." and "..".
    static func listDirectory(_ dir: String) throws -> [String] {
        guard let d = opendir(dir) else { throw CheckpointError.io(operation: "opendir", path: dir, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `rm -rf`: removes a file or a directory tree; a missing path is not an error.
    static func removeTree(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw CheckpointError.io(operation: "stat", path: path, errno: errno)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try CheckpointIO.listDirectory(path) { try CheckpointIO.removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw CheckpointError.io(operation: "rmdir", path: path, errno: errno) }
        } else {
            guard unlink(path) == 0 else { throw CheckpointError.io(operation: "unlink", path: path, errno: errno) }
        }
    }
}

extension CheckpointFile {
    /// Reads a checkpoint file's bytes (for `checkpoint inspect`); throws `CheckpointError.io`.
    public static func readBytes(atPath path: String) throws -> [UInt8] {
        try CheckpointIO.readFile(path)
    }
}
