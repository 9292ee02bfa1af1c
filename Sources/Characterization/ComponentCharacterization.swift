import Reports
import Circuits
import Foundation
import Ngspice

/// The building blocks that can be characterised on their own.
public enum Component: String, CaseIterable, Sendable, Hashable, Codable {
    case ota, dac, adc
}

/// Characterises the OTA, the DAC and the ADC of one technology and collects everything into a
/// report: every value each block was designed with, what the simulator measured, and the
/// checks. What `crossloop characterize` runs.
public enum ComponentCharacterization {
    public struct Request: Sendable, Hashable {
        public var components: Set<Component>
        public var ota: MillerOTA.Specification
        public var dac: ResistorLadderDAC.Parameters
        public var adc: SARADC.Parameters
        /// ADC ramp conversions per code (DNL resolution 1/hits LSB). Default 4.
        public var hitsPerCode: Int
        /// Relative tolerance of the OTA's gain, GBW and phase margin. Default 20 %.
        public var otaTolerance: Double

        public init(components: Set<Component> = Set(Component.allCases), ota: MillerOTA.Specification = .init(),
                    dac: ResistorLadderDAC.Parameters = .init(), adc: SARADC.Parameters = .init(), hitsPerCode: Int = 4,
                    otaTolerance: Double = 0.2) {
            self.components = components; self.ota = ota; self.dac = dac; self.adc = adc
            self.hitsPerCode = hitsPerCode; self.otaTolerance = otaTolerance
        }
    }

    /// Runs the requested blocks. `engines` share the ADC ramp (at least one is needed);
    /// `status` receives one line as each block starts, `progress` the engine's progress.
    public static func run(_ technology: Technology, _ request: Request = Request(), engines: [NgspiceEngine],
                           status: (@Sendable (String) -> Void)? = nil,
                           progress: (@Sendable (RunProgress) -> Void)? = nil) async throws(CharacterizationError)
        -> ComponentReport
    {
        guard let engine = engines.first else { throw .measurement("no engine") }
        // Design everything first: a specification that cannot be met fails before any simulation.
        var ota: MillerOTA?, dac: ResistorLadderDAC?, adc: SARADC?
        do {
            if request.components.contains(.ota) { ota = try MillerOTA(request.ota, technology: technology) }
            if request.components.contains(.dac) { dac = try ResistorLadderDAC(request.dac, technology: technology) }
            if request.components.contains(.adc) { adc = try SARADC(request.adc, technology: technology) }
        } catch {
            throw .design("\(error)")
        }
        var report = ComponentReport(technology: TechnologySummary(technology), engine: EngineSummary(engine.info))
        status?("devices")
        report.devices = try await DeviceCharacterization.figures(technology, engine: engine)
        if let ota {
            status?("OTA: .ac open loop and a unity-gain step")
            let m = try await OTACharacterization.measure(ota, engine: engine)
            report.ota = OTASection(values: ota.designValues, measurement: m,
                                    checks: OTACharacterization.checks(ota, m, tolerance: request.otaTolerance))
        }
        if let dac {
            status?("DAC: \(dac.parameters.bits)-bit code sweep")
            let m = try await ConverterCharacterization.dac(dac, engine: engine, progress: progress)
            report.dac = DACSection(values: dac.designValues + [DesignValue("dac.codeTime", m.codeSeconds, "s", "time each code is held in the sweep")],
                                    measurement: m)
        }
        if let adc {
            let conversions = ((1 << adc.parameters.bits) + 2) * request.hitsPerCode
            status?("ADC: \(adc.parameters.bits)-bit ramp, about \(conversions) conversions on \(engines.count) engine\(engines.count == 1 ? "" : "s")")
            let m = try await ConverterCharacterization.adc(adc, hitsPerCode: request.hitsPerCode, engines: engines, progress: progress)
            report.adc = ADCSection(values: adc.designValues + [DesignValue("adc.hitsPerCode", Double(request.hitsPerCode), "", "ramp conversions per code")],
                                    measurement: m)
        }
        return report
    }
}

public struct TechnologySummary: Sendable, Hashable, Codable {
    public var identifier: String
    public var provenance: String
    public var corner: String
    public var temperatureCelsius: Double
    public var supplyVolts: Double
    public var nmos: String
    public var pmos: String
    public var values: [DesignValue]

    public init(_ t: Technology) {
        identifier = t.identifier; provenance = t.provenance; corner = t.corner.rawValue
        temperatureCelsius = t.temperatureCelsius; supplyVolts = t.supplyVolts
        nmos = t.nmos.name; pmos = t.pmos.name; values = t.designValues
    }
}

public struct EngineSummary: Sendable, Hashable, Codable {
    public var ngspiceVersion: String
    public var klu: Bool
    public init(_ info: EngineInfo) { ngspiceVersion = info.ngspiceVersion; klu = info.hasKLU }
}

public struct OTASection: Sendable, Hashable, Codable {
    public var values: [DesignValue]
    public var measurement: OTAMeasurement
    public var checks: [TargetCheck]
    public var passed: Bool { checks.allSatisfy(\.passed) }
}

public struct DACSection: Sendable, Hashable, Codable {
    public var values: [DesignValue]
    public var measurement: DACMeasurement
    /// Monotonic, |DNL| < 1 LSB and |INL| < 1 LSB.
    public var passed: Bool {
        let l = measurement.linearity
        return l.monotonic && l.maxAbsDNL < 1 && l.maxAbsINL < 1
    }
}

public struct ADCSection: Sendable, Hashable, Codable {
    public var values: [DesignValue]
    public var measurement: ADCMeasurement
    /// No missing codes, |DNL| < 1 LSB, |INL| < 1 LSB, no conversion off by more than one code.
    public var passed: Bool {
        let l = measurement.linearity
        return l.missingCodes.isEmpty && l.maxAbsDNL < 1 && l.maxAbsINL < 1 && measurement.grossErrors == 0
    }
}

/// Everything `crossloop characterize` prints and writes.
public struct ComponentReport: Sendable, Hashable, Codable {
    public var technology: TechnologySummary
    public var engine: EngineSummary
    public var devices: DeviceCharacterization.TechnologyFigures?
    public var ota: OTASection?
    public var dac: DACSection?
    public var adc: ADCSection?

    public init(technology: TechnologySummary, engine: EngineSummary) {
        self.technology = technology; self.engine = engine
    }

    public var passed: Bool { (ota?.passed ?? true) && (dac?.passed ?? true) && (adc?.passed ?? true) }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(self)
        data.append(contentsOf: Array("\n".utf8))
        return data
    }

    /// The human report: every value used and measured, with units.
    public func text() -> String {
        var out: [String] = []
        let t = technology
        out.append("technology  \(t.identifier): \(t.provenance)")
        out.append("            corner \(t.corner), \(significant(t.temperatureCelsius, 4)) C, supply \(engineering(t.supplyVolts, unit: "V")), devices \(t.nmos) / \(t.pmos)")
        out.append("engine      ngspice \(engine.ngspiceVersion)\(engine.klu ? " (KLU)" : "")")
        if let d = devices {
            for (name, f) in [("NMOS", d.nmos), ("PMOS", d.pmos)] {
                out.append("\(name == "NMOS" ? "devices" : "       ")     \(name) at L_min: V_T \(engineering(f.thresholdVolts, unit: "V")), I_on \(significant(f.onCurrentPerWidth, 4)) uA/um, I_off \(significant(f.offCurrentPerWidth * 1e3, 4)) nA/um, swing \(significant(f.subthresholdSwingMillivoltsPerDecade, 4)) mV/dec")
            }
        }
        if let ota {
            let m = ota.measurement
            out.append("")
            out.append("OTA: two-stage Miller, sized by gm/Id at the nominal point")
            out.append("  design values")
            out += ota.values.formattedLines().map { "    " + $0 }
            out.append("  measured (load \(engineering(ota.values.first { $0.name == "ota.load" }?.value ?? .nan, unit: "F")))")
            for check in ota.checks {
                let deviation = (check.measured / check.target - 1) * 100
                let shown = check.unit == "V/V" ? "\(significant(check.measured, 4)) V/V (\(significant(20 * log10(check.measured), 4)) dB)" : engineering(check.measured, unit: check.unit)
                let rule = check.kind == .within ? "within \(significant(check.tolerance * 100, 4)) %" : "at least \(significant(100 - check.tolerance * 100, 4)) % of it"
                out.append("    \(pad(check.name, 14)) \(pad(shown, 24)) target \(pad(engineering(check.target, unit: check.unit), 12)) \(signed(deviation)) %  \(check.passed ? "pass" : "FAIL") (\(rule))")
            }
            out.append("    \(pad("unity gain", 14)) \(engineering(m.unityGainHertz, unit: "Hz")); open-loop pole \(engineering(m.poleHertz, unit: "Hz"))")
            out.append("    \(pad("slew rate", 14)) rising \(significant(m.slewRisingVoltsPerSecond / 1e6, 4)) V/us, falling \(significant(m.slewFallingVoltsPerSecond / 1e6, 4)) V/us (10-90 %, \(engineering(m.stepVolts, unit: "V")) step, unity gain)")
            out.append("    \(pad("settling", 14)) \(engineering(m.settlingSeconds, unit: "s")) to \(significant(m.settlingTolerance * 100, 4)) % of the step")
            out.append("    \(pad("offset", 14)) \(engineering(m.offsetVolts, unit: "V")) (systematic; no mismatch is modelled)")
            out.append("    \(pad("supply", 14)) \(engineering(m.supplyCurrentAmperes, unit: "A")), \(engineering(m.powerWatts, unit: "W"))")
            out.append("    \(pad("simulation", 14)) \(engineering(m.simulationSeconds, unit: "s"))")
        }
        if let dac {
            let l = dac.measurement.linearity
            out.append("")
            out.append("DAC: \(l.bits)-bit R-2R with transmission gates, code sweep (unloaded output)")
            out.append("  design values")
            out += dac.values.formattedLines().map { "    " + $0 }
            out.append("  measured")
            out += linearityLines(l, what: "code")
            out.append("    \(pad("simulation", 14)) \(engineering(dac.measurement.simulationSeconds, unit: "s"))")
            out.append("    \(pad("verdict", 14)) \(dac.passed ? "pass" : "FAIL") (monotonic, |INL| and |DNL| below 1 LSB)")
        }
        if let adc {
            let m = adc.measurement, l = m.linearity
            out.append("")
            out.append("ADC: \(l.bits)-bit SAR, ramp code density (\(m.hitsPerCode) conversions per code, resolution \(significant(1 / Double(m.hitsPerCode), 4)) LSB)")
            out.append("  design values")
            out += adc.values.formattedLines().map { "    " + $0 }
            out.append("  measured")
            out += linearityLines(l, what: "transition")
            out.append("    \(pad("conversions", 14)) \(m.conversions) of \(engineering(m.conversionSeconds, unit: "s")); \(m.grossErrors) more than one code off the ideal (offset removed)")
            out.append("    \(pad("supply", 14)) \(engineering(m.averageSupplyAmperes, unit: "A")) average over the ramp")
            out.append("    \(pad("simulation", 14)) \(engineering(m.simulationSeconds, unit: "s")) (summed over engines)")
            out.append("    \(pad("verdict", 14)) \(adc.passed ? "pass" : "FAIL") (no missing codes, |INL| and |DNL| below 1 LSB)")
        }
        out.append("")
        out.append("verdict     \(passed ? "pass" : "FAIL")")
        return out.joined(separator: "\n")
    }

    private func linearityLines(_ l: Linearity, what: String) -> [String] {
        [
            "    \(pad("max |INL|", 14)) \(significant(l.maxAbsINL, 4)) LSB (endpoint fit)",
            "    \(pad("max |DNL|", 14)) \(significant(l.maxAbsDNL, 4)) LSB",
            "    \(pad("LSB", 14)) \(engineering(l.lsbVolts, unit: "V")) measured, \(engineering(l.idealLsbVolts, unit: "V")) designed (gain error \(signed(l.gainError * 100)) %)",
            "    \(pad("offset", 14)) \(signed(l.offsetLSB)) LSB (first \(what))",
            "    \(pad("missing codes", 14)) \(l.missingCodes.isEmpty ? "none" : l.missingCodes.map(String.init).joined(separator: ", "))",
        ]
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}


private func signed(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    return (x >= 0 ? "+" : "") + String(format: "%.3g", x)
}
