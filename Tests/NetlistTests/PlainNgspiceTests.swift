import Foundation
import Testing

@testable import Netlist

/// A deck from the writer runs unchanged in the plain `ngspice -b` binary.
@Suite("Decks run in plain ngspice")
struct PlainNgspiceTests {
    @Test("a written divider prints the exact operating point in ngspice -b")
    func dividerInBatch() throws {
        let deck = Deck(
            title: "divider for ngspice -b",
            comments: ["written by NetlistTests"],
            options: [Parameter("reltol", 1e-9)],
            elements: [
                .dcVoltage("1", "in", "0", 2),
                .resistor("top", "in", "mid", 1000),
                .resistor("bottom", "mid", "0", 3000),
                .behavioural(BehaviouralSource(name: "twice", plus: "dbl", minus: "0", kind: .voltage, expression: "2*v(mid)")),
                .resistor("load", "dbl", "0", 1e6),
            ],
            analyses: [.operatingPoint],
            control: [.run, .print([.voltage("mid"), .voltage("dbl")])]
        )
        let output = try runPlainNgspice(try deck.text())
        #expect(try value(of: "v(mid)", in: output) == 1.5)
        #expect(try value(of: "v(dbl)", in: output) == 3.0)
    }
}

struct PlainNgspiceError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `ngspice -b` on `text` in a scratch directory and returns standard output.
func runPlainNgspice(_ text: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-plain-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let deck = directory.appendingPathComponent("deck.cir")
    try text.write(to: deck, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ngspice", "-b", deck.path]
    process.currentDirectoryURL = directory
    let out = directory.appendingPathComponent("out.txt")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PlainNgspiceError(description: "ngspice -b exited \(process.terminationStatus)") }
    return try String(contentsOf: out, encoding: .utf8)
}

/// Reads `name = value` from ngspice's `print` output.
func value(of name: String, in output: String) throws -> Double {
    for line in output.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2, parts[0].lowercased() == name.lowercased(), let value = Double(parts[1]) { return value }
    }
    throw PlainNgspiceError(description: "\(name) not found in ngspice output:\n\(output)")
}
