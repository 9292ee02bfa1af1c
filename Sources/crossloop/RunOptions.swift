import ArgumentParser
import Circuits
import Foundation
import MatrixFiles
import Ngspice
import CircuitTheory
import Reference
import Verification
import Workloads

/// What a `crossloop run` workload assumes for the flags left out (its help states them).
struct RunDefaults: Sendable {
    /// Magnitude bits per cell without --bits; nil for continuous conductances.
    var cellBits: Int?
    /// Fidelity without --fidelity.
    var fidelity: Fidelity = .ideal
}

/// The chip, converter and circuit flags shared by every `crossloop run` workload.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("ideal (VCVS op-amps) or behavioral (single-pole op-amps with limits). Default: ideal (pagerank: behavioral).", valueName: "fidelity"))
    var fidelity: String?

    @Option(help: ArgumentHelp("op or tran for every primitive. Default: op at ideal fidelity, tran at behavioral.", valueName: "analysis"))
    var analysis: String?

    @Option(help: ArgumentHelp("Magnitude bits per cell, 1 to 16; 0 for continuous conductances. Default: per workload (stated in the output).", valueName: "K"))
    var bits: Int?

    @OptionGroup var signalPath: SignalPathOptions

    @Option(help: ArgumentHelp("Op-amp DC gain A0, V/V. Default 1e6 (ideal), 1e4 (behavioral).", valueName: "A0"))
    var gain: Quantity?

    @Option(help: ArgumentHelp("Op-amp gain-bandwidth product, Hz. Default 10meg.", valueName: "hz"))
    var gbw: Quantity = Quantity(10e6)

    @Option(help: ArgumentHelp("Op-amp output limit, volts about the reference. Default 0.5.", valueName: "V"))
    var swing: Quantity = Quantity(0.5)

    @Option(help: ArgumentHelp("Unit conductance G0 (one cell level), siemens. Default 10u.", valueName: "S"))
    var g0: Quantity = Quantity(10e-6)

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

    /// The chip and the primitives' options; every message says what to type instead.
    func validated(_ defaults: RunDefaults) throws -> (ChipResources, SolveOptions) {
        var chosen = defaults.fidelity
        if let fidelity {
            guard let parsed = Fidelity(rawValue: fidelity.lowercased()), parsed != .transistor else {
                throw ValidationError("Unknown fidelity '\(fidelity)': pass --fidelity ideal or behavioral.")
            }
            chosen = parsed
        }
        var kind: AnalysisKind = chosen == .ideal ? .op : .tran
        if let analysis {
            guard let parsed = AnalysisKind(rawValue: analysis.lowercased()) else {
                throw ValidationError("Unknown analysis '\(analysis)': pass --analysis op or tran.")
            }
            kind = parsed
        }
        let cellBits = bits ?? defaults.cellBits ?? 0
        var mapping = MappingParameters()
        try signalPath.apply(cellBits: cellBits, to: &mapping)
        for (flag, q) in [("--gbw", gbw), ("--swing", swing), ("--g0", g0)] where !(q.value > 0) {
            throw ValidationError("Pass \(flag) as a positive number (SPICE suffixes allowed, e.g. 10meg).")
        }
        if let gain, !(gain.value > 1) { throw ValidationError("Pass --gain above 1 V/V, e.g. 1e4.") }
        guard (2...256).contains(tile) else { throw ValidationError("Pass --tile between 2 and 256.") }
        guard (1...64).contains(arrays) else { throw ValidationError("Pass --arrays between 1 and 64.") }
        guard (1...16).contains(engines) else { throw ValidationError("Pass --engines between 1 and 16.") }

        mapping.unitConductanceSiemens = g0.value
        mapping.opAmpSwingVolts = swing.value
        var design = DesignParameters(fidelity: chosen)
        design.opAmp.gainBandwidthHertz = gbw.value
        design.opAmp.outputSwingVolts = swing.value
        if let gain {
            design.idealGain = gain.value
            design.opAmp.dcGain = gain.value
        }
        return (ChipResources(arraySize: tile, arrayCount: arrays), SolveOptions(mapping: mapping, design: design, analysis: kind))
    }

    /// The core on a fresh engine pool, with a progress line on a terminal.
    func core(_ defaults: RunDefaults, label: String) throws -> (AnalogueCore, ProgressLine) {
        let (resources, options) = try validated(defaults)
        let pool: EnginePool
        do { pool = try EnginePool(size: engines) } catch { throw fail(.simulationFailed, "cannot start ngspice: \(error)") }
        let progress = ProgressLine(label: label)
        do {
            let core = try AnalogueCore(resources: resources, options: options, pool: pool) { p in
                progress.update(message: "\(p.phase): \(p.counts.inv) INV, \(p.counts.mvm) MVM, \(p.counts.eig) EIG (\(p.label))")
            }
            return (core, progress)
        } catch {
            throw fail(.invalidInput, error.description)
        }
    }

    /// Prints the report, writes the files and leaves with 1 when the target was missed.
    func finish(_ report: WorkloadReport) throws {
        print(report.text())
        let byline = "crossloop \(CrossloopVersion.string): " + DeckFile.generatedBy(CommandLine.arguments)
        do {
            if let path = self.report {
                try report.html(byline: byline).write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
            }
            if let path = json {
                try report.json(crossloopVersion: CrossloopVersion.string).text()
                    .write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail(.invalidInput, "cannot write a report: \(error.localizedDescription)")
        }
        if !report.passed { throw ExitStatus.verificationFailed.code }
    }

    /// The exit for a workload that stopped: input problems 2, simulation 3, a refused
    /// unstable primitive 4.
    static func exit(for error: WorkloadError) -> ExitCode {
        switch error {
        case .invalidParameter, .doesNotFit, .insufficientArrays, .digital:
            return fail(.invalidInput, error.description)
        case .engine:
            return fail(.simulationFailed, error.description)
        case .primitive(_, _, let inner):
            return fail(ExitStatus(inner), error.description)
        }
    }

    /// Runs a workload body, mapping its errors to exit codes and clearing the progress line.
    static func perform<T>(_ progress: ProgressLine, _ body: () async throws(WorkloadError) -> T) async throws -> T {
        do {
            let value = try await body()
            progress.finish()
            return value
        } catch {
            progress.finish()
            throw exit(for: error)
        }
    }

    /// A matrix (and optional vector) from files, or nil when no --matrix was given.
    static func readSystem(matrix: String?, rhs: String?) throws -> (Matrix, [Double]?)? {
        guard let matrix else {
            if rhs != nil { throw fail(.invalidInput, "--rhs needs --matrix") }
            return nil
        }
        do {
            let a = try MatrixFiles.readMatrix(at: matrix)
            let b = try rhs.map { try MatrixFiles.readVector(at: $0) }
            guard a.isSquare else { throw fail(.invalidInput, "\(matrix): the matrix is \(a.rows)x\(a.columns); pass a square matrix") }
            if let b, b.count != a.rows { throw fail(.invalidInput, "\(rhs ?? ""): \(b.count) entries for a \(a.rows)x\(a.rows) matrix") }
            return (a, b)
        } catch let error as MatrixFileError {
            throw fail(.invalidInput, error.description)
        }
    }
}
