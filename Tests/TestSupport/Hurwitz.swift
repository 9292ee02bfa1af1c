import Foundation

/// Stability of a linear system without an eigen-solver: the characteristic polynomial by
/// Faddeev-LeVerrier and the Routh-Hurwitz criterion on it. The tests use it as a check on
/// LAPACK-based verdicts (`StabilityAnalysis`, `LoopPoles`) that shares no code with them.
/// It links no Crossloop module, so both the library tests and the command-line tests use it.
public enum Hurwitz {
    /// det(s I - J) = s^n + c[1] s^(n-1) + ... + c[n], as [1, c1, ..., cn].
    public static func characteristicPolynomial(_ j: [[Double]]) -> [Double] {
        let n = j.count
        func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
            (0..<n).map { i in (0..<n).map { k in (0..<n).reduce(0) { $0 + a[i][$1] * b[$1][k] } } }
        }
        var coefficients = [1.0]
        var m = (0..<n).map { i in (0..<n).map { k in i == k ? 1.0 : 0 } }  // M_1 = I
        for k in 1...n {
            let jm = product(j, m)
            let c = -(0..<n).reduce(0) { $0 + jm[$1][$1] } / Double(k)
            coefficients.append(c)
            m = jm
            for i in 0..<n { m[i][i] += c }  // M_(k+1) = J M_k + c_k I
        }
        return coefficients
    }

    /// Every root of the polynomial (leading coefficient first, > 0) has a negative real part:
    /// every entry of the first column of the Routh array is positive.
    public static func isHurwitz(_ p: [Double]) -> Bool {
        // Positive coefficients are necessary; the Routh array's first column decides.
        guard p.count >= 2, p.allSatisfy({ $0 > 0 }) else { return false }
        let width = (p.count + 1) / 2
        var rows: [[Double]] = [(0..<width).map { 2 * $0 < p.count ? p[2 * $0] : 0 },
                                (0..<width).map { 2 * $0 + 1 < p.count ? p[2 * $0 + 1] : 0 }]
        for _ in 2..<p.count {
            let a = rows[rows.count - 2], b = rows[rows.count - 1]
            guard b[0] > 0 else { return false }
            rows.append((0..<width).map { i in i + 1 < width ? (b[0] * a[i + 1] - a[0] * b[i + 1]) / b[0] : 0 })
        }
        return rows.allSatisfy { $0[0] > 0 }
    }

    /// The INV loop with op-amp inverters (the model `LoopPoles` documents): state (V, W),
    /// time in units of 1 / (2 pi GBW),
    ///     dV/dt = -V / A0 - D^-1 (Q+ V + Q- W)    (plus the constant input)
    ///     dW/dt = -W / A0 - b (V + W)
    /// with D = diag(sum_j |Q_ij| + r).
    public static func invLoopJacobian(levels q: [[Double]], inputConductanceRatio r: Double, openLoopGain a0: Double,
                                inverterBandwidthRatio b: Double = 0.5) -> [[Double]] {
        let n = q.count
        var j = Array(repeating: Array(repeating: 0.0, count: 2 * n), count: 2 * n)
        for i in 0..<n {
            let d = q[i].reduce(0) { $0 + abs($1) } + r
            for k in 0..<n {
                j[i][k] = -max(q[i][k], 0) / d
                j[i][n + k] = -max(-q[i][k], 0) / d
            }
            j[i][i] -= 1 / a0
            j[n + i][i] = -b
            j[n + i][n + i] = -b - 1 / a0
        }
        return j
    }

    public static func invLoopIsStable(levels q: [[Double]], inputConductanceRatio r: Double, openLoopGain a0: Double) -> Bool {
        isHurwitz(characteristicPolynomial(invLoopJacobian(levels: q, inputConductanceRatio: r, openLoopGain: a0)))
    }

    /// The G_in / G0 where `stable` turns from false (at `low`) to true (at `high`), by
    /// bisection in log r to 1e-12 relative.
    public static func boundary(low: Double, high: Double, stable: (Double) -> Bool) -> Double {
        precondition(!stable(low) && stable(high), "the bracket [\(low), \(high)] does not hold the boundary")
        var low = low, high = high
        while high / low > 1 + 1e-12 {
            let mid = (low * high).squareRoot()
            if stable(mid) { high = mid } else { low = mid }
        }
        return high
    }

    /// Rounds up to two significant digits (what a suggested G_in is printed as): 2.345 -> 2.4.
    public static func roundUpTwoSignificant(_ x: Double) -> Double {
        let unit = pow(10, floor(log10(x)) - 1)
        return (x / unit * (1 - 1e-12)).rounded(.up) * unit
    }

    /// What a search that stops within 0.1 % above `boundary` and adds a 25 % margin may
    /// suggest: two significant digits, at least 1.25 x the boundary, at most 1.25 x 1.001 x
    /// the boundary rounded up.
    public static func isSuggestion(_ suggested: Double, forBoundary boundary: Double) -> Bool {
        suggested >= 1.25 * boundary && suggested <= roundUpTwoSignificant(1.25 * 1.001 * boundary)
            && abs(roundUpTwoSignificant(suggested) - suggested) <= 1e-12 * suggested
    }
}
