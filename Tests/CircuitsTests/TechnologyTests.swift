import Circuits
import Foundation
import Netlist
import Testing

@Suite("Technology: names, PDK cache, deck cards, gm/Id tables")
struct TechnologyTests {
    /// An environment whose PDK cache is an empty temporary directory.
    func emptyCache() throws -> [String: String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crossloop-pdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return ["CROSSLOOP_PDK_ROOT": dir.path, "HOME": "/nonexistent"]
    }

    @Test("--tech names: generic, sky130 and sky130:CORNER; errors say what to type")
    func names() throws {
        let generic = try Technology.named("generic", temperatureCelsius: 85)
        #expect(generic.identifier == "generic")
        #expect(generic.supplyVolts == 1.2)
        #expect(generic.temperatureCelsius == 85)
        #expect(throws: TechnologyError.self) { try Technology.named("generic:ss") }
        do {
            _ = try Technology.named("sky130:xx", environment: try emptyCache())
            Issue.record("sky130:xx accepted")
        } catch {
            #expect("\(error)".contains("use tt, ss, ff, sf or fs"))
        }
        do {
            _ = try Technology.named("tsmc65")
            Issue.record("tsmc65 accepted")
        } catch {
            #expect("\(error)" == "unknown technology 'tsmc65': use generic or sky130:tt|ss|ff|sf|fs")
        }
    }

    @Test("a missing PDK is one line that says how to fetch it")
    func missingPDK() throws {
        let environment = try emptyCache()
        #expect(!Sky130PDK.isAvailable(environment: environment))
        do {
            _ = try Technology.named("sky130:ss", environment: environment)
            Issue.record("a missing PDK was accepted")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"))
            #expect(text.contains("Scripts/fetch-pdk.sh"))
            #expect(text.contains(environment["CROSSLOOP_PDK_ROOT"]! + "/sky130"))
        }
    }

    @Test("an incomplete PDK names the missing file")
    func incompletePDK() throws {
        var environment = try emptyCache()
        let root = environment["CROSSLOOP_PDK_ROOT"]!
        let models = root + "/sky130/sky130_fd_pr/combined_models"
        try FileManager.default.createDirectory(atPath: models + "/continuous", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: models + "/sky130.lib.spice", contents: Data()))
        environment["XDG_CACHE_HOME"] = "/elsewhere"
        #expect(throws: TechnologyError.pdkIncomplete(root: root + "/sky130", missing: "combined_models/continuous/parameters_fet_tt.spice")) {
            try Sky130PDK.locate(environment: environment)
        }
    }

    @Test("cache root: CROSSLOOP_PDK_ROOT, then XDG_CACHE_HOME, then ~/.cache")
    func cacheRoot() {
        #expect(Sky130PDK.cacheRoot(environment: ["CROSSLOOP_PDK_ROOT": "/a", "XDG_CACHE_HOME": "/b", "HOME": "/c"]) == "/a")
        #expect(Sky130PDK.cacheRoot(environment: ["XDG_CACHE_HOME": "/b", "HOME": "/c"]) == "/b/crossloop/pdk")
        #expect(Sky130PDK.cacheRoot(environment: ["HOME": "/c"]) == "/c/.cache/crossloop/pdk")
    }

    @Test("sky130 cards: the corner's FET files, the Monte Carlo switches off, X instances in microns, hsa")
    func sky130Cards() throws {
        let pdk = Sky130PDK(root: "/cache/sky130")
        let t = Technology.sky130(pdk: pdk, corner: .ff, temperatureCelsius: -40)
        #expect(t.identifier == "sky130:ff")
        #expect(t.supplyVolts == 1.8)
        #expect(t.includes.first == .file("/cache/sky130/sky130_fd_pr/combined_models/continuous/parameters_fet_ff.spice"))
        #expect(t.includes.contains(.file("/cache/sky130/sky130_fd_pr/combined_models/continuous/models_fet.spice")))
        #expect(t.parameters.contains(Parameter("mc_mm_switch", 0)))
        #expect(t.engineVariables["ngbehavior"] == "hsa")
        let full = Technology.sky130(pdk: pdk, corner: .ss, modelSet: .fullLibrary)
        #expect(full.includes == [.library("/cache/sky130/sky130_fd_pr/combined_models/sky130.lib.spice", section: "ss")])
        let m = t.transistor("m1", .p, drain: "d", gate: "g", source: "s", bulk: "b", width: 2e-6, length: 0.15e-6)
        var deck = Deck(title: "t", elements: [m])
        t.prepare(&deck)
        let text = try deck.text()
        #expect(text.contains("Xm1 d g s b sky130_fd_pr__pfet_01v8 w=2 l=0.15"))
        #expect(text.contains(".options temp=-40 scale=1e-06"))
    }

    @Test("generic cards: inline BSIM4 models, M instances in metres; prepare adds each card once")
    func genericCards() throws {
        let t = Technology.generic()
        #expect(t.models.map(\.name) == ["cl90n", "cl90p"])
        #expect(t.models.allSatisfy { $0.parameters.contains(Parameter("level", 54)) })
        var deck = Deck(title: "t")
        t.prepare(&deck)
        t.prepare(&deck)
        #expect(deck.models.count == 2)
        #expect(deck.options == [Parameter("temp", 27), Parameter("scale", 1)])
        deck.elements = [t.transistor("m1", .n, drain: "d", gate: "g", source: "0", bulk: "0", width: 1.5e-6, length: 1e-7)]
        #expect(try deck.text().contains("m1 d g 0 0 cl90n w=1.5e-06 l=1e-07"))
    }

    @Test("gm/Id lookups interpolate inside the table and refuse points outside it")
    func tableLookup() throws {
        let n = Technology.generic().sizing.nmos
        #expect(n.isWellFormed)
        let onGrid = try n.point(length: n.lengths[4], gmOverId: 12)
        #expect(onGrid.currentDensity == n.currentDensity[4][3])
        #expect(onGrid.earlyVoltage == n.earlyVoltage[4][3])
        // Between grid points the values lie between their neighbours.
        let mid = try n.point(length: (n.lengths[4] * n.lengths[5]).squareRoot(), gmOverId: 13)
        #expect(mid.currentDensity < n.currentDensity[4][3] && mid.currentDensity > n.currentDensity[5][4])
        #expect(throws: TechnologyError.self) { try n.point(length: 1e-9, gmOverId: 12) }
        #expect(throws: TechnologyError.self) { try n.point(length: 1e-6, gmOverId: 40) }
        #expect(throws: TechnologyError.self) { try n.point(length: .nan, gmOverId: 12) }
        // Inverse lookup: the gm/Id that gives a |V_GS| returns that |V_GS|.
        let g = try n.gmOverId(forGateSourceVolts: 0.42, length: 3e-7)
        #expect(abs(try n.point(length: 3e-7, gmOverId: g).gateSourceVolts - 0.42) < 1e-6)
        // Longer channels give higher Early voltage: the table is physically ordered.
        #expect(n.earlyVoltage.last![3] > 4 * n.earlyVoltage.first![3])
    }
}
