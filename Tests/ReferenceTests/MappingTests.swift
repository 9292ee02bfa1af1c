import Foundation
import CircuitTheory
import Reference
import Testing

@Suite("Mapping onto the crossbar and the circuit-aware references")
struct MappingTests {
    /// A 6x6 symmetric positive definite matrix with entries of both signs: B^T B + I/2 for a
    /// seeded B with entries in [-1, 1].
    static func mixedSignSPD() -> Matrix {
        let b = randomMatrix(rows: 6, columns: 6, seed: 42)
        return b.transposed * b + 0.5 * Matrix.identity(6)
    }

    static let ideal = MappingParameters(cell: CellFormat(magnitudeBits: nil),
                                         dac: ConverterParameters(bits: nil), adc: ConverterParameters(bits: nil))

    @Test("INV mapping: levels, conductances, auto-ranged outputs and the inverse scaling")
    func invMapping() throws {
        let a = Self.mixedSignSPD()
        #expect(a.storage.contains { $0 < 0 } && a.storage.contains { $0 > 0 })
        let b: [Double] = [1, -2, 0.5, 3, -1, 0.25]
        let mapping = try Mapping(Problem(operation: .inv, matrix: a, vector: b))
        let p = mapping.parameters
        // Levels are integers within +-15 (4 bits), the largest at least half scale.
        #expect(mapping.levels.storage.allSatisfy { $0 == $0.rounded() && abs($0) <= 15 })
        #expect(mapping.levels.maxAbsEntry >= 8)
        #expect(mapping.positiveConductancesSiemens - mapping.negativeConductancesSiemens == mapping.signedConductancesSiemens)
        #expect(mapping.positiveConductancesSiemens.storage.allSatisfy { $0 >= 0 })
        // E = A_q - A, each entry within half a level.
        #expect(mapping.quantisationError.maxAbsEntry <= mapping.matrixScale / 2 * (1 + 1e-12))
        // The DAC uses its full scale and its codes; outputs sit at the headroom target.
        #expect(mapping.inputVolts.normInfinity == p.dac.fullScaleVolts)
        let lsb = try #require(p.dac.lsbVolts)
        #expect(mapping.inputVolts.allSatisfy { abs($0 / lsb - ($0 / lsb).rounded()) < 1e-9 })
        expectClose(mapping.expectedOutputVolts.normInfinity, p.targetOutputVolts, relative: 1e-12, "max |V|")
        // With ideal op-amps the outputs read back give (A + E)^-1 b_q exactly.
        let readBack = try #require(mapping.solution(fromOutputVolts: mapping.expectedOutputVolts))
        let expected = try mapping.quantisedMatrix.solve(mapping.quantisedVector)
        expectClose(readBack, expected, relative: 1e-12, "read-back x")
        #expect(mapping.inputConductancesSiemens.count == 6)
        expectClose(mapping.inputConductancesSiemens[0], mapping.inputConductanceRatio! * 10e-6, relative: 1e-15)
        #expect(mapping.outputLSB! > 0)
    }

    @Test("A fixed G_in scales the DAC input down instead of letting outputs leave the swing")
    func fixedInputConductance() throws {
        let a = Self.mixedSignSPD()
        var p = MappingParameters()
        p.inputConductanceRatio = 50
        let mapping = try Mapping(Problem(operation: .inv, matrix: a), parameters: p)
        #expect(mapping.inputConductanceRatio == 50)
        // The target is met before DAC rounding; rounding moves it by at most a few LSB.
        #expect(mapping.expectedOutputVolts.normInfinity <= p.targetOutputVolts * 1.05)
        #expect(mapping.inputVolts.normInfinity < p.dac.fullScaleVolts)
    }

    @Test("Finite gain on a 6x6 mixed-sign SPD matrix: ideal vs finite-gain difference ~ 1/(A0 lambda_min(M))")
    func finiteGainOrderOfMagnitude() throws {
        let a = Self.mixedSignSPD()
        let a0 = 1e4
        let analysis = try ProblemAnalysis(problem: Problem(operation: .inv, matrix: a), parameters: Self.ideal,
                                           opAmp: OpAmpParameters(openLoopGain: a0))
        let refs = analysis.references
        // Continuous cells and ideal converters: only the finite gain separates the two.
        expectClose(refs.quantised, refs.ideal, relative: 1e-13, "quantised = ideal without quantisation")
        let measured = refs.finiteGain.minus(refs.ideal).norm2 / refs.ideal.norm2
        let lambdaMin = analysis.stability.minRealEigenvalue
        let predicted = 1 / (a0 * lambdaMin)
        print("6x6 SPD, A0 = \(a0): |x_A0 - x| / |x| = \(measured), 1/(A0 lambda_min(M)) = \(predicted), lambda_min(M) = \(lambdaMin)")
        // Exactly, V_A0 = (I + M^-1 / A0)^-1 V, so to first order the difference is
        // |M^-1 x| / (A0 |x|) <= |M^-1|_2 / A0 <= sqrt(max D / min D) / (A0 lambda_min(M))
        // (M = D^-1 Q is similar to the symmetric D^-1/2 Q D^-1/2). Below: at least a tenth
        // of the prediction, i.e. the same order of magnitude.
        let d = analysis.mapping.levels.absoluteRowSums.map { $0 + analysis.mapping.inputConductanceRatio! }
        let spread = (d.max()! / d.min()!).squareRoot()
        #expect(measured <= predicted * spread * (1 + predicted), "measured \(measured) above \(predicted * spread)")
        #expect(measured >= predicted / 10, "measured \(measured) below a tenth of \(predicted)")
        // And the first-order formula itself, |M^-1 x| / (A0 |x|), to second order.
        let mInverse = try analysis.stability.associatedMatrix.inverse()
        let firstOrder = (mInverse * refs.ideal).norm2 / (a0 * refs.ideal.norm2)
        let secondOrder = pow(try mInverse.norm2() / a0, 2)
        #expect(abs(measured - firstOrder) <= 2 * secondOrder, "measured \(measured), first order \(firstOrder), 2nd \(secondOrder)")
        // The error budget's finite-gain term is the prediction.
        expectClose(analysis.errorBudget.finiteGain, predicted, relative: 1e-14)
        // A0 -> infinity recovers the ideal answer.
        let limit = try analysis.mapping.references(openLoopGain: .infinity)
        expectClose(limit.finiteGain, refs.ideal, relative: 1e-13, "A0 = inf")
    }

    @Test("Finite-gain INV reference matches the KCL of the two-array circuit, with real inverters too")
    func finiteGainKCL() throws {
        let a = Self.mixedSignSPD()
        let mapping = try Mapping(Problem(operation: .inv, matrix: a))
        let a0 = 3e3
        let kappa = Mapping.inverterGain(openLoopGain: a0)
        #expect(kappa == a0 / (a0 + 2))
        let refs = try mapping.references(openLoopGain: a0, inverterGain: kappa)
        let v = refs.finiteGainOutputVolts
        // KCL at every row node u_i = -V_i / A0 (in siemens): P cells to V_j, N cells to
        // -kappa V_j, G_in to the DAC voltage; the currents must sum to zero.
        let gp = mapping.positiveConductancesSiemens, gn = mapping.negativeConductancesSiemens
        let gin = mapping.inputConductancesSiemens
        for i in 0..<6 {
            let u = -v[i] / a0
            var current = gin[i] * (mapping.inputVolts[i] - u)
            for j in 0..<6 { current += gp[i, j] * (v[j] - u) + gn[i, j] * (-kappa * v[j] - u) }
            let scale = gin[i] * mapping.inputVolts.normInfinity
            #expect(abs(current) <= 1e-12 * scale, "row \(i): KCL residual \(current) A")
        }
    }

    @Test("MVM mapping and references")
    func mvm() throws {
        let a = randomMatrix(rows: 5, columns: 7, seed: 7)
        let x = randomMatrix(rows: 7, columns: 1, seed: 8).storage
        let ideal = try Mapping(Problem(operation: .mvm, matrix: a, vector: x), parameters: Self.ideal)
        let refs = try ideal.references(openLoopGain: .infinity)
        expectClose(refs.finiteGain, a * x, relative: 1e-13, "MVM ideal mapping")
        expectClose(ideal.expectedOutputVolts.normInfinity, ideal.parameters.targetOutputVolts, relative: 1e-12)
        let quantised = try Mapping(Problem(operation: .mvm, matrix: a, vector: x))
        let q = try quantised.references(openLoopGain: .infinity)
        expectClose(q.finiteGain, quantised.quantisedMatrix * quantised.quantisedVector, relative: 1e-13, "A_q x_q")
        expectClose(q.quantised, quantised.quantisedMatrix * x, relative: 1e-13)
        // Finite gain: y_i scaled by 1 / (1 + (1 + s_i / g_f) / A0) = 1 / (1 + 1 / (A0 lambda_i(M))).
        let a0 = 1e3
        let fg = try ideal.references(openLoopGain: a0).finiteGain
        let m = ideal.associatedMatrix().diagonalEntries
        for i in 0..<5 { expectClose(fg[i], refs.finiteGain[i] / (1 + 1 / (a0 * m[i])), relative: 1e-13) }
    }

    @Test("GINV mapping matches LAPACK least squares, finite gain within 1/(A0 lambda_min(M))")
    func ginv() throws {
        let x = randomMatrix(rows: 8, columns: 3, seed: 21)
        let y = randomMatrix(rows: 8, columns: 1, seed: 22).storage
        let mapping = try Mapping(Problem(operation: .ginv, matrix: x, vector: y), parameters: Self.ideal)
        let lapack = try x.leastSquares(y).solution
        let refs = try mapping.references(openLoopGain: .infinity)
        expectClose(refs.ideal, lapack, relative: 1e-14)
        expectClose(refs.finiteGain, lapack, relative: 1e-12, "GINV circuit, ideal op-amps")
        // The TIA outputs are the scaled residual: |t| stays inside the target.
        #expect(mapping.expectedIntermediateVolts.normInfinity <= mapping.parameters.targetOutputVolts * (1 + 1e-12))
        let a0 = 1e4
        let fg = try mapping.references(openLoopGain: a0).finiteGain
        let measured = fg.minus(lapack).norm2 / lapack.norm2
        let predicted = 1 / (a0 * (try mapping.stability().minRealEigenvalue))
        print("GINV 8x3, A0 = \(a0): |x_A0 - x| / |x| = \(measured), 1/(A0 lambda_min(M)) = \(predicted)")
        #expect(measured <= 2 * predicted && measured > 0)
    }

    @Test("EIG mapping: the dominant eigenvector, sign- and norm-normalised")
    func eig() throws {
        let a = Matrix(rows: 8, columns: 8) { i, j in 1 / Double(1 + abs(i - j)) + (i == j ? 0.5 : 0) }
        let mapping = try Mapping(Problem(operation: .eig, matrix: a))
        let refs = try mapping.references(openLoopGain: 1e4)
        let e = try a.eigenDecomposition()
        let k = e.values.indices.max { e.values[$0].real < e.values[$1].real }!
        let lapack = e.vectors[k].map(\.real)
        #expect(abs(refs.ideal.dot(lapack)) > 1 - 1e-12)
        expectClose(refs.ideal.norm2, 1, relative: 1e-14)
        #expect(refs.ideal.max()! > 0 && refs.ideal.max()! >= -refs.ideal.min()!)
        #expect(abs(refs.quantised.dot(refs.ideal)) > 0.999)
        #expect(abs(refs.finiteGain.dot(refs.quantised)) > 0.9999)
        // Any amplitude and sign of the outputs reads back as the same normal form.
        expectClose(try #require(mapping.solution(fromOutputVolts: refs.finiteGainOutputVolts.scaled(by: -3))), refs.finiteGain, relative: 1e-14)
        // A complex dominant pair has no direction to select.
        let rotation = try Matrix([[0, -1], [1, 0]])
        #expect(throws: MappingError.self) { try Mapping(Problem(operation: .eig, matrix: rotation)) }
    }

    @Test("Problem and parameter validation say what to change")
    func validation() throws {
        let square = Matrix.identity(3)
        #expect(throws: MappingError.matrixShape(operation: .inv, shape: Shape(rows: 2, columns: 3), requirement: "a square matrix")) {
            try Problem(operation: .inv, matrix: Matrix(rows: 2, columns: 3, repeating: 1))
        }
        #expect(throws: MappingError.vectorLength(operation: .inv, expected: 3, found: 2)) {
            try Problem(operation: .inv, matrix: square, vector: [1, 2])
        }
        #expect(throws: MappingError.zeroMatrix) { try Problem(operation: .mvm, matrix: Matrix(rows: 2, columns: 2)) }
        do {
            _ = try Problem(operation: .ginv, matrix: square)
            Issue.record("a square GINV matrix was accepted")
        } catch {
            #expect("\(error)" == "ginv needs more rows than columns (N x M with N > M), the matrix is 3x3")
        }
        var p = MappingParameters()
        p.cell.magnitudeBits = 0
        #expect(throws: MappingError.invalidParameter(name: "cell.magnitudeBits", value: "0", requirement: "between 1 and 16")) {
            try Mapping(Problem(operation: .inv, matrix: square), parameters: p)
        }
        // [[1, 0.01], [0.01, 0.02]] at 1 bit: levels [[1, 0], [0, 0]], singular.
        var oneBit = MappingParameters()
        oneBit.cell.magnitudeBits = 1
        do {
            _ = try Mapping(Problem(operation: .inv, matrix: Matrix([[1, 0.01], [0.01, 0.02]])), parameters: oneBit)
            Issue.record("a singular quantised matrix was accepted")
        } catch {
            #expect("\(error)".hasPrefix("the matrix quantised to 1 magnitude bits is singular (pivot 2 is zero)"))
        }
    }
}

@Suite("Error budget and metrics")
struct ErrorBudgetTests {
    @Test("Quantisation and DAC bounds hold on random INV problems, finite gain is the prediction")
    func boundsHold() throws {
        for seed in UInt64(1)...5 {
            let a = randomMatrix(rows: 8, columns: 8, seed: seed) + 4 * Matrix.identity(8)
            let b = randomMatrix(rows: 8, columns: 1, seed: seed + 50).storage
            let analysis = try ProblemAnalysis(problem: Problem(operation: .inv, matrix: a, vector: b))
            let refs = analysis.references
            let budget = analysis.errorBudget
            // (A + E)^-1 b against A^-1 b: the quantisation bound is rigorous when kappa eps < 1.
            let quantisationError = refs.quantised.minus(refs.ideal).norm2 / refs.ideal.norm2
            #expect(quantisationError <= budget.quantisation, "seed \(seed): \(quantisationError) > \(budget.quantisation)")
            // A^-1 (b_q - b): rigorous too.
            let dacError = try a.solve(analysis.mapping.quantisedVector).minus(refs.ideal).norm2 / refs.ideal.norm2
            #expect(dacError <= budget.dac, "seed \(seed): \(dacError) > \(budget.dac)")
            // The whole finite-gain circuit against ideal: within the combined first-order budget.
            let total = refs.finiteGain.minus(refs.ideal).norm2 / refs.ideal.norm2
            #expect(total <= budget.combined, "seed \(seed): \(total) > \(budget.combined)")
            #expect(budget.equivalentBits == -log2(budget.combined))
        }
    }

    @Test("Metrics: relative error, bits, LSBs, residual, SNR")
    func metrics() throws {
        let a = try Matrix([[2, 0], [0, 4]])
        let problem = try Problem(operation: .inv, matrix: a, vector: [2, 4])
        let x: [Double] = [1, 1]
        let estimate = x.scaled(by: 1 + 1.0 / 1024)
        let m = Metrics(estimate: estimate, reference: x, problem: problem, lsb: 1.0 / 2048)
        expectClose(m.relativeError, 1.0 / 1024, relative: 1e-12)
        expectClose(m.equivalentBits, 10, relative: 1e-12)
        expectClose(try #require(m.maxErrorLSB), 2, relative: 1e-12)
        // A x_hat - b = (2, 4) / 1024, relative to |b|: 1/1024.
        expectClose(try #require(m.residual), 1.0 / 1024, relative: 1e-12)
        expectClose(m.snrDecibels, 20 * log10(1024.0), relative: 1e-12)
    }
}
