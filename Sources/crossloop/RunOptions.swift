import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Circuits
import Foundation
import MatrixFiles
import Ngspice
import CircuitTheory
import Reference
import Verification
import Workloads

/// What a `crossloop run` workload assumes for the options left out (its help states them).
struct RunDefaults: Sendable {
    /// Magnitude bits per cell without --bits; 0 for continuous conductances.
    var cellBits: Int = 0
    /// Fidelity without --fidelity.
    var fidelity: Fidelity = .ideal
    /// The primitive whose rules the options follow (eig: op-amp dynamics, a transient).
    var operation: CrossbarOperation = .inv

    /// As knob values, before the user's.
    var entries: [(name: String, value: KnobValue)] {
        [("bits", .number(Double(cellBits))), ("fidelity", .text(fidelity.rawValue))]
    }
}

/// The chip flags shared by every `crossloop run` workload, and the knob flags of its
/// primitives.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Rows = columns of one array.", valueName: "N"))
    var tile: Int = 64

    @Option(help: ArgumentHelp("Number of arrays on the chip.", valueName: "N"))
    var arrays: Int = 2

    @Option(help: ArgumentHelp("ngspice engines simulating independent primitives in parallel.", valueName: "N"))
    var engines: Int = 2

    @Option(help: ArgumentHelp("Seed of every random matrix, graph and noise.", valueName: "N"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Write a self-contained HTML report (inline SVG plots).", valueName: "path.html"))
    var report: String?

    @Option(help: ArgumentHelp("Write the same data as JSON.", valueName: "path"))
    var json: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The primitives' design and analysis options (crossloop run --help lists them).", valueName: "options"))
    var knobs: [String] = []

    /// The help every workload shows for its knob options.
    static var knobHelp: String {
        KnobArguments.help(KnobArguments.workloadKnobs, title: "Design and analysis options of every primitive")
            + "\n\n" + KnobArguments.wrapped("Without --analysis the primitives run op at ideal and transistor fidelity (a transient of a 64x64 transistor array takes minutes) and tran at behavioral; at transistor level the converters are ideal unless --converters transistor.", width: 76).joined(separator: "\n")
    }

    /// The chip and the primitives' specification; every message says what to type instead.
    func validated(_ defaults: RunDefaults) throws -> (ChipResources, SolveSpecification) {
        guard (2...256).contains(tile) else { throw UsageError("--tile \(tile): pass a tile between 2 and 256") }
        guard (1...64).contains(arrays) else { throw UsageError("--arrays \(arrays): pass between 1 and 64") }
        guard (1...16).contains(engines) else { throw UsageError("--engines \(engines): pass between 1 and 16") }
        let entries = try KnobArguments.parse(knobs, knobs: KnobArguments.workloadKnobs)
        var spec = try SolveSpecification.resolve(defaults.entries + entries, operation: defaults.operation)
        if spec.design.circuit.fidelity == .transistor, !entries.contains(where: { Knob.named($0.name)?.name == "converters" }) {
            // The core quantises every primitive's inputs and outputs through the mapping's DAC
            // and ADC; simulated SAR ADCs cost minutes per primitive (--converters transistor
            // puts them in the loop).
            spec.design.transistor?.converters = .ideal
        }
        if spec.design.technologyName != nil, spec.design.circuit.fidelity != .transistor {
            throw UsageError("--technology: at behavioral fidelity the workloads' op-amps are single-pole models; a technology applies at --fidelity transistor, to solve and to sweeps")
        }
        if !entries.contains(where: { Knob.named($0.name)?.name == "analysis" }) {
            // At transistor level a primitive's transient costs minutes on a 64x64 array and its
            // operating point seconds: the answer is the operating point, the analogue time the
            // predicted settling (--analysis tran measures it).
            // Simulated converters convert, and 6T latches are written, in time.
            let timed = spec.design.transistor.map { $0.converters == .transistor || $0.cell.sram == .full } ?? false
            spec.plan.analysis = spec.design.circuit.fidelity == .behavioral || timed ? .tran : .op
        }
        return (ChipResources(arraySize: tile, arrayCount: arrays), spec)
    }

    /// The core on a fresh engine pool, with a progress line on a terminal.
    func core(_ defaults: RunDefaults, label: String) throws -> (AnalogueCore, ProgressLine) {
        let (resources, spec) = try validated(defaults)
        try OutputFile.check(report, json)
        let pool: EnginePool
        do { pool = try EnginePool(size: engines) } catch { throw SimulationFailure("cannot start ngspice: \(error)") }
        let progress = ProgressLine(label: label)
        let core = try AnalogueCore(resources: resources, options: spec, pool: pool) { p in
            progress.update(message: "\(p.phase): \(p.counts.inv) INV, \(p.counts.mvm) MVM, \(p.counts.eig) EIG (\(p.label))",
                            done: p.done, of: p.expectedPrimitives)
        }
        return (core, progress)
    }

    /// Prints the report, writes the files and leaves with 1 when the target was missed.
    func finish(_ report: WorkloadReport) throws {
        print(Knob.spelled(report.text(), as: .flag))
        let byline = "crossloop \(CrossloopVersion.string): " + DeckFile.generatedBy(CommandLine.arguments)
        if let path = self.report { try OutputFile.write(report.html(byline: byline), to: path) }
        if let path = json { try OutputFile.write(report.json(crossloopVersion: CrossloopVersion.string).text(), to: path) }
        if !report.passed { throw VerificationFailure() }
    }

    /// Runs a workload body, clearing the progress line however it ends.
    static func perform<T>(_ progress: ProgressLine, _ body: () async throws(WorkloadError) -> T) async throws -> T {
        defer { progress.finish() }
        return try await body()
    }

    /// A matrix (and optional vector) from files, or nil when no --matrix was given.
    static func readSystem(matrix: String?, rhs: String?) throws -> (Matrix, [Double]?)? {
        guard let matrix else {
            if rhs != nil { throw UsageError("--rhs needs --matrix") }
            return nil
        }
        let a = try MatrixFiles.readMatrix(at: matrix)
        let b = try rhs.map { try MatrixFiles.readVector(at: $0) }
        guard a.isSquare else { throw UsageError("\(matrix): the matrix is \(a.rows)x\(a.columns); pass a square matrix") }
        if let b, b.count != a.rows { throw UsageError("\(rhs ?? ""): \(b.count) entries for a \(a.rows)x\(a.rows) matrix") }
        return (a, b)
    }
}
