import Characterization
import Reports
import Verification
import Specification
import Circuits
import Foundation
import Netlist
import Ngspice
import CircuitTheory
import Reference

/// Runs single runs of a sweep: the nominal design of the run's grid point (its mapping,
/// prediction, references, tolerance and deck), the conditions (technology-backed op-amps),
/// the variation draw applied to the generated circuit, the simulation and the verdict
/// against the nominal references. Each run gives one result row, a pure function of the
/// sweep file and the run's index: no timings, no paths, no host names.
///
/// A row: `run`, `point` (grid point), `sample`, `read`, `seed` (the sample's), `variables`
/// (the grid values and per-sample draws), `status` (`ok`; `unstable` when the nominal loop is
/// predicted unstable and `force` is off; `failed` when ngspice failed; `invalid` when the
/// design point cannot be built, with `message`), `pass` (the verdict's: every check of
/// `crossloop solve` passed, judged against the nominal design), `equivalentBits`, `relativeError`, `maxErrorLSB`,
/// `snrDecibels` (all against the ideal answer), `toleranceBits`, `settlingSeconds`,
/// `transient`, `clipped` (outputs beyond the ADC range), `stuckOn`, `stuckOff`, `unattached`,
/// `offsetRMSVolts`, `opAmpGain`, `opAmpGBW`, `powerWatts`, `energyJoules` (technology-backed
/// op-amps) and `solution`; and `solverRetry` when KLU did not finish within the run's time
/// limit and Sparse ran it instead.
public final class SweepExecutor: @unchecked Sendable {  // Safe: the caches are behind `lock`.
    public let spec: SweepSpec
    public let problem: Problem
    private let lock = NSLock()
    private var nominal: [String: Result<Nominal, SweepError>] = [:]
    /// The circuits at non-nominal conditions, by ``circuitKey(_:)``; filled only when
    /// ``cachesCircuits``.
    private var transistorCircuits: [String: TransistorCircuit] = [:]
    private var behavioralCircuits: [String: BehavioralCircuit] = [:]
    /// Whether a run's circuit is fixed by its grid point: no per-sample draw of a design or
    /// condition knob, so the cache holds one circuit per grid point (and none otherwise, as
    /// each run would add one that no other run uses).
    private let cachesCircuits: Bool
    /// Whether a run's nominal design is fixed by its grid point: no design knob drawn per
    /// sample. Otherwise every run has a nominal of its own, and keeping them would grow the
    /// process by one prepared design per run.
    private let cachesNominals: Bool
    let amplifiers: AmplifierModels

    /// The nominal design of one grid point.
    struct Nominal: Sendable {
        var options: SolveSpecification
        var prepared: Verifier.Prepared
        var stimulus: Stimulus
        /// The figures of the technology-backed op-amp at the nominal conditions.
        var figures: AmplifierFigures?
    }

    public init(spec: SweepSpec, environment: [String: String] = ProcessInfo.processInfo.environment) throws(SweepError) {
        self.spec = spec
        problem = try spec.problem.problem()
        amplifiers = AmplifierModels(environment: environment)
        let circuitKnobs = Knobs.circuitNames
        cachesCircuits = !spec.randomVariables.contains { circuitKnobs.contains($0.name) }
        let designKnobs = Knobs.designNames
        cachesNominals = !spec.randomVariables.contains { designKnobs.contains($0.name) }
    }

    /// How many nominal designs are held for reuse (one per grid point, none when a design
    /// knob is drawn per sample).
    public var cachedNominalCount: Int { lock.withLock { nominal.count } }

    /// The settings of run `index`.
    public func settings(of index: Int) throws(SweepError) -> (settings: RunSettings, varied: [(String, JSONValue)], point: Int, sample: Int, read: Int) {
        let c = spec.coordinates(of: index)
        let (knobs, varied) = spec.assignment(point: c.point, sample: c.sample)
        let settings = try Knobs.resolve(knobs, operation: problem.operation)
        return (settings, varied, c.point, c.sample, c.read)
    }

    /// The op-amp parameters at `conditions`: the design's, or the characterised OTA's.
    func amplifier(_ settings: RunSettings, _ conditions: OperatingConditions, engine: NgspiceEngine) async throws(SweepError)
        -> (AmplifierParameters, AmplifierFigures?)
    {
        var amp = settings.spec.design.circuit.opAmp
        guard let technology = settings.spec.design.technologyName else { return (amp, nil) }
        let f = try await amplifiers.figures(technology, target: amp, conditions: conditions, engine: engine)
        amp.dcGain = f.dcGain
        amp.gainBandwidthHertz = f.gainBandwidthHertz
        amp.inputOffsetVolts += f.offsetVolts
        return (amp, f)
    }

    func nominal(_ settings: RunSettings, engine: NgspiceEngine) async throws(SweepError) -> Nominal {
        if cachesNominals, let cached = lock.withLock({ nominal[settings.designKey] }) { return try cached.get() }
        let result: Result<Nominal, SweepError>
        do throws(SweepError) {
            var options = settings.spec
            // The file's top-level "tolerance-bits" and "time-limit" hold for every run.
            if let bits = spec.toleranceBits { options.policy.toleranceBits = bits }
            if let seconds = spec.timeLimitSeconds { options.limits.timeLimitSeconds = seconds }
            var figures: AmplifierFigures?
            if options.design.circuit.fidelity == .transistor, let name = settings.spec.design.technologyName {
                // The circuit is the technology's own at the nominal conditions; its OTA is
                // measured there (as `solve` does) and the predictions and references use it.
                options.design.transistor?.technology = try amplifiers.technology(name, .nominal, library: settings.spec.design.userLibrary)
                do { options = try await Verifier.withMeasuredBlocks(options, engine: engine) } catch { throw SweepError.verification(error) }
            } else if settings.spec.design.technologyName != nil {
                let (amp, f) = try await amplifier(settings, .nominal, engine: engine)
                figures = f
                options.design.circuit = SweepExecutor.design(options.design.circuit, opAmp: amp)
            }
            let prepared: Verifier.Prepared
            do {
                let predicted = try await Verifier.predictMeasured(problem, options, engine: engine)
                if let cell = predicted.specification.design.cellAsLaid, options.design.cellAsLaid == nil { options.design.record(cellAsLaid: cell) }
                prepared = try Verifier.prepare(problem, predicted)
            } catch {
                throw SweepError.verification(error)
            }
            var stimulus = Stimulus.dc
            if let w = prepared.window { stimulus = .step(time: w.stepTime, rise: w.rise) }
            result = .success(Nominal(options: options, prepared: prepared, stimulus: stimulus, figures: figures))
        } catch {
            result = .failure(error)
        }
        if cachesNominals { lock.withLock { nominal[settings.designKey] = result } }
        return try result.get()
    }

    /// Runs run `index` on `engine` and returns its row.
    public func run(_ index: Int, engine: NgspiceEngine) async -> JSONValue {
        let c = spec.coordinates(of: index)
        let seed = spec.sampleSeed(c.sample)
        var head: [(String, JSONValue)] = [
            ("run", .number(Double(index))), ("point", .number(Double(c.point))), ("sample", .number(Double(c.sample))),
            ("read", .number(Double(c.read))), ("seed", .number(Double(seed))),
        ]
        let resolved: (settings: RunSettings, varied: [(String, JSONValue)], point: Int, sample: Int, read: Int)
        do { resolved = try settings(of: index) } catch {
            return .object(head + [("variables", .object([])), ("status", .string("invalid")), ("pass", .bool(false)), ("message", .string(error.description))])
        }
        head.append(("variables", .object(resolved.varied.map { ($0.0, SweepExecutor.normalised($0.1)) })))
        do {
            return .object(head + (try await body(resolved.settings, seed: seed, read: c.read, engine: engine)))
        } catch {
            let status: String
            switch error {
            case .verification(.unstable): status = "unstable"
            case .verification(.simulation), .verification(.readout): status = "failed"
            default: status = "invalid"
            }
            return .object(head + [("status", .string(status)), ("pass", .bool(false)), ("message", .string(error.description))])
        }
    }

    /// What a run changes about its nominal design, in words; nil when nothing.
    static func variation(of design: DesignSpecification) -> String? {
        var causes: [String] = []
        if !design.variation.isNominal { causes.append("variation models") }
        if design.mismatch { causes.append("device mismatch") }
        if design.technologyName != nil, !design.conditions.isNominal { causes.append("conditions other than tt, 27 C, nominal supply") }
        return causes.isEmpty ? nil : causes.joined(separator: ", ")
    }

    /// `design` with `amp` as its op-amp; inverters with an op-amp of their own take its gain
    /// and offset (their bandwidth stays).
    static func design(_ design: DesignParameters, opAmp amp: AmplifierParameters) -> DesignParameters {
        var design = design
        design.opAmp = amp
        if var inverter = design.inverterOpAmp {
            inverter.dcGain = amp.dcGain; inverter.inputOffsetVolts = amp.inputOffsetVolts
            design.inverterOpAmp = inverter
        }
        return design
    }

    /// Numbers written as SPICE strings in the file appear as numbers in rows.
    static func normalised(_ value: JSONValue) -> JSONValue {
        if case .string(let s) = value, let x = SpiceNumber.parse(s), x.isFinite, s.first?.isNumber == true || s.first == "-" || s.first == "." {
            return .number(x)
        }
        return value
    }

    /// One run's circuit, ready to simulate.
    struct Built {
        var nominal: Nominal
        var deck: Deck
        var draw: VariationDraw
        var unattached: Int
        var figures: AmplifierFigures?
        var amplifierCount: Int
        /// Transistor level: the technology the deck is on (its engine flags) and ngspice's
        /// seed for the PDK's mismatch draws.
        var technology: Technology?
        var randomSeed: UInt32?
    }

    private func build(_ settings: RunSettings, seed: UInt64, read: Int, engine: NgspiceEngine) async throws(SweepError) -> Built {
        let nominal = try await self.nominal(settings, engine: engine)
        let prepared = nominal.prepared
        if !prepared.prediction.isStable && !nominal.options.policy.force {
            throw .verification(.unstable(prepared.prediction))
        }
        // The circuit at this run's conditions: op-amps from the technology at the run's corner,
        // temperature and supply; the mapping (and so the references) stay nominal.
        var design = prepared.design
        var figures = nominal.figures
        if let transistor = nominal.options.design.transistor, let name = settings.spec.design.technologyName {
            // Transistor level: the same circuit on the technology at this run's corner,
            // temperature and supply, with the PDK's mismatch models switched on for mismatch.
            guard settings.spec.design.conditions != .nominal || settings.spec.design.mismatch else {
                return Built(nominal: nominal, deck: prepared.deck, draw: VariationDraw(conductances: [:], offsets: [:], stuckOn: 0, stuckOff: 0),
                             unattached: 0, figures: nil, amplifierCount: 0, technology: transistor.technology,
                             randomSeed: nil)
            }
            let circuit = try transistorCircuit(settings, nominal, transistor, technology: name)
            // The sample's seed goes to ngspice, which draws the PDK's mismatch from it: the deck
            // itself is the same for every sample.
            let randomSeed = settings.spec.design.mismatch ? SeedStream.ngspiceSeed(SeedStream.derive(seed, SeedStream.purpose("mismatch"))) : nil
            return Built(nominal: nominal, deck: circuit.deck, draw: VariationDraw(conductances: [:], offsets: [:], stuckOn: 0, stuckOff: 0),
                         unattached: 0, figures: nil, amplifierCount: 0, technology: circuit.technology, randomSeed: randomSeed)
        }
        if settings.spec.design.technologyName != nil && settings.spec.design.conditions != .nominal {
            let circuit = try await behavioralCircuit(settings, nominal, engine: engine)
            design = circuit.design
            figures = circuit.figures
        }
        // The variation of this sample and read.
        let mapping = prepared.prediction.mapping
        let fullScale = mapping.unitConductanceSiemens * mapping.parameters.cell.fullScaleLevel
        var draw = VariationDraw.draw(settings.spec.design.variation, design: design, fullScaleSiemens: fullScale, sampleSeed: seed, read: read)
        let names = CircuitVariation.amplifiers(of: design)
        if settings.spec.design.mismatch, let technology = settings.spec.design.technologyName {
            let target = settings.spec.design.circuit.opAmp
            let offsets = try await amplifiers.mismatchOffsets(technology, target: target, conditions: settings.spec.design.conditions,
                                                               count: names.count, seed: SeedStream.derive(seed, SeedStream.purpose("mismatch")),
                                                               engine: engine)
            for (name, offset) in zip(names, offsets) { draw.offsets[name, default: 0] += offset }
        }
        let applied: CircuitVariation.Applied
        do { applied = try CircuitVariation.apply(to: design, conductances: draw.conductances, offsets: draw.offsets) } catch {
            throw .verification(.design(error))
        }
        let deck = Verifier.runnableDeck(applied.design, problem, nominal.options, window: prepared.window).deck
        return Built(nominal: nominal, deck: deck, draw: draw, unattached: applied.unattached.count, figures: figures,
                     amplifierCount: names.count, technology: nil, randomSeed: nil)
    }

    /// Transistor level at non-nominal conditions or with mismatch: the deck of the nominal
    /// design regenerated on the technology at the run's conditions.
    struct TransistorCircuit {
        var deck: Deck
        var technology: Technology
    }

    /// Technology-backed behavioural op-amps at non-nominal conditions: the nominal mapping's
    /// circuit with the OTA characterised at the run's conditions.
    struct BehavioralCircuit {
        var design: CircuitDesign
        var figures: AmplifierFigures?
    }

    /// What a run's circuit depends on besides the mapping: the nominal design (its key), the
    /// conditions and whether mismatch is on. Not the sample: its seed goes to the engine and
    /// the variation draw, not to the circuit.
    static func circuitKey(_ settings: RunSettings) -> String {
        let c = settings.spec.design.conditions
        return "\(settings.designKey)|\(c.corner.rawValue)|\(c.temperatureCelsius)|\(c.supplyVolts ?? -1)|\(settings.spec.design.mismatch)"
    }

    private func transistorCircuit(_ settings: RunSettings, _ nominal: Nominal, _ transistor: TransistorDesign,
                                   technology name: String) throws(SweepError) -> TransistorCircuit
    {
        let key = SweepExecutor.circuitKey(settings)
        if cachesCircuits, let cached = lock.withLock({ transistorCircuits[key] }) { return cached }
        let prepared = nominal.prepared
        var varied = transistor
        varied.technology = try amplifiers.technology(name, settings.spec.design.conditions, library: settings.spec.design.userLibrary)
        if settings.spec.design.mismatch { varied.technology = try AmplifierModels.withMismatch(varied.technology) }
        let variedDesign: CircuitDesign
        do {
            variedDesign = try CircuitGenerator.design(prepared.prediction.mapping, nominal.options.design.circuit, transistor: varied,
                                                       stimulus: nominal.stimulus)
        } catch let error as CircuitError {
            throw .verification(.design(error))
        } catch {
            throw .verification(.design(.unsupported("\(error)")))
        }
        let deck = Verifier.runnableDeck(variedDesign, problem, nominal.options, window: prepared.window).deck
        let circuit = TransistorCircuit(deck: deck, technology: varied.technology)
        if cachesCircuits { lock.withLock { transistorCircuits[key] = circuit } }
        return circuit
    }

    private func behavioralCircuit(_ settings: RunSettings, _ nominal: Nominal, engine: NgspiceEngine) async throws(SweepError)
        -> BehavioralCircuit
    {
        let key = SweepExecutor.circuitKey(settings)
        if cachesCircuits, let cached = lock.withLock({ behavioralCircuits[key] }) { return cached }
        let (amp, figures) = try await amplifier(settings, settings.spec.design.conditions, engine: engine)
        let parameters = SweepExecutor.design(nominal.options.design.circuit, opAmp: amp)
        let design: CircuitDesign
        do {
            design = try CircuitGenerator.design(nominal.prepared.prediction.mapping, parameters, stimulus: nominal.stimulus)
        } catch let error as CircuitError {
            throw .verification(.design(error))
        } catch {
            throw .verification(.design(.unsupported("\(error)")))
        }
        let circuit = BehavioralCircuit(design: design, figures: figures)
        if cachesCircuits { lock.withLock { behavioralCircuits[key] = circuit } }
        return circuit
    }

    private func body(_ settings: RunSettings, seed: UInt64, read: Int, engine: NgspiceEngine) async throws(SweepError) -> [(String, JSONValue)] {
        let built = try await build(settings, seed: seed, read: read, engine: engine)
        let prepared = built.nominal.prepared
        let result: SimulationResult
        var retry: String?
        do {
            let deck = try PreparedDeck(deck: built.deck)
            let limit = built.nominal.options.limits.timeLimitSeconds ?? SweepExecutor.defaultRunSeconds
            var request = RunRequest(vectors: prepared.design.outputNodes, timeLimit: limit,
                                     variables: built.technology?.engineVariables ?? [:], randomSeed: built.randomSeed)
            do {
                result = try await engine.run(deck, request)
            } catch let error as NgspiceError where error.kind == .aborted && engine.info.hasKLU {
                // KLU can stall on a deck Sparse finishes in a second: once more with Sparse,
                // and the row says so.
                request.solver = .sparse
                do { result = try await engine.run(deck, request) } catch let again as NgspiceError where again.kind == .aborted {
                    throw NgspiceError(kind: .aborted, message: "stopped after \(formatSignificant(limit, 3)) s with KLU and again with Sparse; raise the sweep's time-limit")
                }
                retry = "sparse: KLU did not finish within \(formatSignificant(limit, 3)) s"
            }
        } catch let error as NgspiceError {
            throw .verification(.simulation(error))
        } catch {
            throw .verification(.readout("\(error)"))
        }
        // The verdict is the nominal design's, judging a circuit that this run may vary.
        var options = built.nominal.options
        options.policy.variedFromReference = SweepExecutor.variation(of: settings.spec.design)
        let verdict: Verdict
        do { verdict = try Verifier.judge(problem, options, prepared, result) } catch { throw .verification(error) }
        return SweepExecutor.fields(verdict, draw: built.draw, unattached: built.unattached, figures: built.figures,
                                    amplifierCount: built.amplifierCount) + (retry.map { [("solverRetry", .string($0))] } ?? [])
    }

    /// A run's wall-clock limit when the sweep file sets no "time-limit": one stalled run
    /// must not hang a sweep of thousands.
    public static let defaultRunSeconds = 120.0

    /// The varied deck of run `index`, runnable on its own with `ngspice -b` (it prints its
    /// outputs): what a worst case is investigated with.
    public func deck(for index: Int, engine: NgspiceEngine) async throws(SweepError) -> Deck {
        guard index >= 0, index < spec.runCount else {
            throw .invalidSpec("run \(index) does not exist: the sweep has runs 0...\(spec.runCount - 1)")
        }
        let c = spec.coordinates(of: index)
        let (settings, varied, _, _, _) = try self.settings(of: index)
        let built = try await build(settings, seed: spec.sampleSeed(c.sample), read: c.read, engine: engine)
        var prepared = built.nominal.prepared
        prepared.deck = built.deck
        var deck = Verifier.standalone(prepared, generatedBy: "crossloop sweep (run \(index) of \(spec.name))", options: built.nominal.options)
        deck.comments.insert("Sweep \(spec.name), run \(index): sample \(c.sample) (seed \(spec.sampleSeed(c.sample))), read \(c.read), "
            + (varied.isEmpty ? "no variables" : varied.map { "\($0.0)=\($0.1.line())" }.joined(separator: " "))
            + "; \(built.draw.stuckOn) stuck on, \(built.draw.stuckOff) stuck off; expected values below are the nominal design's", at: 0)
        return deck
    }

    /// The measured part of a row.
    static func fields(_ v: Verdict, draw: VariationDraw, unattached: Int, figures: AmplifierFigures?, amplifierCount: Int) -> [(String, JSONValue)] {
        let m = v.metricsIdeal
        var energy: Double? = v.energy?.joulesPerSolve
        var power: Double? = v.energy?.averageWatts
        if let figures {
            power = figures.powerWatts * Double(amplifierCount)
            if let t = v.measuredSettlingSeconds, v.problem.operation != .eig { energy = power! * t }
        }
        return [
            ("status", .string("ok")),
            ("pass", .bool(v.passed)),
            ("equivalentBits", .number(m.equivalentBits)),
            ("relativeError", .number(m.relativeError)),
            ("maxErrorLSB", .optional(m.maxErrorLSB)),
            ("snrDecibels", .number(m.snrDecibels)),
            ("toleranceBits", .number(v.toleranceBits)),
            ("settlingSeconds", .optional(v.measuredSettlingSeconds)),
            ("transient", v.transientOutcome.map { .string($0.rawValue) } ?? .null),
            ("clipped", .number(Double(v.clippedOutputs.count))),
            ("stuckOn", .number(Double(draw.stuckOn))),
            ("stuckOff", .number(Double(draw.stuckOff))),
            ("unattached", .number(Double(unattached))),
            ("offsetRMSVolts", draw.offsets.isEmpty ? .null
                : .number((draw.offsets.keys.sorted().reduce(0.0) { $0 + draw.offsets[$1]! * draw.offsets[$1]! } / Double(draw.offsets.count)).squareRoot())),
            ("opAmpGain", .optional(figures?.dcGain)),
            ("opAmpGBW", .optional(figures?.gainBandwidthHertz)),
            ("powerWatts", .optional(power)),
            ("energyJoules", .optional(energy)),
            ("solution", .numbers(v.solution)),
        ]
    }
}
