import ArgumentParser
import Circuits
import Foundation
import MatrixFiles
import Netlist
import CircuitTheory
import Reference
import Verification

/// A number with an optional SPICE scale suffix on the command line: `10meg`, `2.5k`, `1e-3`.
struct Quantity: ExpressibleByArgument, Sendable {
    var value: Double
    init?(argument: String) {
        guard let value = SpiceNumber.parse(argument), value.isFinite else { return nil }
        self.value = value
    }
    init(_ value: Double) { self.value = value }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// The problem and design flags shared by `solve` and `generate`.
struct DesignOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The matrix: A (or X for ginv, [[A, B], [C, D]] for block), Matrix Market or CSV.", valueName: "path"))
    var matrix: String

    @Option(help: ArgumentHelp("The vector: b (inv), x (mvm), y (ginv), u (block). Default: all ones.", valueName: "path"))
    var rhs: String?

    @Option(help: ArgumentHelp("The operation: inv, mvm, ginv, eig or block.", valueName: "op"))
    var op: String = "inv"

    @Option(name: .customLong("block-size"), help: ArgumentHelp("block: n1, the size of the loop block A. Default: half.", valueName: "n1"))
    var blockSize: Int?

    @Option(help: ArgumentHelp("ideal (VCVS op-amps), behavioral (single-pole op-amps with limits) or transistor (SRAM-switched cells and Miller OTAs on --tech).", valueName: "fidelity"))
    var fidelity: String = "ideal"

    @Option(help: ArgumentHelp("Technology for --fidelity transistor: generic (built-in 90-nm-class card) or sky130:tt|ss|ff|sf|fs.", valueName: "tech"))
    var tech: String = "generic"

    @Option(help: ArgumentHelp("Stored bits at transistor level: dc (gate levels) or full (a 6T latch per bit; small arrays).", valueName: "model"))
    var sram: String = "dc"

    @Option(help: ArgumentHelp("Converters at transistor level: ideal, or transistor (an R-2R DAC per input and a SAR ADC per output, simulated).", valueName: "model"))
    var converters: String = "ideal"

    @Option(help: ArgumentHelp("Temperature for transistor level, degrees Celsius. Default 27.", valueName: "C"))
    var temp: Double = 27

    @Option(name: .customLong("ron-fraction"), help: ArgumentHelp("Switch on-resistance as a fraction of each cell branch. Default 0.02.", valueName: "f"))
    var ronFraction: Double = 0.02

    @Option(name: .customLong("energy-per-flop"), help: ArgumentHelp("Digital baseline energy per floating-point operation, joules. Default 1p.", valueName: "J"))
    var energyPerFlop: Quantity = Quantity(1e-12)

    @Option(help: ArgumentHelp("op (operating point) or tran (step response: stability and settling). Default: op, tran for eig.", valueName: "analysis"))
    var analysis: String?

    @Option(help: ArgumentHelp("Magnitude bits per cell, 1 to 16; 0 for continuous conductances.", valueName: "K"))
    var bits: Int = 4

    @OptionGroup var signalPath: SignalPathOptions

    @Option(help: ArgumentHelp("Op-amp DC gain A0, V/V. Default 1e6 (ideal), 1e4 (behavioral).", valueName: "A0"))
    var gain: Quantity?

    @Option(help: ArgumentHelp("Op-amp gain-bandwidth product, Hz (behavioral). Default 10meg.", valueName: "hz"))
    var gbw: Quantity = Quantity(10e6)

    @Option(name: .customLong("inverter-gbw"), help: ArgumentHelp("GBW of the inverters' op-amps, Hz. Default: --gbw.", valueName: "hz"))
    var inverterGBW: Quantity?

    @Option(help: ArgumentHelp("Op-amp output limit, volts about the reference. Default 0.5.", valueName: "V"))
    var swing: Quantity = Quantity(0.5)

    @Option(help: ArgumentHelp("Op-amp input offset, volts (behavioral). Default 0.", valueName: "V"))
    var offset: Quantity = Quantity(0)

    @Option(help: ArgumentHelp("Unit conductance G0 (one cell level), siemens. Default 10u; at transistor level, lowered until the op-amps can drive the array.", valueName: "S"))
    var g0: Quantity?

    @Option(name: .customLong("gin-ratio"), help: ArgumentHelp("G_in / G0 for inv and ginv. Default: auto-ranged.", valueName: "R"))
    var ginRatio: Quantity?

    @Option(name: .customLong("feedback-ratio"), help: ArgumentHelp("G_f, G_T or G_lambda over G0. Default: chosen by the mapping.", valueName: "R"))
    var feedbackRatio: Quantity?

    @Option(name: .customLong("wire-r"), help: ArgumentHelp("Wire resistance per segment of every row and column line, ohms. Default 0.", valueName: "ohm"))
    var wireR: Quantity = Quantity(0)

    @Option(name: .customLong("wire-c"), help: ArgumentHelp("Wire capacitance per segment, farads. Default 0.", valueName: "F"))
    var wireC: Quantity = Quantity(0)

    @Option(name: .customLong("settling-bits"), help: ArgumentHelp("Settling is measured to this many bits. Default: the ADC bits.", valueName: "N"))
    var settlingBits: Int?

    @Option(name: .customLong("stop-time"), help: ArgumentHelp("Transient stop time, s. Default: 4x the predicted settling.", valueName: "s"))
    var stopTime: Quantity?

    @Flag(name: .customLong("no-nodeset"), help: "Do not seed .op with the expected voltages.")
    var noNodeset = false

    /// The flags as typed values; each message says what to type instead.
    func validated() throws -> (CrossbarOperation, SolveOptions) {
        func positive(_ flag: String, _ q: Quantity?) throws {
            if let q, !(q.value > 0) { throw ValidationError("Pass \(flag) as a positive number (SPICE suffixes allowed, e.g. 10meg).") }
        }
        guard let operation = CrossbarOperation(rawValue: op.lowercased()) else {
            throw ValidationError("Unknown operation '\(op)': pass --op inv, mvm, ginv, eig or block.")
        }
        guard let fidelity = Fidelity(rawValue: fidelity.lowercased()) else {
            throw ValidationError("Unknown fidelity '\(self.fidelity)': pass --fidelity ideal, behavioral or transistor.")
        }
        guard let sramModel = SwitchedCellParameters.SRAMModel(rawValue: sram.lowercased()) else {
            throw ValidationError("Pass --sram dc or full.")
        }
        guard let converterModel = TransistorDesign.ConverterModel(rawValue: converters.lowercased()) else {
            throw ValidationError("Pass --converters ideal or transistor.")
        }
        guard ronFraction > 0, ronFraction < 0.5 else { throw ValidationError("Pass --ron-fraction between 0 and 0.5, e.g. 0.02.") }
        guard temp > -60, temp < 200 else { throw ValidationError("Pass --temp in degrees Celsius between -60 and 200.") }
        try positive("--energy-per-flop", energyPerFlop)
        var kind: AnalysisKind = operation == .eig ? .tran : .op
        if let analysis {
            guard let parsed = AnalysisKind(rawValue: analysis.lowercased()) else {
                throw ValidationError("Unknown analysis '\(analysis)': pass --analysis op or tran.")
            }
            kind = parsed
        }
        var mapping = MappingParameters()
        try signalPath.apply(cellBits: bits, to: &mapping)
        try positive("--gain", gain)
        try positive("--gbw", gbw)
        try positive("--inverter-gbw", inverterGBW)
        try positive("--swing", swing)
        try positive("--g0", g0)
        let unit = g0?.value ?? 10e-6
        try positive("--gin-ratio", ginRatio)
        try positive("--feedback-ratio", feedbackRatio)
        try positive("--stop-time", stopTime)
        guard wireR.value >= 0, wireC.value >= 0 else { throw ValidationError("Pass --wire-r and --wire-c as numbers >= 0.") }
        if let gain, gain.value <= 1 { throw ValidationError("Pass --gain above 1 V/V, e.g. 1e4.") }
        if ginRatio != nil, operation != .inv, operation != .ginv {
            throw ValidationError("--gin-ratio applies to inv and ginv only; drop it for \(operation).")
        }
        if blockSize != nil, operation != .block { throw ValidationError("--block-size applies to --op block only.") }
        if operation == .eig, rhs != nil { throw ValidationError("eig takes no right-hand side: drop --rhs.") }
        var transistor: TransistorDesign?
        if fidelity == .transistor {
            let technology: Technology
            do {
                technology = try Technology.named(tech, temperatureCelsius: temp)
            } catch {
                throw ValidationError("\(error)")
            }
            transistor = TransistorDesign(technology: technology,
                                          cell: SwitchedCellParameters(onResistanceFraction: ronFraction, sram: sramModel),
                                          converters: converterModel)
            if converterModel == .transistor, signalPath.dacBits == 0 || signalPath.adcBits == 0 {
                throw ValidationError("Simulated converters need bits: drop --dac-bits 0 / --adc-bits 0 or pass --converters ideal.")
            }
            if analysis == nil { kind = .tran }
        }
        if operation == .eig, fidelity == .ideal {
            throw ValidationError("eig needs op-amp dynamics to grow its dominant mode: pass --fidelity behavioral.")
        }
        if operation == .eig, kind == .op { throw ValidationError("eig grows its answer in time: pass --analysis tran.") }
        if let settlingBits, !(1...30).contains(settlingBits) { throw ValidationError("Pass --settling-bits between 1 and 30.") }

        mapping.unitConductanceSiemens = unit
        mapping.opAmpSwingVolts = swing.value
        mapping.inputConductanceRatio = ginRatio?.value
        mapping.feedbackConductanceRatio = feedbackRatio?.value

        var design = DesignParameters(fidelity: fidelity)
        design.opAmp.gainBandwidthHertz = gbw.value
        design.opAmp.inputOffsetVolts = offset.value
        design.opAmp.outputSwingVolts = swing.value
        if let gain {
            design.idealGain = gain.value
            design.opAmp.dcGain = gain.value
        }
        if let inverterGBW {
            var inverter = design.opAmp
            inverter.gainBandwidthHertz = inverterGBW.value
            design.inverterOpAmp = inverter
        }
        design.wires = WireParasitics(resistanceOhms: wireR.value, capacitanceFarads: wireC.value)

        var options = SolveOptions(mapping: mapping, design: design, analysis: kind, useNodeset: !noNodeset,
                                   settlingBits: settlingBits, stopTime: stopTime?.value)
        options.transistor = transistor
        options.fitUnitConductance = g0 == nil
        options.joulesPerFlop = energyPerFlop.value
        return (operation, options)
    }

    /// Reads the matrix and vector files into a problem.
    func problem(_ operation: CrossbarOperation) throws -> Problem {
        try readProblem(operation, matrix: matrix, rhs: rhs, blockSize: blockSize)
    }
}

/// Reads A and the vector (the operation's default, all ones, without `rhs`) into a
/// problem. An unreadable file, or a problem the operation cannot take, is invalid input.
func readProblem(_ operation: CrossbarOperation, matrix: String, rhs: String?, blockSize: Int? = nil) throws -> Problem {
    let a: Matrix
    var vector: [Double]
    do {
        a = try MatrixFiles.readMatrix(at: matrix)
        vector = Problem.defaultVector(operation: operation, matrix: a, blockSize: blockSize)
        if let rhs { vector = try MatrixFiles.readVector(at: rhs) }
    } catch {
        throw fail(.invalidInput, error.description)
    }
    do {
        return try Problem(operation: operation, matrix: a, vector: vector, blockSize: blockSize)
    } catch {
        throw fail(.invalidInput, "\(matrix): \(error.description)")
    }
}
