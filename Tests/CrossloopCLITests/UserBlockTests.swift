import Foundation
import Testing

/// A designer's own op-amp and model library in the loop, measured before it is trusted, and
/// a verification plan over them: the blocks are written here, on the generic card.
@Suite("Your own blocks and verification plans")
struct UserBlockTests: CLISuite {
    /// A five-transistor OTA (NMOS pair, PMOS mirror, NMOS tail mirror) on the generic card,
    /// its pins in the file's header.
    static func fiveTransistor(n: String = "cl90n", p: String = "cl90p", name: String = "ota5t", pins: String = "{inp: ip, inn: in, out: o, vdd: vdd, vss: vss}") -> String {
        """
        * A five-transistor OTA.
        *> \(name):
        *>   kind: opamp
        *>   pins: \(pins)
        *>   bias: {nb: {current: 20u}}
        .subckt \(name) ip in o vdd vss nb
        M0 nb nb vss vss \(n) w=2u l=0.5u
        M5 t nb vss vss \(n) w=4u l=0.5u
        M1 x ip t vss \(n) w=4u l=0.6u
        M2 o in t vss \(n) w=4u l=0.6u
        M3 x x vdd vdd \(p) w=8u l=0.6u
        M4 o x vdd vdd \(p) w=8u l=0.6u
        .ends

        """
    }

    /// A two-stage Miller OTA with 1 fF of compensation: far too little for the loop's load.
    static let lowMargin = """
        * A Miller OTA, under-compensated.
        .subckt miller ip in o vdd vss nb
        M0 nb nb vss vss cl90n w=2u l=0.5u
        M5 t nb vss vss cl90n w=4u l=0.5u
        M1 x in t vss cl90n w=4u l=0.3u
        M2 y ip t vss cl90n w=4u l=0.3u
        M3 x x vdd vdd cl90p w=8u l=0.3u
        M4 y x vdd vdd cl90p w=8u l=0.3u
        M6 o y vdd vdd cl90p w=32u l=0.1u
        M7 o nb vss vss cl90n w=16u l=0.5u
        Cc y o 1f
        .ends

        """
    /// Its pin map in a sidecar file.
    static let lowMarginPins = """
        miller:
          kind: opamp
          pins: {inp: ip, inn: in, out: o, vdd: vdd, vss: vss}
          bias:
            nb: {current: 20u}

        """

    /// A cell of two bits, each a resistor and a transmission gate to the row, gates and
    /// complements from the stored bits.
    static func cell(bits: String = "[b0, b1], bitsBar: [b0n, b1n]") -> String {
        """
        * A two-bit cell with transmission-gate switches.
        *> tgcell:
        *>   kind: cell
        *>   pins: {row: r, column: c, bits: \(bits), vdd: vdd, vss: vss}
        .subckt tgcell r c b0 b1 b0n b1n vdd vss
        R0 c m0 196k
        Mn0 m0 b0 r vss cl90n w=0.3u l=0.1u
        Mp0 m0 b0n r vdd cl90p w=0.6u l=0.1u
        R1 c m1 98k
        Mn1 m1 b1 r vss cl90n w=0.6u l=0.1u
        Mp1 m1 b1n r vdd cl90p w=1.2u l=0.1u
        .ends

        """
    }

    @Test("a two-bit transmission-gate cell of your own, measured code by code, sets G0 and passes an 8x8 INV; with a sign bit its answer agrees too")
    func userCell() throws {
        let dir = try directory(["a.csv": Self.matrix, "cell.sp": Self.cell()])
        defer { try? FileManager.default.removeItem(at: dir) }
        for sign in ["two-arrays", "sign-bit"] {
            let result = try CLIRunner.run(Self.solve + ["--cell", "cell.sp:tgcell", "--bits", "2", "--sign", sign, "--json", "v.json"], in: dir)
            if sign == "two-arrays" {
                #expect(result.status == 0, "\(sign): exit \(result.status): \(result.stdout)\(result.stderr)")
            } else {
                // The sign switches and the cell's wider gates load the rows: the answer agrees,
                // the single-pole settling prediction need not.
                #expect(result.status == 0 || result.status == 1, "\(sign): exit \(result.status): \(result.stderr)")
                for check in ["accuracy against the ideal solution", "agreement with the finite-gain circuit reference"] {
                    #expect(result.stdout.contains("[ok  ] \(check)"), "\(sign): \(check): \(result.stdout)")
                }
            }
            #expect(result.stdout.contains("cell      cell.sp:tgcell"), "\(result.stdout)")
            let v = try json(dir.appendingPathComponent("v.json"))
            let levels = try #require(value(v, "design.measuredCell.levelSiemens") as? [Double])
            let unit = try #require(value(v, "design.measuredCell.unitSiemens") as? Double)
            #expect(levels.count == 4 && zip(levels, levels.dropFirst()).allSatisfy { $0 < $1 }, "\(levels)")
            // The step is the LSB resistor's conductance, less a switch of a few kOhm.
            #expect(unit < 1 / 196e3 && unit > 0.95 / 196e3, "G0 \(unit)")
            #expect((value(v, "mapping.unitConductanceSiemens") as? Double).map { abs($0 - unit) <= 1e-12 * unit } == true)
            #expect(levels[0] < 1e-3 * unit, "off leakage \(levels[0])")
        }
    }

    @Test("a cell whose levels do not rise with the code, or whose bit count is not the design's, is refused (exit 2)")
    func badCell() throws {
        let dir = try directory(["a.csv": Self.matrix, "swapped.sp": Self.cell(bits: "[b1, b0], bitsBar: [b1n, b0n]"), "cell.sp": Self.cell()])
        defer { try? FileManager.default.removeItem(at: dir) }
        let swapped = try CLIRunner.run(Self.solve + ["--cell", "swapped.sp:tgcell", "--bits", "2"], in: dir)
        #expect(swapped.status == 2 && swapped.stderr.contains("not monotonic") && swapped.stderr.contains("swapped.sp:tgcell"), "\(swapped.stderr)")
        let count = try CLIRunner.run(Self.solve + ["--cell", "cell.sp:tgcell", "--bits", "4"], in: dir)
        #expect(count.status == 2 && count.stderr.contains("2 bit gates") && count.stderr.contains("--bits 2"), "\(count.stderr)")
    }

    @Test("your single-stage OTA on your cell's fixed G0 is loaded far beyond its r_out: the loading check fails it")
    func overloadedOpAmp() throws {
        let dir = try directory(["a.csv": Self.matrix, "cell.sp": Self.cell(), "ota.sp": Self.fiveTransistor()])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(Self.solve + ["--cell", "cell.sp:tgcell", "--bits", "2", "--opamp", "ota.sp:ota5t"], in: dir)
        #expect(result.status == 1, "exit \(result.status): \(result.stderr)")
        #expect(result.stdout.contains("[FAIL] op-amp output resistance against its load"), "\(result.stdout)")
    }

    /// A 6-bit R-2R DAC of the designer's (R = 10 kOhm, transmission gates to the references),
    /// its termination leg `termination` ohms (2R is right).
    static func dac(termination: Double = 20e3) -> String {
        let n = 6
        var lines = ["* A 6-bit R-2R DAC.", "*> r2r6:", "*>   kind: dac",
                     "*>   pins: {bits: [d0, d1, d2, d3, d4, d5], refp: rp, refn: rn, out: o, vdd: vdd, vss: vss}",
                     ".subckt r2r6 d0 d1 d2 d3 d4 d5 rp rn o vdd vss"]
        func node(_ i: Int) -> String { i == n - 1 ? "o" : "x\(i)" }
        for i in 0..<n {
            lines += ["Mip\(i) nb\(i) d\(i) vdd vdd cl90p w=0.48u l=0.1u", "Min\(i) nb\(i) d\(i) vss vss cl90n w=0.24u l=0.1u",
                      "Mhn\(i) s\(i) d\(i) rp vss cl90n w=2u l=0.1u", "Mhp\(i) s\(i) nb\(i) rp vdd cl90p w=4u l=0.1u",
                      "Mln\(i) s\(i) nb\(i) rn vss cl90n w=2u l=0.1u", "Mlp\(i) s\(i) d\(i) rn vdd cl90p w=4u l=0.1u",
                      "Rleg\(i) s\(i) \(node(i)) 20k"]
            if i + 1 < n { lines.append("Rser\(i) \(node(i)) \(node(i + 1)) 10k") }
        }
        lines += ["Rterm rn x0 \(termination)", ".ends", ""]
        return lines.joined(separator: "\n")
    }

    static let withDAC = ["solve", "--matrix", "a.csv", "--fidelity", "transistor", "--converters", "transistor", "--dac-bits", "6", "--adc-bits", "6"]

    @Test("a 6-bit R-2R DAC of your own, measured at every code, drives the inputs of an 8x8 INV that passes; with a wrong termination the DAC check fails it")
    func userDAC() throws {
        let dir = try directory(["a.csv": Self.matrix, "dac.sp": Self.dac(), "bad.sp": Self.dac(termination: 2e3)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try CLIRunner.run(Self.withDAC + ["--dac", "dac.sp:r2r6", "--json", "v.json"], in: dir)
        #expect(good.status == 0, "exit \(good.status): \(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("[ok  ] your DAC against the ideal DAC"), "\(good.stdout)")
        let v = try json(dir.appendingPathComponent("v.json"))
        let codes = try #require(value(v, "design.measuredDAC.codeVolts") as? [Double])
        let rout = try #require(value(v, "design.measuredDAC.outputResistanceOhms") as? Double)
        #expect(codes.count == 64 && zip(codes, codes.dropFirst()).allSatisfy { $0 < $1 })
        // The ladder's Thevenin resistance is R, plus a switch.
        #expect(rout > 10e3 && rout < 11e3, "r_out \(rout)")
        let bad = try CLIRunner.run(Self.withDAC + ["--dac", "bad.sp:r2r6"], in: dir)
        #expect(bad.status == 1, "exit \(bad.status): \(bad.stderr)")
        #expect(bad.stdout.contains("[FAIL] your DAC against the ideal DAC"), "\(bad.stdout)")
        let ideal = try CLIRunner.run(Self.solve + ["--dac", "dac.sp:r2r6"], in: dir)
        #expect(ideal.status == 2 && ideal.stderr.contains("--converters transistor"), "\(ideal.stderr)")
        let bits = try CLIRunner.run(["solve", "--matrix", "a.csv", "--fidelity", "transistor", "--converters", "transistor", "--dac", "dac.sp:r2r6"], in: dir)
        #expect(bits.status == 2 && bits.stderr.contains("--dac-bits 6"), "\(bits.stderr)")
    }

    /// A 6-bit ADC of the designer's: a track-and-hold (a switch closed while samp is high
    /// and a capacitor), a second one that takes the held value (buffered) when samp falls and
    /// keeps it through the next sampling (the output register), and a quantiser of behavioural
    /// sources, its code `offsetLSB` above the ideal converter's; described with or without
    /// its timing.
    static func adc(offsetLSB: Double = 0, timing: Bool = true) -> String {
        var lines = ["* A 6-bit ADC: track-and-hold and quantiser.", "*> qadc6:", "*>   kind: adc",
                     "*>   pins: {in: vi, clk: ck, samp: sp, bits: [q0, q1, q2, q3, q4, q5], refp: rp, refn: rn, vdd: vdd, vss: vss}"]
        if timing { lines.append("*>   timing: {clock: 10n, sample: 2, convert: 1}") }
        lines += [".subckt qadc6 vi ck sp q0 q1 q2 q3 q4 q5 rp rn vdd vss",
                  "S1 vi h sp vss track", "Eb hb vss h vss 1", "S2 hb r vdd sp track", ".model track sw vt=0.6 vh=-0.3 ron=1k roff=1e9",
                  "Ch h vss 100f", "Cr r vss 10f", "Rck ck vss 1meg",
                  // The code sits half a unit above its integer, so that its bits never floor an exact integer.
                  "Bc c vss V = max(0, min(63, floor((v(r) - v(rn)) / (v(rp) - v(rn)) * 64 + \(offsetLSB)))) + 0.5"]
        for k in 0..<6 {
            let w = 1 << k
            lines.append("Bq\(k) q\(k) vss V = v(vdd, vss) * (floor(v(c) / \(w)) - 2 * floor(v(c) / \(2 * w)))")
        }
        lines += [".ends", ""]
        return lines.joined(separator: "\n")
    }

    @Test("a 6-bit ADC of your own, measured on a ramp through every code, reads the outputs of an 8x8 INV that passes; a code one LSB off fails the ADC check; without timing or with other bits it is refused")
    func userADC() throws {
        let dir = try directory(["a.csv": Self.matrix, "adc.sp": Self.adc(), "off.sp": Self.adc(offsetLSB: 1),
                                 "untimed.sp": Self.adc(timing: false)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try CLIRunner.run(Self.withDAC + ["--adc", "adc.sp:qadc6", "--json", "v.json"], in: dir)
        #expect(good.status == 0, "exit \(good.status): \(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("[ok  ] your ADC against the ideal ADC"), "\(good.stdout)")
        let v = try json(dir.appendingPathComponent("v.json"))
        let transitions = try #require(value(v, "design.measuredADC.transitionVolts") as? [Double])
        let worst = try #require(value(v, "design.measuredADC.maxErrorLSB") as? Double)
        #expect(transitions.count == 63 && zip(transitions, transitions.dropFirst()).allSatisfy { $0 < $1 })
        // An ideal quantiser: its transitions are found to within half a ramp step (1/8 LSB).
        #expect(worst <= 0.13, "worst transition \(worst) LSB")
        let off = try CLIRunner.run(Self.withDAC + ["--adc", "off.sp:qadc6", "--json", "off.json"], in: dir)
        #expect(off.status == 1, "exit \(off.status): \(off.stderr)")
        #expect(off.stdout.contains("[FAIL] your ADC against the ideal ADC"), "\(off.stdout)")
        let offWorst = try #require(value(try json(dir.appendingPathComponent("off.json")), "design.measuredADC.maxErrorLSB") as? Double)
        #expect(abs(offWorst - 1) <= 0.13, "offset ADC: worst transition \(offWorst) LSB")
        let untimed = try CLIRunner.run(Self.withDAC + ["--adc", "untimed.sp:qadc6"], in: dir)
        #expect(untimed.status == 2 && untimed.stderr.contains("timing"), "\(untimed.stderr)")
        let bits = try CLIRunner.run(Array(Self.withDAC.dropLast(2)) + ["--adc", "adc.sp:qadc6"], in: dir)
        #expect(bits.status == 2 && bits.stderr.contains("--adc-bits 6"), "\(bits.stderr)")
    }

    /// A library of the designer's own with a typical and a slow section (level-1 devices).
    static let library = """
        * Two corners.
        .lib tt
        .model nch nmos level=1 vto=0.35 kp=300u lambda=0.05 cgso=1e-10 cgdo=1e-10
        .model pch pmos level=1 vto=-0.35 kp=100u lambda=0.05 cgso=1e-10 cgdo=1e-10
        .endl tt
        .lib ss
        .model nch nmos level=1 vto=0.42 kp=240u lambda=0.06 cgso=1e-10 cgdo=1e-10
        .model pch pmos level=1 vto=-0.42 kp=80u lambda=0.06 cgso=1e-10 cgdo=1e-10
        .endl ss

        """

    /// I + 0.25 R / sqrt(8) from a fixed LCG: well conditioned, mixed signs.
    static let matrix: String = {
        var state: UInt64 = 2024
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) - 0.5 }
        let n = 8
        return (0..<n).map { i in (0..<n).map { j in "\((i == j ? 1 : 0) + 0.25 / Double(n).squareRoot() * 2 * next())" }.joined(separator: ",") }
            .joined(separator: "\n") + "\n"
    }()

    static let solve = ["solve", "--matrix", "a.csv", "--fidelity", "transistor", "--converters", "ideal"]

    @Test("a five-transistor OTA of your own passes an 8x8 INV, its measured gain and GBW in the report and driving the mapping")
    func wellBehaved() throws {
        let dir = try directory(["a.csv": Self.matrix, "ota.sp": Self.fiveTransistor()])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(Self.solve + ["--opamp", "ota.sp:ota5t", "--json", "v.json"], in: dir)
        #expect(result.status == 0, "exit \(result.status): \(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("op-amp    ota.sp:ota5t"), "\(result.stdout)")
        let v = try json(dir.appendingPathComponent("v.json"))
        let gain = try #require(value(v, "design.measuredOpAmp.dcGain") as? Double)
        let gbw = try #require(value(v, "design.measuredOpAmp.gainBandwidthHertz") as? Double)
        let rout = try #require(value(v, "design.measuredOpAmp.outputResistanceOhms") as? Double)
        // A single stage at L = 0.6 um: gain gm r_out of tens to a few hundred, r_out in the
        // 100 kOhm range at 10 uA a side.
        #expect(gain > 20 && gain < 1000, "A0 \(gain)")
        #expect(gbw > 1e6 && gbw < 1e9, "GBW \(gbw)")
        #expect(rout > 1e4 && rout < 1e7, "r_out \(rout)")
        // The report prints the measured A0 (four digits) and GBW on the block's lines.
        let printed = result.stdout.split(separator: "\n").first { $0.contains("A0 ") && $0.contains("r_out") }
        let a0Text = printed.flatMap { line in line.components(separatedBy: "A0 ").dropFirst().first?.split(separator: " ").first }
        let a0 = a0Text.flatMap { Double($0) }
        #expect(a0.map { abs($0 - gain) <= 1e-3 * gain } == true, "printed \(String(describing: printed)) vs measured \(gain)")
        #expect(printed?.contains("GBW ") == true)
        // The predictions use what was measured: the design's A0, and G0 low enough that a
        // column costs at most 10 % of the gain through r_out.
        let specification = try #require(v["specification"] as? [[String: Any]])
        let used = specification.first { ($0["name"] as? String) == "design.gain" }?["value"] as? Double
        #expect(used.map { abs($0 - gain) <= 1e-9 * gain } == true, "A0 used \(String(describing: used)) vs measured \(gain)")
        let g0 = try #require(value(v, "mapping.unitConductanceSiemens") as? Double)
        #expect(g0 < 1e-5 && rout * g0 <= 0.1, "G0 \(g0), r_out \(rout)")
        #expect(value(v, "verdict.pass") as? Bool == true)
    }

    @Test("an under-compensated Miller OTA is refused as unstable, exit 4, with its measured margin")
    func lowMargin() throws {
        let dir = try directory(["a.csv": Self.matrix, "miller.sp": Self.lowMargin, "miller.sp.yaml": Self.lowMarginPins])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(Self.solve + ["--opamp", "miller.sp:miller"], in: dir)
        #expect(result.status == 4, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("unstable loop") && result.stderr.contains("miller.sp:miller") && result.stderr.contains("phase margin"),
                "\(result.stderr)")
        #expect(result.stderr.contains("measured A0"), "the refusal gives the measured figures: \(result.stderr)")
    }

    @Test("a Miller OTA stable alone but with too little margin for the loop is refused (exit 4); forced, its transient does not settle and the verdict fails")
    func ringing() throws {
        let dir = try directory(["a.csv": Self.matrix, "miller.sp": Self.lowMargin.replacingOccurrences(of: "Cc y o 1f", with: "Cc y o 100f"),
                                 "miller.sp.yaml": Self.lowMarginPins])
        defer { try? FileManager.default.removeItem(at: dir) }
        let refused = try CLIRunner.run(Self.solve + ["--opamp", "miller.sp:miller"], in: dir)
        #expect(refused.status == 4, "exit \(refused.status): \(refused.stderr)")
        #expect(refused.stderr.contains("measured phase margin") && refused.stderr.contains("this matrix's loop takes") && refused.stderr.contains("--force"),
                "\(refused.stderr)")
        let forced = try CLIRunner.run(Self.solve + ["--opamp", "miller.sp:miller", "--force", "--json", "v.json"], in: dir)
        #expect(forced.status == 1, "exit \(forced.status): \(forced.stderr)")
        #expect(forced.stdout.contains("transient not settled"), "\(forced.stdout)")
    }

    @Test("a wrong pin map, a missing subcircuit, a missing file and a missing model each give exit 2 naming them")
    func refusals() throws {
        let dir = try directory([
            "a.csv": Self.matrix, "ota.sp": Self.fiveTransistor(),
            "badpin.sp": Self.fiveTransistor(pins: "{inp: ip, inn: minus, out: o, vdd: vdd, vss: vss}"),
            "nomodel.sp": Self.fiveTransistor(n: "mynmos", p: "mypmos", name: "ota5m"),
            "lib.lib": Self.library,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], [String])] = [
            (["--opamp", "badpin.sp:ota5t"], ["badpin.sp:ota5t", "inn = minus", "no such pin", "ip in o vdd vss nb"]),
            (["--opamp", "ota.sp:ota7t"], ["ota.sp", "no .subckt ota7t", "ota5t"]),
            (["--opamp", "gone.sp:ota5t"], ["gone.sp", "no such file"]),
            (["--opamp", "nomodel.sp:ota5m"], ["nomodel.sp:ota5m", "'mynmos'", "defined neither"]),
            (["--opamp", "ota.sp:ota5t", "--tech", "lib.lib:ff"], ["lib.lib", "no section 'ff'", "tt, ss"]),
        ]
        for (flags, needles) in cases {
            let result = try CLIRunner.run(Self.solve + flags, in: dir)
            #expect(result.status == 2, "\(flags): exit \(result.status): \(result.stderr)")
            #expect(result.stderrLines.count == 1, "\(flags): one line: \(result.stderr)")
            for needle in needles { #expect(result.stderr.contains(needle), "\(flags): '\(needle)' in \(result.stderr)") }
        }
    }

    @Test("a block file with control commands is refused before ngspice reads it")
    func controlCommands() throws {
        let dir = try directory(["a.csv": Self.matrix,
                                 "ota.sp": Self.fiveTransistor() + ".control\nshell touch escaped\n.endc\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(Self.solve + ["--opamp", "ota.sp:ota5t"], in: dir)
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("ota.sp") && result.stderr.contains("shell"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("escaped").path))
    }

    @Test("your op-amp on your library sweeps over its tt and ss sections, measured at each")
    func sweepOverCorners() throws {
        let sweep = """
            name: corners of my library
            problem: {operation: inv, matrix: a.csv}
            design: {fidelity: transistor, opamp: ota.sp:ota5l, converters: ideal}
            variables:
              technology: [lib.lib:tt, lib.lib:ss]

            """
        let dir = try directory(["a.csv": Self.matrix, "lib.lib": Self.library, "sweep.yaml": sweep,
                                 "ota.sp": Self.fiveTransistor(n: "nch", p: "pch", name: "ota5l")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["sweep", "sweep.yaml", "--jobs", "1", "--out", "out"], in: dir)
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        let rows = try String(contentsOf: dir.appendingPathComponent("out/results.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == 2)
        let bits = rows.compactMap { $0["equivalentBits"] as? Double }
        #expect(bits.count == 2 && rows.allSatisfy { $0["status"] as? String == "ok" }, "\(rows)")
        // The slow section's devices give another op-amp and so another answer.
        if bits.count == 2 { #expect(abs(bits[0] - bits[1]) > 0.01, "tt and ss gave \(bits)") }
    }

    static func plan(targetBits: Double) -> String {
        """
        name: ota regression
        design: {fidelity: transistor, opamp: ota.sp:ota5l, technology: lib.lib:tt, converters: ideal}
        targets: {max-penalty-bits: 1}
        cases:
          - name: inv8
            problem: {operation: inv, matrix: a.csv}
            corners: [tt, ss]
            targets: {target-bits: 2}
          - name: inv8-tight
            problem: {operation: inv, matrix: a.csv}
            targets: {target-bits: \(targetBits)}

        """
    }

    @Test("a plan of three cases, one meant to fail its target, exits 1 naming the case and check in JUnit; relaxed, it exits 0")
    func plan() throws {
        let dir = try directory(["a.csv": Self.matrix, "lib.lib": Self.library, "ota.sp": Self.fiveTransistor(n: "nch", p: "pch", name: "ota5l"),
                                 "plan.yaml": Self.plan(targetBits: 8), "relaxed.yaml": Self.plan(targetBits: 2)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let failing = try CLIRunner.run(["check", "plan.yaml", "--junit", "j.xml", "--json", "r.json", "--report", "r.html"], in: dir)
        #expect(failing.status == 1, "exit \(failing.status): \(failing.stdout)\(failing.stderr)")
        let junit = try String(contentsOf: dir.appendingPathComponent("j.xml"), encoding: .utf8)
        #expect(junit.components(separatedBy: "<testsuite ").count - 1 == 3, "\(junit)")
        #expect(junit.contains("<testsuite name=\"ota regression: inv8-tight\"") && junit.contains("failures=\"1\""), "\(junit)")
        let tight = junit.components(separatedBy: "ota regression: inv8-tight").last ?? ""
        #expect(tight.contains("name=\"accuracy against the ideal solution\"") && tight.contains("<failure"), "\(tight)")
        #expect(junit.contains("ota regression: inv8 [ss]"))
        let summary = try json(dir.appendingPathComponent("r.json"))
        #expect(summary["pass"] as? Bool == false)
        #expect(try String(contentsOf: dir.appendingPathComponent("r.html"), encoding: .utf8).contains("2 of 3 cases"))

        let relaxed = try CLIRunner.run(["check", "relaxed.yaml", "--junit", "k.xml"], in: dir)
        #expect(relaxed.status == 0, "exit \(relaxed.status): \(relaxed.stdout)\(relaxed.stderr)")
        #expect(!(try String(contentsOf: dir.appendingPathComponent("k.xml"), encoding: .utf8)).contains("<failure"))
    }

    @Test("a plan naming a missing block is refused before any case runs, exit 2")
    func invalidPlan() throws {
        let dir = try directory(["a.csv": Self.matrix, "lib.lib": Self.library, "plan.yaml": Self.plan(targetBits: 2)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLIRunner.run(["check", "plan.yaml"], in: dir)
        #expect(result.status == 2 && result.stderr.contains("ota.sp") && result.stderr.contains("no such file"), "\(result.stderr)")
    }
}

@Suite("crossloop check on a real single-node SLURM cluster", .serialized, .enabled(if: LocalSlurm.available, LocalSlurm.skipMessage))
struct PlanSlurmTests: CLISuite {
    @Test("a plan of three cases as a job array, one task per case, reports as the local run does: the same cases pass and fail with the same figures; a case that left no result is an error naming its log")
    func planOnSlurm() throws {
        let dir = try directory(["a.csv": UserBlockTests.matrix, "lib.lib": UserBlockTests.library,
                                 "ota.sp": UserBlockTests.fiveTransistor(n: "nch", p: "pch", name: "ota5l"),
                                 "plan.yaml": UserBlockTests.plan(targetBits: 8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let local = try CLIRunner.run(["check", "plan.yaml", "--json", "local.json"], in: dir)
        #expect(local.status == 1, "exit \(local.status): \(local.stderr)")
        let cluster = try CLIRunner.run(["check", "plan.yaml", "--slurm", "--out", "s", "--json", "s.json", "--junit", "s.xml"], in: dir)
        #expect(cluster.status == 1, "exit \(cluster.status): \(cluster.stdout)\(cluster.stderr)")
        #expect(cluster.stderr.contains("submitted job array") && cluster.stderr.contains("[3/3]"), "\(cluster.stderr)")
        let script = try String(contentsOf: dir.appendingPathComponent("s/slurm/check.sbatch"), encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-2") && script.contains("--case \"${SLURM_ARRAY_TASK_ID}\""), "\(script)")
        func cases(_ name: String) throws -> [[String: Any]] {
            try #require(try json(dir.appendingPathComponent(name))["cases"] as? [[String: Any]])
        }
        let here = try cases("local.json"), there = try cases("s.json")
        #expect(here.count == 3 && there.count == 3)
        for (a, b) in zip(here, there) {
            #expect(a["name"] as? String == b["name"] as? String)
            #expect(a["status"] as? String == b["status"] as? String, "\(a["name"] ?? ""): \(a["status"] ?? "") here, \(b["status"] ?? "") on SLURM")
            // The same binary on the same machine: the same simulation, to rounding.
            if let x = a["equivalentBits"] as? Double, let y = b["equivalentBits"] as? Double {
                #expect(abs(x - y) <= 1e-6 * max(1, abs(x)), "\(a["name"] ?? ""): \(x) here, \(y) on SLURM")
            } else {
                Issue.record("no equivalent bits for \(a["name"] ?? "")")
            }
        }
        let junit = try String(contentsOf: dir.appendingPathComponent("s.xml"), encoding: .utf8)
        #expect(junit.components(separatedBy: "<testsuite ").count - 1 == 3 && junit.contains("ota regression: inv8-tight"))

        // One record lost: collecting again names the case and its task's log.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("s/cases/1.json"))
        let lost = try CLIRunner.run(["check", "plan.yaml", "--collect", "--out", "s", "--junit", "c.xml"], in: dir)
        #expect(lost.status == 1, "exit \(lost.status): \(lost.stderr)")
        #expect(lost.stdout.contains("left no result") && lost.stdout.contains("case-1-job-"), "\(lost.stdout)")
        #expect(try String(contentsOf: dir.appendingPathComponent("c.xml"), encoding: .utf8).contains("<error "))
        let one = try CLIRunner.run(["check", "plan.yaml", "--case", "0", "--out", "s"], in: dir)
        #expect(one.status == 0 && one.stdout.contains("case 0"), "exit \(one.status): \(one.stderr)")
        let bad = try CLIRunner.run(["check", "plan.yaml", "--case", "3", "--out", "s"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("cases 0...2"), "\(bad.stderr)")
    }
}
