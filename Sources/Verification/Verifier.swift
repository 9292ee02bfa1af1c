import Characterization
import Reports
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
import CircuitTheory
import Reference

/// The pipeline Problem -> Mapping -> Design -> Deck -> Engine -> Readout -> Verdict.
public enum Verifier {
    /// Maps, predicts and, unless the loop is predicted unstable (and not forced), builds,
    /// simulates and judges the circuit.
    public static func solve(_ problem: Problem, _ options: SolveSpecification, engine: NgspiceEngine,
                             progress: (@Sendable (RunProgress) -> Void)? = nil) async throws(VerificationError) -> Verdict {
        if options.design.circuit.fidelity == .behavioral, let name = options.design.technologyName {
            // Only sweeps characterise the Miller OTA per condition for a behavioural loop.
            throw .design(.unsupported("technology \(name) at behavioral fidelity is characterised per corner in sweeps only; solve on the technology at fidelity transistor, or drop the technology"))
        }
        var options = try await withMeasuredBlocks(options, engine: engine)
        let clock = Stopwatch()
        let predicted = try await predictMeasured(problem, options, engine: engine)
        if let cell = predicted.specification.design.cellAsLaid, options.design.cellAsLaid == nil { options.design.record(cellAsLaid: cell) }
        let prepared = try prepare(problem, predicted, analysisSeconds: clock.seconds)
        if !prepared.prediction.isStable && !options.policy.force { throw .unstable(prepared.prediction) }
        var verdict = try await run(problem, options, prepared, engine: engine, progress: progress)
        if options.plan.attribution { verdict.attribution = try await attribution(verdict, engine: engine) }
        return verdict
    }

    /// Simulates a prepared problem on a fresh load and judges it; `options` as `prepare` was
    /// given them.
    public static func run(_ problem: Problem, _ options: SolveSpecification, _ prepared: Prepared, engine: NgspiceEngine,
                    progress: (@Sendable (RunProgress) -> Void)? = nil) async throws(VerificationError) -> Verdict {
        let result: SimulationResult
        var timings = prepared.timings
        do {
            let clock = Stopwatch()
            let text = try PreparedDeck(deck: prepared.deck)
            timings.generationSeconds += clock.seconds
            result = try await engine.run(text, request(for: prepared, options, progress: progress))
        } catch let error as NgspiceError {
            throw .simulation(error)
        } catch {
            throw .readout("\(error)")
        }
        timings.loadSeconds = result.loadSeconds
        timings.runSeconds = result.runSeconds
        let clock = Stopwatch()
        var verdict = try judge(problem, options, prepared, result)
        timings.verificationSeconds = clock.seconds
        verdict.timings = timings
        return verdict
    }

    /// What the engine is asked for: the outputs, the time limit and the technology's flags.
    static func request(for prepared: Prepared, _ options: SolveSpecification,
                        progress: (@Sendable (RunProgress) -> Void)? = nil) -> RunRequest {
        RunRequest(vectors: prepared.design.outputNodes, timeLimit: options.limits.timeLimitSeconds,
                   variables: options.design.transistor?.technology.engineVariables ?? [:], progress: progress)
    }

    /// The deck and the prediction, without simulating: what `crossloop generate` writes.
    public struct Prepared: Sendable {
        public var prediction: Prediction
        public var design: CircuitDesign
        /// The design's circuit plus analyses, options, `.nodeset` and `.save`.
        public var deck: Deck
        /// Transient timing, when the analysis is `.tran`.
        public var window: TransientWindow?
        /// Time spent mapping, predicting and generating.
        public var timings: StageTimings
    }

    /// Map, predict, generate, finish the deck: ``predict(_:_:)``, ``generate(_:_:window:)`` and
    /// ``runnableDeck(_:_:_:window:)`` in turn, timed.
    public static func prepare(_ problem: Problem, _ options: SolveSpecification,
                               window: TransientWindow? = nil) throws(VerificationError) -> Prepared {
        let clock = Stopwatch()
        let predicted = try predict(problem, options)
        return try prepare(problem, predicted, window: window, analysisSeconds: clock.seconds)
    }

    /// Generates and finishes the deck of a problem already predicted.
    public static func prepare(_ problem: Problem, _ predicted: Predicted, window: TransientWindow? = nil,
                               analysisSeconds: Double = 0) throws(VerificationError) -> Prepared {
        var timings = StageTimings()
        timings.analysisSeconds = analysisSeconds
        let clock = Stopwatch()
        let (design, window) = try generate(problem, predicted, window: window)
        let (deck, runWindow) = runnableDeck(design, problem, predicted.specification, window: window)
        timings.generationSeconds = clock.seconds
        return Prepared(prediction: predicted.prediction, design: design, deck: deck, window: runWindow, timings: timings)
    }

    /// What the mapping stage hands on: the specification as the hardware fixes it (the swing
    /// the OTA allows, the G0 it can drive), the sized loop OTA at transistor level, and the
    /// prediction.
    public struct Predicted: Sendable {
        public var specification: SolveSpecification
        public var ota: MillerOTA?
        public var prediction: Prediction
    }

    /// The mapping stage: the problem mapped onto the hardware of `spec`, and what the theory
    /// says of the circuit (references, stability, settling, error budget).
    public static func predict(_ problem: Problem, _ spec: SolveSpecification) throws(VerificationError) -> Predicted {
        var options = spec
        // Transistor level: the loop OTA, sized once for the swing, the predictions and the circuit.
        var ota: MillerOTA?
        if options.design.circuit.fidelity == .transistor {
            guard let transistor = options.design.transistor else {
                throw .design(.unsupported("transistor fidelity needs a technology: use design.technology generic or sky130:CORNER"))
            }
            // A designer's op-amp is what was measured of it; Crossloop's is sized here.
            ota = transistor.opAmpBlock == nil ? try? MillerOTA(transistor.ota, technology: transistor.technology) : nil
            // A designer's op-amp keeps its outputs where its measured gain holds (at least
            // 80 % of A0), or, unmeasured there, inside 90 % of where it can reach at all.
            if let block = transistor.opAmpBlock, let measured = options.design.measuredOpAmp,
               let high = measured.linearHighVolts ?? measured.outputHighVolts.map({ transistor.referenceVolts + 0.9 * ($0 - transistor.referenceVolts) }),
               let low = measured.linearLowVolts ?? measured.outputLowVolts.map({ transistor.referenceVolts - 0.9 * (transistor.referenceVolts - $0) }) {
                let reference = transistor.referenceVolts
                let range = min(reference - low, high - reference)
                guard range > 0.01 else {
                    throw .unstableAmplifier("\(block.reference): its gain holds only from \(formatSignificant(low, 3)) V to \(formatSignificant(high, 3)) V, which leaves the loop no swing about the reference \(formatSignificant(reference, 3)) V")
                }
                options.design.mapping.opAmpSwingVolts = min(options.design.mapping.opAmpSwingVolts, range)
            }
            // The outputs must stay where every OTA device is saturated: the swing shrinks to
            // 90 % of the OTA's predicted linear output range about the reference.
            if let ota {
                let reference = transistor.referenceVolts
                let range = min(reference - ota.prediction.outputLowVolts, ota.prediction.outputHighVolts - reference)
                if range > 0 { options.design.mapping.opAmpSwingVolts = min(options.design.mapping.opAmpSwingVolts, 0.9 * range) }
                if options.design.measuredOpAmp == nil {
                    // Without a measurement (`generate`), the OTA's sizing prediction stands in.
                    options.design.circuit.opAmp.dcGain = ota.prediction.dcGain
                    options.design.circuit.opAmp.gainBandwidthHertz = ota.prediction.gainBandwidthHertz
                }
            }
        }
        // A designer's op-amp may have a high output resistance (a single stage): its
        // inverters' resistors are made large against it, and G0 below is bounded so the
        // heaviest column costs at most `columnLoading` of its gain.
        let outputResistance = options.design.transistor?.opAmpBlock != nil ? options.design.measuredOpAmp?.outputResistanceOhms : nil
        if let r = outputResistance {
            options.design.circuit.inverterResistanceOhms = UserOpAmpLoading.inverterOhms(options.design.circuit.inverterResistanceOhms, outputResistanceOhms: r)
        }
        // What the output stage can drive: the sized m7, or a designer's op-amp as measured.
        let outputStageAmperes = ota?.device("m7")?.drainCurrent
            ?? (options.design.transistor?.opAmpBlock != nil ? options.design.measuredOpAmp?.outputDriveAmperes : nil)
        do {
            var mapping = try Mapping(problem, parameters: options.design.mapping)
            if options.design.fitUnitConductance, let stage = outputStageAmperes {
                // Levels and volts do not depend on G0; the column currents scale with it.
                let need = DeviceErrors(mapping: mapping, offsetVolts: 0, onResistanceFraction: 0,
                                        inverterOhms: options.design.circuit.inverterResistanceOhms, outputStageAmperes: stage)
                if need.requiredOutputAmperes > stage / 2 {
                    let unit = options.design.mapping.unitConductanceSiemens * stage / 2 / need.requiredOutputAmperes
                    options.design.mapping.unitConductanceSiemens = oneTwoFive(below: unit)
                    mapping = try Mapping(problem, parameters: options.design.mapping)
                }
            }
            if options.design.fitUnitConductance, let r = outputResistance,
               let unit = UserOpAmpLoading.largestUnitConductance(mapping: mapping, outputResistanceOhms: r,
                                                                  inverterOhms: options.design.circuit.inverterResistanceOhms),
               unit < options.design.mapping.unitConductanceSiemens {
                options.design.mapping.unitConductanceSiemens = oneTwoFive(below: unit)
                mapping = try Mapping(problem, parameters: options.design.mapping)
            }
            let prediction = try Prediction(mapping: mapping, design: options.design.circuit, settlingBits: options.bitsForSettling,
                                            wrongPolarity: options.design.circuit.wrongPolarity, transistor: options.design.transistor,
                                            outputStageAmperes: outputStageAmperes, measuredCell: options.design.cellAsLaid)
            try requireMargin(of: options, for: prediction)
            return Predicted(specification: options, ota: ota, prediction: prediction)
        } catch let error as VerificationError {
            throw error
        } catch let error as MappingError {
            throw .mapping(error)
        } catch {
            throw .readout("\(error)")
        }
    }

    /// How far a designer's op-amp may be loaded: a resistive load R_L on an output of
    /// resistance r_out keeps A0 R_L / (R_L + r_out) of the gain, and the finite-gain
    /// reference assumes A0.
    enum UserOpAmpLoading {
        /// Each inverter resistor is at least this many times r_out (2 % of the gain each).
        static let inverterRatio = 50.0
        /// r_out times the heaviest column's conductance (and an inverter's input) at most.
        static let columnLoading = 0.1

        /// Each inverter resistor for an output resistance `r`, ohms.
        static func inverterOhms(_ given: Double, outputResistanceOhms r: Double) -> Double { max(given, inverterRatio * r) }

        /// The largest G0 that keeps every column within ``columnLoading``, or nil when any G0 does.
        static func largestUnitConductance(mapping: Mapping, outputResistanceOhms r: Double, inverterOhms: Double) -> Double? {
            guard let levels = mapping.levels.absoluteColumnSums.max(), levels > 0 else { return nil }
            let allowed = columnLoading / r - 1 / inverterOhms
            return allowed > 0 ? allowed / levels : nil
        }
    }

    /// The phase margin a designer's op-amp must keep in the loop, degrees: below it the
    /// step response rings (damping ratio about margin / 100, 0.45 here) and settles later
    /// than the single-pole prediction the transient window is cut to.
    static let minimumLoopMarginDegrees = 45.0

    /// A designer's op-amp is trusted in the loop only with its measured phase margin, less
    /// what the loop's eigenvalues take (max |arg lambda(M)|), at least
    /// ``minimumLoopMarginDegrees``; with less the loop rings, with none it oscillates.
    static func requireMargin(of options: SolveSpecification, for prediction: Prediction) throws(VerificationError) {
        guard let block = options.design.transistor?.opAmpBlock, let measured = options.design.measuredOpAmp,
              !options.policy.force else { return }
        let budget = prediction.stability.phaseBudgetRadians * 180 / .pi
        let left = measured.phaseMarginDegrees - budget
        guard left < minimumLoopMarginDegrees else { return }
        let outcome = left <= 0 ? "the loop oscillates" : "the loop keeps \(formatSignificant(left, 3)) deg, under \(formatSignificant(minimumLoopMarginDegrees, 3)): it rings"
        throw .unstableAmplifier("\(block.reference) has a measured phase margin of \(formatSignificant(measured.phaseMarginDegrees, 3)) deg (A0 \(engineering(measured.dcGain, unit: "V/V")), unity gain at \(engineering(measured.unityGainHertz, unit: "Hz")), into \(engineering(measured.loadCapacitanceFarads ?? 0, unit: "F"))) and this matrix's loop takes \(formatSignificant(budget, 3)) deg of it, so \(outcome): compensate the op-amp, or pass policy.force to simulate anyway")
    }

    /// The design stage: the circuit of a prediction, with the stimulus its analysis needs
    /// (a step at the start of the transient window, or DC).
    public static func generate(_ problem: Problem, _ predicted: Predicted, window given: TransientWindow? = nil)
        throws(VerificationError) -> (design: CircuitDesign, window: TransientWindow?)
    {
        let options = predicted.specification
        let prediction = predicted.prediction
        if problem.operation == .eig && options.plan.analysis == .op {
            throw .design(.unsupported("eig grows its answer in time: use plan.analysis tran"))
        }
        let window = options.plan.analysis == .tran ? given ?? transientWindow(predicted) : nil
        let stimulus: Stimulus = window.map { .step(time: $0.stepTime, rise: $0.rise) } ?? .dc
        let conversionStart = window?.conversionStart
        do {
            let design = try CircuitGenerator.design(prediction.mapping, options.design.circuit, transistor: options.design.transistor,
                                                     ota: predicted.ota, stimulus: stimulus, conversionStart: conversionStart)
            return (design, window)
        } catch let error as CircuitError {
            throw .design(error)
        } catch {
            throw .design(.unsupported("\(error)"))
        }
    }

    /// A transient's timing from the prediction: the step response's window, after the write
    /// phase with `--sram full`, and with simulated converters when they convert. nil for an
    /// operating point.
    public static func transientWindow(_ predicted: Predicted) -> TransientWindow? {
        let options = predicted.specification
        let prediction = predicted.prediction
        guard options.plan.analysis == .tran else { return nil }
        var w = TransientWindow(prediction: prediction, options: options)
        if let transistor = options.design.transistor, options.design.circuit.fidelity == .transistor {
            if transistor.cell.sram == .full {
                // The write phase programs the latches row by row from their reset state; the
                // loop then recovers (its outputs left the rails while every switch was off)
                // for a quarter of the window before the inputs step.
                let levels = prediction.mapping.levels
                let rows = transistor.arraySize ?? max(levels.rows, levels.columns)
                w.delay(by: Double(rows) * transistor.cell.writeSlotSeconds + (w.stop - w.stepTime) / 4)
            }
            if transistor.converters == .transistor {
                // Simulated converters sample once the loop has settled: twice the predicted
                // settling after the inputs arrive.
                w.conversionStart = w.settleFrom + 2 * (prediction.settlingSeconds ?? (w.stop - w.settleFrom) / 2)
            }
        }
        return w
    }

    /// Reads the answer out of the simulation and runs every check.
    public static func judge(_ problem: Problem, _ options: SolveSpecification, _ prepared: Prepared,
                      _ result: SimulationResult) throws(VerificationError) -> Verdict {
        let prediction = prepared.prediction
        let mapping = prediction.mapping
        let design = prepared.design
        let swing = options.design.mapping.opAmpSwingVolts
        var outcome: TransientOutcome?
        var measured: Double?
        var energy: EnergyReport?
        var adcCodes: ADCReadout?
        var readback: SRAMReadback?
        var volts: [Double]
        var timepoints = 1
        var waveforms: OutputWaveforms?
        switch options.plan.analysis {
        case .op:
            guard let plot = result.plot("op") else { throw .readout("no operating point plot") }
            volts = try design.outputNodes.map { node throws(VerificationError) in
                guard let value = plot[node]?.real.first else { throw .readout("no vector for \(node)") }
                return value - design.referenceVolts
            }
        case .tran:
            guard let plot = result.plot("tran"), let fullTime = plot.scale?.real else { throw .readout("no transient plot") }
            timepoints = fullTime.count
            let offset = design.referenceVolts
            let fullWaves = try design.outputNodes.map { node throws(VerificationError) in
                guard let wave = plot[node]?.real else { throw .readout("no vector for \(node)") }
                return wave.map { $0 - offset }
            }
            // With simulated ADCs the loop is judged up to the moment they start sampling (their
            // switches disturb the outputs afterwards).
            let cut = design.converters.timing.map { t in fullTime.firstIndex { $0 >= t.sampleStart(0) } ?? fullTime.count } ?? fullTime.count
            let time = Array(fullTime[..<cut])
            let waves = fullWaves.map { Array($0[..<cut]) }
            let settlingWaves = design.settlingNodes.compactMap { plot[$0]?.real.prefix(cut).map { $0 - offset } }
            let start = problem.operation == .eig ? (design.stimulusTime ?? 0) : (prepared.window?.settleFrom ?? 0)
            if options.plan.keepWaveforms {
                waveforms = OutputWaveforms(time: time, nodes: design.outputNodes, values: waves, start: start)
            }
            if problem.operation == .eig {
                // The dominant mode is read while it grows, before the outputs limit.
                let threshold = 0.5 * swing
                guard let k = time.indices.first(where: { index in waves.contains { abs($0[index]) >= threshold } }) else {
                    throw .readout("the eig loop did not grow to half the swing within \(SpiceNumber.format(time.last ?? 0) ?? "?") s; the kick or G_lambda is too small")
                }
                volts = waves.map { $0[k] }
                measured = time[k] - start
                outcome = Readout.classifyGrowth(waveforms: waves, readoutIndex: k, threshold: threshold)
            } else {
                volts = waves.map { $0.last ?? .nan }
                let fullScale = max(volts.map(abs).max() ?? 0, 1e-12)
                let band = pow(2, -Double(options.bitsForSettling)) * fullScale
                let expected = mapping.expectedOutputVolts
                outcome = Readout.classify(time: time, waveforms: waves, band: band, swing: swing, expected: expected)
                measured = outcome == .settled
                    ? Readout.settlingTime(time: time, waveforms: settlingWaves.isEmpty ? waves : settlingWaves, band: band, start: start)
                    : nil
            }
            if design.writePhaseSeconds != nil, let step = prepared.window?.stepTime {
                readback = try SRAMReadback(design, plot: plot, time: fullTime, at: step)
            }
            if let adc = design.converters.adc, let timing = design.converters.timing {
                // The SAR ADCs' codes, read from their output registers, and what an ideal
                // quantiser makes of the same outputs at the moment they were sampled.
                var read: [Int] = []
                for (j, bits) in design.converters.adcOutputs.enumerated() {
                    let levels = bits.map { plot[$0].map { Readout.value(time: fullTime, wave: $0.real, at: timing.readTime(0)) } ?? .nan }
                    guard let code = adc.code(fromOutputs: levels) else { throw .readout("the ADC of output \(j + 1) shows no code") }
                    read.append(code)
                }
                let sampled = fullWaves.map { Readout.value(time: fullTime, wave: $0, at: timing.sampleEnd(0)) + offset }
                adcCodes = ADCReadout(codes: read.map { adc.scale.signedCode(binary: $0) },
                                      idealCodes: sampled.map { adc.scale.signedCode(binary: adc.idealCode(volts: $0)) },
                                      lsbVolts: adc.scale.lsbVolts, conversionEnd: timing.start + timing.conversionSeconds)
            }
            if !design.supplies.isEmpty {
                let step = prepared.window?.stepTime ?? start
                var latency = (measured ?? (fullTime.last ?? step) - step) + (start - step)
                if let end = adcCodes?.conversionEnd { latency = end - step }
                // The power each source delivers: the voltage across it times the current out of
                // its + terminal (ngspice reports the current into it).
                var items: [(block: String, power: [Double])] = []
                for supply in design.supplies {
                    guard let current = plot[supply.source.lowercased() + "#branch"]?.real else {
                        throw .readout("no current for the source \(supply.source)")
                    }
                    func volts(_ node: String) throws(VerificationError) -> [Double] {
                        if node == "0" { return Array(repeating: 0, count: fullTime.count) }
                        guard let wave = plot[node]?.real else { throw .readout("no vector for \(node)") }
                        return wave
                    }
                    let across = zip(try volts(supply.plus), try volts(supply.minus)).map { $0 - $1 }
                    items.append((supply.block, zip(across, current).map { -$0 * $1 }))
                }
                energy = Verifier.energy(time: fullTime, items: items, start: step, latency: latency, problem: problem,
                                         joulesPerFlop: options.policy.joulesPerFlop)
            }
        }
        var (codes, clipped) = Readout.adc(volts, converter: options.design.mapping.adc)
        if let adcCodes {
            // The simulated converters' codes are the answer.
            codes = adcCodes.codes.map { Double($0) * adcCodes.lsbVolts }
        }
        guard let solution = mapping.solution(fromOutputVolts: codes),
              let analogue = mapping.solution(fromOutputVolts: volts) else {
            throw .readout("the outputs are all zero")
        }
        let references = prediction.references
        let lsb = mapping.outputLSB
        let ideal = Metrics(estimate: solution, reference: references.ideal, problem: problem, lsb: lsb)
        let quantised = Metrics(estimate: solution, reference: references.quantised, problem: problem, lsb: lsb)
        let finite = Metrics(estimate: solution, reference: references.finiteGain, problem: problem, lsb: lsb)
        let agreement = Metrics(estimate: analogue, reference: references.finiteGain, problem: problem, lsb: lsb)
        // The digital solver at the same precision: the programmed problem (quantised cells, the
        // DAC's inputs) solved exactly, its outputs through the same ADC.
        let digitalCodes = Readout.adc(mapping.expectedOutputVolts, converter: options.design.mapping.adc).codes
        let digital = mapping.solution(fromOutputVolts: digitalCodes) ?? references.quantised
        let equivalent = Metrics(estimate: digital, reference: references.ideal, problem: problem, lsb: lsb)
        let tolerance = Tolerance.bits(options, prediction)
        let summary = SimulationSummary(ngspiceVersion: result.ngspiceVersion, solver: result.solver.rawValue,
                                        loadSeconds: result.loadSeconds, runSeconds: result.runSeconds,
                                        timepoints: timepoints, warnings: result.warnings.map(\.text))
        var verdict = Verdict(problem: problem, options: options, prediction: prediction, design: design,
                              solution: solution, outputVolts: volts, analogueSolution: analogue, clippedOutputs: clipped,
                              metricsIdeal: ideal, metricsQuantised: quantised, metricsFiniteGain: finite,
                              circuitAgreement: agreement, equivalentPrecision: equivalent, equivalentSolution: digital,
                              toleranceBits: tolerance, transientOutcome: outcome,
                              measuredSettlingSeconds: measured, window: prepared.window, energy: energy, adc: adcCodes,
                              simulation: summary, checks: [])
        verdict.waveforms = waveforms
        verdict.sramReadback = readback
        verdict.checks = Checks.all(verdict)
        return verdict
    }
}

/// The largest value of the series 1, 2, 5, 10, 20, ... that is at most `x`.
func oneTwoFive(below x: Double) -> Double {
    guard x > 0, x.isFinite else { return x }
    let decade = pow(10, floor(log10(x)))
    for step in [5.0, 2, 1] where step * decade <= x * (1 + 1e-12) { return step * decade }
    return decade
}

/// Wall-clock seconds per stage of one solve.
public struct StageTimings: Sendable, Hashable, Codable {
    /// Mapping, references, stability and the error budget (LAPACK).
    public var analysisSeconds = 0.0
    /// Circuit generation and deck text.
    public var generationSeconds = 0.0
    /// ngspice loading the deck.
    public var loadSeconds = 0.0
    /// ngspice running the analysis.
    public var runSeconds = 0.0
    /// Readout, metrics and checks.
    public var verificationSeconds = 0.0

    public init() {}

    public var totalSeconds: Double { analysisSeconds + generationSeconds + loadSeconds + runSeconds + verificationSeconds }
}

/// Elapsed wall-clock time since creation.
public struct Stopwatch: Sendable {
    public init() {}
    let start = DispatchTime.now()
    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
}

/// Transient timing from the predicted settling time (or, for a forced unstable loop, from
/// the rate at which it runs away).
///
/// The inputs step at `stepTime` with a ramp of `rise`: tau/20 normally, but ten periods of
/// the loop's ringing when the eigenvalues of M lean more than 45 degrees off the real axis,
/// so that an underdamped loop does not overshoot into the op-amp limits (where it can
/// latch); settling is measured from the end of the ramp.
public struct TransientWindow: Sendable, Hashable {
    public var stepTime: Double
    public var rise: Double
    public var stop: Double
    public var maxStep: Double
    public var printStep: Double
    /// The ramp was lengthened to ten ringing periods of an underdamped loop.
    public var rampedForRinging: Bool

    /// With simulated converters, when the SAR ADCs begin their conversion, seconds.
    public var conversionStart: Double?

    /// Moves the step and the stop `seconds` later (the write phase of `--sram full`).
    mutating func delay(by seconds: Double) {
        stepTime += seconds
        stop += seconds
    }

    /// When the inputs reach their values: settling is measured from here.
    public var settleFrom: Double { stepTime + rise }

    init(prediction: Prediction, options: SolveSpecification) {
        let gbw = prediction.gainBandwidthHertz
        let unit = 1 / (2 * Double.pi * gbw)
        let tau = prediction.timeConstantSeconds ?? unit / prediction.instabilityRate
        let ringing = prediction.stability.eigenvalues.map { abs($0.imaginary) }.max() ?? 0
        let underdamped = prediction.stability.phaseBudgetRadians > Double.pi / 4 && ringing > 0
        let ramp = underdamped ? 10 / (gbw * ringing) : tau / 20
        let window: Double
        if let stop = options.plan.stopTime {
            window = stop
        } else if let growth = prediction.growthSeconds {
            // EIG: the kick, then six times the first-order growth from the kick to half the
            // swing (the TIAs' and inverters' own poles slow the growth down).
            window = 6 * growth + 2 * (options.design.circuit.kickSeconds ?? eigKickSeconds(prediction.mapping, options.design.circuit))
        } else if let settling = prediction.settlingSeconds {
            // Four times the prediction: room to measure up to twice it and see the tail.
            window = 4 * max(settling, 5 * unit) + ramp
        } else {
            // A forced unstable loop: ten e-foldings of its fastest runaway, capped.
            window = min(10 * tau, 2000 * unit) + ramp
        }
        stepTime = window / 40
        rise = min(ramp, window / 2)
        rampedForRinging = underdamped
        stop = stepTime + window
        maxStep = min(tau / 10, window / 200)
        printStep = window / 500
    }
}
