import Reports
import Specification
import Circuits
import Foundation
import Ngspice
import CircuitTheory
import Reference
import Verification

/// One analogue primitive's answer, as the digital side receives it.
public struct PrimitiveResult: Sendable, Hashable {
    public var kind: PrimitiveKind
    /// The answer after the output ADC, in the problem's units (the ADC codes times the
    /// mapping's output scale); zeros when the primitive was skipped. EIG: the unit-norm
    /// direction with its largest entry positive.
    public var value: [Double]
    /// The exact answer of the problem this primitive was given (LAPACK), for error tracking.
    public var exact: [Double]
    /// The primitive's first-order error budget (relative, `ErrorBudget.combined`).
    public var predictedRelativeError: Double
    /// Whether the tile or its input was exactly zero and nothing was simulated.
    public var skipped: Bool

    /// The first-order absolute 2-norm error bound: budget times |exact answer|.
    public var errorBound: Double { predictedRelativeError * exact.norm2 }
    /// |value - exact| / |exact| (0 when both are zero).
    public var relativeError: Double {
        let e = exact.norm2
        return e > 0 ? value.minus(exact).norm2 / e : value.norm2
    }
}

/// The product of a matrix of any size with vectors, tiled onto arrays.
public struct TiledProduct: Sendable, Hashable {
    /// A x, summed digitally over the column tiles.
    public var value: [Double]
    /// First-order absolute bound: per row block the sum of the tiles' bounds, combined in
    /// the 2-norm over row blocks.
    public var errorBound: Double
}

/// Progress of a workload on the core.
public struct CoreProgress: Sendable {
    public var phase: String
    public var label: String
    public var counts: OperationCounts
    /// How many primitives the workload expects in all, when it knows (``AnalogueCore/expect(primitives:)``).
    public var expectedPrimitives: Int?
    /// Primitives of the batch under way (one matrix, many vectors) solved so far: not yet in `counts`.
    public var inBatch = 0

    /// Primitives simulated so far.
    public var done: Int { counts.inv + counts.mvm + counts.eig + inBatch }
}

/// The waveforms of one primitive with its predicted settling (or growth) time, for plots.
public struct WaveformSample: Sendable {
    public var kind: PrimitiveKind
    public var label: String
    public var waveforms: OutputWaveforms
    /// Predicted settling to the ADC's bits (INV, MVM) or growth to half the swing (EIG),
    /// seconds after `waveforms.start`.
    public var predictedSeconds: Double?
    /// Measured, when the transient settled.
    public var measuredSeconds: Double?
    /// True when the workload ran at ideal fidelity (no dynamics) and the primitive was
    /// re-simulated once at behavioural fidelity for the plot (not counted).
    public var probe: Bool
    public var fidelity: Fidelity
}

/// A tiled analogue core: a chip of `resources.arrayCount` arrays of `resources.arraySize`
/// squared cells that executes INV, MVM and EIG primitives, each one a circuit simulated
/// through `Verifier` at the fidelity of `options`, with the digital glue between them
/// (``digital``) explicit and counted.
///
/// Inputs reach a primitive through the mapping's DAC (quantised at `options.design.mapping.dac`)
/// and leave through its ADC (`options.design.mapping.adc`): every value the digital side sees is
/// ADC codes times a scale. Batches of independent primitives are simulated in parallel on
/// the engine pool; the chip itself runs them one after another, and the analogue time adds
/// up accordingly.
///
/// Thread safety: the ledger and the array state sit behind `lock`; everything else is
/// immutable after init.
public final class AnalogueCore: @unchecked Sendable {  // Safe: mutable state behind `lock`.
    public let resources: ChipResources
    public let options: SolveSpecification
    public let pool: EnginePool
    let progress: (@Sendable (CoreProgress) -> Void)?

    private let lock = NSLock()
    private var state: State

    struct Slot {
        var matrix: Matrix
        var lastUse: Int
    }

    struct State {
        var phase = "run"
        var phases: [String] = ["run"]
        var counts: [String: OperationCounts] = [:]
        var records: [PrimitiveRecord] = []
        var slots: [Slot?]
        var clock = 0
        /// The first full verdict of each kind with the label it ran under (for reports).
        var samples: [PrimitiveKind: (verdict: Verdict, label: String)] = [:]
        var expectedPrimitives: Int?

        /// Adds to the counts of the current phase.
        mutating func count(_ body: (inout OperationCounts) -> Void) {
            body(&counts[phase, default: OperationCounts()])
        }
    }

    /// - Parameters:
    ///   - resources: the chip: how many arrays, of what size.
    ///   - options: mapping, design and analysis of every primitive (`toleranceBits`,
    ///     `force` and `keepWaveforms` are honoured per primitive).
    ///   - pool: the engines; one pool for a whole workload, never an engine per primitive.
    ///   - progress: called after every primitive.
    public init(resources: ChipResources = ChipResources(), options: SolveSpecification, pool: EnginePool,
                progress: (@Sendable (CoreProgress) -> Void)? = nil) throws(WorkloadError) {
        try resources.validate()
        do { try options.design.mapping.validate() } catch {
            throw .invalidParameter(name: "mapping", value: "\(error)", requirement: "a valid mapping")
        }
        self.resources = resources
        self.options = options
        self.pool = pool
        self.progress = progress
        state = State(slots: Array(repeating: nil, count: resources.arrayCount))
    }

    // MARK: Ledger

    /// Tells the progress reports how many primitives the workload will simulate (for an ETA).
    public func expect(primitives: Int) { lock.withLock { state.expectedPrimitives = primitives } }

    /// Starts counting into `name` (e.g. "setup", "solve"); counts of earlier phases are kept.
    public func beginPhase(_ name: String) {
        lock.withLock {
            state.phase = name
            if !state.phases.contains(name) { state.phases.append(name) }
        }
    }

    /// The counts of one phase.
    public func counts(phase: String) -> OperationCounts { lock.withLock { state.counts[phase] ?? OperationCounts() } }

    /// The counts of every phase, in the order the phases began (phases with no work left out).
    public func phaseCounts() -> [(phase: String, counts: OperationCounts)] {
        lock.withLock { state.phases.compactMap { p in state.counts[p].map { (p, $0) } } }
    }

    /// The counts of all phases together.
    public func totalCounts() -> OperationCounts {
        lock.withLock { state.counts.values.reduce(OperationCounts(), +) }
    }

    /// The specification of the first primitive simulated, as the pipeline resolved it.
    public var sampledOptions: SolveSpecification? { lock.withLock { state.samples.values.first?.verdict.options } }

    /// Every primitive so far, in order.
    public func records() -> [PrimitiveRecord] { lock.withLock { state.records } }

    /// Digital glue, counted into the current phase.
    public var digital: DigitalUnit { DigitalUnit(core: self) }

    func record(_ body: (inout OperationCounts) -> Void) {
        lock.withLock { state.count(body) }
    }

    /// Marks `matrix` resident on `arrays` arrays, overwriting the least recently used ones.
    private func program(_ matrix: Matrix, arrays: Int) {
        lock.withLock {
            state.clock += 1
            let resident = state.slots.indices.filter { state.slots[$0]?.matrix == matrix }
            if resident.count >= arrays {
                let now = state.clock
                for k in resident { state.slots[k]?.lastUse = now }
                state.count { $0.residentHits += 1 }
            } else {
                let order = state.slots.indices.sorted { (state.slots[$0]?.lastUse ?? -1) < (state.slots[$1]?.lastUse ?? -1) }
                let now = state.clock
                for k in order.prefix(arrays) {
                    state.slots[k] = Slot(matrix: matrix, lastUse: now)
                }
                state.count { c in
                    c.arrayProgrammings += arrays
                    c.cellsWritten += arrays * matrix.rows * matrix.columns
                }
            }
        }
    }

    // MARK: Primitives

    /// x = A^-1 b for each b of `batch`, one simulated INV circuit each (A fits one array).
    /// - Parameters:
    ///   - a: the matrix, at most one array in size.
    ///   - batch: the right-hand sides b.
    ///   - label: names the primitives in the core's records.
    ///   - equilibrate: scale symmetrically, D A D y = D b, x = D y with
    ///   D = diag(1 / sqrt(a_ii)), so the programmed matrix has a unit diagonal (digital glue,
    ///   counted). Needs a positive diagonal.
    public func inv(_ a: Matrix, batch: [[Double]], label: String, equilibrate: Bool = false) async throws(WorkloadError)
        -> [PrimitiveResult]
    {
        guard a.isSquare, a.rows <= resources.arraySize else {
            throw .doesNotFit(operation: "INV", rows: a.rows, columns: a.columns, arraySize: resources.arraySize)
        }
        guard equilibrate else {
            return try await run(.inv, a, batch, label: label)
        }
        let diagonal = a.diagonalEntries
        guard diagonal.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidParameter(name: "\(label): diagonal", value: "\(diagonal.min() ?? 0)", requirement: "positive for symmetric equilibration")
        }
        let d = diagonal.map { 1 / $0.squareRoot() }
        let scaled = Matrix(rows: a.rows, columns: a.columns) { i, j in d[i] * a[i, j] * d[j] }
        record { c in
            c.digitalDivides += 2 * a.rows  // sqrt and reciprocal
            c.digitalMultiplies += 2 * a.rows * a.columns
        }
        let inputs = batch.map { b in zip(d, b).map { $0 * $1 } }
        record { $0.digitalMultiplies += inputs.count * a.rows }
        let results = try await run(.inv, scaled, inputs, label: label)
        record { $0.digitalMultiplies += results.count * a.rows }
        return zip(results, batch).map { result, b in
            var r = result
            r.value = zip(d, result.value).map { $0 * $1 }
            r.exact = (try? a.solve(b)) ?? zip(d, result.exact).map { $0 * $1 }
            // |D (y_hat - y)| <= max d |y_hat - y|; expressed relative to |x|.
            let x = r.exact.norm2
            r.predictedRelativeError = x > 0 ? (d.max() ?? 1) * result.errorBound / x : result.predictedRelativeError
            return r
        }
    }

    /// One INV.
    public func inv(_ a: Matrix, _ b: [Double], label: String, equilibrate: Bool = false) async throws(WorkloadError) -> PrimitiveResult {
        try await inv(a, batch: [b], label: label, equilibrate: equilibrate)[0]
    }

    /// y = A x for each x of `batch`, A of any shape, tiled onto arrays of
    /// `resources.arraySize`: one simulated MVM per tile with a non-zero block and input,
    /// partial sums added digitally (counted).
    public func mvm(_ a: Matrix, batch: [[Double]], label: String) async throws(WorkloadError) -> [TiledProduct] {
        let t = resources.arraySize
        let rowBlocks = stride(from: 0, to: a.rows, by: t).map { $0..<min($0 + t, a.rows) }
        let columnBlocks = stride(from: 0, to: a.columns, by: t).map { $0..<min($0 + t, a.columns) }
        struct Job { var item: Int; var rows: Range<Int>; var columns: Range<Int>; var tile: Matrix; var x: [Double] }
        var jobs: [Job] = []
        var skipped = 0
        var tiles: [[Matrix]] = []
        for r in rowBlocks {
            tiles.append(columnBlocks.map { a.submatrix(rows: r, columns: $0) })
        }
        for (bi, r) in rowBlocks.enumerated() {
            for (bj, c) in columnBlocks.enumerated() {
                let tile = tiles[bi][bj]
                let zeroTile = tile.maxAbsEntry == 0
                for (item, x) in batch.enumerated() {
                    let part = Array(x[c])
                    if zeroTile || part.normInfinity == 0 { skipped += 1; continue }
                    jobs.append(Job(item: item, rows: r, columns: c, tile: tile, x: part))
                }
            }
        }
        if skipped > 0 { record { $0.skippedZero += skipped } }
        var results: [PrimitiveResult] = []
        // One call per tile, so each tile is programmed once for all of its vectors.
        var start = 0
        while start < jobs.count {
            var end = start + 1
            while end < jobs.count, jobs[end].rows == jobs[start].rows, jobs[end].columns == jobs[start].columns { end += 1 }
            let group = Array(jobs[start..<end])
            let r = group[0].rows, c = group[0].columns
            results += try await run(.mvm, group[0].tile, group.map(\.x),
                                     label: "\(label) tile [\(r.lowerBound + 1)-\(r.upperBound), \(c.lowerBound + 1)-\(c.upperBound)]")
            start = end
        }
        var values = batch.map { _ in Array(repeating: 0.0, count: a.rows) }
        var bounds = batch.map { _ in Array(repeating: 0.0, count: rowBlocks.count) }
        var adds = 0
        var touched = Set<[Int]>()
        for (job, result) in zip(jobs, results) {
            let blockIndex = job.rows.lowerBound / t
            let key = [job.item, blockIndex]
            let first = !touched.contains(key)
            touched.insert(key)
            for (k, i) in job.rows.enumerated() { values[job.item][i] += result.value[k] }
            if !first { adds += job.rows.count }
            bounds[job.item][blockIndex] += result.errorBound
        }
        if adds > 0 { record { $0.digitalAdds += adds } }
        return batch.indices.map { item in
            TiledProduct(value: values[item], errorBound: bounds[item].norm2)
        }
    }

    /// One tiled MVM.
    public func mvm(_ a: Matrix, _ x: [Double], label: String) async throws(WorkloadError) -> TiledProduct {
        try await mvm(a, batch: [x], label: label)[0]
    }

    /// The dominant eigenvector of A (one array), by the regenerative EIG loop: needs
    /// behavioural fidelity and a transient.
    public func eig(_ a: Matrix, label: String) async throws(WorkloadError) -> PrimitiveResult {
        guard a.isSquare, a.rows <= resources.arraySize else {
            throw .doesNotFit(operation: "EIG", rows: a.rows, columns: a.columns, arraySize: resources.arraySize)
        }
        return try await run(.eig, a, [[]], label: label)[0]
    }

    /// What one simulated primitive hands back from the engine task.
    private struct Outcome: Sendable {
        var value: [Double]
        var exact: [Double]
        var budget: Double
        var analogueSeconds: Double
        var simulatorSeconds: Double
        var passed: Bool
        var relativeError: Double
        var verdict: Verdict?
        var skipped: Bool
        var failures: [String] = []
    }

    /// Runs one kind of primitive on one matrix for every vector of `batch` (EIG: one empty vector).
    private func run(_ kind: PrimitiveKind, _ a: Matrix, _ batch: [[Double]], label: String) async throws(WorkloadError)
        -> [PrimitiveResult]
    {
        let arrays = resources.arraysNeeded(for: a, sign: options.design.mapping.cell.sign)
        guard arrays <= resources.arrayCount else {
            throw .insufficientArrays(needed: arrays, available: resources.arrayCount,
                                      reason: "array P for the positive and array N for the negative entries")
        }
        let operation = kind.operation
        let base = options
        let wantSample = lock.withLock { state.samples[kind] == nil }
        struct Item: Sendable { var index: Int; var vector: [Double] }
        let items = batch.enumerated().map { Item(index: $0.offset, vector: $0.element) }
        let outcomes: [Result<Outcome, VerificationError>]
        do {
            if base.design.circuit.fidelity == .transistor, kind == .inv, items.count > 1 {
                // One loaded array per matrix: every vector after the first re-programs its inputs in place.
                // Not MVM: its operating point depends on the vector through and through, and the
                // loaded deck's `.nodeset` (which ngspice cannot alter) leaves each re-run to gmin
                // stepping, 6 s against 0.34 s for a fresh deck at 32x32; fresh decks run side by side.
                let solved: @Sendable (Int) -> Void = { [weak self] done in self?.report(label: "\(label) \(done)/\(items.count)", inBatch: done) }
                outcomes = try await pool.map([items]) { engine, batch in
                    await AnalogueCore.simulate(kind, operation, a, batch.map(\.vector), options: base, keep: wantSample, engine: engine,
                                                solved: solved)
                }[0]
            } else {
                outcomes = try await pool.map(items) { engine, item in
                    await AnalogueCore.simulate(kind, operation, a, [item.vector], options: base,
                                                keep: wantSample && item.index == 0, engine: engine)
                }.map { $0[0] }
            }
        } catch {
            throw .engine("\(error)")
        }
        var results: [PrimitiveResult] = []
        for (k, outcome) in outcomes.enumerated() {
            let o: Outcome
            switch outcome {
            case .success(let value): o = value
            case .failure(let error): throw .primitive(kind: kind, label: batch.count > 1 ? "\(label) #\(k + 1)" : label, error: error)
            }
            if o.skipped {
                record { $0.skippedZero += 1 }
            } else {
                program(a, arrays: arrays)
                lock.withLock {
                    state.count { c in
                        c[kind] += 1
                        c.dacConversions += kind == .eig ? 0 : batch[k].count
                        c.adcConversions += o.value.count
                        c.analogueSeconds += o.analogueSeconds
                        c.simulatorSeconds += o.simulatorSeconds
                        if !o.passed { c.failedChecks += 1 }
                    }
                    let entry = PrimitiveRecord(
                        index: state.records.count, kind: kind, label: batch.count > 1 ? "\(label) #\(k + 1)" : label,
                        phase: state.phase, rows: a.rows, columns: a.columns, relativeError: o.relativeError,
                        predictedError: o.budget, analogueSeconds: o.analogueSeconds, passed: o.passed, failedChecks: o.failures)
                    state.records.append(entry)
                    if let verdict = o.verdict, state.samples[kind] == nil {
                        state.samples[kind] = (verdict, label)
                    }
                }
                report(label: label)
            }
            results.append(PrimitiveResult(kind: kind, value: o.value, exact: o.exact, predictedRelativeError: o.budget, skipped: o.skipped))
        }
        return results
    }

    /// Tells the progress callback where the workload is; `inBatch` primitives of a batch
    /// under way are done but not yet counted.
    private func report(label: String, inBatch: Int = 0) {
        guard let progress else { return }
        let (phase, expected) = lock.withLock { (state.phase, state.expectedPrimitives) }
        var p = CoreProgress(phase: phase, label: label, counts: totalCounts(), expectedPrimitives: expected)
        p.inBatch = inBatch
        progress(p)
    }

    /// Simulates one primitive per vector on `engine` (several vectors: one loaded circuit,
    /// re-programmed in place, ``BatchSolver``); a zero input (or, for MVM, a zero product) is
    /// skipped with a zero answer.
    private static func simulate(_ kind: PrimitiveKind, _ operation: CrossbarOperation, _ a: Matrix, _ vectors: [[Double]],
                                 options base: SolveSpecification, keep: Bool, engine: NgspiceEngine,
                                 solved: (@Sendable (Int) -> Void)? = nil) async
        -> [Result<Outcome, VerificationError>]
    {
        let length = kind == .mvm ? a.rows : a.columns
        let zero = Array(repeating: 0.0, count: length)
        let skipped = Outcome(value: zero, exact: zero, budget: 0, analogueSeconds: 0, simulatorSeconds: 0,
                              passed: true, relativeError: 0, verdict: nil, skipped: true)
        var results = [Result<Outcome, VerificationError>?](repeating: nil, count: vectors.count)
        var problems: [(index: Int, problem: Problem)] = []
        for (index, vector) in vectors.enumerated() {
            if kind != .eig, vector.normInfinity == 0 { results[index] = .success(skipped); continue }
            do throws(MappingError) {
                problems.append((index, try Problem(operation: operation, matrix: a, vector: vector)))
            } catch {
                results[index] = .failure(.mapping(error))
            }
        }
        var options = base
        options.plan.keepWaveforms = keep && base.plan.analysis == .tran
        func outcome(_ verdict: Verdict, keep: Bool) -> Outcome {
            let p = verdict.prediction
            let settle = verdict.measuredSettlingSeconds ?? (kind == .eig ? p.growthSeconds : p.settlingSeconds) ?? 0
            return Outcome(value: verdict.solution, exact: p.references.ideal, budget: p.budget.combined,
                           analogueSeconds: settle, simulatorSeconds: verdict.simulation.seconds,
                           passed: verdict.passed, relativeError: verdict.metricsIdeal.relativeError,
                           verdict: keep ? verdict : nil, skipped: false,
                           failures: verdict.checks.filter { $0.status == .failed }.map { "\($0.name): \($0.detail)" })
        }
        func failed(_ error: VerificationError) -> Result<Outcome, VerificationError> {
            if kind == .mvm, case .mapping(.zeroSolution) = error { return .success(skipped) }
            return .failure(error)
        }
        if problems.count > 1 {
            do throws(VerificationError) {
                let batch = try await BatchSolver.solve(problems.map(\.problem), options, engine: engine, solved: solved)
                for (k, verdict) in batch.verdicts.enumerated() {
                    results[problems[k].index] = .success(outcome(verdict, keep: keep && k == 0))
                }
            } catch {
                // One vector the batch cannot take (a zero product) must not sink the others: each on its own.
                for (k, entry) in problems.enumerated() {
                    do throws(VerificationError) {
                        results[entry.index] = .success(outcome(try await Verifier.solve(entry.problem, options, engine: engine), keep: keep && k == 0))
                    } catch {
                        results[entry.index] = failed(error)
                    }
                }
            }
        } else if let entry = problems.first {
            do throws(VerificationError) {
                results[entry.index] = .success(outcome(try await Verifier.solve(entry.problem, options, engine: engine), keep: keep))
            } catch {
                results[entry.index] = failed(error)
            }
        }
        return results.map { $0! }
    }

    // MARK: Waveforms for reports

    /// The output waveforms of the first primitive of `kind`, with its predicted settling
    /// time. When the workload ran without a transient (ideal fidelity or `.op`), that
    /// primitive is simulated once more at behavioural fidelity with a `.tran` for the plot;
    /// the probe is not counted in the ledger. nil when there was no such primitive or the
    /// probe failed (`reason` says why).
    public func waveformSample(_ kind: PrimitiveKind) async -> (sample: WaveformSample?, reason: String?) {
        guard let (verdict, label) = lock.withLock({ state.samples[kind] }) else {
            return (nil, "no \(kind.rawValue.uppercased()) primitive was simulated")
        }
        if let waves = verdict.waveforms {
            let p = verdict.prediction
            return (WaveformSample(kind: kind, label: label, waveforms: waves,
                                   predictedSeconds: kind == .eig ? p.growthSeconds : p.settlingSeconds,
                                   measuredSeconds: verdict.measuredSettlingSeconds, probe: false,
                                   fidelity: verdict.options.design.circuit.fidelity), nil)
        }
        var options = verdict.options
        if options.design.circuit.fidelity == .ideal { options.design.circuit.fidelity = .behavioral }
        options.plan.analysis = .tran
        options.plan.keepWaveforms = true
        options.plan.stopTime = nil
        do {
            let probe = try await Verifier.solve(verdict.problem, options, engine: pool.engines[0])
            guard let waves = probe.waveforms else { return (nil, "the probe kept no waveforms") }
            let p = probe.prediction
            return (WaveformSample(kind: kind, label: label, waveforms: waves,
                                   predictedSeconds: kind == .eig ? p.growthSeconds : p.settlingSeconds,
                                   measuredSeconds: probe.measuredSettlingSeconds, probe: true,
                                   fidelity: options.design.circuit.fidelity), nil)
        } catch {
            return (nil, "the behavioural probe of \(label) failed: \(error)")
        }
    }
}
