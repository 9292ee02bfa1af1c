import Reference
/// A problem mapped onto the crossbar hardware: quantised conductances, input and feedback
/// conductances, DAC voltages and the scale factors that turn output volts back into x.
///
/// Built by one value-to-value function, ``init(_:parameters:)``, from a ``Problem`` and
/// ``MappingParameters``. Conventions (<doc:Theory#Mapping-a-matrix-onto-conductances>):
/// - The matrix is programmed as signed cell levels Q (integers when the cell is quantised),
///   A_q = s_A Q, with s_A from ``matrixScale(of:cell:)`` (about max|A| / (2^k - 1)).
///   Conductances are G0 Q+ on array P and G0 Q- on array N (or |G0 Q| with a sign bit).
/// - The vector is scaled by s_in (problem units per volt) onto the DAC range and quantised:
///   `inputVolts = DAC(vector / s_in)`.
/// - Auto-ranging uses the exact solution of the mapped problem to put the largest op-amp
///   output at `targetOutputVolts` (headroom * min(swing, ADC full scale)).
/// - The solution is `x = outputScale * V` for the op-amp output volts V (MVM, INV, GINV);
///   EIG normalises instead (``solution(fromOutputVolts:)``).
public struct Mapping: Sendable, Hashable {
    public let problem: Problem
    public let parameters: MappingParameters
    /// Signed cell levels Q: the programmed matrix in units of G0 (rows x columns of A).
    public let levels: Matrix
    /// s_A, problem units of A per level: A_q = s_A Q.
    public let matrixScale: Double
    /// G_in / G0 for INV and GINV (every row the same); nil for MVM and EIG.
    public let inputConductanceRatio: Double?
    /// G_f / G0 (MVM TIAs), G_T / G0 (GINV first stage) or G_lambda / G0 (EIG); nil for INV.
    public let feedbackConductanceRatio: Double?
    /// DAC output volts about the reference, after quantisation: b (INV), x (MVM), y (GINV);
    /// empty for EIG.
    public let inputVolts: [Double]
    /// s_in, problem units of the vector per DAC volt: the quantised vector is s_in * inputVolts.
    public let inputScale: Double
    /// x (or y for MVM) per output volt: `x = outputScale * V`. 1 for EIG (normalised instead).
    public let outputScale: Double
    /// The op-amp outputs the mapped circuit settles to with ideal op-amps (volts about the
    /// reference): loop outputs V (INV), TIA outputs (MVM), second-stage outputs v (GINV), and
    /// for EIG the dominant eigenvector scaled to the target output (its true amplitude is set
    /// by saturation). Useful as a `.nodeset`.
    public let expectedOutputVolts: [Double]
    /// GINV only: the first-stage TIA outputs t = -(G_in v_y + G0 Q v) / G_T, which are the
    /// scaled residual; empty otherwise.
    public let expectedIntermediateVolts: [Double]

    public var operation: CrossbarOperation { problem.operation }

    // MARK: What a circuit generator needs

    /// G0 in siemens.
    public var unitConductanceSiemens: Double { parameters.unitConductanceSiemens }

    /// A_q = A + E, the matrix the quantised cells represent, in the problem's units.
    public var quantisedMatrix: Matrix { matrixScale * levels }

    /// E = A_q - A, the quantisation error in the problem's units.
    public var quantisationError: Matrix { quantisedMatrix - problem.matrix }

    /// The vector the DAC actually delivers, in the problem's units: s_in * inputVolts.
    public var quantisedVector: [Double] { inputVolts.scaled(by: inputScale) }

    /// Array P, siemens: G0 * max(Q, 0).
    public var positiveConductancesSiemens: Matrix { unitConductanceSiemens * levels.positivePart }

    /// Array N, siemens: G0 * max(-Q, 0) (driven by the inverted signals).
    public var negativeConductancesSiemens: Matrix { unitConductanceSiemens * levels.negativePart }

    /// G0 * Q, siemens, signed (the effective conductance matrix G).
    public var signedConductancesSiemens: Matrix { unitConductanceSiemens * levels }

    /// G_in per row in siemens (INV, GINV); empty for MVM and EIG.
    public var inputConductancesSiemens: [Double] {
        guard let r = inputConductanceRatio else { return [] }
        return Array(repeating: r * unitConductanceSiemens, count: levels.rows)
    }

    /// G_f (MVM), G_T (GINV) or G_lambda (EIG) in siemens; nil for INV.
    public var feedbackConductanceSiemens: Double? { feedbackConductanceRatio.map { $0 * unitConductanceSiemens } }

    /// One output-ADC LSB in the solution's units (nil with an ideal ADC or for EIG).
    public var outputLSB: Double? {
        guard operation != .eig, let lsb = parameters.adc.lsbVolts else { return nil }
        return lsb * abs(outputScale)
    }

    /// The solution from measured op-amp output volts: `outputScale * V` for MVM, INV and GINV;
    /// for EIG the direction, unit 2-norm with its largest-magnitude entry positive (nil if all zero).
    public func solution(fromOutputVolts volts: [Double]) -> [Double]? {
        if operation == .eig { return signNormalised(volts) }
        return volts.scaled(by: outputScale)
    }

    /// The output volts that represent a solution x (the inverse of ``solution(fromOutputVolts:)``
    /// for MVM, INV, GINV); for EIG, x scaled to the target output.
    public func outputVolts(forSolution x: [Double]) -> [Double] {
        if operation == .eig { return x.scaled(by: parameters.targetOutputVolts / max(x.normInfinity, .leastNormalMagnitude)) }
        return x.scaled(by: 1 / outputScale)
    }

    // MARK: The mapping function

    /// Maps `problem` onto hardware described by `parameters`.
    /// - Throws: ``MappingError`` for invalid parameters, a matrix that becomes singular (INV)
    ///   or rank deficient (GINV) after quantisation, a zero solution, or (EIG) no real,
    ///   positive, strictly dominant eigenvalue to select.
    public init(_ problem: Problem, parameters: MappingParameters = MappingParameters()) throws(MappingError) {
        try parameters.validate()
        self.problem = problem
        self.parameters = parameters
        let a = problem.matrix
        let scale = Mapping.matrixScale(of: a, cell: parameters.cell)
        let quantised = parameters.cell.magnitudeBits != nil
        let q = a.map { quantised ? ($0 / scale).rounded(.toNearestOrAwayFromZero) : $0 / scale }
        levels = q
        matrixScale = scale
        let target = parameters.targetOutputVolts
        let dac = parameters.dac
        let vector = problem.vector
        var inputScale = vector.normInfinity / dac.fullScaleVolts

        func wrap<T>(_ body: () throws(LinearAlgebraError) -> T) throws(MappingError) -> T {
            do { return try body() } catch {
                if case let .singular(pivot) = error {
                    // Quantisation is to blame only when the matrix itself is invertible.
                    try problem.requireInvertible()
                    throw .singularAfterQuantisation(bits: parameters.cell.magnitudeBits, detail: "pivot \(pivot) is zero")
                }
                throw .linearAlgebra(error)
            }
        }

        switch problem.operation {
        case .inv:
            let lu = try wrap { () throws(LinearAlgebraError) in try LUFactorization(q) }
            if let r = parameters.inputConductanceRatio {
                let unscaled = try wrap { () throws(LinearAlgebraError) in try lu.solve(vector) }
                inputScale = max(inputScale, r * unscaled.normInfinity / target)
            }
            let v = vector.map { dac.quantise($0 / inputScale) }
            try Mapping.checkResolution(v, inputScale: inputScale, dac: dac)
            let y = try wrap { () throws(LinearAlgebraError) in try lu.solve(v) }
            guard y.normInfinity > 0 else { throw .zeroSolution(operation: .inv) }
            let r = parameters.inputConductanceRatio ?? target / y.normInfinity
            inputConductanceRatio = r
            feedbackConductanceRatio = nil
            inputVolts = v
            self.inputScale = inputScale
            outputScale = -inputScale / (scale * r)
            expectedOutputVolts = y.scaled(by: -r)
            expectedIntermediateVolts = []

        case .mvm:
            let readout = try Mapping.tiaReadout(q, vector: vector, inputScale: inputScale, parameters: parameters, operation: .mvm)
            inputConductanceRatio = nil
            feedbackConductanceRatio = readout.feedback
            inputVolts = readout.volts
            self.inputScale = readout.inputScale
            outputScale = -scale * readout.inputScale * readout.feedback
            expectedOutputVolts = readout.outputs
            expectedIntermediateVolts = []

        case .ginv:
            let check = try wrap { () throws(LinearAlgebraError) in try q.leastSquares(vector) }
            guard check.rank == q.columns else {
                throw .singularAfterQuantisation(bits: parameters.cell.magnitudeBits,
                                                 detail: "rank \(check.rank) of \(q.columns) columns")
            }
            if let r = parameters.inputConductanceRatio {
                inputScale = max(inputScale, r * check.solution.normInfinity / target)
            }
            let vy = vector.map { dac.quantise($0 / inputScale) }
            try Mapping.checkResolution(vy, inputScale: inputScale, dac: dac)
            let z = try wrap { () throws(LinearAlgebraError) in try q.leastSquares(vy) }.solution
            guard z.normInfinity > 0 else { throw .zeroSolution(operation: .ginv) }
            let r = parameters.inputConductanceRatio ?? target / z.normInfinity
            let residual = vy.minus(q * z)
            // G_T: large enough that the residual t stays inside the target output, and at
            // least the largest other conductance at a first-stage row, so the TIAs (noise gain
            // <= 2) stay at least half as fast as GBW.
            let rowLoad = q.absoluteRowSums.map { $0 + r }.max() ?? r
            let gT = parameters.feedbackConductanceRatio ?? max(r * residual.normInfinity / target, rowLoad)
            inputConductanceRatio = r
            feedbackConductanceRatio = gT
            inputVolts = vy
            self.inputScale = inputScale
            outputScale = -inputScale / (scale * r)
            expectedOutputVolts = z.scaled(by: -r)
            expectedIntermediateVolts = residual.scaled(by: -r / gT)

        case .eig:
            let dominant = try Mapping.dominantMode(of: q)
            let gLambda = parameters.feedbackConductanceRatio
                ?? dominant.value - parameters.eigenGapFraction * (dominant.value - (dominant.nextRealPart ?? 0))
            inputConductanceRatio = nil
            feedbackConductanceRatio = gLambda
            inputVolts = []
            self.inputScale = 1
            outputScale = 1
            expectedOutputVolts = dominant.vector.scaled(by: target / dominant.vector.normInfinity)
            expectedIntermediateVolts = []

        case .block:
            // Rows 1..n1 close loops on A; u drives the B and D columns; rows n1+1..n are TIAs.
            let n1 = problem.blockSize ?? q.rows / 2
            let (qa, qb, qc, qd) = q.partitioned(row: n1, column: n1)
            let lu = try wrap { () throws(LinearAlgebraError) in try LUFactorization(qa) }
            let qaInverseQb = try wrap { () throws(LinearAlgebraError) in try lu.solve(qb) }
            let schur = qd - qc * qaInverseQb
            // The loop outputs V = -Q_A^-1 Q_B v must fit the swing as well as the outputs.
            let loopGain = (qaInverseQb * vector.scaled(by: 1 / inputScale)).normInfinity
            if loopGain > target { inputScale *= loopGain / target }
            let readout = try Mapping.tiaReadout(schur, vector: vector, inputScale: inputScale, parameters: parameters,
                                                 operation: .block)
            inputConductanceRatio = nil
            feedbackConductanceRatio = readout.feedback
            inputVolts = readout.volts
            self.inputScale = readout.inputScale
            outputScale = -scale * readout.inputScale * readout.feedback
            expectedOutputVolts = readout.outputs
            expectedIntermediateVolts = (qaInverseQb * readout.volts).scaled(by: -1)
        }
    }

    /// Block only: n1, the size of the loop block A.
    public var blockSize: Int? { problem.blockSize }

    /// TIAs reading the currents m v (MVM: m = Q; block: the Schur complement of Q): the DAC
    /// volts v, the feedback G_f / G0 that puts the largest output at the target (unless
    /// given; then the inputs are scaled down instead when needed) and the outputs -m v / g.
    private static func tiaReadout(_ m: Matrix, vector: [Double], inputScale: Double, parameters: MappingParameters,
                                   operation: CrossbarOperation) throws(MappingError)
        -> (volts: [Double], outputs: [Double], feedback: Double, inputScale: Double)
    {
        var inputScale = inputScale
        let target = parameters.targetOutputVolts
        if let g = parameters.feedbackConductanceRatio {
            inputScale = max(inputScale, (m * vector).normInfinity / (g * target))
        }
        let v = vector.map { parameters.dac.quantise($0 / inputScale) }
        try checkResolution(v, inputScale: inputScale, dac: parameters.dac)
        let z = m * v
        guard z.normInfinity > 0 else { throw .zeroSolution(operation: operation) }
        let g = parameters.feedbackConductanceRatio ?? z.normInfinity / target
        return (v, z.scaled(by: -1 / g), g, inputScale)
    }

    private static func checkResolution(_ volts: [Double], inputScale: Double, dac: ConverterParameters) throws(MappingError) {
        if volts.normInfinity == 0 { throw .inputBelowResolution(inputScale: inputScale, lsbVolts: dac.lsbVolts ?? 0) }
    }

    /// s_A, the matrix units per cell level.
    ///
    /// Continuous cells: max|A|, so the largest entry is the full-scale cell G0. Quantised
    /// cells (k bits, L = 2^k - 1 levels): s_A = max|A| / m for the integer m in
    /// [ceil(L/2), L] that gives the smallest Frobenius quantisation error |A - s_A round(A/s_A)|
    /// (the largest m on a tie), so the largest entry always uses at least half the levels.
    /// Usually m = L; a matrix of small integers (like [[-1, 2], [-10, 3]] at k = 4) is then
    /// programmed exactly with s_A = 1. The search is skipped (m = L) above 8 bits.
    public static func matrixScale(of a: Matrix, cell: CellFormat) -> Double {
        let largest = a.maxAbsEntry
        guard let k = cell.magnitudeBits else { return largest }
        let full = (1 << k) - 1
        guard k <= 8 else { return largest / Double(full) }
        var best = (error: Double.infinity, scale: largest / Double(full))
        for m in stride(from: full, through: (full + 1) / 2, by: -1) {
            let s = largest / Double(m)
            var error = 0.0
            for x in a.storage {
                let d = x - s * (x / s).rounded(.toNearestOrAwayFromZero)
                error += d * d
            }
            if error < best.error * (1 - 1e-12) { best = (error, s) }
        }
        return best.scale
    }

    /// The eigenvalue of largest real part of a square matrix, its sign-normalised unit
    /// eigenvector and the next largest real part (nil for 1x1).
    /// - Throws: ``MappingError/noRegenerativeMode(_:)`` unless that eigenvalue is real,
    ///   positive and strictly ahead of the others in real part.
    static func dominantMode(of a: Matrix) throws(MappingError) -> (value: Double, vector: [Double], nextRealPart: Double?) {
        let e: EigenDecomposition
        do { e = try a.eigenDecomposition() } catch { throw .linearAlgebra(error) }
        let order = e.values.indices.sorted { e.values[$0].real > e.values[$1].real }
        let first = e.values[order[0]]
        let next = order.count > 1 ? e.values[order[1]].real : nil
        guard first.imaginary == 0 else {
            throw .noRegenerativeMode("the eigenvalues of largest real part are a complex pair \(first) and its conjugate")
        }
        guard first.real > 0 else {
            throw .noRegenerativeMode("the largest real part of an eigenvalue is \(first.real), not positive; shift the matrix (A + c I)")
        }
        if let next, next >= first.real {
            throw .noRegenerativeMode("two eigenvalues share the largest real part \(first.real); the direction is not unique")
        }
        guard let vector = signNormalised(e.vectors[order[0]].map(\.real)) else {
            throw .noRegenerativeMode("the eigenvector is zero")
        }
        return (first.real, vector, next)
    }
}

/// v / |v|_2 with the sign chosen so that the entry of largest magnitude (the first, on a tie)
/// is positive: the normal form in which EIG results are compared. nil for the zero vector.
public func signNormalised(_ v: [Double]) -> [Double]? {
    guard let unit = v.normalised else { return nil }
    // max(by:) keeps the first of equal elements.
    let k = unit.indices.max { abs(unit[$0]) < abs(unit[$1]) } ?? 0
    return unit[k] < 0 ? unit.scaled(by: -1) : unit
}
