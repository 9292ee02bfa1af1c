import Reference
/// The poles of an INV circuit with every amplifier modelled, a check on the first-order
/// verdict of ``StabilityAnalysis``.
///
/// `M = D^-1 G0 A` assumes the inverters that drive array N are ideal. Built from op-amps,
/// they are not: an inverter with two equal resistors has noise gain 2, so with the loop
/// op-amps' GBW it closes at GBW/2, a pole inside every loop that goes through a negative
/// entry. This model keeps it. State (V, W): loop op-amp outputs V and inverter outputs W,
/// time in units of 1 / (2 pi GBW), single-pole op-amps of DC gain A0:
///
///     dV/dt = -V / A0 - D^-1 (Q+ V + Q- W + r v)
///     dW/dt = -W / A0 - b (V + W)
///
/// where b = inverter bandwidth / GBW (1/2 for the equal-resistor inverter on the same op-amp;
/// large b recovers the first-order model: the V block's poles tend to -eig(M) - 1/A0).
/// Stable iff every pole has a negative real part.
///
/// A derivation (no published figure): for the counter-example [[-1, 2], [-10, 3]] with
/// b = 1/2 and A0 = 1e4, the first-order boundary G_in = 2 G0 moves to about 16 G0.
public struct LoopPoles: Sendable, Hashable {
    /// The poles in units of 2 pi GBW (rad/s divided by 2 pi GBW), descending by real part.
    public let poles: [Complex]
    /// Every pole in the left half-plane.
    public var isStable: Bool { (poles.first?.real ?? -1) < 0 }
    /// -max Re(pole): the slowest decay rate in units of 2 pi GBW (negative when unstable).
    public var slowestRate: Double { -(poles.first?.real ?? 0) }

    /// tau of the slowest pole in seconds, nil when unstable.
    public func timeConstantSeconds(gainBandwidthHertz gbw: Double) -> Double? {
        isStable ? 1 / (2 * Double.pi * gbw * slowestRate) : nil
    }
}

extension Mapping {
    /// The poles of this INV mapping with single-pole loop op-amps and inverters (see
    /// ``LoopPoles``); nil for other operations.
    /// - Parameters:
    ///   - a0: `openLoopGain`, A0 of every op-amp, V/V.
    ///   - b: `inverterBandwidthRatio`, inverter closed-loop bandwidth / GBW; default 1/2 (equal resistors).
    ///   - r: `inputConductanceRatio`, G_in / G0 to evaluate at; default the mapping's own.
    public func loopPoles(openLoopGain a0: Double, inverterBandwidthRatio b: Double = 0.5,
                          inputConductanceRatio r: Double? = nil) -> LoopPoles? {
        guard operation == .inv else { return nil }
        let ratio = r ?? inputConductanceRatio ?? 0
        let leak = a0.isInfinite ? 0 : 1 / a0
        // Rows that do not couple have poles of their own: build the Jacobian per block
        // (a sparse array of thousands costs its blocks, not one 2n x 2n matrix).
        let blocks = levels.decoupledBlocks() ?? [Array(0..<levels.rows)]
        var values: [Complex] = []
        for block in blocks {
            let q = blocks.count == 1 ? levels : levels.principal(block)
            let n = q.rows
            let d = q.absoluteRowSums.map { $0 + ratio }
            var j = Matrix(rows: 2 * n, columns: 2 * n)
            for i in 0..<n {
                for k in 0..<n {
                    j[i, k] = -max(q[i, k], 0) / d[i]
                    j[i, n + k] = -max(-q[i, k], 0) / d[i]
                }
                j[i, i] -= leak
                j[n + i, i] = -b
                j[n + i, n + i] = -b - leak
            }
            guard let blockValues = try? j.eigenvalues() else { return nil }
            values += blockValues
        }
        return LoopPoles(poles: values.sorted { ($0.real, $0.imaginary) > ($1.real, $1.imaginary) })
    }

    /// INV only: the smallest G_in / G0 for which ``loopPoles(openLoopGain:inverterBandwidthRatio:inputConductanceRatio:)``
    /// is stable, with the same search, margin and rounding as ``stabilisingInputConductance(margin:)``;
    /// nil when none exists in [1e-3, 1e6].
    public func stabilisingInputConductanceWithInverters(openLoopGain a0: Double, inverterBandwidthRatio b: Double = 0.5,
                                                         margin: Double = 1.25) -> StabilityFix? {
        guard operation == .inv else { return nil }
        func rate(_ r: Double) -> Double? {
            loopPoles(openLoopGain: a0, inverterBandwidthRatio: b, inputConductanceRatio: r)?.slowestRate
        }
        return searchStableRatio(margin: margin) { rate($0) }
    }
}

/// The shared G_in search: `rate(r)` > 0 means stable at G_in = r G0. Scans r on a log grid
/// (10 points per decade over [1e-3, 1e6]), bisects in log r to 0.1 % between the last
/// unstable and the first stable point, multiplies by `margin`, rounds up to 2 significant
/// digits and confirms that value is stable (else the scan continues above it).
func searchStableRatio(margin: Double, rate: (Double) -> Double?) -> StabilityFix? {
    func stable(_ r: Double) -> Bool { (rate(r) ?? 0) > 0 }
    var previous: Double?
    for exponent in -30...60 {
        let r = pow10(Double(exponent) / 10)
        guard stable(r) else { previous = r; continue }
        var high = r
        if var low = previous {
            while high / low > 1.001 {
                let mid = (low * high).squareRoot()
                if stable(mid) { high = mid } else { low = mid }
            }
        }
        let suggested = roundUpTwoSignificant(high * margin)
        if let m = rate(suggested), m > 0 {
            return StabilityFix(thresholdRatio: high, suggestedRatio: suggested, minRealEigenvalueAtSuggestion: m)
        }
        previous = r
    }
    return nil
}
