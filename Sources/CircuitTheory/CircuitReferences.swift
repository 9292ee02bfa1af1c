import Reference
/// The answers a simulated circuit is compared against (<doc:Theory#The-circuit-references>),
/// all in the solution's units (x for INV, GINV and EIG; y for MVM; EIG vectors
/// sign-normalised, unit norm).
public struct CircuitReferences: Sendable, Hashable {
    /// The exact mathematics on the user's A and vector: A^-1 b, A x, (X^T X)^-1 X^T y, or the
    /// dominant eigenvector of A.
    public var ideal: [Double]
    /// The same on the quantised matrix A + E with the exact vector: (A + E)^-1 b etc.
    public var quantised: [Double]
    /// The mapped circuit with op-amps of finite DC gain A0: quantised cells, the DAC's
    /// quantised inputs, G_in and feedback conductances as mapped; for INV
    /// `V = -(G0 Q' + D / A0)^-1 G_in v` read back as x = outputScale * V.
    public var finiteGain: [Double]
    /// The op-amp outputs (volts) of the finite-gain circuit: what an ideal-fidelity SPICE run
    /// with the same A0 should print (before the ADC). For EIG, the direction scaled to the
    /// target output.
    public var finiteGainOutputVolts: [Double]
    /// The DC gain A0 (V/V) the finite-gain reference used.
    public var openLoopGain: Double
    /// The inverter gain magnitude kappa the finite-gain reference used (-V is taken as -kappa V).
    public var inverterGain: Double
}

extension Mapping {
    /// |W / V| of a unity-gain inverting amplifier built from an op-amp of DC gain A0 and two
    /// equal resistors: W = -V A0 / (A0 + 2). Pass it as `inverterGain` when the circuit's
    /// inverters are such op-amps; ideal inverters (a VCVS of gain -1) have 1.
    public static func inverterGain(openLoopGain a0: Double) -> Double {
        a0.isInfinite ? 1 : a0 / (a0 + 2)
    }

    /// The ideal, quantised and finite-gain references of this mapping.
    ///
    /// Finite-gain models, per operation, with a single op-amp gain A0 (V_out = -A0 V_-, or
    /// +A0 V_+ for the GINV second stage) and inverted signals -kappa V; in units of G0, with
    /// Q' = Q+ - kappa Q-, s_i = sum_j |Q_ij|:
    /// - INV: `(Q' + diag(s_i + r) / A0) V = -r v` (D = total row conductance, both arrays + G_in).
    /// - MVM: `V_i = -(Q' v)_i / (g_f + (s_i + g_f) / A0)`.
    /// - GINV: `r v_y + Q' v + g_T t + diag(r + s_i + g_T) t / A0 = 0` and
    ///   `Q'^T t = diag(sum_i |Q_ij|) v / A0`, solved together for (t, v).
    /// - EIG: the dominant eigenvector of `diag(kappa / (g + (s_i + g) / A0)) Q'`.
    /// `openLoopGain = .infinity` gives the ideal-op-amp circuit (only quantisation of cells
    /// and DAC left).
    /// - Parameters:
    ///   - a0: `openLoopGain`, A0 in V/V, > 0 (may be infinite).
    ///   - kappa: `inverterGain`, 1 for ideal inverters (the formulas of <doc:Theory#Finite-gain>).
    /// - Throws: ``MappingError`` when a system is singular or, for EIG, has no dominant mode.
    public func references(openLoopGain a0: Double, inverterGain kappa: Double = 1) throws(MappingError) -> CircuitReferences {
        guard a0 > 0, !a0.isNaN else { throw .invalidParameter(name: "openLoopGain", value: "\(a0)", requirement: "positive") }
        let ideal = try Mapping.exactSolution(operation: operation, matrix: problem.matrix, vector: problem.vector,
                                              blockSize: problem.blockSize)
        let quantised = try Mapping.exactSolution(operation: operation, matrix: quantisedMatrix, vector: problem.vector,
                                                  blockSize: problem.blockSize)
        let volts = try finiteGainOutputVolts(openLoopGain: a0, inverterGain: kappa)
        let finite = solution(fromOutputVolts: volts) ?? volts
        return CircuitReferences(ideal: ideal, quantised: quantised, finiteGain: finite,
                                 finiteGainOutputVolts: volts, openLoopGain: a0, inverterGain: kappa)
    }

    /// The exact answer of `operation` on (matrix, vector), by LAPACK.
    public static func exactSolution(operation: CrossbarOperation, matrix: Matrix, vector: [Double],
                                     blockSize: Int? = nil) throws(MappingError) -> [Double] {
        do {
            switch operation {
            case .block:
                return try schurComplement(of: matrix, blockSize: blockSize ?? matrix.rows / 2).multiplied(by: vector)
            case .inv: return try matrix.solve(vector)
            case .mvm: return try matrix.multiplied(by: vector)
            case .ginv: return try matrix.leastSquares(vector).solution
            case .eig: return try dominantMode(of: matrix).vector
            }
        } catch let error as LinearAlgebraError {
            throw .linearAlgebra(error)
        } catch let error as MappingError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    /// D - C A^-1 B for [[A, B], [C, D]] with A of size n1.
    public static func schurComplement(of m: Matrix, blockSize n1: Int) throws(LinearAlgebraError) -> Matrix {
        let (a, b, c, d) = m.partitioned(row: n1, column: n1)
        return d - c * (try a.solve(b))
    }

    private func finiteGainOutputVolts(openLoopGain a0: Double, inverterGain kappa: Double) throws(MappingError) -> [Double] {
        try finiteGainOutputVolts(positive: levels.positivePart, negative: levels.negativePart, openLoopGain: a0, inverterGain: kappa)
    }

    /// The finite-gain circuit's output volts when the cells on the V lines conduct
    /// `positive` and those on the -V lines `negative` (both in units of G0, non-negative)
    /// instead of the programmed levels: how the same circuit answers with the cells its
    /// devices make (measured levels, a switch's leakage, lines that lose drive).
    public func finiteGainOutputVolts(positive: Matrix, negative: Matrix, openLoopGain a0: Double,
                                      inverterGain kappa: Double = 1) throws(MappingError) -> [Double] {
        let q = positive + negative
        let qk = positive - kappa * negative
        let rowSums = q.absoluteRowSums
        let invA0 = a0.isInfinite ? 0 : 1 / a0
        do {
            switch operation {
            case .inv:
                let r = inputConductanceRatio ?? 0
                var m = qk
                for i in 0..<m.rows { m[i, i] += (rowSums[i] + r) * invA0 }
                return try m.solve(inputVolts.scaled(by: -r))
            case .mvm:
                let g = feedbackConductanceRatio ?? 1
                let z = qk * inputVolts
                return z.indices.map { -z[$0] / (g + (rowSums[$0] + g) * invA0) }
            case .ginv:
                let n = q.rows, m = q.columns
                let r = inputConductanceRatio ?? 0
                let gT = feedbackConductanceRatio ?? 1
                let columnSums = q.absoluteColumnSums
                var k = Matrix(rows: n + m, columns: n + m)
                for i in 0..<n { k[i, i] = gT + (r + rowSums[i] + gT) * invA0 }
                k.setBlock(qk, row: 0, column: n)
                k.setBlock(qk.transposed, row: n, column: 0)
                for j in 0..<m { k[n + j, n + j] = -columnSums[j] * invA0 }
                let rhs = inputVolts.scaled(by: -r) + Array(repeating: 0.0, count: m)
                return Array(try k.solve(rhs)[n...])
            case .eig:
                let g = feedbackConductanceRatio ?? 1
                let weighted = Matrix(rows: q.rows, columns: q.columns) { i, j in
                    kappa / (g + (rowSums[i] + g) * invA0) * qk[i, j]
                }
                let v = try Mapping.dominantMode(of: weighted).vector
                return outputVolts(forSolution: v)
            case .block:
                // Loop rows: (Q'_A + diag(s)/A0) V = -Q'_B v; TIA rows:
                // y_i (g + (s_i + g)/A0) = -(Q'_C V + Q'_D v)_i.
                let n1 = blockSize ?? q.rows / 2
                let (qa, qb, qc, qd) = qk.partitioned(row: n1, column: n1)
                let g = feedbackConductanceRatio ?? 1
                var m = qa
                for i in 0..<n1 { m[i, i] += rowSums[i] * invA0 }
                let loop = try m.solve((qb * inputVolts).scaled(by: -1))
                let z = (qc * loop).plus(qd * inputVolts)
                return z.indices.map { -z[$0] / (g + (rowSums[n1 + $0] + g) * invA0) }
            }
        } catch let error as LinearAlgebraError {
            throw .linearAlgebra(error)
        } catch let error as MappingError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}
