import Characterization
import Reports
import Specification
import Circuits
import Foundation
import Ngspice
import Netlist
import CircuitTheory
import Reference

/// Energy and latency of one solve at transistor level, next to a digital baseline.
public struct EnergyReport: Sendable, Hashable, Codable {
    /// Energy over the solve (inputs step to settled, or to the last ADC code), joules: the
    /// power of every source the circuit draws on integrated over the latency, quiescent
    /// bias included; the sum of ``items``.
    public var joulesPerSolve: Double
    /// The same energy by block (op-amps and inverters on the supply, the analogue reference,
    /// the inputs, the DACs and the ADCs with their supplies and references), in the order
    /// the design lists them. A block can return energy (a negative item).
    public var items: [EnergyItem]
    /// Average supply power over the solve, watts.
    public var averageWatts: Double
    /// Supply power before the inputs step (bias only), watts.
    public var quiescentWatts: Double
    /// Settling (plus conversion, when converters are simulated), seconds.
    public var latencySeconds: Double
    /// The digital baseline: floating-point operations of the same solve.
    public var digitalFlops: Double
    /// The assumed energy per operation, joules (overridable: `--energy-per-flop`).
    public var joulesPerFlop: Double
    public var digitalJoules: Double { digitalFlops * joulesPerFlop }
    /// Digital energy over analogue energy: above 1 the circuit is the more efficient.
    public var efficiencyRatio: Double { digitalJoules / joulesPerSolve }
}

/// The energy one block drew over a solve.
public struct EnergyItem: Sendable, Hashable, Codable {
    public var block: String
    public var joules: Double
}

/// Floating-point operations of the standard digital algorithm for each operation (LU with
/// partial pivoting and two triangular solves for INV; the normal equations for GINV; 100
/// power iterations for EIG; the Schur complement by LU for block).
public enum DigitalBaseline {
    public static func flops(_ problem: Problem) -> Double {
        let n = Double(problem.matrix.rows), m = Double(problem.matrix.columns)
        switch problem.operation {
        case .inv: return 2.0 / 3.0 * n * n * n + 2 * n * n
        case .mvm: return 2 * n * m
        case .ginv: return 2 * n * m * m + 2.0 / 3.0 * m * m * m + 2 * n * m + 2 * m * m
        case .eig: return 100 * 2 * n * n
        case .block:
            let n1 = Double(problem.blockSize ?? problem.matrix.rows / 2), n2 = n - n1
            return 2.0 / 3.0 * n1 * n1 * n1 + 2 * n1 * n1 * n2 + 2 * n2 * n1 * n2 + 2 * n2 * n2
        }
    }
}

/// The loop op-amp and a designer's cell as simulated: characterised once per technology and
/// specification in a process, so every transistor-level verdict uses what was measured.
actor BlockMeasurements {
    static let shared = BlockMeasurements()
    private var cache: [String: OTAMeasurement] = [:]
    /// A designer's blocks as measured, by ``key(_:_:_:)``.
    private var blocks: [String: any Sendable] = [:]
    private var cellsAsLaid: [String: CellMeasurement] = [:]

    func measurement(for design: TransistorDesign, engine: NgspiceEngine) async throws(VerificationError) -> OTAMeasurement {
        if let block = design.opAmpBlock { return try await measurement(of: block, design: design, engine: engine) }
        let key = "\(design.technology.identifier)@\(design.technology.temperatureCelsius)/\(design.ota)"
        if let known = cache[key] { return known }
        let ota: MillerOTA
        do {
            ota = try MillerOTA(design.ota, technology: design.technology)
        } catch {
            throw .design(.unsupported("cannot size the op-amp on \(design.technology.identifier): \(error)"))
        }
        do {
            let measured = try await OTACharacterization.measure(ota, engine: engine)
            cache[key] = measured
            return measured
        } catch {
            throw .readout("the op-amp characterisation failed: \(error)")
        }
    }

    /// A designer's op-amp, measured in the loop's load before it is trusted (per file
    /// content, technology and conditions).
    private func measurement(of block: UserBlock, design: TransistorDesign, engine: NgspiceEngine) async throws(VerificationError)
        -> OTAMeasurement
    {
        let t = design.technology
        let amp = AmplifierUnderTest(block, technology: t, loadCapacitanceFarads: design.ota.loadCapacitanceFarads,
                                     loadResistanceOhms: design.ota.loadResistanceOhms)
        return try await measured(block, on: t, setting: "\(design.ota.loadCapacitanceFarads)") { () async throws(CharacterizationError) in
            try await OTACharacterization.measure(amp, engine: engine)
        }
    }
}

extension BlockMeasurements {
    /// What a measurement of a designer's block depends on: the file as last modified, the
    /// technology and its conditions, and `setting`.
    static func key(_ block: UserBlock, _ t: Technology, _ setting: String) -> String {
        let stamp = (try? FileManager.default.attributesOfItem(atPath: block.file)[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(block.reference)@\(stamp)/\(t.identifier)@\(t.temperatureCelsius)/\(t.supplyVolts)/\(t.includes)/\(setting)"
    }

    /// A designer's DAC: every code's output and the output resistance.
    func measurement(ofDAC block: UserBlock, reference: ResistorLadderDAC, engine: NgspiceEngine) async throws(VerificationError)
        -> UserDACMeasurement
    {
        try await measured(block, on: reference.technology, setting: "\(reference.scale)") { () async throws(CharacterizationError) in
            try await DACCharacterization.measure(block, reference: reference, engine: engine)
        }
    }

    /// A designer's ADC: its transitions on a ramp through every code.
    func measurement(ofADC block: UserBlock, reference: SARADC, engine: NgspiceEngine) async throws(VerificationError)
        -> UserADCMeasurement
    {
        try await measured(block, on: reference.technology, setting: "\(reference.scale)") { () async throws(CharacterizationError) in
            try await ADCCharacterization.measure(block, reference: reference, engine: engine)
        }
    }

    /// The cell as laid (Crossloop's, or `block` with Crossloop's sign switches) at the unit
    /// conductance `unitSiemens`: every code's conductance at `testVolts` about the reference.
    func measurement(ofCell cell: SwitchedCell, block: UserBlock?, magnitudeBits: Int, unitSiemens: Double, signBit: Bool,
                     testVolts: Double, engine: NgspiceEngine) async throws(VerificationError) -> CellMeasurement {
        let t = cell.technology
        let setting = "laid/\(cell.parameters)/\(cell.referenceVolts)/\(magnitudeBits)/\(unitSiemens)/\(signBit)/\(testVolts)"
        func measure() async throws(CharacterizationError) -> CellMeasurement {
            try await CellCharacterization.measure(cell, block: block, magnitudeBits: magnitudeBits, unitSiemens: unitSiemens,
                                                   signBit: signBit, testVolts: testVolts, engine: engine)
        }
        if let block { return try await measured(block, on: t, setting: setting, measure) }
        let key = "\(t.identifier)@\(t.temperatureCelsius)/\(t.supplyVolts)/\(t.includes)/\(setting)"
        if let known = cellsAsLaid[key] { return known }
        do {
            let measured = try await measure()
            cellsAsLaid[key] = measured
            return measured
        } catch {
            throw .readout("the characterisation of the cell failed: \(error)")
        }
    }

    /// A designer's cell: every code's conductance at `testVolts` about the reference.
    func measurement(ofCell block: UserBlock, design: TransistorDesign, testVolts: Double, engine: NgspiceEngine)
        async throws(VerificationError) -> CellMeasurement
    {
        try await measured(block, on: design.technology, setting: "\(testVolts)") { () async throws(CharacterizationError) in
            try await CellCharacterization.measure(block, technology: design.technology, referenceVolts: design.referenceVolts,
                                                   testVolts: testVolts, engine: engine)
        }
    }

    /// A designer's block measured once per file, technology and `setting`, after its files
    /// are vetted; a failed measurement is classified for the solve.
    private func measured<Measurement: Sendable>(_ block: UserBlock, on t: Technology, setting: String,
                                                 _ measure: () async throws(CharacterizationError) -> Measurement)
        async throws(VerificationError) -> Measurement
    {
        let key = Self.key(block, t, "\(block.kind)/\(setting)")
        if let known = blocks[key] as? Measurement { return known }
        try UserFiles.vet(block, on: t)
        do {
            let measured = try await measure()
            blocks[key] = measured
            return measured
        } catch {
            throw UserBlockFailure.classify(error, block: block, technology: t)
        }
    }
}

/// A designer's files are code that ngspice reads: before any is included, each is read as
/// a deck in its own folder, under the sandbox of `crossloop simulate` (its includes stay
/// in that folder), and refused if it holds control commands, which a block or a model
/// library has no reason to run.
enum UserFiles {
    /// The block's file and the technology's library of your own, if any.
    static func vet(_ block: UserBlock, on t: Technology) throws(VerificationError) {
        try vet(block.include, for: block.reference)
        if let library = t.userLibrary { try vet(library.include, for: library.reference) }
    }

    static func vet(_ include: Include, for reference: String) throws(VerificationError) {
        let (path, card): (String, String)
        switch include {
        case .file(let file): (path, card) = (file, ".include \"\(file)\"")
        case let .library(file, section): (path, card) = (file, ".lib \"\(file)\" \(section)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let prepared: PreparedDeck
        do {
            prepared = try PreparedDeck(text: "* crossloop: vetting \(reference)\n\(card)\n.end\n", directory: folder)
        } catch {
            throw .design(.unsupported("\(reference): \(error)"))
        }
        let commands = (prepared.script + prepared.prelude).filter { !$0.isCommentLine && !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
        if let first = commands.first {
            throw .design(.unsupported("\(reference): \(first.location): control commands ('\(first.text)') in a block or model file are not run; keep the file to .subckt, .model and .param cards"))
        }
    }
}

/// What a failed measurement of a designer's block means for the solve.
enum UserBlockFailure {
    static func classify(_ error: CharacterizationError, block: UserBlock, technology: Technology) -> VerificationError {
        switch error {
        case .unstable(let reason): return .unstableAmplifier(reason)
        case .block(let reason): return .design(.unsupported(reason))
        case .simulation(let failure) where failure.kind == .unknownModel || failure.kind == .unknownSubcircuit:
            let what = failure.kind == .unknownModel ? "a model" : "a subcircuit"
            let name = failure.missingName.map { "'\($0)'" } ?? what
            return .design(.unsupported("\(block.reference): \(name) is defined neither in \(block.file) nor in the technology \(technology.identifier)\(technology.libraryDescription); give the library that defines it with design.technology FILE[:section] (ngspice: \(failure.message))"))
        case .measurement(let reason):
            // It simulated but does not behave as the block it is described as.
            let hint = block.kind == .opamp ? "; check the pin map (inp and inn the right way round, out, the supplies) and the bias" : "; check the pin map"
            return .design(.unsupported("\(reason)\(hint)"))
        default:
            return .readout("the characterisation of \(block.reference) failed: \(error)")
        }
    }
}

extension Verifier {
    /// At transistor level, the op-amp seen by the predictions is the measured one, and a
    /// designer's cell is measured code by code: its step is G0.
    public static func withMeasuredBlocks(_ options: SolveSpecification, engine: NgspiceEngine) async throws(VerificationError) -> SolveSpecification {
        guard options.design.circuit.fidelity == .transistor else { return options }
        guard let transistor = options.design.transistor else {
            throw .design(.unsupported("transistor fidelity needs a technology: use design.technology generic or sky130:CORNER"))
        }
        var options = options
        options.design.adopt(try await BlockMeasurements.shared.measurement(for: transistor, engine: engine))
        if let block = transistor.dacBlock {
            let reference: ResistorLadderDAC
            do { reference = try ResistorLadderDAC(ResistorLadderDAC.Parameters(options.design.mapping.dac), technology: transistor.technology) } catch {
                throw .design(.unsupported("cannot scale the DAC on \(transistor.technology.identifier): \(error)"))
            }
            options.design.adopt(dac: try await BlockMeasurements.shared.measurement(ofDAC: block, reference: reference, engine: engine))
        }
        if let block = transistor.adcBlock {
            let reference: SARADC
            do { reference = try SARADC(SARADC.Parameters(options.design.mapping.adc), technology: transistor.technology) } catch {
                throw .design(.unsupported("cannot scale the ADC on \(transistor.technology.identifier): \(error)"))
            }
            options.design.adopt(adc: try await BlockMeasurements.shared.measurement(ofADC: block, reference: reference, engine: engine))
        }
        if let block = transistor.cellBlock {
            let volts = options.design.mapping.targetOutputVolts
            options.design.adopt(cell: try await BlockMeasurements.shared.measurement(ofCell: block, design: transistor, testVolts: volts, engine: engine))
        }
        return options
    }

    /// The cell as the array lays it (Crossloop's, or a designer's with the sign switches
    /// around it) measured at the G0 `spec` holds (as ``predict(_:_:)`` leaves it: G0 fitted),
    /// so that the switch term comes from the switches as simulated. Ideal switches (the
    /// attribution's run) have nothing to measure.
    public static func withMeasuredCell(_ spec: SolveSpecification, engine: NgspiceEngine) async throws(VerificationError) -> SolveSpecification {
        guard spec.design.circuit.fidelity == .transistor, let t = spec.design.transistor, !t.cell.idealSwitches,
              let bits = spec.design.mapping.cell.magnitudeBits else { return spec }
        let cell = SwitchedCell(technology: t.technology, parameters: t.cell, referenceVolts: t.referenceVolts)
        let measured = try await BlockMeasurements.shared.measurement(
            ofCell: cell, block: t.cellBlock, magnitudeBits: bits, unitSiemens: spec.design.mapping.unitConductanceSiemens,
            signBit: spec.design.mapping.cell.sign == .signBit, testVolts: spec.design.mapping.targetOutputVolts, engine: engine)
        var spec = spec
        spec.design.record(cellAsLaid: measured)
        return spec
    }

    /// ``predict(_:_:)`` with the cell as laid measured at the G0 the mapping chose: the
    /// prediction a simulated solve is judged by.
    public static func predictMeasured(_ problem: Problem, _ spec: SolveSpecification, engine: NgspiceEngine) async throws(VerificationError)
        -> Predicted
    {
        let first = try predict(problem, spec)
        // An unstable loop is refused before anything is measured.
        guard first.prediction.isStable || spec.policy.force else { return first }
        let measured = try await withMeasuredCell(first.specification, engine: engine)
        return measured.design.cellAsLaid == first.specification.design.cellAsLaid ? first : try predict(problem, measured)
    }

    /// Energy over [start, start + latency] from each source's power waveform, by block.
    static func energy(time: [Double], items: [(block: String, power: [Double])], start: Double, latency: Double,
                       problem: Problem, joulesPerFlop: Double) -> EnergyReport {
        let end = start + latency
        func integral(_ power: [Double]) -> Double {
            var joules = 0.0
            for k in 1..<max(time.count, 1) {
                let a = max(time[k - 1], start), b = min(time[k], end)
                guard b > a else { continue }
                let span = time[k] - time[k - 1]
                func p(_ t: Double) -> Double { span > 0 ? power[k - 1] + (power[k] - power[k - 1]) * (t - time[k - 1]) / span : power[k] }
                joules += (p(a) + p(b)) / 2 * (b - a)
            }
            return joules
        }
        var blocks: [EnergyItem] = []
        for item in items {
            let joules = integral(item.power)
            if let k = blocks.firstIndex(where: { $0.block == item.block }) { blocks[k].joules += joules } else {
                blocks.append(EnergyItem(block: item.block, joules: joules))
            }
        }
        let joules = blocks.map(\.joules).reduce(0, +)
        let total = time.indices.map { k in items.reduce(0.0) { $0 + $1.power[k] } }
        let before = time.indices.filter { time[$0] < start }
        let quiescent = before.isEmpty ? total.first ?? 0 : before.map { total[$0] }.reduce(0, +) / Double(before.count)
        return EnergyReport(joulesPerSolve: joules, items: blocks, averageWatts: latency > 0 ? joules / latency : 0,
                            quiescentWatts: quiescent, latencySeconds: latency, digitalFlops: DigitalBaseline.flops(problem),
                            joulesPerFlop: joulesPerFlop)
    }
}
