import Foundation
import Netlist

/// Small decks with known answers, shared by the engine tests.
enum TestDecks {
    /// 1 V across 1 kΩ + 3 kΩ: v(mid) = 0.75 V exactly.
    static func divider(volts: Double = 1) -> Deck {
        Deck(
            title: "resistive divider",
            elements: [
                .dcVoltage("1", "in", "0", .number(volts)),
                .resistor("top", "in", "mid", 1000),
                .resistor("bottom", "mid", "0", 3000),
            ],
            analyses: [.operatingPoint]
        )
    }

    /// R = 1 kΩ, C = 1 nF (tau = 1 µs), a 1 V step at t = 0 from an uncharged capacitor.
    static func rcStep(stop: Double = 5e-6) -> Deck {
        Deck(
            title: "rc step",
            options: [Parameter("reltol", 1e-6), Parameter("abstol", 1e-15), Parameter("vntol", 1e-9)],
            elements: [
                .dcVoltage("1", "in", "0", 1),
                .resistor("1", "in", "out", 1000),
                .capacitor(Capacitor(name: "1", a: "out", b: "0", capacitance: 1e-9, initialVoltage: 0)),
            ],
            analyses: [.transient(Transient(step: 1e-8, stop: stop, maxStep: 1e-9, useInitialConditions: true))]
        )
    }

    /// First-order RC low-pass with corner 1/(2 pi R C) = 159.15 kHz.
    static func rcLowPass() -> Deck {
        Deck(
            title: "rc low-pass",
            elements: [
                .voltageSource(IndependentSource(name: "in", plus: "in", minus: "0", dc: 0, ac: ACStimulus(magnitude: 1))),
                .resistor("1", "in", "out", 1000),
                .capacitor("1", "out", "0", 1e-9),
            ],
            analyses: [.ac(AC(sweep: .decade, points: 50, start: 1e3, stop: 1e8))]
        )
    }

    static let syntaxError = """
        syntax error
        V1 1 0 dc 1
        R1 1 0 abc
        .op
        .end
        """

    static let unknownModel = """
        unknown model
        V1 d 0 1
        V2 g 0 1
        M1 d g 0 0 nosuchmodel w=1u l=1u
        .op
        .end
        """

    static let floatingNode = """
        floating node
        V1 1 0 1
        R1 1 0 1k
        C1 2 3 1p
        .op
        .end
        """

    /// No DC solution: R from x to ground fed by a current that always pushes v(x) away.
    static let nonConvergent = """
        no dc solution
        R1 x 0 1k
        B1 0 x I = v(x) > 0.5 ? -1m : 1m
        .op
        .end
        """

    /// A missing include file makes libngspice call controlled_exit.
    /// A voltage source without its nodes makes ngspice 46 call its exit handler while reading.
    static let fatal = """
        fatal exit
        V1 1 0 1
        R1 1 0 1k
        V2 1
        .op
        .end
        """

    /// A long transient (10^9 internal steps) that a time limit must stop; `interp` keeps
    /// the stored points few so ngspice does not refuse it for memory.
    static let slow = """
        slow transient
        V1 in 0 sin(0 1 1meg)
        R1 in out 1k
        C1 out 0 1n
        .options interp
        .tran 10u 5m 0 1n
        .end
        """
}
