import Netlist
import CircuitTheory
import Reference

/// Builds the closed-loop (or open-loop) circuit of a mapped problem at ideal or behavioural
/// fidelity (the Theory article, "Operations: MVM, INV, GINV, EIG, block").
///
/// Node names, 1-based so they read like the maths: `v<j>` loop op-amp outputs (the answer of
/// INV, GINV and EIG), `w<j>` their inverted copies, `r<i>` row virtual grounds, `in<k>` DAC
/// outputs and `inn<k>` their inverted copies, `y<i>` TIA outputs (MVM, block), `g<i>`/`t<i>`
/// GINV's first-stage inputs and outputs, `s<k>` GINV's second-stage summing nodes, `u<i>`
/// EIG's TIA outputs (= -v). Op-amps are `X` instances of the subcircuit `opamp` (ports inp
/// inn out, reference at node 0); inverters are instances of `inverter` (ports in out).
public enum CircuitGenerator {
    /// - Parameters:
    ///   - mapping: the problem as mapped onto hardware; its operation picks the topology.
    ///   - parameters: fidelity, amplifiers, inverters, wires and the EIG kick.
    ///   - transistor: the technology, OTA specification and cells; needed at transistor
    ///     fidelity, ignored otherwise.
    ///   - ota: transistor level, the loop OTA already sized for `transistor` (sized here
    ///     when nil).
    ///   - stimulus: DC inputs for `.op`, or a step for `.tran`.
    ///   - conversionStart: with simulated converters, when the SAR ADCs begin their
    ///     conversion (after the loop has settled), seconds.
    public static func design(_ mapping: Mapping, _ parameters: DesignParameters = DesignParameters(),
                              transistor: TransistorDesign? = nil, ota: MillerOTA? = nil, stimulus: Stimulus = .dc,
                              conversionStart: Double? = nil) throws -> CircuitDesign {
        try validate(parameters, transistor: transistor)
        if parameters.fidelity == .transistor, let size = transistor?.arraySize {
            let needed = max(mapping.levels.rows, mapping.levels.columns)
            guard size >= needed else {
                throw CircuitError.invalidParameter(name: "array", value: Double(size),
                                                    requirement: "at least \(needed): the problem needs a \(mapping.levels.rows)x\(mapping.levels.columns) array")
            }
        }
        var builder = try Builder(mapping: mapping, parameters: parameters, transistor: transistor, ota: ota,
                                  stimulus: stimulus, conversionStart: conversionStart)
        switch mapping.operation {
        case .inv: builder.inv()
        case .mvm: builder.mvm()
        case .ginv: builder.ginv()
        case .eig:
            guard parameters.fidelity != .ideal else {
                throw CircuitError.unsupported("eig needs op-amp dynamics to grow its dominant mode; use design.fidelity behavioral")
            }
            builder.eig()
        case .block: builder.block()
        }
        return builder.finish()
    }

    static func validate(_ p: DesignParameters, transistor: TransistorDesign?) throws {
        if p.fidelity == .transistor, transistor == nil {
            throw CircuitError.unsupported("transistor fidelity needs a technology (TransistorDesign)")
        }
        if let cell = transistor?.cell, !(cell.onResistanceFraction > 0 && cell.onResistanceFraction < 0.5) {
            throw CircuitError.invalidParameter(name: "cell.ronFraction", value: cell.onResistanceFraction, requirement: "between 0 and 0.5")
        }
        func positive(_ name: String, _ value: Double) throws {
            guard value.isFinite, value > 0 else { throw CircuitError.invalidParameter(name: name, value: value, requirement: "finite and positive") }
        }
        func nonNegative(_ name: String, _ value: Double) throws {
            guard value.isFinite, value >= 0 else { throw CircuitError.invalidParameter(name: name, value: value, requirement: "finite and >= 0") }
        }
        try positive("idealGain", p.idealGain)
        for (prefix, amp) in [("opamp", p.opAmp)] + (p.inverterOpAmp.map { [("inverter.opamp", $0)] } ?? []) {
            try positive("\(prefix).dcGain", amp.dcGain)
            try positive("\(prefix).gbw", amp.gainBandwidthHertz)
            try nonNegative("\(prefix).cin", amp.inputCapacitanceFarads)
            try nonNegative("\(prefix).rout", amp.outputResistanceOhms)
            guard amp.inputOffsetVolts.isFinite else {
                throw CircuitError.invalidParameter(name: "\(prefix).offset", value: amp.inputOffsetVolts, requirement: "finite")
            }
        }
        try positive("inverterResistanceOhms", p.inverterResistanceOhms)
        try nonNegative("wire.resistance", p.wires.resistanceOhms)
        try nonNegative("wire.capacitance", p.wires.capacitanceFarads)
        if let kick = p.kickSeconds { try positive("kickSeconds", kick) }
        if let kick = p.kickAmperes { try positive("kickAmperes", kick) }
    }
}

/// Accumulates one deck.
private struct Builder {
    let mapping: Mapping
    let parameters: DesignParameters
    let stimulus: Stimulus
    let transistor: TransistorDesign?
    /// The transistor-level OTA, sized once per design.
    let ota: MillerOTA?
    /// The analogue reference node: ground for split-supply models, a mid-rail node at
    /// transistor level.
    let ref: String
    /// Simulated converters, when asked for.
    var converters = ConverterPlan()
    let conversionStart: Double?
    var elements: [Element] = []
    var outputs: [String] = []
    var settling: [String] = []
    var expected: [NodeVoltage] = []
    var sources: [String] = []
    var needsInverter = false
    var kickTime: Double?
    var layouts: [CrossbarLayout] = []
    /// Transistor level: every source the circuit draws energy from, by block.
    var supplies: [SupplyItem] = []
    /// Transistor level: each array's structure and what its SRAM holds.
    var arrays: [ArrayStructure] = []
    var states: [StoredState] = []

    init(mapping: Mapping, parameters: DesignParameters, transistor: TransistorDesign?, ota sized: MillerOTA?,
         stimulus: Stimulus, conversionStart: Double?) throws {
        self.mapping = mapping
        self.parameters = parameters
        self.stimulus = stimulus
        self.conversionStart = conversionStart
        let transistor = parameters.fidelity == .transistor ? transistor : nil
        self.transistor = transistor
        if let transistor {
            if transistor.opAmpBlock != nil {
                ota = nil
            } else {
                do {
                    ota = try sized ?? MillerOTA(transistor.ota, technology: transistor.technology)
                } catch {
                    throw CircuitError.unsupported("cannot size the op-amp on \(transistor.technology.identifier): \(error)")
                }
            }
            ref = "ref"
            if transistor.converters == .transistor {
                guard case .step = stimulus, let start = conversionStart else {
                    throw CircuitError.unsupported("simulated converters need a transient: use plan.analysis tran")
                }
                do {
                    if [.inv, .ginv].contains(mapping.operation) {
                        converters.dac = try ResistorLadderDAC(ResistorLadderDAC.Parameters(mapping.parameters.dac), technology: transistor.technology)
                    }
                    let adc = try SARADC(SARADC.Parameters(mapping.parameters.adc), technology: transistor.technology)
                    converters.adc = adc
                    converters.timing = transistor.adcBlock?.adcTiming(start: start) ?? adc.timing(start: start)
                } catch {
                    throw CircuitError.unsupported("cannot design the converters on \(transistor.technology.identifier): \(error)")
                }
            }
        } else {
            ota = nil
            ref = "0"
        }
    }

    var g0: Double { mapping.unitConductanceSiemens }
    var levels: Matrix { mapping.levels }
    var sign: SignScheme { mapping.parameters.cell.sign }

    // MARK: Parts

    mutating func opAmp(_ name: String, plus: String, minus: String, out: String) {
        let nodes = transistor == nil ? [plus, minus, out] : [plus, minus, out, "vdd", "0"]
        elements.append(.instance(SubcircuitInstance(name: name, nodes: nodes, subcircuit: "opamp")))
    }

    mutating func inverter(_ name: String, from input: String, to output: String) {
        needsInverter = true
        let nodes = transistor == nil ? [input, output] : [input, output, ref, "vdd", "0"]
        elements.append(.instance(SubcircuitInstance(name: name, nodes: nodes, subcircuit: "inverter")))
    }

    /// An input through G_in: a simulated R-2R DAC whose Thevenin resistance is part of the
    /// input resistor, or an ideal source and the resistor.
    mutating func input(_ index: Int, to row: String, volts: Double, conductance: Double) {
        let node = "in\(index)"
        if let d = converters.dac, case let .step(time, rise) = stimulus {
            let code = d.scale.binaryCode(signed: Int((volts / d.scale.lsbVolts).rounded()))
            let bits = (0..<d.parameters.bits).map { "dac\(index)_b\($0)" }
            let supply = transistor?.technology.supplyVolts ?? 0
            for (i, bit) in bits.enumerated() {
                let from = (d.scale.midCode >> i) & 1 == 1 ? supply : 0, to = (code >> i) & 1 == 1 ? supply : 0
                elements.append(.voltageSource(IndependentSource(name: bit, plus: bit, minus: "0", dc: .number(from),
                    waveform: .pwl([PWLPoint(0, from), PWLPoint(time, from), PWLPoint(time + rise, to)]))))
            }
            elements.append(.instance(SubcircuitInstance(name: "dac\(index)", nodes: bits + ["dac_refp", "dac_refn", node, "vdd_dac", "0"],
                                                         subcircuit: "rr_dac")))
            sources.append("Xdac\(index)")
            let dacOhms = transistor?.dacOutputOhms ?? d.outputResistanceOhms
            elements.append(.resistor("in\(index)", node, row, .number(max(1 / conductance - dacOhms, 1))))
            return
        }
        dac(index, node: node, volts: volts)
        elements.append(.resistor("in\(index)", node, row, .number(1 / conductance)))
    }

    /// A SAR ADC on every output, converting once after the loop has settled.
    mutating func attachADCs() {
        guard let adc = converters.adc else { return }
        for (j, node) in outputs.enumerated() {
            let bits = (0..<adc.parameters.bits).map { "adc\(j + 1)_d\($0)" }
            elements.append(.instance(SubcircuitInstance(name: "adc\(j + 1)", nodes: [node, ref, "adc_refp", "adc_refn", "clk", "samp", "vdd_adc", "0"] + bits,
                                                         subcircuit: "sar_adc")))
            converters.adcOutputs.append(bits)
        }
    }

    /// A DAC output: DC, or a step for transients.
    mutating func dac(_ index: Int, node: String, volts: Double) {
        let name = "in\(index)"
        sources.append("V" + name)
        switch stimulus {
        case .dc:
            elements.append(.dcVoltage(name, node, ref, .number(volts)))
        case let .step(time, rise):
            elements.append(.voltageSource(IndependentSource(name: name, plus: node, minus: ref, dc: 0,
                waveform: .pwl([PWLPoint(0, 0), PWLPoint(time, 0), PWLPoint(time + rise, volts)]))))
        }
    }

    /// One crossbar. At transistor level it is the physical tile: padded to the array size
    /// with its spare lines parked at the reference, every site laid and holding the stored
    /// state of the problem's levels.
    /// - Parameter driven: the columns whose negative drive line is driven (the caller built
    ///   their inverters).
    mutating func crossbar(_ name: String, _ conductances: Matrix, summing: [String], positive: [String], negative: [String],
                           driven: [Int]) {
        var g = conductances, summing = summing, positive = positive, negative = negative, driven = driven
        var stored: StoredState?
        if let transistor, let bits = mapping.parameters.cell.magnitudeBits {
            let rows = transistor.arraySize ?? g.rows, columns = transistor.arraySize ?? g.columns
            let structure = ArrayStructure(name: name, rows: rows, columns: columns, magnitudeBits: bits, sign: sign)
            let unit = g0
            stored = StoredState(structure, problem: Matrix(rows: g.rows, columns: g.columns) { g[$0, $1] / unit })
            g = Matrix(rows: rows, columns: columns) { s, d in s < conductances.rows && d < conductances.columns ? conductances[s, d] : 0 }
            summing += Array(repeating: ref, count: rows - summing.count)
            positive += Array(repeating: ref, count: columns - positive.count)
            negative += Array(repeating: ref, count: columns - negative.count)
            driven += Array(conductances.columns..<columns)
            arrays.append(structure)
        }
        let array = Crossbar(name: name, conductances: g, summingNodes: summing, positiveDrives: positive,
                             negativeDrives: negative, sign: sign, wires: parameters.wires,
                             drivenNegativeColumns: Set(driven), stored: stored, cell: cellFactory())
        elements += array.elements()
        if let stored { states.append(stored) }
        layouts.append(CrossbarLayout(array, drivenNegativeColumns: driven, resistorCells: transistor == nil))
    }

    /// Resistors, or at transistor level SRAM-switched multi-level cells.
    func cellFactory() -> Crossbar.CellFactory {
        guard let transistor, let bits = mapping.parameters.cell.magnitudeBits else { return Crossbar.resistorCell }
        let cell = SwitchedCell(technology: transistor.technology, parameters: transistor.cell,
                                referenceVolts: transistor.referenceVolts)
        let unit = g0
        if let block = transistor.cellBlock {
            let fullScale = unit * Double((1 << bits) - 1)
            return { site in cell.userElements(site, block: block, magnitudeBits: bits, fullScaleSiemens: fullScale, vdd: "vdd", vss: "0") }
        }
        return { site in cell.elements(site, magnitudeBits: bits, unitSiemens: unit, vdd: "vdd", vss: "0") }
    }

    /// The drive columns of `q` whose inverted copy is built: at transistor level every
    /// column (the array is fixed whatever it stores), otherwise those with a negative entry.
    func invertedColumns(_ q: Matrix) -> [Int] {
        transistor == nil ? columnsWithNegatives(q) : Array(0..<q.columns)
    }

    /// Columns of `q` (drive lines) that carry at least one negative entry need an inverted
    /// copy; ascending.
    func columnsWithNegatives(_ q: Matrix) -> [Int] {
        (0..<q.columns).filter { j in (0..<q.rows).contains { q[$0, j] < 0 } }
    }

    func names(_ prefix: String, _ count: Int) -> [String] { (1...max(count, 1)).prefix(count).map { "\(prefix)\($0)" } }

    // MARK: Topologies

    /// INV: rows are the loop op-amps' inputs, columns their outputs; G_in injects b.
    mutating func inv() {
        let n = levels.rows
        let v = names("v", n), w = names("w", n), r = names("r", n)
        let gIn = mapping.inputConductancesSiemens
        for i in 0..<n {
            opAmp("amp\(i + 1)", plus: ref, minus: r[i], out: v[i])
            input(i + 1, to: r[i], volts: mapping.inputVolts[i], conductance: gIn[i])
        }
        let negatives = invertedColumns(levels)
        for j in negatives { inverter("inv\(j + 1)", from: v[j], to: w[j]) }
        crossbar("a", mapping.signedConductancesSiemens, summing: r, positive: v, negative: w, driven: negatives)
        outputs = v
        settling = v + negatives.map { w[$0] }
        expected = mapping.expectedOutputVolts.enumerated().map { NodeVoltage(v[$0.offset], $0.element) }
            + negatives.map { NodeVoltage(w[$0], -mapping.expectedOutputVolts[$0]) }
            + r.map { NodeVoltage($0, 0) }
    }

    /// MVM: DAC inputs drive the columns (inverted copies for negative cells); TIAs read the rows.
    mutating func mvm() {
        let rows = levels.rows, columns = levels.columns
        let x = names("in", columns), xn = names("inn", columns), r = names("r", rows), y = names("y", rows)
        for j in 0..<columns { dac(j + 1, node: x[j], volts: mapping.inputVolts[j]) }
        let negatives = invertedColumns(levels)
        for j in negatives { inverter("invin\(j + 1)", from: x[j], to: xn[j]) }
        let gf = mapping.feedbackConductanceSiemens ?? g0
        for i in 0..<rows {
            opAmp("tia\(i + 1)", plus: ref, minus: r[i], out: y[i])
            elements.append(.resistor("f\(i + 1)", r[i], y[i], .number(1 / gf)))
        }
        crossbar("a", mapping.signedConductancesSiemens, summing: r, positive: x, negative: xn, driven: negatives)
        outputs = y
        settling = y
        // The inverted inputs too: without them a transistor-level operating point starts
        // its inverters from 0 V and needs gmin stepping (1050 iterations at 32x32, not 14).
        expected = mapping.expectedOutputVolts.enumerated().map { NodeVoltage(y[$0.offset], $0.element) }
            + negatives.map { NodeVoltage(xn[$0], -mapping.inputVolts[$0]) }
            + r.map { NodeVoltage($0, 0) }
    }

    /// GINV: TIAs (G_T) on array 1's rows take i = G_in y; array 2, driven by the TIA outputs
    /// t, feeds the second stage whose outputs v drive array 1's columns. The second stage's
    /// summing node goes to the non-inverting input (the stable polarity).
    mutating func ginv() {
        let n = levels.rows, m = levels.columns
        let g = names("g", n), t = names("t", n), tn = names("tn", n)
        let s = names("s", m), v = names("v", m), w = names("w", m)
        let gIn = mapping.inputConductancesSiemens
        let gT = mapping.feedbackConductanceSiemens ?? g0
        for i in 0..<n {
            input(i + 1, to: g[i], volts: mapping.inputVolts[i], conductance: gIn[i])
            opAmp("tia\(i + 1)", plus: ref, minus: g[i], out: t[i])
            elements.append(.resistor("t\(i + 1)", g[i], t[i], .number(1 / gT)))
        }
        for k in 0..<m {
            if parameters.wrongPolarity {
                opAmp("amp\(k + 1)", plus: ref, minus: s[k], out: v[k])
            } else {
                opAmp("amp\(k + 1)", plus: s[k], minus: ref, out: v[k])
            }
        }
        let negativeColumns = invertedColumns(levels)
        for k in negativeColumns { inverter("inv\(k + 1)", from: v[k], to: w[k]) }
        let negativeRows = invertedColumns(levels.transposed)
        for i in negativeRows { inverter("invt\(i + 1)", from: t[i], to: tn[i]) }
        let conductances = mapping.signedConductancesSiemens
        crossbar("a", conductances, summing: g, positive: v, negative: w, driven: negativeColumns)
        crossbar("b", conductances.transposed, summing: s, positive: t, negative: tn, driven: negativeRows)
        outputs = v
        settling = v + t
        let vExpected = mapping.expectedOutputVolts, tExpected = mapping.expectedIntermediateVolts
        expected = vExpected.enumerated().map { NodeVoltage(v[$0.offset], $0.element) }
            + negativeColumns.map { NodeVoltage(w[$0], -vExpected[$0]) }
            + tExpected.enumerated().map { NodeVoltage(t[$0.offset], $0.element) }
            + negativeRows.map { NodeVoltage(tn[$0], -tExpected[$0]) }
            + g.map { NodeVoltage($0, 0) } + s.map { NodeVoltage($0, 0) }
    }

    /// EIG: TIAs with G_lambda, then inverters, fed back to the columns; a current kick starts
    /// the regenerative growth of the dominant mode.
    mutating func eig() {
        let n = levels.rows
        let r = names("r", n), u = names("u", n), v = names("v", n)
        let gLambda = mapping.feedbackConductanceSiemens ?? g0
        for i in 0..<n {
            opAmp("tia\(i + 1)", plus: ref, minus: r[i], out: u[i])
            elements.append(.resistor("l\(i + 1)", r[i], u[i], .number(1 / gLambda)))
            inverter("inv\(i + 1)", from: u[i], to: v[i])
        }
        crossbar("a", mapping.signedConductancesSiemens, summing: r, positive: v, negative: u, driven: Array(0..<n))
        // A deterministic spread of kick amplitudes, so that no eigenvector is missed by symmetry.
        let amplitude = parameters.kickAmperes ?? 1e-3 * gLambda
        let start = parameters.kickSeconds ?? eigKickSeconds(mapping, parameters)
        kickTime = start
        for i in 0..<n {
            let weight = 0.5 + 0.5 * KickSequence.value(i)
            elements.append(.currentSource(IndependentSource(name: "kick\(i + 1)", plus: ref, minus: r[i], dc: 0,
                waveform: .pulse(Pulse(initial: 0, pulsed: amplitude * weight, delay: start, rise: start / 10,
                                       fall: start / 10, width: start, period: 1e3)))))
        }
        outputs = v
        settling = v + u
        expected = []
    }

    /// Block: rows 1..n1 are loop op-amps on A driving columns 1..n1; DACs drive the B and D
    /// columns with u; rows n1+1..n are TIAs reading y = -(G0/G_f)(D - C A^-1 B) u.
    mutating func block() {
        let n = levels.rows
        let n1 = mapping.blockSize ?? n / 2
        let n2 = n - n1
        let r = names("r", n), v = names("v", n1), w = names("w", n1)
        let x = names("in", n2), xn = names("inn", n2), y = names("y", n2)
        for i in 0..<n1 { opAmp("amp\(i + 1)", plus: ref, minus: r[i], out: v[i]) }
        for k in 0..<n2 { dac(k + 1, node: x[k], volts: mapping.inputVolts[k]) }
        let gf = mapping.feedbackConductanceSiemens ?? g0
        for k in 0..<n2 {
            opAmp("tia\(k + 1)", plus: ref, minus: r[n1 + k], out: y[k])
            elements.append(.resistor("f\(k + 1)", r[n1 + k], y[k], .number(1 / gf)))
        }
        let negatives = invertedColumns(levels)
        for j in negatives {
            if j < n1 { inverter("inv\(j + 1)", from: v[j], to: w[j]) } else { inverter("invin\(j - n1 + 1)", from: x[j - n1], to: xn[j - n1]) }
        }
        crossbar("a", mapping.signedConductancesSiemens, summing: r, positive: v + x, negative: w + xn, driven: negatives)
        outputs = y
        settling = y + v
        let loop = mapping.expectedIntermediateVolts
        expected = mapping.expectedOutputVolts.enumerated().map { NodeVoltage(y[$0.offset], $0.element) }
            + loop.enumerated().map { NodeVoltage(v[$0.offset], $0.element) }
            + negatives.filter { $0 < n1 }.map { NodeVoltage(w[$0], -loop[$0]) }
            + negatives.filter { $0 >= n1 }.map { NodeVoltage(xn[$0 - n1], -mapping.inputVolts[$0 - n1]) }
            + r.map { NodeVoltage($0, 0) }
    }

    // MARK: Assembly

    mutating func finish() -> CircuitDesign {
        attachADCs()
        let swing = mapping.parameters.opAmpSwingVolts
        var subcircuits: [Subcircuit] = []
        switch parameters.fidelity {
        case .ideal:
            subcircuits.append(OpAmpCell.ideal(name: "opamp", gain: parameters.idealGain))
            if needsInverter {
                subcircuits.append(OpAmpCell.inverter(name: "inverter", opAmp: "opamp", resistanceOhms: parameters.inverterResistanceOhms))
            }
        case .transistor:
            break
        case .behavioral:
            var loop = parameters.opAmp
            loop.outputSwingVolts = swing
            subcircuits.append(OpAmpCell.behavioral(name: "opamp", loop))
            if needsInverter {
                var inverterAmp = parameters.inverterOpAmp ?? parameters.opAmp
                inverterAmp.outputSwingVolts = swing
                let ampName = parameters.inverterOpAmp == nil ? "opamp" : "opamp_inverter"
                if parameters.inverterOpAmp != nil { subcircuits.append(OpAmpCell.behavioral(name: ampName, inverterAmp)) }
                subcircuits.append(OpAmpCell.inverter(name: "inverter", opAmp: ampName, resistanceOhms: parameters.inverterResistanceOhms))
            }
        }
        var all = elements
        var offset = 0.0
        if let transistor {
            let t = transistor.technology
            if let block = transistor.opAmpBlock {
                subcircuits.append(block.opAmpSubcircuit(name: "opamp", referenceVolts: transistor.referenceVolts))
            } else if let ota {
                subcircuits.append(ota.subcircuit(name: "opamp"))
            }
            if needsInverter {
                subcircuits.append(OpAmpCell.inverter(name: "inverter", opAmp: "opamp", resistanceOhms: parameters.inverterResistanceOhms,
                                                      rails: (reference: "ref", supplies: ["vdd", "vss"])))
            }
            // The supply and the analogue reference (an ideal mid-rail source).
            all.insert(.dcVoltage("dd", "vdd", "0", .number(t.supplyVolts)), at: 0)
            all.insert(.dcVoltage("ref", "ref", "0", .number(transistor.referenceVolts)), at: 1)
            if transistor.cell.sram == .full { all += writeDrivers(t.supplyVolts, slot: transistor.cell.writeSlotSeconds) }
            supplies = [SupplyItem(block: "op-amps, inverters and SRAM", source: "Vdd", plus: "vdd", minus: "0"),
                        SupplyItem(block: "analogue reference", source: "Vref", plus: "ref", minus: "0")]
            supplies += sources.filter { $0.hasPrefix("Vin") }.map { SupplyItem(block: "inputs", source: $0, plus: "in" + $0.dropFirst(3), minus: ref) }
            if let d = converters.dac {
                // Each converter block on its own supply, so that its energy is its own.
                subcircuits.append(transistor.dacBlock.map { $0.dacSubcircuit(name: "rr_dac", referenceVolts: d.scale.midRailVolts) }
                    ?? d.subcircuit(name: "rr_dac"))
                all += [.dcVoltage("dacp", "dac_refp", "0", .number(d.referenceVolts.high)),
                        .dcVoltage("dacn", "dac_refn", "0", .number(d.referenceVolts.low)),
                        .dcVoltage("dd_dac", "vdd_dac", "0", .number(t.supplyVolts))]
                supplies += [SupplyItem(block: "DACs", source: "Vdd_dac", plus: "vdd_dac", minus: "0"),
                             SupplyItem(block: "DACs", source: "Vdacp", plus: "dac_refp", minus: "0"),
                             SupplyItem(block: "DACs", source: "Vdacn", plus: "dac_refn", minus: "0")]
            }
            if let adc = converters.adc, let timing = converters.timing {
                subcircuits.append(transistor.adcBlock.map { $0.adcSubcircuit(name: "sar_adc", referenceVolts: adc.scale.midRailVolts) }
                    ?? adc.subcircuit(name: "sar_adc"))
                all += [.dcVoltage("adcp", "adc_refp", "0", .number(adc.referenceVolts.high)),
                        .dcVoltage("adcn", "adc_refn", "0", .number(adc.referenceVolts.low)),
                        .dcVoltage("dd_adc", "vdd_adc", "0", .number(t.supplyVolts))]
                all += timing.sources(supply: t.supplyVolts, conversions: 1)
                supplies += [SupplyItem(block: "ADCs", source: "Vdd_adc", plus: "vdd_adc", minus: "0"),
                             SupplyItem(block: "ADCs", source: "Vadcp", plus: "adc_refp", minus: "0"),
                             SupplyItem(block: "ADCs", source: "Vadcn", plus: "adc_refn", minus: "0")]
            }
            offset = transistor.referenceVolts
        }
        let operation = mapping.operation
        let shape = "\(levels.rows)x\(levels.columns)"
        var deck = Deck(
            title: "crossloop \(operation.rawValue) \(shape) \(parameters.fidelity.rawValue)",
            subcircuits: subcircuits,
            elements: all
        )
        transistor?.technology.prepare(&deck)
        for block in transistor?.userBlocks ?? [] where !deck.includes.contains(block.include) {
            deck.includes.append(block.include)
        }
        var values = parameters.designValues(swingVolts: swing)
        if let transistor {
            values += transistor.designValues + (ota?.designValues ?? [])
            // A designer's converter is theirs: only the references and scale of Crossloop's stand.
            values += (transistor.dacBlock == nil ? converters.dac?.designValues : converters.dac?.scaleValues) ?? []
            values += (transistor.adcBlock == nil ? converters.adc?.designValues : converters.adc?.scaleValues) ?? []
        }
        values.append(DesignValue("cell.g0", g0, "S", "unit conductance G0 (one cell level)"))
        values.append(DesignValue("cell.bits", Double(mapping.parameters.cell.magnitudeBits ?? 0), "bit",
                                  "magnitude bits per cell (0: continuous)"))
        values.append(DesignValue("cell.sign", text: sign.rawValue, "sign handling: a sign bit per cell, or two arrays"))
        if let r = mapping.inputConductanceRatio {
            values.append(DesignValue("gin", r * g0, "S", "input conductance G_in per row"))
        }
        if let g = mapping.feedbackConductanceRatio {
            let what = operation == .ginv ? "first-stage feedback G_T" : operation == .eig ? "loop feedback G_lambda" : "TIA feedback G_f"
            values.append(DesignValue("feedback", g * g0, "S", what))
        }
        values.append(DesignValue("swing", swing, "V", "op-amp output limit about the reference, +-"))
        if let kickTime {
            values.append(DesignValue("kick.start", kickTime, "s", "EIG start-up kick, start and length"))
        }
        var stepTime: Double?
        if case let .step(time, _) = stimulus { stepTime = time }
        let nodeset = expected.map { NodeVoltage($0.node, $0.volts + offset) }
        var latches: [NodeVoltage] = []
        var storedBits: [StoredBitNode] = []
        if let transistor, !states.isEmpty {
            let t = transistor.technology
            for state in states {
                for (p, plane) in state.structure.planes.enumerated() {
                    for s in 0..<state.structure.rows {
                        for d in 0..<state.structure.columns {
                            let cell = Crossbar.cellName(plane, row: s, column: d)
                            for (m, bit) in state.bits(plane: p, row: s, column: d).enumerated() {
                                let q = SwitchedCell.stateNode(cell, bit: m)
                                storedBits.append(StoredBitNode(node: q, stored: bit))
                                if transistor.cell.sram == .full {
                                    // Reset: every latch starts at 0 and the write phase programs it.
                                    latches += [NodeVoltage(q, 0), NodeVoltage(SwitchedCell.complementNode(cell, bit: m), t.supplyVolts)]
                                }
                            }
                        }
                    }
                }
            }
        }
        var design = CircuitDesign(operation: operation, deck: deck, outputNodes: outputs, settlingNodes: settling,
                                   expectedVoltages: nodeset + latches, heldVoltages: latches, inputSources: sources, values: values,
                                   stimulusTime: operation == .eig ? kickTime : stepTime, referenceVolts: offset,
                                   supplies: supplies)
        design.converters = converters
        design.crossbars = layouts
        design.arrays = states
        design.storedBits = storedBits
        design.writePhaseSeconds = transistor?.cell.sram == .full ? writePhaseSeconds : nil
        design.switchDevices = all.filter { SwitchedCell.isSwitchDevice($0.name) }.count
        return design
    }

    /// The rows the write phase writes one after another: the tallest array's.
    var writePhaseSeconds: Double {
        Double(states.map(\.structure.rows).max() ?? 0) * (transistor?.cell.writeSlotSeconds ?? 0)
    }

    /// The write phase of `--sram full`: the word line of row s is high during slot s while
    /// every bit-line pair carries the bit of row s (the write drivers as ideal sources, the
    /// bar line as the complement), then every word line stays low.
    func writeDrivers(_ vdd: Double, slot: Double) -> [Element] {
        var out: [Element] = []
        let edge = slot / 10
        let rows = states.map(\.structure.rows).max() ?? 0
        for s in 0..<rows {
            let start = Double(s) * slot
            let pulse = [PWLPoint(0, 0), PWLPoint(start + edge, 0), PWLPoint(start + 2 * edge, vdd),
                         PWLPoint(start + slot - 2 * edge, vdd), PWLPoint(start + slot - edge, 0)]
            for state in states where s < state.structure.rows {
                for plane in state.structure.planes {
                    let line = SwitchedCell.wordLine(plane, row: s)
                    out.append(.voltageSource(IndependentSource(name: line, plus: line, minus: "0", dc: 0, waveform: .pwl(pulse))))
                }
            }
        }
        for state in states {
            for (p, plane) in state.structure.planes.enumerated() {
                for d in 0..<state.structure.columns {
                    for m in 0..<state.structure.bitsPerSite {
                        // The data of row s from the start of its slot; changes while no word line is high.
                        var points: [PWLPoint] = []
                        for s in 0..<state.structure.rows {
                            let level = state.bits(plane: p, row: s, column: d)[m] ? vdd : 0
                            let start = Double(s) * slot
                            if s > 0 { points.append(PWLPoint(start, points.last!.value)) }
                            points.append(PWLPoint(start + edge / 2, level))
                        }
                        points[0] = PWLPoint(0, points[0].value)
                        let bl = SwitchedCell.bitLine(plane, column: d, bit: m)
                        let blb = SwitchedCell.bitLineBar(plane, column: d, bit: m)
                        out.append(.voltageSource(IndependentSource(name: bl, plus: bl, minus: "0", dc: .number(points[0].value),
                                                                    waveform: .pwl(points))))
                        out.append(.vcvs(blb, blb, "0", "vdd", bl, gain: .number(1)))
                    }
                }
            }
        }
        return out
    }
}

/// EIG's default kick length: five time constants of the slowest TIA, whose closed-loop
/// bandwidth is GBW G_lambda / (G_lambda + row conductance), and at least 10 ns.
public func eigKickSeconds(_ mapping: Mapping, _ parameters: DesignParameters) -> Double {
    let g = mapping.feedbackConductanceRatio ?? 1
    let row = mapping.levels.absoluteRowSums.max() ?? 0
    let gbw = parameters.fidelity == .ideal ? 1e9 : parameters.opAmp.gainBandwidthHertz
    return max(10e-9, 5 * (1 + row / g) / (2 * Double.pi * gbw))
}

/// A fixed pseudo-random sequence in [-1, 1] (a 32-bit LCG), so kicks are reproducible.
enum KickSequence {
    static func value(_ index: Int) -> Double {
        var state: UInt32 = 2_463_534_242 &+ UInt32(truncatingIfNeeded: index) &* 2_654_435_761
        for _ in 0..<3 { state = state &* 1_664_525 &+ 1_013_904_223 }
        return Double(state) / Double(UInt32.max) * 2 - 1
    }
}
