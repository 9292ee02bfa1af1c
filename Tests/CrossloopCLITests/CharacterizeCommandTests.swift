import Foundation
import Testing

/// End-to-end tests of `crossloop characterize` on the built binary.
@Suite("crossloop characterize")
struct CharacterizeCommandTests: CLISuite {
    /// Whether the sky130 models are in the cache (the same lookup as `Sky130PDK`).
    static let pdkAvailable: Bool = {
        let env = ProcessInfo.processInfo.environment
        let root = env["CROSSLOOP_PDK_ROOT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 + "/crossloop/pdk" }
            ?? (env["HOME"] ?? NSHomeDirectory()) + "/.cache/crossloop/pdk"
        return FileManager.default.fileExists(atPath: root + "/sky130/sky130_fd_pr/combined_models/continuous/models_fet.spice")
    }()

    @Test("the OTA on the generic card: every value printed, gain, GBW and PM within 20 % in text and JSON, exit 0")
    func ota() throws {
        let dir = try CLIRunner.makeTemporaryDirectory()
        let result = try CLIRunner.run(["characterize", "--what", "ota", "--json", "r.json"], in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        for text in ["technology  generic", "ota.target.dcGain", "ota.cc", "ota.m6.w", "ota.predicted.phaseMargin",
                     "DC gain", "GBW", "phase margin", "slew rate", "settling", "offset", "verdict     pass"] {
            #expect(result.stdout.contains(text), "\(text) missing from the report")
        }
        #expect(!result.stdout.contains("DAC:") && !result.stdout.contains("ADC:"))
        let j = try json(dir.appendingPathComponent("r.json"))
        let gain = try #require(value(j, "ota.measurement.dcGain") as? Double)
        let gbw = try #require(value(j, "ota.measurement.gainBandwidthHertz") as? Double)
        let pm = try #require(value(j, "ota.measurement.phaseMarginDegrees") as? Double)
        #expect(abs(gain / 3000 - 1) <= 0.2, "A0 \(gain)")
        #expect(abs(gbw / 30e6 - 1) <= 0.2, "GBW \(gbw)")
        #expect(abs(pm / 60 - 1) <= 0.2, "PM \(pm)")
        let checks = try #require(value(j, "ota.checks") as? [[String: Any]])
        #expect(checks.count == 4)
        #expect(value(j, "technology.identifier") as? String == "generic")
        #expect((value(j, "ota.values") as? [Any])?.count ?? 0 > 40)
    }

    @Test("DAC and ADC: INL and DNL by sweeps, in the report and the JSON")
    func converters() throws {
        let dir = try CLIRunner.makeTemporaryDirectory()
        let dac = try CLIRunner.run(["characterize", "--what", "dac", "--bits", "6", "--json", "dac.json"], in: dir)
        #expect(dac.status == 0, "stderr: \(dac.stderr)")
        #expect(dac.stdout.contains("DAC: 6-bit R-2R"))
        #expect(dac.stdout.contains("max |INL|") && dac.stdout.contains("max |DNL|"))
        let d = try json(dir.appendingPathComponent("dac.json"))
        let inl = try #require(value(d, "dac.measurement.linearity.maxAbsINL") as? Double)
        #expect(inl < 0.5)
        #expect((value(d, "dac.measurement.outputVolts") as? [Any])?.count == 64)

        let adc = try CLIRunner.run(["characterize", "--what", "adc", "--bits", "4", "--hits", "3", "--json", "adc.json"], in: dir)
        #expect(adc.status == 0, "stderr: \(adc.stderr)")
        #expect(adc.stdout.contains("ADC: 4-bit SAR, ramp code density (3 conversions per code"))
        #expect(adc.stdout.contains("missing codes  none"))
        let a = try json(dir.appendingPathComponent("adc.json"))
        #expect((value(a, "adc.measurement.histogram") as? [Int])?.count == 16)
        #expect((value(a, "adc.measurement.linearity.missingCodes") as? [Int])?.isEmpty == true)
        // 4 bits lower the full scale so the references stay inside the rails; the value used is reported.
        let fs = (value(a, "adc.values") as? [[String: Any]])?.first { $0["name"] as? String == "adc.fullScale" }?["value"] as? Double
        #expect(fs.map { $0 < 0.5 } == true)
    }

    @Test("without the PDK, --tech sky130 says in one line how to fetch it and exits 2")
    func missingPDK() throws {
        let result = try CLIRunner.run(["characterize", "--tech", "sky130:tt", "--what", "ota"],
                                       environment: ["CROSSLOOP_PDK_ROOT": "/nonexistent/crossloop-pdk"])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("Scripts/fetch-pdk.sh"))
        #expect(result.stdout.isEmpty)
    }

    @Test("invalid options exit 2 with a sentence saying what to type",
          arguments: [["--tech", "tsmc"], ["--tech", "sky130:xx"], ["--what", "mixer"], ["--temp", "hot"], ["--bits", "40"],
                      ["--hits", "0"]])
    func invalid(arguments: [String]) throws {
        let result = try CLIRunner.run(["characterize"] + arguments, environment: ["CROSSLOOP_PDK_ROOT": "/nonexistent/crossloop-pdk"])
        #expect(result.status == 2, "\(arguments): status \(result.status)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: "))
    }

    @Test("sky130 tt OTA through the command", .enabled(if: pdkAvailable, "sky130 models not fetched: run Scripts/fetch-pdk.sh"))
    func sky130() throws {
        let result = try CLIRunner.run(["characterize", "--tech", "sky130:tt", "--what", "ota"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("technology  sky130:tt"))
        #expect(result.stdout.contains("supply 1.8 V"))
    }
}
