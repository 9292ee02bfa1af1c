import Reports
import Specification
import CircuitTheory
import Reference

/// The digital side of the chip: double-precision arithmetic between analogue primitives,
/// every operation counted into the core's current phase. Workloads do all their glue
/// through it, so the report can say how much digital help an algorithm needed.
///
/// Dense counts: a matrix-vector product of an m x n matrix is m n multiplies and
/// m (n - 1) adds whatever its zeros.
public struct DigitalUnit: Sendable {
    /// Where the operations are counted; nil for ``uncounted``.
    let core: AnalogueCore?

    /// The same arithmetic, counted nowhere: for the double-precision references that run
    /// beside a workload, so that both share one body and one operation order.
    public static let uncounted = DigitalUnit(core: nil)

    /// Counts work done outside these helpers.
    public func count(adds: Int = 0, multiplies: Int = 0, divides: Int = 0) {
        core?.record { c in
            c.digitalAdds += adds
            c.digitalMultiplies += multiplies
            c.digitalDivides += divides
        }
    }

    /// a + b.
    public func add(_ a: [Double], _ b: [Double]) -> [Double] {
        count(adds: a.count)
        return a.plus(b)
    }

    /// a - b.
    public func subtract(_ a: [Double], _ b: [Double]) -> [Double] {
        count(adds: a.count)
        return a.minus(b)
    }

    /// s a.
    public func scale(_ a: [Double], by s: Double) -> [Double] {
        count(multiplies: a.count)
        return a.scaled(by: s)
    }

    /// A x.
    public func product(_ a: Matrix, _ x: [Double]) -> [Double] {
        count(adds: a.rows * max(a.columns - 1, 0), multiplies: a.rows * a.columns)
        return a * x
    }

    /// A B.
    public func product(_ a: Matrix, _ b: Matrix) -> Matrix {
        count(adds: a.rows * b.columns * max(a.columns - 1, 0), multiplies: a.rows * a.columns * b.columns)
        return a * b
    }

    /// A + B.
    public func sum(_ a: Matrix, _ b: Matrix) -> Matrix {
        count(adds: a.rows * a.columns)
        return a + b
    }

    /// A - B.
    public func difference(_ a: Matrix, _ b: Matrix) -> Matrix {
        count(adds: a.rows * a.columns)
        return a - b
    }

    /// X with A X = B by LU in double precision: digital help, counted as 2n^3/3 + 2 n^2 k
    /// operations split evenly between adds and multiplies, n divisions.
    public func solve(_ a: Matrix, _ b: Matrix, label: String) throws(WorkloadError) -> Matrix {
        let n = a.rows
        let work = 2 * n * n * n / 3 + 2 * n * n * b.columns
        count(adds: work / 2, multiplies: work / 2, divides: n)
        do { return try a.solve(b) } catch { throw .digital(label: label, error: error) }
    }
}
