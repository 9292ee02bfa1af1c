import Foundation
import Netlist
import Testing

@testable import Ngspice

@Suite("Engines in parallel, pools and memory", .serialized)
struct ConcurrencyTests {
    @Test("two engines on two threads run different decks at the same time")
    func twoEngines() async throws {
        let a = try NgspiceEngine()
        let b = try NgspiceEngine()
        // Transients long enough to overlap, with different answers.
        async let left = a.run(TestDecks.rcStep(stop: 5e-6))
        async let right = b.run(TestDecks.divider(volts: 4))
        async let third = b.run(TestDecks.divider(volts: 8))
        let (l, r, t) = try await (left, right, third)
        let out = try #require(l.plot("tran")?["out"]).real
        #expect(abs(out.last! - (1 - exp(-5.0))) < 1e-3)
        #expect(abs(try #require(r.plot("op")?["mid"]).real[0] - 3) <= 1e-9)
        #expect(abs(try #require(t.plot("op")?["mid"]).real[0] - 6) <= 1e-9)
    }

    @Test("threads hammering two engines get exactly their own answers")
    func overlapping() async throws {
        let engines = try [NgspiceEngine(), NgspiceEngine()]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                let engine = engines[index % 2]
                group.addTask {
                    let volts = Double(index + 1)
                    let result = try await engine.run(TestDecks.divider(volts: volts))
                    let mid = try #require(result.plot("op")?["mid"]).real[0]
                    #expect(abs(mid - 0.75 * volts) <= 1e-9 * volts, "deck \(index): v(mid) = \(mid)")
                }
            }
            try await group.waitForAll()
        }
    }

    @Test("a pool of 2 runs 20 decks with correct results, in order")
    func pool() async throws {
        let pool = try EnginePool(size: 2)
        let decks = (1...20).map { TestDecks.divider(volts: Double($0)) }
        let results = await pool.run(decks)
        #expect(results.count == 20)
        for (index, result) in results.enumerated() {
            let mid = try #require(try result.get().plot("op")?["mid"]).real[0]
            #expect(abs(mid - 0.75 * Double(index + 1)) <= 1e-9 * Double(index + 1))
        }
    }

    @Test("a failing deck in a pool fails alone")
    func poolFailure() async throws {
        let pool = try EnginePool(size: 2)
        let texts = [try TestDecks.divider().text(), TestDecks.syntaxError, try TestDecks.divider(volts: 2).text()]
        let results = await pool.mapResults(texts) { engine, text in try await engine.run(text: text) }
        #expect((try? results[0].get()) != nil)
        #expect((try? results[1].get()) == nil)
        #expect((try? results[2].get()) != nil)
    }
}
