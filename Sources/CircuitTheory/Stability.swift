import Reference
import Foundation

/// The first-order dynamics of a mapped circuit (<doc:Theory#The-associated-matrix-and-stability>).
///
/// With single-pole op-amps of large DC gain, the loop outputs obey
/// `dV/dt ~= -2 pi GBW * M (V - V*)` for an associated matrix M per operation (conductances in
/// units of G0, so G0 cancels):
/// - INV: `M = D^-1 Q`, D = diag(sum_j |Q_ij| + G_in/G0), the total conductance at row node i
///   (both arrays plus G_in). Stable iff every Re lambda(M) > 0.
/// - MVM: each TIA alone, `M = diag(G_f / (G_f + G0 sum_j |Q_ij|))`: always stable.
/// - GINV: the second-stage loop with the first-stage TIAs taken as fast,
///   `M = D2^-1 Q^T Q / (G_T/G0)`, D2 = diag(sum_i |Q_ij|) the conductance at an array-2 column
///   node. Stable (positive spectrum) with the column nodes on the non-inverting inputs; the
///   wrong polarity negates M.
/// - EIG: the TIA loop `dy/dt = -2 pi GBW * M y` with `M = D^-1 (G_lambda/G0 I - Q)`,
///   D = diag(sum_j |Q_ij| + G_lambda/G0). Regenerative by design: "stable" here means
///   *selective*, exactly one mode grows (one eigenvalue of M with negative real part, and it
///   is real) and every other decays.
///
/// The model leaves out the poles of the inverters and of the first GINV stage, which eat
/// phase margin: ``phaseBudgetRadians`` states what the complex eigenvalues already take.
public struct StabilityAnalysis: Sendable, Hashable {
    public let operation: CrossbarOperation
    /// The associated matrix M (dimensionless).
    public let associatedMatrix: Matrix
    /// The eigenvalues of M, ascending by real part.
    public let eigenvalues: [Complex]
    /// The verdict: every Re lambda(M) > 0 (MVM, INV, GINV); exactly one real growing mode (EIG).
    public let isStable: Bool
    /// Re lambda_min(M): the smallest real part of an eigenvalue of M.
    public var minRealEigenvalue: Double { eigenvalues.first?.real ?? 0 }
    /// max |arg lambda(M)| in radians over the decaying modes: the phase the loop's complex
    /// eigenvalues take from the op-amps' margin (require PM > this).
    public let phaseBudgetRadians: Double
    /// The dimensionless rate that sets the timing, in units of 2 pi GBW: Re lambda_min(M) for a
    /// stable MVM/INV/GINV; for a selective EIG loop the rate at which the dominant mode
    /// outgrows the next one (Re lambda_2 - lambda_1). nil when unstable.
    public let timingRate: Double?

    /// Computes the verdict from M.
    /// - Throws: the eigen-solver's errors.
    public init(operation: CrossbarOperation, associatedMatrix m: Matrix) throws(LinearAlgebraError) {
        self.operation = operation
        associatedMatrix = m
        let values = try m.eigenvalues().sorted { ($0.real, $0.imaginary) < ($1.real, $1.imaginary) }
        eigenvalues = values
        switch operation {
        case .eig:
            let growing = values.filter { $0.real < 0 }
            isStable = growing.count == 1 && growing[0].imaginary == 0
            let decaying = values.dropFirst()
            phaseBudgetRadians = decaying.map { abs($0.argument) }.max() ?? 0
            timingRate = isStable ? (values.count > 1 ? values[1].real - values[0].real : -values[0].real) : nil
        case .mvm, .inv, .ginv, .block:
            isStable = values.allSatisfy { $0.real > 0 }
            phaseBudgetRadians = values.map { abs($0.argument) }.max() ?? 0
            timingRate = isStable ? values.first?.real : nil
        }
    }

    /// tau = 1 / (2 pi GBW * rate) in seconds (rate = ``timingRate``), or nil when unstable.
    public func timeConstantSeconds(gainBandwidthHertz gbw: Double) -> Double? {
        guard let rate = timingRate, rate > 0 else { return nil }
        return 1 / (2 * Double.pi * gbw * rate)
    }

    /// The first-order settling time to `bits` bits, t = tau * ln(2^bits) = 0.693 * bits * tau:
    /// the slowest mode of a first-order system decays to 2^-bits of its initial error
    /// (<doc:Theory#Settling-time>: t ~ tau ln(1/eps)). For EIG, the time for the dominant mode to
    /// outgrow the next by 2^bits. nil when unstable.
    public func settlingSeconds(gainBandwidthHertz gbw: Double, bits: Int) -> Double? {
        timeConstantSeconds(gainBandwidthHertz: gbw).map { $0 * Double(bits) * log(2.0) }
    }

    /// One sentence for a report.
    public var summary: String {
        let lambda = String(format: "%.4g", minRealEigenvalue)
        switch (operation, isStable) {
        case (.eig, true): return "selective: exactly one mode grows (lambda_min(M) = \(lambda))"
        case (.eig, false): return "not selective: \(eigenvalues.filter { $0.real < 0 }.count) modes grow, or a complex pair does"
        case (_, true): return "stable: every eigenvalue of M has a positive real part (min \(lambda))"
        case (_, false): return "unstable: an eigenvalue of M has real part \(lambda) <= 0"
        }
    }
}

/// The smallest G_in that stabilises an INV mapping, and the value suggested with margin.
public struct StabilityFix: Sendable, Hashable {
    /// The smallest G_in / G0 found stable (to 0.1 % relative): the stability boundary.
    public let thresholdRatio: Double
    /// The suggested G_in / G0: the threshold times the margin, rounded up to 2 significant digits.
    public let suggestedRatio: Double
    /// Re lambda_min(M) at the suggested ratio.
    public let minRealEigenvalueAtSuggestion: Double
}

extension Mapping {
    /// The associated matrix M of this mapping (see ``StabilityAnalysis``).
    /// - Parameter wrongPolarity: GINV only: the second stage wired on its inverting inputs
    ///   (the polarity trap of <doc:Theory#GINV>), which negates M.
    public func associatedMatrix(wrongPolarity: Bool = false) -> Matrix {
        let q = levels
        switch operation {
        case .inv:
            return Mapping.invAssociatedMatrix(levels: q, inputConductanceRatio: inputConductanceRatio ?? 0)
        case .mvm:
            let g = feedbackConductanceRatio ?? 1
            return Matrix.diagonal(q.absoluteRowSums.map { g / (g + $0) })
        case .ginv:
            let gT = feedbackConductanceRatio ?? 1
            let qtq = q.transposed * q
            let d2 = q.absoluteColumnSums
            let sign = wrongPolarity ? -1.0 : 1.0
            return Matrix(rows: q.columns, columns: q.columns) { i, j in sign * qtq[i, j] / (d2[i] * gT) }
        case .eig:
            let g = feedbackConductanceRatio ?? 1
            let s = q.absoluteRowSums
            return Matrix(rows: q.rows, columns: q.columns) { i, j in ((i == j ? g : 0) - q[i, j]) / (s[i] + g) }
        case .block:
            // The loop rows see every cell of their row (the B cells play G_in's part).
            let n1 = blockSize ?? q.rows / 2
            let s = q.absoluteRowSums
            return Matrix(rows: n1, columns: n1) { i, j in q[i, j] / s[i] }
        }
    }

    /// M = D^-1 Q with D = diag(sum_j |Q_ij| + r): the INV associated matrix at G_in = r G0.
    public static func invAssociatedMatrix(levels q: Matrix, inputConductanceRatio r: Double) -> Matrix {
        let d = q.absoluteRowSums.map { $0 + r }
        return Matrix(rows: q.rows, columns: q.columns) { i, j in q[i, j] / d[i] }
    }

    /// The stability verdict, eigenvalues of M, phase budget and timing rate.
    public func stability(wrongPolarity: Bool = false) throws(MappingError) -> StabilityAnalysis {
        do {
            return try StabilityAnalysis(operation: operation, associatedMatrix: associatedMatrix(wrongPolarity: wrongPolarity))
        } catch { throw .linearAlgebra(error) }
    }

    /// INV only: the G_in / G0 that makes this mapping's M stable, or nil when none exists in
    /// [1e-3, 1e6] (or the operation is not INV).
    ///
    /// Scans r on a log grid (10 points per decade) for the first stable value, bisects (in
    /// log r) down to the boundary between it and the last unstable one, multiplies by `margin`
    /// and rounds up to 2 significant digits, and checks that value is stable too (otherwise
    /// it continues the scan above it). As r grows, M -> (G0/G_in) Q, so a fix exists for
    /// large r exactly when every eigenvalue of A has a positive real part.
    public func stabilisingInputConductance(margin: Double = 1.25) -> StabilityFix? {
        guard operation == .inv else { return nil }
        let q = levels
        return searchStableRatio(margin: margin) { r in
            guard let values = try? Mapping.invAssociatedMatrix(levels: q, inputConductanceRatio: r).eigenvalues() else { return nil }
            return values.map(\.real).min()
        }
    }
}

/// Rounds a positive number up to two significant digits (2.345 -> 2.4, 0.01234 -> 0.013).
func roundUpTwoSignificant(_ x: Double) -> Double {
    guard x > 0, x.isFinite else { return x }
    let exponent = floor(log10(x)) - 1
    let unit = pow10(exponent)
    return (x / unit * (1 - 1e-12)).rounded(.up) * unit
}

/// 10^x.
func pow10(_ x: Double) -> Double { pow(10, x) }
