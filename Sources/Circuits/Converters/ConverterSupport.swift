import Reports
import Foundation
import Netlist
import CircuitTheory
import Reference

/// Why a converter cannot be designed.
public enum ConverterDesignError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidParameter(name: String, value: Double, requirement: String)
    /// The references or the supply make a switch that cannot conduct; the text says what to change.
    case unreachable(String)
    case table(TechnologyError)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, requirement):
            return "converter \(name) = \(formatSignificant(value, 6)) is invalid: it must be \(requirement)"
        case .unreachable(let reason): return "converter cannot be built: \(reason)"
        case .table(let error): return "converter sizing: \(error)"
        }
    }
}

/// The code conventions shared by the DAC and the ADC, tied to the mapping's converters
/// (`ConverterParameters`: a symmetric mid-tread quantiser about the reference, signed codes
/// -(2^(n-1) - 1) ... 2^(n-1) - 1, one LSB = FS / (2^(n-1) - 1)).
///
/// The hardware counts in natural binary, 0 ... 2^n - 1. Binary code c is signed code
/// k = c - 2^(n-1), so the references sit 2^(n-1) LSB either side of the mid-rail for the DAC
/// (c -> V = V_mid + k LSB exactly) and half an LSB lower for the ADC (its truncating
/// comparisons then round to the nearest signed code).
public struct ConverterScale: Sendable, Hashable, Codable {
    public var bits: Int
    /// FS, volts about the mid-rail reference.
    public var fullScaleVolts: Double
    /// The mid-rail reference, volts.
    public var midRailVolts: Double

    public init(bits: Int, fullScaleVolts: Double, midRailVolts: Double) {
        self.bits = bits; self.fullScaleVolts = fullScaleVolts; self.midRailVolts = midRailVolts
    }

    /// The mapping's LSB, volts: FS / (2^(n-1) - 1).
    public var lsbVolts: Double { fullScaleVolts / Double((1 << (bits - 1)) - 1) }
    /// 2^n.
    public var codeCount: Int { 1 << bits }
    /// 2^(n-1): binary code of signed code 0.
    public var midCode: Int { 1 << (bits - 1) }

    /// Signed code of binary code `c`, clipped to the mapping's range +-(2^(n-1) - 1).
    public func signedCode(binary c: Int) -> Int {
        let k = c - midCode
        return min(max(k, -(midCode - 1)), midCode - 1)
    }

    /// Binary code of signed code `k` (clipped to 0 ... 2^n - 1).
    public func binaryCode(signed k: Int) -> Int { min(max(k + midCode, 0), codeCount - 1) }
}

/// The two widths of a transmission gate, metres (0: that device is absent).
public struct GateWidths: Sendable, Hashable, Codable {
    public var nmos: Double
    public var pmos: Double
    public init(nmos: Double, pmos: Double) { self.nmos = nmos; self.pmos = pmos }
}

/// One sized transistor of a converter block.
public struct SizedDevice: Sendable, Hashable, Codable {
    public var name: String
    public var polarity: MOSPolarity
    /// Metres.
    public var width: Double
    /// Metres.
    public var length: Double
    public init(_ name: String, _ polarity: MOSPolarity, _ width: Double, _ length: Double) {
        self.name = name; self.polarity = polarity; self.width = width; self.length = length
    }
}

/// A transmission gate's two widths for a target on-resistance at the worst voltage it passes.
struct SwitchSizing {
    /// d|V_T| / dV_SB used by the on-resistance estimate, V/V (a conservative round figure for
    /// both built-in technologies; the estimate is checked by the characterisation).
    static let bodyEffectSlope = 0.25

    var nmosWidth: Double
    var pmosWidth: Double
    /// Estimated on-resistance at the worst voltage in the range, ohms.
    var worstResistance: Double

    /// Sizes NMOS/PMOS widths (PMOS scaled by k'n / k'p so both contribute alike) so that the
    /// triode estimate of the pair stays below `resistance` for every voltage in `range`. A
    /// `polarity` restricts the switch to one device.
    static func size(_ t: Technology, resistance: Double, passing range: ClosedRange<Double>, length: Double,
                     only polarity: MOSPolarity? = nil) throws(ConverterDesignError) -> SwitchSizing {
        let n = t.sizing.nmos, p = t.sizing.pmos, vdd = t.supplyVolts
        let beta = polarity == nil ? n.triodeFactor / p.triodeFactor : 1
        // Gate drive less the body effect: the source sits at the passed voltage, the bulk at
        // the rail, which raises |V_T| by about `bodyEffectSlope` volts per volt.
        func nDrive(_ v: Double) -> Double { vdd - v - bodyEffectSlope * v }
        func pDrive(_ v: Double) -> Double { v - bodyEffectSlope * (vdd - v) }
        // Conductance per metre of NMOS width (with the PMOS at beta times that width).
        func conductancePerWidth(_ v: Double) -> Double {
            var g = 0.0
            if polarity != .p { g += n.triodeConductance(width: 1, length: length, gateSourceVolts: nDrive(v)) }
            if polarity != .n {
                let scale = polarity == nil ? beta : 1
                g += p.triodeConductance(width: scale, length: length, gateSourceVolts: pDrive(v))
            }
            return g
        }
        let samples = (0...20).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 20 }
        let worst = samples.map(conductancePerWidth).min() ?? 0
        guard worst > 0 else {
            let which = polarity.map { "an \($0.rawValue)MOS switch" } ?? "a transmission gate"
            throw .unreachable("\(which) cannot pass \(formatSignificant(range.lowerBound, 3))...\(formatSignificant(range.upperBound, 3)) V on a \(formatSignificant(vdd, 3)) V supply: move the references away from the rails")
        }
        let base = 1 / (resistance * worst)
        let wn = polarity == .p ? 0 : max(base, t.nmos.minimumWidth)
        let wp = polarity == .n ? 0 : max(polarity == nil ? beta * base : base, t.pmos.minimumWidth)
        let scaleN = polarity == .p ? 0 : wn, scaleP = polarity == .n ? 0 : wp
        // Estimated worst resistance with the widths actually used.
        let achieved = samples.map { v -> Double in
            n.triodeConductance(width: scaleN, length: length, gateSourceVolts: nDrive(v))
                + p.triodeConductance(width: scaleP, length: length, gateSourceVolts: pDrive(v))
        }.min() ?? 0
        return SwitchSizing(nmosWidth: t.snapped(wn), pmosWidth: t.snapped(wp),
                            worstResistance: achieved > 0 ? 1 / achieved : .infinity)
    }
}
