/// What the simulator measured of a designer's cell (`design.cell`): the conductance of every
/// code between its row and column pins at the operating point, and what the mapping takes
/// from it.
public struct CellMeasurement: Sendable, Hashable, Codable {
    /// Siemens, code 0 (every bit clear) first.
    public var levelSiemens: [Double]
    /// The column was held this far above and below the row (at the reference), volts; each
    /// level is the mean of the two.
    public var testVolts: Double
    /// The least-squares step of the levels above code 0: the unit conductance G0, siemens.
    public var unitSiemens: Double
    /// Code 0: the leakage of a cell that stores nothing, siemens.
    public var offSiemens: Double {
        levelSiemens.first ?? 0
    }
    /// The largest |G_k - G_off - k G0| / (k G0) over the codes k >= 1 (the cell's own
    /// nonlinearity), plus G_off / G0: the relative error one cell adds to the quantised
    /// matrix, the cell term of the error model.
    public var levelError: Double

    public init(levelSiemens: [Double], testVolts: Double) {
        self.levelSiemens = levelSiemens
        self.testVolts = testVolts
        let off = levelSiemens.first ?? 0
        let codes = levelSiemens.indices.dropFirst()
        let sxy = codes.reduce(0.0) { $0 + Double($1) * (levelSiemens[$1] - off) }
        let sxx = codes.reduce(0.0) { $0 + Double($1 * $1) }
        let unit = sxx > 0 ? sxy / sxx : 0
        unitSiemens = unit
        let worst = codes.map { abs(levelSiemens[$0] - off - Double($0) * unit) / (Double($0) * unit) }.max() ?? 0
        levelError = unit > 0 ? worst + abs(off) / unit : .infinity
    }

    /// The largest |G_k - k G0| / (k G0) over the codes k >= 1, plus G_off / G0: the level
    /// error against the unit conductance the design meant.
    public func levelError(unitSiemens unit: Double) -> Double {
        guard unit > 0 else { return .infinity }
        let worst = levelSiemens.indices.dropFirst().map { abs(levelSiemens[$0] - Double($0) * unit) / (Double($0) * unit) }.max() ?? 0
        return worst + abs(offSiemens) / unit
    }

    /// The first code whose conductance is not above the one before, if any.
    public var firstNonMonotonicCode: Int? {
        levelSiemens.indices.dropFirst().first { levelSiemens[$0] <= levelSiemens[$0 - 1] }
    }
}
