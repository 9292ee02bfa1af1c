import Reports
import Specification
import Circuits
import Foundation
import CircuitTheory
import Reference
import Verification

/// The report of each workload: what was computed, against what, how far off, how the error
/// grew, what it cost, and the parameters used.
extension WorkloadReport {
    static let pf = ReportFigures.self

    // MARK: Recursive block inversion

    public static func rbi(_ r: RBIResult, core: AnalogueCore, matrixDescription: String) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .inv)
        let countsMatch = r.solveCounts.inv == r.expectedINVPerSolve
        var figures = [
            LinePlot(title: "Solution: analogue RBI vs LAPACK", xLabel: "index", yLabel: "x",
                     series: [PlotSeries("LAPACK", y: r.reference, start: 1),
                              PlotSeries("analogue RBI", y: r.solution, start: 1, style: .points)]),
            LinePlot(title: "Error per recursion level (0 = one tile)", xLabel: "level", yLabel: "relative error", yScale: .log,
                     series: [PlotSeries("max measured", x: r.levelStatistics.map { Double($0.level) }, y: r.levelStatistics.map(\.maxRelativeError), style: .lineAndPoints),
                              PlotSeries("rms measured", x: r.levelStatistics.map { Double($0.level) }, y: r.levelStatistics.map(\.rmsRelativeError), style: .lineAndPoints),
                              PlotSeries("error-model bound", x: r.levelStatistics.map { Double($0.level) }, y: r.levelStatistics.map(\.maxPredictedError), style: .lineAndPoints, dashed: true)]),
        ]
        if let wave { figures.append(wave) }
        var notes = [
            "Error model: every primitive's first-order budget (finite gain, cell quantisation, DAC, ADC) propagated through the five steps of each split by the exact operators of the algorithm (norms by LAPACK); a worst case over alignments, so measured errors sit well inside it.",
            r.schurFormation == .analogue
                ? "Schur complements formed on the circuit: one analogue INV solve of A11 per non-zero column of A12, one tiled MVM of A21 per column, the subtraction from A22 digital (phase 'setup')."
                : "Schur complements formed digitally in double precision (digital help, counted in phase 'setup' as LU and products).",
            "Reference computations (LAPACK solutions, norms, the exact Schur complements) judge the algorithm and are not counted.",
            waveNote,
        ]
        if !countsMatch {
            notes.append("The solve took \(r.solveCounts.inv) INVs for \(r.expectedINVPerSolve) expected: some inputs were exactly zero and skipped.")
        }
        return WorkloadReport(
            workload: "rbi",
            title: "Recursive block inversion, \(r.size)x\(r.size) on \(r.tileSize)x\(r.tileSize) tiles",
            passed: r.withinBound,
            target: "relative error vs LAPACK <= the error model's bound (\(scientific(r.predictedError, 3)))",
            headline: [
                "matrix    \(matrixDescription), kappa = \(pf.g(r.conditionNumber))",
                "accuracy  relative error \(scientific(r.relativeError, 3)) (\(pf.g(r.equivalentBits)) bits) vs LAPACK; bound \(scientific(r.predictedError, 3)) (\(pf.g(r.predictedError / max(r.relativeError, 1e-300))) x the measured)",
                "recursion \(r.levels) level\(r.levels == 1 ? "" : "s"): \(r.solveCounts.inv) INV (3^\(r.levels) = \(r.expectedINVPerSolve) expected\(countsMatch ? "" : ", MISMATCH")), \(r.solveCounts.mvm) tile MVM in the solve; setup \(r.setupCounts.inv) INV, \(r.setupCounts.mvm) MVM (\(r.schurFormation.rawValue) Schur complements)",
                "timing    setup \(String(format: "%.2f", r.setupSeconds)) s, solve \(String(format: "%.2f", r.solveSeconds)) s wall clock; analogue time of the solve \(engineering(r.solveCounts.analogueSeconds, unit: "s"))",
            ],
            metrics: [
                ReportMetric("relativeError", r.relativeError, "", "|x - x_LAPACK| / |x_LAPACK|"),
                ReportMetric("equivalentBits", r.equivalentBits, "bit", "-log2 of the relative error"),
                ReportMetric("predictedError", r.predictedError, "", "error-model bound on the relative error"),
                ReportMetric("conditionNumber", r.conditionNumber, "", "kappa_2(A)"),
                ReportMetric("levels", Double(r.levels), "", "recursion depth"),
                ReportMetric("solveINV", Double(r.solveCounts.inv), "", "tile INVs in the solve"),
                ReportMetric("expectedINV", Double(r.expectedINVPerSolve), "", "3^levels"),
                ReportMetric("solveMVM", Double(r.solveCounts.mvm), "", "tile MVMs in the solve"),
                ReportMetric("setupSeconds", r.setupSeconds, "s", "wall clock of the Schur formation"),
                ReportMetric("solveSeconds", r.solveSeconds, "s", "wall clock of the solve"),
            ],
            parameters: [DesignValue("rbi.size", Double(r.size), "", "order of A"),
                         DesignValue("rbi.schur", text: r.schurFormation.rawValue, "how the Schur complements are formed: analogue or digital")]
                + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            tables: [
                ReportTable("Error per recursion level", header: ["level", "block size", "solves", "max rel. error", "rms rel. error", "bound (max)"],
                            rows: r.levelStatistics.map { ["\($0.level)", "\($0.size)", "\($0.solves)", scientific($0.maxRelativeError, 3), scientific($0.rmsRelativeError, 3), scientific($0.maxPredictedError, 3)] }),
                ReportTable("Schur complements", header: ["level", "size", "column solves", "|S_formed - S| / |S|", "bound"],
                            rows: r.schurRecords.map { ["\($0.level)", "\($0.size)", "\($0.columnSolves)", scientific($0.relativeError, 3), scientific($0.predictedError, 3)] }),
            ],
            notes: notes,
            data: [("solution", .numbers(r.solution)), ("reference", .numbers(r.reference)), ("rhs", .numbers(r.rhs))])
    }

    // MARK: Iterative refinement

    public static func refinement(_ r: RefinementResult, core: AnalogueCore, matrixDescription: String) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .inv)
        let iterations = r.steps.map { Double($0.iteration) }
        var figures = [
            LinePlot(title: "Equivalent bits per iteration", xLabel: "iteration (1 = single analogue solve)", yLabel: "bits vs LAPACK",
                     series: [PlotSeries("measured", x: iterations, y: r.steps.map(\.equivalentBits), style: .lineAndPoints)],
                     markers: [PlotMarker(.horizontal, at: r.targetBits, label: "target \(pf.g(r.targetBits)) bits")]),
            LinePlot(title: "Error and residual per iteration", xLabel: "iteration", yLabel: "relative", yScale: .log,
                     series: [PlotSeries("error vs LAPACK", x: iterations, y: r.steps.map(\.relativeError), style: .lineAndPoints),
                              PlotSeries("residual |b - A x| / |b|", x: iterations, y: r.steps.map(\.residual), style: .lineAndPoints),
                              PlotSeries("each solve's own error", x: iterations, y: r.steps.map(\.solveRelativeError), style: .points)]),
        ]
        if let wave { figures.append(wave) }
        return WorkloadReport(
            workload: "refine",
            title: "Mixed-precision iterative refinement, \(r.matrix.rows)x\(r.matrix.rows)",
            passed: r.reachedTarget,
            target: "at least \(pf.g(r.targetBits)) equivalent bits vs LAPACK",
            headline: [
                "matrix    \(matrixDescription), kappa = \(pf.g(r.conditionNumber))",
                "single    analogue solve: \(pf.g(r.firstSolveBits)) bits",
                "refined   \(pf.g(r.finalBits)) bits after \(r.steps.count) solves (\(r.steps.count - 1) corrections), \(pf.g(r.meanBitsPerCorrection)) bits gained per correction",
                "bits      " + r.steps.map { pf.g(($0.equivalentBits * 10).rounded() / 10) }.joined(separator: ", "),
            ],
            metrics: [
                ReportMetric("firstSolveBits", r.firstSolveBits, "bit", "equivalent bits of the single analogue solve"),
                ReportMetric("finalBits", r.finalBits, "bit", "equivalent bits after refinement"),
                ReportMetric("iterations", Double(r.steps.count), "", "analogue solves"),
                ReportMetric("bitsPerCorrection", r.meanBitsPerCorrection, "bit", "mean gain per correction"),
                ReportMetric("conditionNumber", r.conditionNumber, "", "kappa_2(A)"),
            ],
            parameters: [DesignValue("refine.size", Double(r.matrix.rows), "", "order of A"),
                         DesignValue("refine.targetBits", r.targetBits, "bit", "target equivalent bits")] + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            tables: [ReportTable("Iterations", header: ["iteration", "bits", "gained", "rel. error", "residual", "solve error", "solve budget"],
                                 rows: r.steps.map { ["\($0.iteration)", pf.g($0.equivalentBits), pf.g($0.bitsGained), scientific($0.relativeError, 3), scientific($0.residual, 3), scientific($0.solveRelativeError, 3), scientific($0.solvePredictedError, 3)] })],
            notes: ["Residuals r = b - A x in double precision (digital, counted); each correction d = A^-1 r by the simulated circuit, its DAC scaled to r: the error shrinks by about each solve's own relative error per iteration, whatever the cells' precision, until the double-precision residual limits it.",
                    "The per-solve budget is the error model's worst case for that solve; with coarse cells it can exceed 1 (no guarantee) while the solves still contract.",
                    waveNote],
            data: [("solution", .numbers(r.solution)), ("reference", .numbers(r.reference)),
                   ("bits", .numbers(r.steps.map(\.equivalentBits))), ("residual", .numbers(r.steps.map(\.residual)))])
    }

    // MARK: Kalman filter

    public static func kalman(_ r: KalmanResult, core: AnalogueCore, factor: Double) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .inv)
        let t = r.flight.time
        var figures = [
            LinePlot(title: "Height: truth, barometer and the two filters", xLabel: "time (s)", yLabel: "height (m)",
                     series: [PlotSeries("barometer", x: t, y: r.flight.barometer, style: .points),
                              PlotSeries("truth", x: t, y: r.flight.height),
                              PlotSeries("analogue S^-1 filter", x: t, y: r.analogue.map { $0[0] }),
                              PlotSeries("double filter", x: t, y: r.double.map { $0[0] }, dashed: true)]),
            LinePlot(title: "Height error of the estimates", xLabel: "time (s)", yLabel: "estimate - truth (m)",
                     series: [PlotSeries("analogue S^-1 filter", x: t, y: zip(r.analogue, r.flight.height).map { $0[0] - $1 }),
                              PlotSeries("double filter", x: t, y: zip(r.double, r.flight.height).map { $0[0] - $1 }, dashed: true)]),
            LinePlot(title: "Velocity: truth and the two filters", xLabel: "time (s)", yLabel: "velocity (m/s)",
                     series: [PlotSeries("truth", x: t, y: r.flight.velocity),
                              PlotSeries("analogue S^-1 filter", x: t, y: r.analogue.map { $0[1] }),
                              PlotSeries("double filter", x: t, y: r.double.map { $0[1] }, dashed: true)]),
            LinePlot(title: "S^-1 from the circuit: error per step", xLabel: "time (s)", yLabel: "|S^-1 - S^-1_exact| / |S^-1|", yScale: .log,
                     series: [PlotSeries("measured", x: t, y: r.inverseError), PlotSeries("error-model bound", x: t, y: r.inversePredicted, dashed: true)]),
        ]
        if let wave { figures.append(wave) }
        let ok = r.withinFactor(factor)
        return WorkloadReport(
            workload: "kalman",
            title: "Kalman filter of a vertical rocket flight, \(t.count) steps",
            passed: ok,
            target: "RMS height and velocity errors within \(pf.g(factor))x those of a double-precision filter fed the same digitised measurements",
            headline: [
                "flight    apogee \(String(format: "%.1f", r.flight.height.max() ?? 0)) m, peak speed \(String(format: "%.1f", r.flight.velocity.max() ?? 0)) m/s over \(String(format: "%.1f", t.last ?? 0)) s",
                "height    RMS error analogue \(String(format: "%.3f", r.analogueHeightRMS)) m, double \(String(format: "%.3f", r.doubleHeightRMS)) m (ratio \(pf.g(r.analogueHeightRMS / r.doubleHeightRMS))); raw barometer \(String(format: "%.3f", r.barometerRMS)) m",
                "velocity  RMS error analogue \(String(format: "%.3f", r.analogueVelocityRMS)) m/s, double \(String(format: "%.3f", r.doubleVelocityRMS)) m/s (ratio \(pf.g(r.analogueVelocityRMS / r.doubleVelocityRMS)))",
                "S^-1      from the circuit: max relative error \(scientific(r.inverseError.max() ?? 0, 3)), bound \(scientific(r.inversePredicted.max() ?? 0, 3))",
            ],
            metrics: [
                ReportMetric("analogueHeightRMS", r.analogueHeightRMS, "m", "RMS height error, analogue S^-1"),
                ReportMetric("doubleHeightRMS", r.doubleHeightRMS, "m", "RMS height error, double precision"),
                ReportMetric("analogueVelocityRMS", r.analogueVelocityRMS, "m/s", "RMS velocity error, analogue S^-1"),
                ReportMetric("doubleVelocityRMS", r.doubleVelocityRMS, "m/s", "RMS velocity error, double precision"),
                ReportMetric("barometerRMS", r.barometerRMS, "m", "RMS error of the raw barometer"),
                ReportMetric("maxInverseError", r.inverseError.max() ?? 0, "", "largest relative error of the circuit's S^-1"),
            ],
            parameters: [
                DesignValue("kalman.steps", Double(t.count), "", "filter updates"),
                DesignValue("kalman.dt", r.flight.sampleSeconds, "s", "sample period"),
                DesignValue("baro.noise", r.flight.barometerSensor.noise, "m", "barometer noise, 1 sigma"),
                DesignValue("baro.fullScale", r.flight.barometerSensor.fullScale, "m", "barometer ADC full scale, +-"),
                DesignValue("baro.bits", Double(r.flight.barometerSensor.bits), "bit", "barometer ADC resolution"),
                DesignValue("accel.noise", r.flight.accelerometerSensor.noise, "m/s^2", "accelerometer noise, 1 sigma"),
                DesignValue("accel.fullScale", r.flight.accelerometerSensor.fullScale, "m/s^2", "accelerometer ADC full scale, +-"),
                DesignValue("accel.bits", Double(r.flight.accelerometerSensor.bits), "bit", "accelerometer ADC resolution"),
            ] + r.parameters.designValues + r.flight.profile.designValues + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            notes: ["State [h, v, a], F = [[1, dt, dt^2/2], [0, 1, dt], [0, 0, 1]], H = [[1, 0, 0], [0, 0, 1]] (barometer, accelerometer with g removed digitally), white-jerk process noise, Joseph-form covariance update.",
                    "Each step's 2x2 S = H P H^T + R is equilibrated to a unit diagonal (digital, counted) and inverted by two simulated INV solves (its columns); the gain, state and covariance updates are digital glue. The reference filter runs the same arithmetic in double with the same digitised measurements.",
                    waveNote],
            data: [("time", .numbers(t)), ("height", .numbers(r.flight.height)), ("velocity", .numbers(r.flight.velocity)),
                   ("barometer", .numbers(r.flight.barometer)), ("accelerometer", .numbers(r.flight.accelerometer)),
                   ("analogueHeight", .numbers(r.analogue.map { $0[0] })), ("doubleHeight", .numbers(r.double.map { $0[0] })),
                   ("analogueVelocity", .numbers(r.analogue.map { $0[1] })), ("doubleVelocity", .numbers(r.double.map { $0[1] })),
                   ("inverseError", .numbers(r.inverseError))])
    }

    // MARK: Inverse kinematics

    public static func inverseKinematics(_ r: IKResult, core: AnalogueCore) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .inv)
        var errorSeries: [PlotSeries] = []
        for (k, t) in r.targets.enumerated() {
            errorSeries.append(PlotSeries("target \(k + 1) analogue", y: t.errors, style: .lineAndPoints))
            errorSeries.append(PlotSeries("target \(k + 1) double", y: t.doubleErrors, dashed: true))
        }
        var armSeries: [PlotSeries] = []
        func joints(_ q: [Double]) -> (x: [Double], y: [Double]) {
            var x = [0.0], y = [0.0], angle = 0.0
            for (l, qi) in zip(r.arm.lengths, q) {
                angle += qi
                x.append(x.last! + l * cos(angle))
                y.append(y.last! + l * sin(angle))
            }
            return (x, y)
        }
        let start = joints(r.initialAngles)
        armSeries.append(PlotSeries("start", x: start.x, y: start.y, style: .lineAndPoints, dashed: true))
        for (k, t) in r.targets.enumerated() {
            let j = joints(t.finalAngles)
            armSeries.append(PlotSeries("arm at target \(k + 1)", x: j.x, y: j.y, style: .lineAndPoints))
        }
        armSeries.append(PlotSeries("targets", x: r.targets.map { $0.target[0] }, y: r.targets.map { $0.target[1] }, style: .points))
        var figures = [
            LinePlot(title: "End-effector error per iteration", xLabel: "iteration", yLabel: "|target - end effector| (m)", yScale: .log,
                     series: errorSeries, markers: [PlotMarker(.horizontal, at: r.parameters.tolerance, label: "tolerance")]),
            LinePlot(title: "Arm configurations (analogue solver)", xLabel: "x (m)", yLabel: "y (m)", series: armSeries),
        ]
        if let wave { figures.append(wave) }
        let rows = r.targets.enumerated().map { k, t in
            [String(k + 1), String(format: "(%.3g, %.3g)", t.target[0], t.target[1]), t.reachable ? "yes" : "no",
             "\(t.status)", "\(t.iterations)", scientific(t.finalError, 3), "\(t.doubleIterations)", scientific(t.doubleFinalError, 3),
             "\(t.dampingRaises)"]
        }
        var headline = ["arm       \(r.arm.links) links, reach \(pf.g(r.arm.reach)) m (lengths \(r.arm.lengths.map { pf.g($0) }.joined(separator: ", ")) m)"]
        for (k, t) in r.targets.enumerated() {
            headline.append(String(format: "target %d  (%.3g, %.3g): %@ after %d iterations, error %.3e m; double precision: %d iterations, %.3e m",
                                   k + 1, t.target[0], t.target[1], "\(t.status)", t.iterations, t.finalError, t.doubleIterations, t.doubleFinalError))
        }
        return WorkloadReport(
            workload: "ik",
            title: "Inverse kinematics of a planar \(r.arm.links)-link arm",
            passed: r.passed,
            target: "every reachable target within \(pf.g(r.parameters.tolerance)) m; every unreachable one reported as such",
            headline: headline,
            metrics: [
                ReportMetric("targets", Double(r.targets.count), "", "targets in sequence"),
                ReportMetric("converged", Double(r.targets.filter(\.status.isConverged).count), "", "reachable targets reached"),
                ReportMetric("unreachable", Double(r.targets.filter { !$0.reachable }.count), "", "targets outside the arm's reach"),
                ReportMetric("iterations", Double(r.targets.map(\.iterations).reduce(0, +)), "", "analogue iterations over all targets"),
                ReportMetric("doubleIterations", Double(r.targets.map(\.doubleIterations).reduce(0, +)), "", "double-precision iterations"),
            ],
            parameters: [DesignValue("ik.links", Double(r.arm.links), "", "links")]
                + r.arm.lengths.enumerated().map { DesignValue("ik.length\($0.offset + 1)", $0.element, "m", "length of link \($0.offset + 1)") }
                + r.parameters.designValues + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            tables: [ReportTable("Targets", header: ["#", "target (m)", "reachable", "status", "iterations", "final error (m)", "double iterations", "double error (m)", "damping raised"], rows: rows)],
            notes: ["Damped least squares dq = J^T (J J^T + lambda^2 I)^-1 e with e clipped to the largest step; the 2x2 (J J^T + lambda^2 I)^-1 e is one simulated INV per iteration (equilibrated to a unit diagonal), forward kinematics, J and J^T y are digital glue.",
                    "Reachability is decided geometrically (distance from the base against the annulus the links span); an unreachable target is still approached, and the report gives how close the arm came.",
                    waveNote],
            data: [("targets", .array(r.targets.map { .numbers($0.target) })),
                   ("errors", .array(r.targets.map { .numbers($0.errors) })),
                   ("doubleErrors", .array(r.targets.map { .numbers($0.doubleErrors) })),
                   ("finalAngles", .array(r.targets.map { .numbers($0.finalAngles) }))])
    }

    // MARK: PDEs

    public static func poisson(_ r: PoissonResult, core: AnalogueCore) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .inv)
        let row = middleRow(r.dimensions, r.points)
        var figures = [
            LinePlot(title: r.dimensions == 1 ? "Solution u(x)" : "Solution along the middle row y = 1/2",
                     xLabel: "x", yLabel: "u",
                     series: [PlotSeries("continuous sin", x: row.x, y: row.index.map { r.continuous[$0] }, dashed: true),
                              PlotSeries("LAPACK (discrete)", x: row.x, y: row.index.map { r.reference[$0] }),
                              PlotSeries("analogue", x: row.x, y: row.index.map { r.solution[$0] }, style: .points)]),
        ]
        if r.levels > 0 {
            figures.append(LinePlot(title: "Error per recursion level (0 = one tile)", xLabel: "level", yLabel: "relative error", yScale: .log,
                                    series: [PlotSeries("max measured", x: r.levelStatistics.map { Double($0.level) }, y: r.levelStatistics.map(\.maxRelativeError), style: .lineAndPoints),
                                             PlotSeries("error-model bound", x: r.levelStatistics.map { Double($0.level) }, y: r.levelStatistics.map(\.maxPredictedError), style: .lineAndPoints, dashed: true)]))
        }
        if let wave { figures.append(wave) }
        return WorkloadReport(
            workload: "poisson",
            title: "\(r.dimensions)-D Poisson, \(r.size) unknowns" + (r.levels > 0 ? " by recursive block inversion" : " on one array"),
            passed: r.withinBound,
            target: "relative error vs LAPACK <= the error model's bound (\(scientific(r.predictedError, 3)))",
            headline: [
                "problem   -laplace(u) = f on the unit \(r.dimensions == 1 ? "interval" : "square"), u = 0 on the boundary, f such that u = prod sin(pi x_i); \(r.points)\(r.dimensions == 2 ? "x\(r.points)" : "") interior points, kappa = \(pf.g(r.conditionNumber))",
                "accuracy  relative error vs the discrete solution \(scientific(r.relativeError, 3)), bound \(scientific(r.predictedError, 3)); discretisation error of the discrete solution \(scientific(r.discretisationError, 3))",
                "cost      \(r.solveCounts.inv) INV + \(r.solveCounts.mvm) MVM in the solve (\(r.levels) recursion levels), setup \(r.setupCounts.inv) INV + \(r.setupCounts.mvm) MVM; analogue settling \(engineering(r.solveCounts.analogueSeconds, unit: "s"))",
            ],
            metrics: [
                ReportMetric("relativeError", r.relativeError, "", "vs LAPACK on the discrete system"),
                ReportMetric("predictedError", r.predictedError, "", "error-model bound"),
                ReportMetric("discretisationError", r.discretisationError, "", "discrete vs continuous solution"),
                ReportMetric("conditionNumber", r.conditionNumber, "", "kappa_2(A)"),
                ReportMetric("analogueSeconds", r.solveCounts.analogueSeconds, "s", "settling of the solve's primitives, summed"),
            ],
            parameters: [DesignValue("pde.dimensions", Double(r.dimensions), "", "space dimensions"),
                         DesignValue("pde.points", Double(r.points), "", "interior points per side")] + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            tables: r.levels > 0 ? [ReportTable("Error per recursion level", header: ["level", "block size", "solves", "max rel. error", "bound (max)"],
                                                rows: r.levelStatistics.map { ["\($0.level)", "\($0.size)", "\($0.solves)", scientific($0.maxRelativeError, 3), scientific($0.maxPredictedError, 3)] })] : [],
            notes: ["Poisson settles slowly: lambda_min(M) ~ pi^2 / (4 N^2) in 1-D (see the Theory article, \"Settling time\"), so the analogue time grows with the grid while an implicit heat step settles fast at any size.",
                    "The error bound carries kappa(A), which grows as N^2: for fine grids it exceeds 1 and guarantees nothing, while smooth right-hand sides are solved far better than the worst case.",
                    waveNote],
            data: [("solution", .numbers(r.solution)), ("reference", .numbers(r.reference)), ("continuous", .numbers(r.continuous))])
    }

    public static func heat(_ r: HeatResult, core: AnalogueCore) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .inv)
        let row = middleRow(r.dimensions, r.points)
        let steps = (1...r.steps).map(Double.init)
        var figures = [
            LinePlot(title: r.dimensions == 1 ? "Temperature u(x)" : "Temperature along the middle row y = 1/2",
                     xLabel: "x", yLabel: "u",
                     series: [PlotSeries("initial", x: row.x, y: row.index.map { r.double[0][$0] }, dashed: true),
                              PlotSeries("double, step \(r.steps)", x: row.x, y: row.index.map { r.double[r.steps][$0] }),
                              PlotSeries("analogue, step \(r.steps)", x: row.x, y: row.index.map { r.analogue[r.steps][$0] }, style: .points)]),
            LinePlot(title: "Error per time step vs the double-precision integration", xLabel: "step", yLabel: "relative error", yScale: .log,
                     series: [PlotSeries("measured", x: steps, y: r.relativeErrors, style: .lineAndPoints),
                              PlotSeries("error-model bound", x: steps, y: r.predictedErrors, dashed: true)]),
        ]
        if let wave { figures.append(wave) }
        return WorkloadReport(
            workload: "heat",
            title: "\(r.dimensions)-D heat equation, \(r.size) unknowns, \(r.steps) implicit steps" + (r.levels > 0 ? " by recursive block inversion" : " on one array"),
            passed: r.withinBound,
            target: "every step's relative error vs the double-precision integration <= the error model's accumulated bound",
            headline: [
                "problem   u_t = alpha laplace(u), implicit Euler (I + r L) u_(k+1) = u_k, r = alpha dt / h^2 = \(pf.g(r.r)); \(r.points)\(r.dimensions == 2 ? "x\(r.points)" : "") interior points",
                "accuracy  relative error after step 1: \(scientific(r.relativeErrors.first ?? 0, 3)), after step \(r.steps): \(scientific(r.relativeErrors.last ?? 0, 3)) (bound \(scientific(r.predictedErrors.last ?? 0, 3)))",
                "cost      per step \(r.solveCounts.inv / max(r.steps, 1)) INV + \(r.solveCounts.mvm / max(r.steps, 1)) MVM (\(r.levels) recursion levels); the step matrix was prepared once (setup \(r.setupCounts.inv) INV + \(r.setupCounts.mvm) MVM)",
            ],
            metrics: [
                ReportMetric("finalRelativeError", r.relativeErrors.last ?? 0, "", "after the last step"),
                ReportMetric("finalBound", r.predictedErrors.last ?? 0, "", "error-model bound after the last step"),
                ReportMetric("maxRelativeError", r.relativeErrors.max() ?? 0, "", "over all steps"),
                ReportMetric("analogueSeconds", r.solveCounts.analogueSeconds, "s", "settling of all steps' primitives, summed"),
            ],
            parameters: [DesignValue("pde.dimensions", Double(r.dimensions), "", "space dimensions"),
                         DesignValue("pde.points", Double(r.points), "", "interior points per side"),
                         DesignValue("heat.r", r.r, "", "alpha dt / h^2"),
                         DesignValue("heat.steps", Double(r.steps), "", "implicit Euler steps")] + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            notes: ["Error model: e_k <= |M^-1| e_(k-1) + beta_k with M = I + r L (|M^-1| <= 1: the scheme damps old errors) and beta_k the bound of step k's solve.",
                    "The initial condition is sin(pi x) (times sin(pi y) in 2-D) plus a hot band 0.2 <= x <= 0.4.",
                    waveNote],
            data: [("initial", .numbers(r.double[0])), ("analogueFinal", .numbers(r.analogue[r.steps])),
                   ("doubleFinal", .numbers(r.double[r.steps])), ("relativeErrors", .numbers(r.relativeErrors)),
                   ("predictedErrors", .numbers(r.predictedErrors))])
    }

    /// The grid indices and x coordinates to plot: all points in 1-D, the middle row in 2-D.
    static func middleRow(_ dimensions: Int, _ m: Int) -> (index: [Int], x: [Double]) {
        let h = 1 / Double(m + 1)
        let xs = (1...m).map { Double($0) * h }
        if dimensions == 1 { return (Array(0..<m), xs) }
        let row = (m - 1) / 2
        return ((0..<m).map { row * m + $0 }, xs)
    }

    // MARK: PageRank

    public static func pageRank(_ r: PageRankResult, core: AnalogueCore, draws: Int, minimumGap: Double) async -> WorkloadReport {
        let (wave, waveNote) = await ReportFigures.waveform(core, kind: .eig)
        let order = r.exactRanking
        var figures = [
            LinePlot(title: "PageRank scores in exact rank order", xLabel: "exact rank", yLabel: "score",
                     series: [PlotSeries("exact (LAPACK eigenvector)", y: order.map { r.exact[$0] }, start: 1, style: .lineAndPoints),
                              PlotSeries("analogue EIG", y: order.map { r.analogue[$0] }, start: 1, style: .points)],
                     markers: [PlotMarker(.vertical, at: Double(r.topK) + 0.5, label: "top \(r.topK)")]),
        ]
        if let wave { figures.append(wave) }
        var rows: [[String]] = []
        for k in 0..<r.topK {
            let exactPage = r.exactRanking[k], analoguePage = r.analogueRanking[k]
            let exactScore = String(format: "%.5f", r.exact[exactPage])
            let analogueScore = String(format: "%.5f", r.analogue[analoguePage])
            rows.append([String(k + 1), String(exactPage), exactScore, String(analoguePage), analogueScore,
                         exactPage == analoguePage ? "yes" : "NO"])
        }
        let resolvable = r.smallestTopGap > 2 * r.predictedError
        var notes = ["G = d M + (1 - d)/n 1 1^T, column-stochastic; its dominant eigenvalue 1 is real, simple and ahead of |lambda_2| <= d, so the regenerative EIG loop (behavioural fidelity, a transient from a kick) selects it. The scores are the circuit's direction normalised to sum 1 (digital).",
                     "The web graph is seeded preferential attachment (\(draws) draw\(draws == 1 ? "" : "s")), redrawn until its exact top \(r.topK + 1) scores are at least \(pf.percent(minimumGap)) of the top score apart, so that the order is a property of the graph the circuit can resolve rather than a tie.",
                     waveNote]
        if !resolvable {
            notes.append("The smallest gap in the exact top \(r.topK + 1) (\(pf.percent(r.smallestTopGap)) of the top score) is below twice the EIG error budget (\(pf.percent(r.predictedError))): the error model cannot promise this order.")
        }
        return WorkloadReport(
            workload: "pagerank",
            title: "PageRank of a \(r.graph.pages)-page web graph by the EIG circuit",
            passed: r.topKAgrees,
            target: "the top \(r.topK) pages in the same order as the exact ranking",
            headline: [
                "graph     \(r.graph.pages) pages, \(r.graph.links.map(\.count).reduce(0, +)) links, \(r.graph.links.filter(\.isEmpty).count) dangling, damping \(pf.g(r.damping))",
                "ranking   top \(r.topK): \(r.agreeingPositions) of \(r.topK) positions agree (analogue \(r.analogueRanking.prefix(r.topK).map(String.init).joined(separator: " ")); exact \(r.exactRanking.prefix(r.topK).map(String.init).joined(separator: " ")))",
                "accuracy  score vector relative error \(scientific(r.relativeError, 3)), EIG error budget \(scientific(r.predictedError, 3)); smallest top-\(r.topK + 1) gap \(pf.percent(r.smallestTopGap)) of the top score",
            ],
            metrics: [
                ReportMetric("agreeingPositions", Double(r.agreeingPositions), "", "top-K positions holding the same page"),
                ReportMetric("relativeError", r.relativeError, "", "|scores - exact| / |exact|"),
                ReportMetric("predictedError", r.predictedError, "", "EIG error budget (unit vectors)"),
                ReportMetric("smallestTopGap", r.smallestTopGap, "", "smallest exact score gap in the top K + 1, relative to the top score"),
            ],
            parameters: [DesignValue("pagerank.pages", Double(r.graph.pages), "", "pages"),
                         DesignValue("pagerank.damping", r.damping, "", "damping factor d"),
                         DesignValue("pagerank.top", Double(r.topK), "", "ranking positions compared"),
                         DesignValue("pagerank.minGap", minimumGap, "", "required exact gap in the top K + 1, relative to the top score")] + core.parameterValues,
            counts: core.phaseCounts(),
            figures: figures,
            tables: [ReportTable("Top \(r.topK)", header: ["rank", "exact page", "exact score", "analogue page", "analogue score", "same"], rows: rows)],
            notes: notes,
            data: [("exact", .numbers(r.exact)), ("analogue", .numbers(r.analogue)),
                   ("exactRanking", .numbers(r.exactRanking.map(Double.init))), ("analogueRanking", .numbers(r.analogueRanking.map(Double.init))),
                   ("links", .array(r.graph.links.map { .numbers($0.map(Double.init)) }))])
    }
}
