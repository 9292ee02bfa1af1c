import Characterization
import Sweeps
import Reports
import Specification
import ArgumentParser
import Circuits
import Foundation
import Ngspice
import Verification
import Specification

struct CharacterizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "characterize",
        abstract: "Design the transistor-level OTA, DAC and ADC for a technology and measure them on the simulator.",
        discussion: """
            Sizes a two-stage Miller OTA (gm/Id, 69.5 dB, 30 MHz, 60 deg into 2 pF by default), \
            an R-2R input DAC and a SAR ADC (8 bits, +-0.5 V about mid-rail by default), then \
            runs each alone in ngspice: the OTA open loop (.ac: DC gain, GBW, phase margin) and \
            as a unity-gain follower (step: slew rate, settling, offset); the DAC through every \
            code; the ADC on a ramp (code density). Prints every value used and measured; \
            --json writes the same as JSON. The OTA passes when its gain and GBW are within \
            20 % of their targets and its phase margin is at least 80 % of its target and \
            within 20 % of the design's prediction; the converters when they have no missing \
            codes and |INL| and |DNL| below 1 LSB.

            --technology generic is Crossloop's built-in 90-nm-class BSIM4 card (1.2 V). \
            --technology sky130:CORNER uses the SkyWater sky130 1.8 V devices fetched by \
            Scripts/fetch-pdk.sh (corner tt, ss, ff, sf or fs). The 8-bit ADC ramp takes about \
            a thousand conversions, split over two engines: about a minute on two cores; --bits \
            and --hits trade resolution for time.

            Exit codes: 0 pass, 1 a block missed its targets, 2 invalid input (or the PDK is \
            not fetched), 3 simulation failed.

            \(KnobArguments.help(KnobArguments.technologyKnobs, title: "Technology options"))
            """
    )

    @Option(help: ArgumentHelp("What to characterise: ota, dac, adc or all.", valueName: "what"))
    var what: String = "all"

    @Option(parsing: .unconditional, help: ArgumentHelp("Converter resolution in bits (DAC 2-14, ADC 2-12).", valueName: "N"))
    var bits: String = "8"

    @Option(parsing: .unconditional, help: ArgumentHelp("ADC ramp conversions per code (DNL resolution 1/hits LSB), 1 to 64.", valueName: "n"))
    var hits: String = "4"

    @Option(help: ArgumentHelp("Also write the report as JSON to this path.", valueName: "path"))
    var json: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The technology options below.", valueName: "options"))
    var knobs: [String] = []

    struct Settings {
        var technology: Technology
        var components: Set<Component>
        var bits: Int
        var hits: Int
    }

    func settings() throws -> Settings {
        // The technology knobs resolve as a transistor-level design's do: one set of rules.
        let entries = try KnobArguments.parse(knobs, knobs: KnobArguments.technologyKnobs)
        let spec = try SolveSpecification.resolve([("fidelity", .text("transistor"))] + entries, operation: .inv)
        guard let technology = spec.design.transistor?.technology else { throw UsageError("no technology") }
        let components: Set<Component>
        switch what.lowercased() {
        case "all": components = Set(Component.allCases)
        case let name:
            guard let component = Component(rawValue: name) else {
                throw UsageError("unknown --what '\(Quantity.echo(what))': pass ota, dac, adc or all.")
            }
            components = [component]
        }
        guard let n = Int(bits), (2...12).contains(n) else {
            throw UsageError("--bits \(Quantity.echo(bits)) is not a whole number from 2 to 12: pass e.g. --bits 8.")
        }
        guard let h = Int(hits), (1...64).contains(h) else {
            throw UsageError("--hits \(Quantity.echo(hits)) is not a whole number from 1 to 64: pass e.g. --hits 4.")
        }
        return Settings(technology: technology, components: components, bits: n, hits: h)
    }

    func run() async throws {
        let settings = try settings()
        try OutputFile.check(json)
        let technology = settings.technology
        var request = ComponentCharacterization.Request(components: settings.components, hitsPerCode: settings.hits)
        request.dac.bits = settings.bits
        request.adc.bits = settings.bits
        // Few bits make a large LSB, and the references sit 2^(N-1) + 1/2 LSB from mid-rail:
        // lower the full scale (reported with the design values) so they stay inside the rails.
        let half = Double(1 << (settings.bits - 1))
        let maximumFullScale = 0.9 * technology.midRailVolts * (half - 1) / (half + 0.5)
        if request.adc.fullScaleVolts > maximumFullScale {
            request.adc.fullScaleVolts = maximumFullScale
            request.dac.fullScaleVolts = maximumFullScale
        }
        let engineCount = settings.components.contains(.adc) ? max(1, min(2, ProcessInfo.processInfo.activeProcessorCount)) : 1
        let engines = try (0..<engineCount).map { _ in try NgspiceEngine() }
        let line = ProgressLine(label: "characterize")
        let report: ComponentReport
        do {
            report = try await ComponentCharacterization.run(technology, request, engines: engines,
                                                             status: { line.update(message: $0) },
                                                             progress: { line.update($0) })
            line.finish()
        } catch {
            line.finish()
            throw error
        }
        print(report.text())
        if let json { try OutputFile.write(try report.json(), to: json) }
        if !report.passed { throw VerificationFailure() }
    }
}
