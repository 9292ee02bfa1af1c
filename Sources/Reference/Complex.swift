import Foundation

/// A complex number, as LAPACK returns eigenvalues (real part, imaginary part).
///
/// Only what the reference needs; not an arithmetic library.
public struct Complex: Hashable, Sendable, CustomStringConvertible {
    public var real: Double
    public var imaginary: Double

    public init(_ real: Double, _ imaginary: Double = 0) {
        self.real = real
        self.imaginary = imaginary
    }

    /// |z| = hypot(re, im).
    public var magnitude: Double { hypot(real, imaginary) }

    /// arg z in (-pi, pi], radians.
    public var argument: Double { atan2(imaginary, real) }

    public var description: String {
        if imaginary == 0 { return "\(real)" }
        return imaginary < 0 ? "\(real) - \(-imaginary)j" : "\(real) + \(imaginary)j"
    }
}
