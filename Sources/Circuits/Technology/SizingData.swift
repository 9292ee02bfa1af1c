import Foundation

/// What the generators size with: one gm/Id table per polarity, plus the few constants that
/// switches and parasitic-pole estimates need. Extracted from the technology's own models by
/// `DeviceCharacterization` (module Verification) at the nominal point, and stored in the
/// source so that sizing is deterministic and needs no simulator; a test re-extracts the
/// tables and checks the stored ones against the models.
public struct SizingData: Sendable, Hashable, Codable {
    public var nmos: GmIdTable
    public var pmos: GmIdTable

    public init(nmos: GmIdTable, pmos: GmIdTable) { self.nmos = nmos; self.pmos = pmos }

    public func table(_ polarity: MOSPolarity) -> GmIdTable { polarity == .n ? nmos : pmos }
}

/// A transistor's operating point at a given length and gm/Id, per unit width.
public struct DevicePoint: Sendable, Hashable {
    /// gm/Id, S/A.
    public var gmOverId: Double
    /// Drain current per metre of width, A/m, at the |V_DS| asked for.
    public var currentDensity: Double
    /// Id / gds, volts (so gds = Id / VA).
    public var earlyVoltage: Double
    /// |V_GS|, volts (no body effect).
    public var gateSourceVolts: Double
}

/// gm/Id design table of one device type (the "gm/Id methodology": currents and geometry
/// follow from a chosen gm/Id, which fixes the inversion level, and a length, which fixes the
/// intrinsic gain).
///
/// Rows are channel lengths, columns gm/Id values; each entry holds the drain current per unit
/// width, the Early voltage Id/gds and |V_GS|, measured in saturation at |V_DS| =
/// `drainSourceVolts` with source and bulk tied, and the current and Early voltage at the
/// same |V_GS| with |V_DS| = `lowDrainSourceVolts`. Lookups interpolate linearly in gm/Id and
/// in log(L) (current density in log scale), then linearly in |V_DS| between the two drain
/// voltages (above the upper one the current follows the Early voltage, and the Early voltage
/// keeps its slope, capped at twice its value).
public struct GmIdTable: Sendable, Hashable, Codable {
    public var polarity: MOSPolarity
    /// |V_DS| of the extraction, volts.
    public var drainSourceVolts: Double
    /// Channel lengths (drawn), metres, ascending.
    public var lengths: [Double]
    /// gm/Id grid, S/A, ascending.
    public var gmOverId: [Double]
    /// A/m of width: `currentDensity[length][gmOverId]`.
    public var currentDensity: [[Double]]
    /// Id/gds, volts.
    public var earlyVoltage: [[Double]]
    /// |V_GS|, volts.
    public var gateSourceVolts: [[Double]]
    /// The lower |V_DS|, volts.
    public var lowDrainSourceVolts: Double
    /// A/m at the same |V_GS| and |V_DS| = `lowDrainSourceVolts`.
    public var currentDensityAtLowDrain: [[Double]]
    /// Id/gds there, volts.
    public var earlyVoltageAtLowDrain: [[Double]]
    /// Gate capacitance in saturation per unit gate area, F/m^2 (Cgg = a W L + b W).
    public var gateCapacitancePerArea: Double
    /// Gate capacitance per unit width that does not scale with L (overlap and fringe), F/m.
    public var gateCapacitancePerWidth: Double
    /// Triode factor k' = mu Cox, A/V^2: the secant g_on = k' (W/L) (|V_GS| - V_T) between
    /// |V_GS| = V_DD / 2 and V_DD near V_DS = 0 (for reports; sizing uses the curve below).
    public var triodeFactor: Double
    /// The secant's threshold, volts (no body effect).
    public var triodeThresholdVolts: Double
    /// |V_GS| of the measured triode curve, volts, ascending from 0 to the supply.
    public var triodeGateVolts: [Double]
    /// Channel conductance times L/W at those |V_GS| (|V_DS| = 10 mV, L_min), siemens.
    public var triodeConductance: [Double]

    public init(polarity: MOSPolarity, drainSourceVolts: Double, lengths: [Double], gmOverId: [Double],
                currentDensity: [[Double]], earlyVoltage: [[Double]], gateSourceVolts: [[Double]],
                lowDrainSourceVolts: Double, currentDensityAtLowDrain: [[Double]], earlyVoltageAtLowDrain: [[Double]],
                gateCapacitancePerArea: Double, gateCapacitancePerWidth: Double, triodeFactor: Double,
                triodeThresholdVolts: Double, triodeGateVolts: [Double], triodeConductance: [Double]) {
        self.polarity = polarity; self.drainSourceVolts = drainSourceVolts; self.lengths = lengths
        self.gmOverId = gmOverId; self.currentDensity = currentDensity; self.earlyVoltage = earlyVoltage
        self.gateSourceVolts = gateSourceVolts; self.lowDrainSourceVolts = lowDrainSourceVolts
        self.currentDensityAtLowDrain = currentDensityAtLowDrain; self.earlyVoltageAtLowDrain = earlyVoltageAtLowDrain
        self.gateCapacitancePerArea = gateCapacitancePerArea
        self.gateCapacitancePerWidth = gateCapacitancePerWidth; self.triodeFactor = triodeFactor
        self.triodeThresholdVolts = triodeThresholdVolts
        self.triodeGateVolts = triodeGateVolts; self.triodeConductance = triodeConductance
    }

    public var shortestLength: Double { lengths.first ?? 0 }
    public var longestLength: Double { lengths.last ?? 0 }
    public var gmOverIdRange: ClosedRange<Double> { (gmOverId.first ?? 0)...(gmOverId.last ?? 0) }

    /// Whether the table's shape is usable (same sizes everywhere, ascending axes, positive data).
    public var isWellFormed: Bool {
        guard lengths.count >= 2, gmOverId.count >= 2,
              zip(lengths, lengths.dropFirst()).allSatisfy({ $0 < $1 }),
              zip(gmOverId, gmOverId.dropFirst()).allSatisfy({ $0 < $1 }) else { return false }
        guard lowDrainSourceVolts > 0, lowDrainSourceVolts < drainSourceVolts,
              triodeGateVolts.count >= 2, triodeGateVolts.count == triodeConductance.count else { return false }
        for grid in [currentDensity, earlyVoltage, gateSourceVolts, currentDensityAtLowDrain, earlyVoltageAtLowDrain] {
            guard grid.count == lengths.count, grid.allSatisfy({ $0.count == gmOverId.count }) else { return false }
            guard grid.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 > 0 } }) else { return false }
        }
        return true
    }

    /// The operating point at `length` (metres) and `gmOverId` (S/A), at |V_DS| =
    /// `drainSourceVolts` (nil: the table's upper drain voltage), interpolated.
    public func point(length: Double, gmOverId g: Double, drainSourceVolts vds: Double? = nil) throws(TechnologyError)
        -> DevicePoint
    {
        guard lengths.count >= 2, gmOverId.count >= 2,
              [currentDensity, earlyVoltage, gateSourceVolts, currentDensityAtLowDrain, earlyVoltageAtLowDrain]
                .allSatisfy({ $0.count == lengths.count && $0.allSatisfy { $0.count == gmOverId.count } }) else {
            throw .outOfTable(what: "the \(polarity.rawValue)MOS table is malformed")
        }
        guard length.isFinite, g.isFinite,
              length >= shortestLength * (1 - 1e-9), length <= longestLength * (1 + 1e-9) else {
            throw .outOfTable(what: "L = \(length) m outside \(shortestLength)...\(longestLength) m (\(polarity.rawValue)MOS)")
        }
        guard gmOverIdRange.contains(g) else {
            throw .outOfTable(what: "gm/Id = \(g) S/A outside \(gmOverIdRange) (\(polarity.rawValue)MOS)")
        }
        let (i, u) = bracket(lengths.map { log($0) }, log(length))
        let (j, v) = bracket(gmOverId, g)
        func bilinear(_ grid: [[Double]], logarithmic: Bool) -> Double {
            func at(_ a: Int, _ b: Int) -> Double { logarithmic ? log(grid[a][b]) : grid[a][b] }
            let low = at(i, j) * (1 - v) + at(i, j + 1) * v
            let high = at(i + 1, j) * (1 - v) + at(i + 1, j + 1) * v
            let x = low * (1 - u) + high * u
            return logarithmic ? exp(x) : x
        }
        let jHigh = bilinear(currentDensity, logarithmic: true)
        let vaHigh = bilinear(earlyVoltage, logarithmic: false)
        let vgs = bilinear(gateSourceVolts, logarithmic: false)
        guard let vds, vds.isFinite, vds != drainSourceVolts else {
            return DevicePoint(gmOverId: g, currentDensity: jHigh, earlyVoltage: vaHigh, gateSourceVolts: vgs)
        }
        let jLow = bilinear(currentDensityAtLowDrain, logarithmic: true)
        let vaLow = bilinear(earlyVoltageAtLowDrain, logarithmic: false)
        let span = drainSourceVolts - lowDrainSourceVolts
        let x = (vds - lowDrainSourceVolts) / span
        if vds < drainSourceVolts {
            let current = max(jLow + (jHigh - jLow) * x, 0.05 * jHigh)
            let early = max(vaLow + (vaHigh - vaLow) * x, 0.05 * vaHigh)
            return DevicePoint(gmOverId: g, currentDensity: current, earlyVoltage: early, gateSourceVolts: vgs)
        }
        let slope = max(0, (vaHigh - vaLow) / span)
        let early = min(vaHigh + slope * (vds - drainSourceVolts), 2 * vaHigh)
        let current = jHigh * (1 + (vds - drainSourceVolts) / vaHigh)
        return DevicePoint(gmOverId: g, currentDensity: current, earlyVoltage: early, gateSourceVolts: vgs)
    }

    /// The gm/Id at which |V_GS| equals `volts` at `length` (gm/Id falls as V_GS rises).
    public func gmOverId(forGateSourceVolts volts: Double, length: Double) throws(TechnologyError) -> Double {
        var low = gmOverIdRange.lowerBound, high = gmOverIdRange.upperBound
        let atLow = try point(length: length, gmOverId: low).gateSourceVolts
        let atHigh = try point(length: length, gmOverId: high).gateSourceVolts
        guard volts <= atLow, volts >= atHigh else {
            throw .outOfTable(what: "|V_GS| = \(volts) V outside \(atHigh)...\(atLow) V at L = \(length) m (\(polarity.rawValue)MOS)")
        }
        for _ in 0..<60 {
            let mid = (low + high) / 2
            if try point(length: length, gmOverId: mid).gateSourceVolts > volts { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// Gate capacitance of a W x L device in saturation, farads.
    public func gateCapacitance(width: Double, length: Double) -> Double {
        gateCapacitancePerArea * width * length + gateCapacitancePerWidth * width
    }

    /// Channel conductance of a switch of W x L at |V_GS| = `gateSourceVolts` near V_DS = 0,
    /// siemens: the measured triode curve (at L_min) scaled by W/L, interpolated; 0 below the
    /// curve, its last slope above it.
    public func triodeConductance(width: Double, length: Double, gateSourceVolts v: Double) -> Double {
        let xs = triodeGateVolts, ys = triodeConductance
        guard xs.count >= 2, xs.count == ys.count, v.isFinite, v > (xs.first ?? 0) else { return 0 }
        let (i, u) = bracket(xs, v)
        var g = ys[i] + u * (ys[i + 1] - ys[i])
        if let last = xs.last, v > last {
            let n = xs.count
            g = ys[n - 1] + (v - last) * (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2])
        }
        return max(0, g) * width / length
    }
}

/// Index i and fraction u with axis[i] <= x <= axis[i+1] (clamped to the ends).
func bracket(_ axis: [Double], _ x: Double) -> (Int, Double) {
    let last = axis.count - 2
    var i = 0
    while i < last && x > axis[i + 1] { i += 1 }
    let span = axis[i + 1] - axis[i]
    let u = span > 0 ? min(max((x - axis[i]) / span, 0), 1) : 0
    return (i, u)
}
