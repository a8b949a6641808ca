import Foundation
import ShannonCore
import Testing
@testable import ShannonReport

/// Renders a report in a real browser (headless Chromium, installed by ops/dev/install-deps.sh)
/// and checks the screenshot shows charts: many colours, ink on the page, and the alert red.
@Suite struct BrowserRenderTests {
    typealias F = ReportFixtures

    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            for n in names where FileManager.default.isExecutableFile(atPath: "\(dir)/\(n)") { return "\(dir)/\(n)" }
        }
        return nil
    }

    /// Runs `exe` with `args`, returning its exit status and standard output; stderr is kept for messages.
    static func run(_ exe: String, _ args: [String], timeout: TimeInterval = 120) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        // Output goes to files, not pipes: a chatty child cannot fill a pipe and block.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("shannon-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let outData = FileManager.default.contents(atPath: outURL.path) ?? Data()
        let errData = FileManager.default.contents(atPath: errURL.path) ?? Data()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Decodes the PNG with Python's standard library (zlib; Foundation on Linux has none) and
    /// prints: width height distinct-colours ink-fraction alert-red-pixels.
    static let pngStats = #"""
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, width = 8, b'', 0
while pos < len(data):
    length, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b'IHDR':
        width, height, depth, colour = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and colour in (2, 6), 'unexpected PNG format %d/%d' % (depth, colour)
        bpp = 3 if colour == 2 else 4
    elif kind == b'IDAT':
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colours, ink, red, i = set(), 0, 0, 0
for y in range(height):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        colours.add((r, g, bl))
        if r + g + bl < 720: ink += 1
        if abs(r - 217) <= 12 and abs(g - 48) <= 12 and abs(bl - 37) <= 12: red += 1
    prev = line
print(width, height, len(colours), ink / (width * height), red)
"""#

    static let chromium = find(["chromium", "chromium-browser", "google-chrome"])

    @Test(.enabled(if: chromium != nil,
                   "skipped: chromium is not installed (ops/dev/install-deps.sh installs it), so the report is not rendered in a browser"))
    func headlessChromiumRendersTheReport() throws {
        let chromium = try #require(Self.chromium)
        let python = try #require(Self.find(["python3"]), "python3 decodes the screenshot; ops/dev/install-deps.sh installs it")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shannon-report-browser-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let values: [Double] = (0..<300).map { (i: Int) -> Double in
            let t = Double(i)
            return i < 150 ? 0.02 + 0.01 * sin(t / 9) : 0.32 + 0.02 * sin(t / 7)
        }
        let windows = values.enumerated().map { F.window(F.psi(index: $0.offset, value: $0.element)) }
        let alerts = F.roundTrip([F.alert(index: 150, value: values[150], severity: "critical"),
                                  F.alert(index: 260, value: values[260], state: .resolved)])
        let html = dir.appendingPathComponent("report.html")
        try HTMLReport.html(windows: windows, alerts: alerts).write(to: html, atomically: true, encoding: .utf8)
        let png = dir.appendingPathComponent("out.png").path
        let (status, _, stderr) = try Self.run(chromium, [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=\(dir.appendingPathComponent("profile").path)",
            "--screenshot=\(png)", "--window-size=1200,2000", html.absoluteString,
        ])
        #expect(status == 0, Comment(rawValue: "chromium failed: \(stderr.suffix(2000))"))
        #expect(FileManager.default.fileExists(atPath: png), "no screenshot; chromium said: \(stderr.suffix(2000))")

        let script = dir.appendingPathComponent("pngstats.py").path
        try Self.pngStats.write(toFile: script, atomically: true, encoding: .utf8)
        let (pyStatus, out, pyErr) = try Self.run(python, [script, png])
        #expect(pyStatus == 0, Comment(rawValue: pyErr))
        let fields = out.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(fields.count == 5, Comment(rawValue: out))
        guard fields.count == 5 else { return }
        #expect(fields[0] == 1200)
        #expect(fields[1] == 2000)
        #expect(fields[2] > 50, Comment(rawValue: "a blank or flat page has a handful of colours; text and antialiased lines have many"))
        #expect(fields[3] > 0.005, Comment(rawValue: "some of the page is ink"))
        #expect(fields[4] > 10, Comment(rawValue: "the firing alert's red mark is on screen"))
    }
}
