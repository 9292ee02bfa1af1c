import Reports
import Circuits
import Foundation
import Netlist
import Ngspice

/// Extracts the gm/Id sizing tables of a technology from its models, with the real engine.
///
/// For each channel length a W = `width` device (source and bulk at 0) has its gate swept in
/// one `.dc` run at |V_DS| = `drainSourceVolts` and at |V_DS| + `drainStep`; gm comes from the
/// sweep by central differences, gds from the two drain voltages. At each gm/Id of the grid,
/// on the strong-inversion side of the gm/Id peak, the table stores Id/W, Id/gds and |V_GS|.
/// A `.ac` run at gm/Id = 12 S/A gives Cgg of every length, fitted as a W L + b W. A `.dc`
/// run at |V_DS| = 10 mV and L = L_min gives the triode conductance curve the switch
/// estimates use (and, for reports, its secant k' and threshold between V_DD / 2 and V_DD).
public enum DeviceCharacterization {
    public struct Settings: Sendable, Hashable {
        /// Lengths as multiples of the minimum length.
        public var lengthMultiples: [Double]
        public var gmOverId: [Double]
        /// |V_DS| of the table, volts; nil: half the supply.
        public var drainSourceVolts: Double?
        /// The lower |V_DS|, volts; nil: a quarter of the supply.
        public var lowDrainSourceVolts: Double?
        /// Width of the extraction devices, metres.
        public var width: Double
        /// Gate-sweep step, volts.
        public var gateStep: Double
        /// Drain step for gds, volts.
        public var drainStep: Double
        /// Largest |V_GS| step between neighbouring gm/Id columns of a smooth curve, volts.
        public var maximumGateStep: Double

        public init(lengthMultiples: [Double] = [1, 1.5, 2, 3, 5, 7, 10, 15, 20],
                    gmOverId: [Double] = [6, 8, 10, 12, 14, 16, 18, 20, 22],
                    drainSourceVolts: Double? = nil, lowDrainSourceVolts: Double? = nil, width: Double = 5e-6, gateStep: Double = 2e-3,
                    drainStep: Double = 20e-3, maximumGateStep: Double = 0.15) {
            self.lengthMultiples = lengthMultiples; self.gmOverId = gmOverId
            self.drainSourceVolts = drainSourceVolts; self.lowDrainSourceVolts = lowDrainSourceVolts
            self.width = width
            self.gateStep = gateStep; self.drainStep = drainStep; self.maximumGateStep = maximumGateStep
        }
    }

    /// Both tables of `technology` at its corner and temperature.
    public static func sizingData(_ technology: Technology, settings: Settings = Settings(),
                                  engine: NgspiceEngine) async throws(CharacterizationError) -> SizingData {
        SizingData(nmos: try await table(technology, .n, settings: settings, engine: engine),
                   pmos: try await table(technology, .p, settings: settings, engine: engine))
    }

    public static func table(_ technology: Technology, _ polarity: MOSPolarity, settings: Settings = Settings(),
                             engine: NgspiceEngine) async throws(CharacterizationError) -> GmIdTable {
        let device = technology.device(polarity)
        let vdd = technology.supplyVolts
        let vds = settings.drainSourceVolts ?? vdd / 2
        let vdsLow = settings.lowDrainSourceVolts ?? vdd / 4
        let drains = [vds, vds + settings.drainStep, vdsLow, vdsLow + settings.drainStep]
        let sign: Double = polarity == .n ? 1 : -1
        let lengths = settings.lengthMultiples.map { roundedGeometry($0 * device.minimumLength) }
        let w = settings.width

        // Saturation sweep: two drain voltages per length at each of the two |V_DS|.
        var deck = Deck(title: "crossloop gm/Id extraction, \(polarity.rawValue)MOS, \(technology.identifier)")
        technology.prepare(&deck)
        deck.elements.append(.dcVoltage("g", "g", "0", 0))
        for (k, length) in lengths.enumerated() {
            for (j, drainVolts) in drains.enumerated() {
                let drain = "d\(k)_\(j)"
                deck.elements.append(.dcVoltage(drain, drain, "0", .number(sign * drainVolts)))
                deck.elements.append(technology.transistor("m\(k)_\(j)", polarity, drain: drain, gate: "g", source: "0",
                                                           bulk: "0", width: w, length: length))
            }
        }
        deck.analyses = [.dcSweep(source: "Vg", start: 0, stop: sign * vdd, step: sign * settings.gateStep)]
        var names: [String] = []
        for k in lengths.indices { for j in drains.indices { names.append("i(Vd\(k)_\(j))") } }
        let sweep = try await simulate(engine, deck, technology.request(vectors: names))
        let gate = try scale(sweep, "dc").map(abs)

        var density: [[Double]] = [], early: [[Double]] = [], vgs: [[Double]] = []
        var densityLow: [[Double]] = [], earlyLow: [[Double]] = []
        var biasForCapacitance: [Double] = []
        for k in lengths.indices {
            let currents = try drains.indices.map { (j: Int) throws(CharacterizationError) -> [Double] in
                try values(sweep, "dc", "i(Vd\(k)_\(j))").map(abs)
            }
            let curve = try GateCurve(gate: gate, current: currents[0], currentAtHigherDrain: currents[1],
                                      drainStep: settings.drainStep)
            guard currents[2].count == gate.count, currents[3].count == gate.count else {
                throw .measurement("low-drain sweep vectors have different lengths")
            }
            var rowJ: [Double] = [], rowVA: [Double] = [], rowV: [Double] = [], rowJL: [Double] = [], rowVAL: [Double] = []
            for g in settings.gmOverId {
                let p = try curve.point(gmOverId: g, what: "\(polarity.rawValue)MOS L = \(lengths[k]) m")
                rowJ.append(p.current / w); rowVA.append(p.current / p.gds); rowV.append(p.gate)
                // The same gate voltage at the lower drain voltage.
                let low = p.at(currents[2]), gdsLow = (p.at(currents[3]) - low) / settings.drainStep
                guard low > 0, gdsLow > 0 else {
                    throw .measurement("\(polarity.rawValue)MOS L = \(lengths[k]) m: no current or gds at |V_DS| = \(vdsLow) V")
                }
                rowJL.append(low / w); rowVAL.append(low / gdsLow)
            }
            density.append(rowJ); early.append(rowVA); vgs.append(rowV)
            densityLow.append(rowJL); earlyLow.append(rowVAL)
            biasForCapacitance.append(try curve.point(gmOverId: 12, what: "Cgg bias").gate)
        }

        // Gate capacitance by .ac at gm/Id = 12.
        var capDeck = Deck(title: "crossloop Cgg extraction, \(polarity.rawValue)MOS, \(technology.identifier)")
        technology.prepare(&capDeck)
        for (k, length) in lengths.enumerated() {
            capDeck.elements.append(.dcVoltage("d\(k)", "d\(k)", "0", .number(sign * vds)))
            capDeck.elements.append(.voltageSource(IndependentSource(
                name: "g\(k)", plus: "g\(k)", minus: "0", dc: .number(sign * biasForCapacitance[k]),
                ac: ACStimulus(magnitude: 1))))
            capDeck.elements.append(technology.transistor("m\(k)", polarity, drain: "d\(k)", gate: "g\(k)", source: "0",
                                                          bulk: "0", width: w, length: length))
        }
        let frequency = 1e6
        capDeck.analyses = [.ac(AC(sweep: .linear, points: 1, start: frequency, stop: frequency))]
        let capNames = lengths.indices.map { "i(Vg\($0))" }
        let ac = try await simulate(engine, capDeck, technology.request(vectors: capNames))
        var perWidth: [Double] = []
        for k in lengths.indices {
            guard let sample = ac.plot("ac")?["i(Vg\(k))"]?.complex.first else {
                throw .measurement("gate current of the Cgg extraction missing")
            }
            perWidth.append(abs(sample.imaginary) / (2 * Double.pi * frequency) / w)
        }
        let (slope, intercept) = lineFit(x: lengths, y: perWidth)

        // Triode factor at L_min.
        var triodeDeck = Deck(title: "crossloop triode extraction, \(polarity.rawValue)MOS, \(technology.identifier)")
        technology.prepare(&triodeDeck)
        let vdsTriode = 0.01
        triodeDeck.elements = [
            .dcVoltage("g", "g", "0", 0), .dcVoltage("d", "d", "0", .number(sign * vdsTriode)),
            technology.transistor("m", polarity, drain: "d", gate: "g", source: "0", bulk: "0", width: w,
                                  length: device.minimumLength),
        ]
        triodeDeck.analyses = [.dcSweep(source: "Vg", start: 0, stop: sign * vdd, step: sign * vdd / 40)]
        let triode = try await simulate(engine, triodeDeck, technology.request(vectors: ["i(Vd)"]))
        let tg = try scale(triode, "dc").map(abs)
        let ti = try values(triode, "dc", "i(Vd)").map(abs)
        guard tg.count == ti.count, tg.count > 10 else { throw .measurement("triode sweep too short") }
        let high = tg.count - 1, low = Int((0.5 * Double(high)).rounded())
        let gHigh = ti[high] / vdsTriode, gLow = ti[low] / vdsTriode
        let slopeG = (gHigh - gLow) / (tg[high] - tg[low])
        guard slopeG > 0 else { throw .measurement("triode conductance does not rise with V_GS") }
        let factor = slopeG * device.minimumLength / w
        let threshold = tg[high] - gHigh / slopeG
        let curve = ti.map { $0 / vdsTriode * device.minimumLength / w }

        // Keep the gm/Id columns where every length is one smooth inversion curve: |V_GS| and
        // current falling with gm/Id, |V_GS| by less than `maximumGateStep` per column. Beyond,
        // the models can jump to another branch (sky130's pfet_01v8 past gm/Id ~ 15 S/A).
        var columns = settings.gmOverId.count
        for j in 1..<settings.gmOverId.count {
            let smooth = lengths.indices.allSatisfy { k in
                let step = vgs[k][j - 1] - vgs[k][j]
                return step > 0 && step < settings.maximumGateStep && density[k][j] < density[k][j - 1]
            }
            if !smooth { columns = j; break }
        }
        guard columns >= 2 else { throw .measurement("the \(polarity.rawValue)MOS gm/Id curves are not smooth at \(settings.gmOverId.prefix(2))") }
        let keep = { (grid: [[Double]]) in grid.map { Array($0.prefix(columns)) } }
        let table = GmIdTable(polarity: polarity, drainSourceVolts: vds, lengths: lengths,
                              gmOverId: Array(settings.gmOverId.prefix(columns)),
                              currentDensity: keep(density), earlyVoltage: keep(early), gateSourceVolts: keep(vgs),
                              lowDrainSourceVolts: vdsLow, currentDensityAtLowDrain: keep(densityLow),
                              earlyVoltageAtLowDrain: keep(earlyLow),
                              gateCapacitancePerArea: slope, gateCapacitancePerWidth: intercept,
                              triodeFactor: factor, triodeThresholdVolts: threshold,
                              triodeGateVolts: tg, triodeConductance: curve)
        guard table.isWellFormed else { throw .measurement("the extracted \(polarity.rawValue)MOS table has non-positive entries") }
        return table
    }

    /// Headline figures of one device type at L_min, W = `width`.
    public struct Figures: Sendable, Hashable, Codable {
        /// Threshold by linear extrapolation at the gm peak, |V_DS| = 50 mV, volts.
        public var thresholdVolts: Double
        /// |I_D| per width at |V_GS| = |V_DS| = V_DD, A/m (numerically uA/um).
        public var onCurrentPerWidth: Double
        /// |I_D| per width at V_GS = 0, |V_DS| = V_DD, A/m.
        public var offCurrentPerWidth: Double
        /// Subthreshold swing between 1 nA/um and 100 nA/um... at |V_DS| = V_DD, mV/decade.
        public var subthresholdSwingMillivoltsPerDecade: Double
    }

    public struct TechnologyFigures: Sendable, Hashable, Codable {
        public var nmos: Figures
        public var pmos: Figures
    }

    /// V_T, I_on, I_off and subthreshold swing of both polarities at L_min.
    public static func figures(_ technology: Technology, width: Double = 1e-6,
                               engine: NgspiceEngine) async throws(CharacterizationError) -> TechnologyFigures {
        TechnologyFigures(nmos: try await figures(technology, .n, width: width, engine: engine),
                          pmos: try await figures(technology, .p, width: width, engine: engine))
    }

    static func figures(_ technology: Technology, _ polarity: MOSPolarity, width w: Double,
                        engine: NgspiceEngine) async throws(CharacterizationError) -> Figures {
        let device = technology.device(polarity)
        let vdd = technology.supplyVolts
        let sign: Double = polarity == .n ? 1 : -1
        var deck = Deck(title: "crossloop device figures, \(polarity.rawValue)MOS, \(technology.identifier)")
        technology.prepare(&deck)
        deck.elements = [
            .dcVoltage("g", "g", "0", 0),
            .dcVoltage("lin", "dl", "0", .number(sign * 0.05)), .dcVoltage("sat", "ds", "0", .number(sign * vdd)),
            technology.transistor("ml", polarity, drain: "dl", gate: "g", source: "0", bulk: "0", width: w,
                                  length: device.minimumLength),
            technology.transistor("ms", polarity, drain: "ds", gate: "g", source: "0", bulk: "0", width: w,
                                  length: device.minimumLength),
        ]
        deck.analyses = [.dcSweep(source: "Vg", start: 0, stop: sign * vdd, step: sign * 0.005)]
        let result = try await simulate(engine, deck, technology.request(vectors: ["i(Vlin)", "i(Vsat)"]))
        let gate = try scale(result, "dc").map(abs)
        let linear = try values(result, "dc", "i(Vlin)").map(abs)
        let saturated = try values(result, "dc", "i(Vsat)").map(abs)
        guard gate.count > 20, linear.count == gate.count, saturated.count == gate.count else {
            throw .measurement("device sweep too short")
        }
        var best = 1, bestGm = 0.0
        for i in 1..<(gate.count - 1) {
            let gm = (linear[i + 1] - linear[i - 1]) / (gate[i + 1] - gate[i - 1])
            if gm > bestGm { bestGm = gm; best = i }
        }
        guard bestGm > 0 else { throw .measurement("no transconductance in the linear sweep") }
        let threshold = gate[best] - linear[best] / bestGm - 0.025
        // Swing: the steepest decade between 1e-4 and 1e-1 A/m in saturation.
        var swing = Double.infinity
        let density = saturated.map { $0 / w }
        for i in 0..<(gate.count - 1) where density[i] > 1e-4 && density[i + 1] < 1e-1 && density[i + 1] > density[i] {
            let s = (gate[i + 1] - gate[i]) / log10(saturated[i + 1] / saturated[i]) * 1000
            swing = min(swing, s)
        }
        guard swing.isFinite else { throw .measurement("no subthreshold region in the sweep") }
        return Figures(thresholdVolts: threshold, onCurrentPerWidth: saturated[gate.count - 1] / w,
                       offCurrentPerWidth: saturated[0] / w, subthresholdSwingMillivoltsPerDecade: swing)
    }

    /// Swift source for a `SizingData` literal (how the built-in tables were written).
    public static func swiftSource(_ data: SizingData, indent: String = "    ") -> String {
        func number(_ x: Double) -> String {
            let r = Double(String(format: "%.5g", x)) ?? x
            return SpiceNumber.format(r) ?? "0"
        }
        func list(_ xs: [Double]) -> String { "[" + xs.map(number).joined(separator: ", ") + "]" }
        func grid(_ rows: [[Double]], _ pad: String) -> String {
            "[\n" + rows.map { pad + indent + list($0) + "," }.joined(separator: "\n") + "\n" + pad + "]"
        }
        func table(_ t: GmIdTable, _ pad: String) -> String {
            let inner = pad + indent
            return """
                GmIdTable(
                \(inner)polarity: .\(t.polarity.rawValue), drainSourceVolts: \(number(t.drainSourceVolts)),
                \(inner)lengths: \(list(t.lengths)),
                \(inner)gmOverId: \(list(t.gmOverId)),
                \(inner)currentDensity: \(grid(t.currentDensity, inner)),
                \(inner)earlyVoltage: \(grid(t.earlyVoltage, inner)),
                \(inner)gateSourceVolts: \(grid(t.gateSourceVolts, inner)),
                \(inner)lowDrainSourceVolts: \(number(t.lowDrainSourceVolts)),
                \(inner)currentDensityAtLowDrain: \(grid(t.currentDensityAtLowDrain, inner)),
                \(inner)earlyVoltageAtLowDrain: \(grid(t.earlyVoltageAtLowDrain, inner)),
                \(inner)gateCapacitancePerArea: \(number(t.gateCapacitancePerArea)), gateCapacitancePerWidth: \(number(t.gateCapacitancePerWidth)),
                \(inner)triodeFactor: \(number(t.triodeFactor)), triodeThresholdVolts: \(number(t.triodeThresholdVolts)),
                \(inner)triodeGateVolts: \(list(t.triodeGateVolts)),
                \(inner)triodeConductance: \(list(t.triodeConductance))
                \(pad))
                """
        }
        return "SizingData(\n\(indent)nmos: \(table(data.nmos, indent)),\n\(indent)pmos: \(table(data.pmos, indent))\n)"
    }
}

/// One gate sweep of one device.
struct GateCurve {
    let gate: [Double]
    let current: [Double]
    let gm: [Double]
    let gds: [Double]

    init(gate: [Double], current: [Double], currentAtHigherDrain: [Double], drainStep: Double) throws(CharacterizationError) {
        guard gate.count == current.count, gate.count == currentAtHigherDrain.count, gate.count > 5 else {
            throw .measurement("gate sweep vectors have different lengths")
        }
        self.gate = gate; self.current = current
        var gm = [Double](repeating: 0, count: gate.count)
        for i in 1..<(gate.count - 1) {
            gm[i] = (current[i + 1] - current[i - 1]) / (gate[i + 1] - gate[i - 1])
        }
        gm[0] = gm[1]; gm[gate.count - 1] = gm[gate.count - 2]
        self.gm = gm
        gds = zip(currentAtHigherDrain, current).map { ($0 - $1) / drainStep }
    }

    /// Where gm/Id = `target` on the strong-inversion side, searched down from the top of the
    /// sweep so that leakage humps near V_GS = 0 are ignored.
    struct Point {
        let index: Int
        let fraction: Double
        let gate: Double
        let current: Double
        let gds: Double
        /// Any vector of the same sweep at this point.
        func at(_ xs: [Double]) -> Double { xs[index] + fraction * (xs[index + 1] - xs[index]) }
    }

    func point(gmOverId target: Double, what: String) throws(CharacterizationError) -> Point {
        let ratio = zip(gm, current).map { $1 > 1e-15 ? $0 / $1 : 0 }
        var i = ratio.count - 2
        while i >= 0 && !(ratio[i] >= target && ratio[i + 1] < target) {
            i -= 1
        }
        guard i >= 0, ratio[i] >= target, ratio[i + 1] < target else {
            throw .measurement("\(what): gm/Id never reaches \(target) S/A below the top of the sweep")
        }
        let u = (ratio[i] - target) / (ratio[i] - ratio[i + 1])
        func lerp(_ xs: [Double]) -> Double { xs[i] + u * (xs[i + 1] - xs[i]) }
        let gds = lerp(gds)
        guard gds > 0 else { throw .measurement("\(what): gds <= 0 at gm/Id = \(target)") }
        return Point(index: i, fraction: u, gate: lerp(gate), current: lerp(current), gds: gds)
    }
}

/// Least-squares line y = a x + b.
func lineFit(x: [Double], y: [Double]) -> (Double, Double) {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0
    for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx) }
    let slope = sxx > 0 ? sxy / sxx : 0
    return (slope, my - slope * mx)
}
