/// Vectors are plain `[Double]`. These helpers trap on mismatched lengths (a programming
/// error, like an out-of-range index); input data is checked where it enters (`Problem`).
extension Array where Element == Double {
    /// The Euclidean norm sqrt(sum x_i^2), scaled by the largest magnitude so that it neither
    /// overflows nor underflows (the LAPACK dnrm2 idea).
    public var norm2: Double {
        let scale = normInfinity
        guard scale > 0, scale.isFinite else { return scale }
        var sum = 0.0
        for x in self { let s = x / scale; sum += s * s }
        return scale * sum.squareRoot()
    }

    /// The largest magnitude max |x_i| (0 for an empty vector).
    public var normInfinity: Double { reduce(0.0) { Swift.max($0, Swift.abs($1)) } }

    /// The inner product sum x_i y_i.
    public func dot(_ other: [Double]) -> Double {
        precondition(count == other.count, "dot product of \(count) and \(other.count) entries")
        var sum = 0.0
        for i in indices { sum += self[i] * other[i] }
        return sum
    }

    /// a x (every entry times `factor`).
    public func scaled(by factor: Double) -> [Double] { map { $0 * factor } }

    /// x + y.
    public func plus(_ other: [Double]) -> [Double] { adding(other, scaledBy: 1) }

    /// x - y.
    public func minus(_ other: [Double]) -> [Double] { adding(other, scaledBy: -1) }

    /// x + a y, the BLAS axpy.
    public func adding(_ other: [Double], scaledBy factor: Double) -> [Double] {
        precondition(count == other.count, "vector sum of \(count) and \(other.count) entries")
        var result = self
        for i in indices { result[i] += factor * other[i] }
        return result
    }

    /// x / |x|_2, or nil for the zero vector.
    public var normalised: [Double]? {
        let n = norm2
        guard n > 0, n.isFinite else { return nil }
        return scaled(by: 1 / n)
    }

    /// The 0-based index of the first NaN or infinite entry, or nil.
    public var firstNonFiniteIndex: Int? { firstIndex { !$0.isFinite } }
}
