import Foundation
import Netlist
import Testing

@testable import Ngspice

/// Integration tests on the real libngspice (no mocks at the engine boundary).
@Suite("Engine on the real library", .serialized)
struct EngineTests {
    static let engine: NgspiceEngine = try! NgspiceEngine()

    @Test("resistive divider .op is exact to 1e-9")
    func divider() async throws {
        let result = try await Self.engine.run(TestDecks.divider())
        let mid = try #require(result.plot("op")?["mid"]).real
        #expect(mid.count == 1)
        #expect(abs(mid[0] - 0.75) <= 1e-9, "v(mid) = \(mid[0]), expected 0.75")
    }

    @Test("RC step response matches 1 - exp(-t/RC) within 1e-3 relative at 5 points")
    func rcStep() async throws {
        let result = try await Self.engine.run(TestDecks.rcStep())
        let plot = try #require(result.plot("tran"))
        let time = try #require(plot.scale).real
        let out = try #require(plot["out"]).real
        let tau = 1000 * 1e-9
        for t in [0.5e-6, 1e-6, 2e-6, 3e-6, 4.5e-6] {
            let simulated = interpolate(time, out, at: t)
            let exact = 1 - exp(-t / tau)
            let error = abs(simulated - exact) / exact
            #expect(error < 1e-3, "t = \(t): simulated \(simulated), exact \(exact), relative error \(error)")
        }
    }

    @Test(".ac of an RC low-pass gives |H| = 1/sqrt(2) at the corner")
    func acCorner() async throws {
        let result = try await Self.engine.run(TestDecks.rcLowPass())
        let plot = try #require(result.plot("ac"))
        let frequency = try #require(plot.scale).real
        let out = try #require(plot["out"]).complex
        #expect(plot["out"]?.isComplex == true)
        let corner = 1 / (2 * Double.pi * 1000 * 1e-9)
        // |H| on the log-spaced grid, interpolated in log f.
        let magnitude = out.map(\.magnitude)
        let logF = frequency.map(log10)
        let h = interpolate(logF, magnitude, at: log10(corner))
        let exact = 1 / 2.0.squareRoot()
        #expect(abs(h - exact) / exact < 2e-3, "|H(fc)| = \(h), expected \(exact)")
        // Far above the corner the slope is -20 dB/decade: |H| ~ fc/f.
        let far = interpolate(logF, magnitude, at: log10(100 * corner))
        #expect(abs(far - 1 / (1 + 1e4).squareRoot()) < 1e-4)
    }

    @Test("an XSPICE adc_bridge / dac_bridge deck runs (code models are loaded)")
    func xspiceBridges() async throws {
        let deck = Deck(
            title: "xspice bridges",
            models: [
                Model(name: "adc", type: "adc_bridge", parameters: [Parameter("in_low", 0.4), Parameter("in_high", 0.6)]),
                Model(name: "dac", type: "dac_bridge", parameters: [Parameter("out_low", 0.0), Parameter("out_high", 1.2)]),
            ],
            elements: [
                .voltageSource(IndependentSource(name: "in", plus: "in", minus: "0", dc: 0,
                    waveform: .pulse(Pulse(initial: 0, pulsed: 1, delay: 1e-6, rise: 1e-9, fall: 1e-9, width: 2e-6, period: 4e-6)))),
                .xspice(XspiceInstance(name: "toDigital", connections: [.vector(["in"]), .vector(["bit"])], model: "adc")),
                .xspice(XspiceInstance(name: "toAnalog", connections: [.vector(["bit"]), .vector(["out"])], model: "dac")),
                .resistor("load", "out", "0", 1e6),
            ],
            analyses: [.transient(Transient(step: 1e-8, stop: 4e-6))]
        )
        let result = try await Self.engine.run(deck)
        let plot = try #require(result.plot("tran"))
        let time = try #require(plot.scale).real
        let out = try #require(plot["out"]).real
        #expect(interpolate(time, out, at: 0.5e-6) < 0.05)
        #expect(abs(interpolate(time, out, at: 2e-6) - 1.2) < 0.05)
    }

    @Test("KLU is selected after the circuit is loaded when the library has it")
    func solverOrder() async throws {
        let engine = try NgspiceEngine()
        let result = try await engine.run(TestDecks.divider())
        let log = try engine.sentCommands()
        if engine.info.hasKLU {
            #expect(result.solver == .klu)
            let load = try #require(log.firstIndex { $0.hasPrefix("<circuit") })
            let klu = try #require(log.firstIndex(of: "option klu"))
            let run = try #require(log.firstIndex(of: "bg_run"))
            #expect(load < klu && klu < run, "commands: \(log)")
        } else {
            #expect(result.solver == .sparse)
        }
    }

    @Test("a .spiceinit in the working directory is not read")
    func hermeticStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-hermetic-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "echo CROSSLOOP_USER_INIT_WAS_READ\nset noglob\n".write(
            to: directory.appendingPathComponent(".spiceinit"), atomically: true, encoding: .utf8)
        let previous = FileManager.default.currentDirectoryPath
        // A fresh copy started on a thread whose working directory holds the file: an engine
        // could be handed a recycled copy, whose start-up would prove nothing.
        let worker = WorkerThread(workingDirectory: directory.path)
        let library = try worker.sync {
            try LoadedLibrary(location: try LibraryLocation.locate(), deviceThreads: 1)
        }
        let variables = try worker.sync { library.variableNames() }
        worker.stop()
        worker.join()
        LibraryCache.give(library)
        #expect(!variables.contains("noglob"), "the working directory's .spiceinit ran: \(variables.sorted())")
        #expect(variables.contains("noaskquit"), "Crossloop's own spinit did not run: \(variables.sorted())")
        // An engine working in that directory still runs decks, and the process keeps its own.
        let engine = try NgspiceEngine(configuration: EngineConfiguration(workingDirectory: directory.path))
        let result = try await engine.run(TestDecks.divider())
        #expect(abs(try #require(result.plot("op")?["mid"]).real[0] - 0.75) <= 1e-9)
        #expect(FileManager.default.currentDirectoryPath == previous)
    }

    @Test("a typed deck's .control block is left out, whatever its title says")
    func controlBlockOfTypedDeck() async throws {
        var deck = TestDecks.divider()
        deck.title = ".control .endc"
        deck.control = [.run]
        let result = try await Self.engine.run(deck)
        #expect(abs(try #require(result.plot("op")?["mid"]).real[0] - 0.75) <= 1e-9)
        #expect(result.diagnostics.contains { $0.severity == .warning && $0.text.contains(".control block skipped") })
    }
}

/// Linear interpolation of y(x) at x0 (x increasing).
func interpolate(_ x: [Double], _ y: [Double], at x0: Double) -> Double {
    guard let upper = x.firstIndex(where: { $0 >= x0 }) else { return y.last ?? .nan }
    if upper == 0 { return y[0] }
    let lower = upper - 1
    let fraction = (x0 - x[lower]) / (x[upper] - x[lower])
    return y[lower] + fraction * (y[upper] - y[lower])
}
