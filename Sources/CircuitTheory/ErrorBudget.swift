import Reference
import Foundation

/// First-order bounds on the relative 2-norm error |x_hat - x| / |x| of a mapped circuit
/// against the ideal answer, one per source (<doc:Theory#The-error-model>). Each is a first-order
/// estimate, not a rigorous bound: second-order terms and the interaction of sources are
/// left out, and `combined` adds the four (the worst case where they align).
///
/// Per operation, with kappa the 2-norm condition number of A (or X), eps_E = |E|_2 / |A|_2:
/// - finite gain: 1 / (A0 * Re lambda_min(M)) for MVM, INV and GINV (|M^-1| / A0 for M with
///   a well-conditioned eigenbasis); EIG: the spread of the row gains,
///   (max s_i - min s_i) / (A0 g) times |Q|_2 / gap.
/// - quantisation: INV `kappa eps_E / (1 - kappa eps_E)` (infinite when kappa eps_E >= 1);
///   MVM `|E|_2 |x| / |A x|`; GINV `eps_E (kappa + kappa^2 tan theta)` with
///   sin theta = |residual| / |y| (Wedin); EIG `|E|_2 / gap`, gap = lambda_1 - Re lambda_2
///   (the Davis-Kahan sin-theta bound, exact in form for symmetric A).
/// - DAC: the quantised vector's error db through the problem: INV `kappa |db| / |b|`,
///   MVM `|A|_2 |dx| / |A x|`, GINV `kappa |dy| / (|y| cos theta)`; EIG has no input (0).
/// - ADC: +-1/2 LSB on every output, `sqrt(n) * LSB / 2 / |x|` in the solution's units.
public struct ErrorBudget: Sendable, Hashable, Codable {
    public var finiteGain: Double
    public var quantisation: Double
    public var dac: Double
    public var adc: Double
    /// The sum of the four.
    public var combined: Double { finiteGain + quantisation + dac + adc }
    /// -log2(combined): the bits the circuit can be expected to deliver.
    public var equivalentBits: Double { -log2(combined) }

    public init(finiteGain: Double, quantisation: Double, dac: Double, adc: Double) {
        self.finiteGain = finiteGain
        self.quantisation = quantisation
        self.dac = dac
        self.adc = adc
    }

    /// The budget of `mapping` with op-amps of DC gain `openLoopGain`.
    /// - Parameters:
    ///   - mapping: the problem as mapped (its quantisation error, DAC vector and ADC LSB).
    ///   - stability: the mapping's analysis (its lambda_min(M) sets the finite-gain term).
    ///   - singularValues: of the problem's matrix, largest first (kappa_2 and |A|_2).
    ///   - ideal: the exact answer (`CircuitReferences.ideal`).
    ///   - a0: `openLoopGain`, the op-amps' DC gain A0 in V/V.
    public init(mapping: Mapping, stability: StabilityAnalysis, singularValues: [Double], ideal: [Double],
                openLoopGain a0: Double) throws(MappingError) {
        let problem = mapping.problem
        let a = problem.matrix
        let e = mapping.quantisationError
        let kappa = Matrix.conditionNumber(singularValues: singularValues)
        let normA = singularValues.first ?? 0
        let normE: Double
        do { normE = try e.norm2() } catch { throw .linearAlgebra(error) }
        let epsE = normA > 0 ? normE / normA : 0
        let n = Double(ideal.count)
        let lambdaMin = stability.minRealEigenvalue
        let adcTerm: Double = {
            if problem.operation == .eig {
                guard let lsb = mapping.parameters.adc.lsbVolts else { return 0 }
                return n.squareRoot() * lsb / 2 / mapping.expectedOutputVolts.norm2
            }
            guard let lsb = mapping.outputLSB else { return 0 }
            return n.squareRoot() * lsb / 2 / ideal.norm2
        }()
        let db = mapping.quantisedVector.minus(problem.vector).norm2
        let vectorNorm = problem.vector.norm2
        let infinite = Double.infinity
        switch problem.operation {
        case .block:
            // dS ~ E_D - E_C A^-1 B - C A^-1 E_B + C A^-1 E_A A^-1 B (first order), bounded in
            // 2-norms; the DAC step enters through |S|.
            let n1 = problem.blockSize ?? a.rows / 2
            let y = ideal.norm2
            do {
                let (pa, pb, pc, pd) = a.partitioned(row: n1, column: n1)
                let (ea, eb, ec, ed) = e.partitioned(row: n1, column: n1)
                let solved = try pa.solve(pb)
                let aInvB = try solved.norm2()
                let cAInv = try pa.transposed.solve(pc.transposed).norm2()
                let dS = try ed.norm2() + (try ec.norm2()) * aInvB + cAInv * (try eb.norm2()) + cAInv * (try ea.norm2()) * aInvB
                let s = try (pd - pc * solved).norm2()  // the Schur complement D - C A^-1 B
                self.init(finiteGain: lambdaMin > 0 ? 1 / (a0 * lambdaMin) : infinite,
                          quantisation: y > 0 ? dS * vectorNorm / y : infinite,
                          dac: y > 0 ? s * db / y : infinite,
                          adc: adcTerm)
            } catch { throw .linearAlgebra(error) }
        case .inv:
            let k = kappa * epsE
            self.init(finiteGain: lambdaMin > 0 ? 1 / (a0 * lambdaMin) : infinite,
                      quantisation: k < 1 ? k / (1 - k) : infinite,
                      dac: kappa * db / vectorNorm,
                      adc: adcTerm)
        case .mvm:
            let y = ideal.norm2
            self.init(finiteGain: lambdaMin > 0 ? 1 / (a0 * lambdaMin) : infinite,
                      quantisation: y > 0 ? normE * vectorNorm / y : infinite,
                      dac: y > 0 ? normA * db / y : infinite,
                      adc: adcTerm)
        case .ginv:
            let residual = a.applying(ideal).minus(problem.vector).norm2
            let sinTheta = min(1, residual / vectorNorm)
            let cosTheta = (1 - sinTheta * sinTheta).squareRoot()
            let tanTheta = cosTheta > 0 ? sinTheta / cosTheta : infinite
            self.init(finiteGain: lambdaMin > 0 ? 1 / (a0 * lambdaMin) : infinite,
                      quantisation: epsE * (kappa + kappa * kappa * tanTheta),
                      dac: cosTheta > 0 ? kappa * db / (vectorNorm * cosTheta) : infinite,
                      adc: adcTerm)
        case .eig:
            let values: [Complex]
            do { values = try a.eigenvalues().sorted { $0.real > $1.real } } catch { throw .linearAlgebra(error) }
            let gap = values.count > 1 ? values[0].real - values[1].real : values[0].real
            let q = mapping.levels
            let s = q.absoluteRowSums
            let g = mapping.feedbackConductanceRatio ?? 1
            let spread = ((s.max() ?? 0) - (s.min() ?? 0)) / (a0 * g)
            let gapQ = gap / mapping.matrixScale
            let normQ = normA / mapping.matrixScale
            self.init(finiteGain: gap > 0 ? spread * normQ / gapQ : infinite,
                      quantisation: gap > 0 ? normE / gap : infinite,
                      dac: 0,
                      adc: adcTerm)
        }
    }
}

/// How far a computed answer is from a reference, in the measures the field uses
/// (<doc:Theory#Metrics-and-equivalent-bits>).
public struct Metrics: Sendable, Hashable, Codable {
    /// |x_hat - x|_2 / |x|_2.
    public var relativeError: Double
    /// -log2(relativeError) (infinite for an exact answer).
    public var equivalentBits: Double
    /// max_i |x_hat_i - x_i| in output-ADC LSBs (in the solution's units); nil without an ADC.
    public var maxErrorLSB: Double?
    /// The residual of the problem, relative: INV |A x_hat - b| / |b|; GINV the normal
    /// equations |X^T (X x_hat - y)| / |X^T y|; EIG |A x_hat - rho x_hat| / |rho| with the
    /// Rayleigh quotient rho; MVM nil (the relative error is the residual).
    public var residual: Double?
    /// 20 log10(|x| / |x_hat - x|) in dB (infinite for an exact answer).
    public var snrDecibels: Double

    /// Compares `estimate` with `reference` for `problem`.
    /// - Parameters:
    ///   - estimate: the computed answer, in the solution's units.
    ///   - reference: the answer it is measured against.
    ///   - problem: the problem both answer (its matrix and vector give the residual).
    ///   - lsb: one output-ADC LSB in the solution's units (``Mapping/outputLSB``).
    /// - Precondition: equal lengths, matching the problem's solution length.
    public init(estimate: [Double], reference: [Double], problem: Problem, lsb: Double? = nil) {
        precondition(estimate.count == reference.count, "estimate has \(estimate.count) entries, reference \(reference.count)")
        let error = estimate.minus(reference)
        let relative = error.norm2 / reference.norm2
        relativeError = relative
        equivalentBits = -log2(relative)
        maxErrorLSB = lsb.map { error.normInfinity / $0 }
        snrDecibels = 20 * log10(reference.norm2 / error.norm2)
        let a = problem.matrix
        switch problem.operation {
        case .inv:
            residual = a.applying(estimate).minus(problem.vector).norm2 / problem.vector.norm2
        case .ginv:
            let at = a.transposed
            let normal = at.applying(a.applying(estimate).minus(problem.vector))
            residual = normal.norm2 / at.applying(problem.vector).norm2
        case .eig:
            let ax = a.applying(estimate)
            let rho = estimate.dot(ax) / estimate.dot(estimate)
            residual = ax.minus(estimate.scaled(by: rho)).norm2 / abs(rho)
        case .mvm, .block:
            residual = nil
        }
    }
}
