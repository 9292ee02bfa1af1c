import TestSupport
import Foundation
import CircuitTheory
import Reference
import Testing

@Suite("Stability and timing of the associated matrix M = D^-1 G0 A")
struct StabilityTests {
    static let counterExample = try! Matrix([[-1, 2], [-10, 3]])

    @Test("The counter-example reproduces the Theory article's eig(D^-1 A) = -0.051 +- 0.658j with D = row sums of |A|")
    func domainNumber() throws {
        // The Theory article's figure ("The associated matrix and stability") is M at G_in -> 0:
        // D = diag(sum_j |A_ij|) = diag(3, 13) (the arrays' conductance alone). Closed form:
        // trace/2 = (-1/3 + 3/13)/2 = -2/39, det = 17/39, so
        // lambda = -2/39 +- j sqrt(659)/39 = -0.05128 +- 0.65823j.
        // (With G_in = G0 in D the same matrix gives -1/56 +- 0.5507j: also unstable.)
        let m = Mapping.invAssociatedMatrix(levels: Self.counterExample, inputConductanceRatio: 0)
        let values = try m.eigenvalues()
        for value in values {
            expectClose(value.real, -2.0 / 39, relative: 1e-12, "Re lambda")
            expectClose(abs(value.imaginary), 659.0.squareRoot() / 39, relative: 1e-12, "|Im lambda|")
        }
        #expect(String(format: "%.3f", values[0].real) == "-0.051")
        #expect(String(format: "%.3f", abs(values[0].imaginary)) == "0.658")
        // eig(A) itself is 1 +- 4j, in the right half-plane: the wrong test for stability.
        #expect(try Self.counterExample.eigenvalues().allSatisfy { $0.real > 0 })
    }

    func mapping(ginRatio: Double) throws -> Mapping {
        let problem = try Problem(operation: .inv, matrix: Self.counterExample, vector: [1, 1])
        // An ideal DAC: at G_in = 1000 G0 the input must shrink below an 8-bit LSB to keep the
        // outputs in swing, and stability does not depend on the DAC.
        return try Mapping(problem, parameters: MappingParameters(dac: ConverterParameters(bits: nil),
                                                                  inputConductanceRatio: ginRatio))
    }

    @Test("The counter-example is unstable at G_in = G0 and stable at G_in >= 5 G0")
    func counterExampleVerdict() throws {
        // At 4 bits the small integers of A are programmed exactly (s_A = 1), so G0 is the
        // conductance of a unit entry, as in the Theory article ("The associated matrix and stability").
        let atUnit = try mapping(ginRatio: 1)
        #expect(atUnit.matrixScale == 1 && atUnit.levels == Self.counterExample)
        let unstable = try atUnit.stability()
        #expect(!unstable.isStable)
        // D = diag(4, 14): trace(M) = -1/4 + 3/14 = -1/28 < 0, so Re lambda = -1/56.
        expectClose(unstable.minRealEigenvalue, -1.0 / 56, relative: 1e-12)
        #expect(unstable.timeConstantSeconds(gainBandwidthHertz: 10e6) == nil)
        for r in [5.0, 10, 100, 1000] {
            let analysis = try mapping(ginRatio: r).stability()
            // 2x2 with det(M) > 0: stable iff trace(M) = -1/(3+r) + 3/(13+r) > 0, i.e. r > 2.
            #expect(analysis.isStable, "G_in = \(r) G0: min Re lambda \(analysis.minRealEigenvalue)")
            expectClose(analysis.eigenvalues[0].real, (-1 / (3 + r) + 3 / (13 + r)) / 2, relative: 1e-12)
        }
    }

    /// For a 2x2 Q with det(Q) > 0, M = D^-1 Q has det(M) = det(Q) / (D1 D2) > 0, so it is
    /// stable iff trace(M) = q11 / (s1 + r) + q22 / (s2 + r) > 0: the boundary is the root
    /// r* = -(q11 s2 + q22 s1) / (q11 + q22) of the trace (s_i the row sums of |Q|).
    static func firstOrderBoundary(_ q: Matrix) -> Double {
        let s1 = abs(q[0, 0]) + abs(q[0, 1]), s2 = abs(q[1, 0]) + abs(q[1, 1])
        return -(q[0, 0] * s2 + q[1, 1] * s1) / (q[0, 0] + q[1, 1])
    }

    @Test("The suggested fix finds the first-order boundary of the trace and adds a 25 % margin")
    func suggestedFix() throws {
        let unit = try mapping(ginRatio: 1)
        let boundary = Self.firstOrderBoundary(unit.levels)
        expectClose(boundary, 2, relative: 1e-15, "the trace's root for [[-1, 2], [-10, 3]]: 3 (3 + r) = 13 + r")
        let fix = try #require(unit.stabilisingInputConductance())
        // The search bisects to 0.1 % relative and returns the stable end.
        #expect(fix.thresholdRatio >= boundary && fix.thresholdRatio <= boundary * 1.001, "threshold \(fix.thresholdRatio), boundary \(boundary)")
        #expect(Hurwitz.isSuggestion(fix.suggestedRatio, forBoundary: boundary), "suggested \(fix.suggestedRatio) for a boundary at \(boundary)")
        #expect(fix.minRealEigenvalueAtSuggestion > 0)
        // Either side of the boundary, M's eigenvalues (LAPACK) agree with the closed form.
        for r in [boundary / 1.01, boundary * 1.01, fix.suggestedRatio] {
            let stable = try mapping(ginRatio: r).stability().isStable
            #expect(stable == (r > boundary), "G_in = \(r) G0: LAPACK says \(stable ? "stable" : "unstable")")
        }
        let analysis = try ProblemAnalysis(problem: Problem(operation: .inv, matrix: Self.counterExample, vector: [1, 1]),
                                           parameters: MappingParameters(inputConductanceRatio: 1))
        #expect(analysis.fix == fix && !analysis.stability.isStable && analysis.settlingSeconds == nil)
        // eig(A) with a negative real part: no G_in can help (M -> (G0/G_in) Q for large G_in).
        let hopeless = try Problem(operation: .inv, matrix: Matrix([[-1, 0], [0, 2]]), vector: [1, 1])
        #expect(try Mapping(hopeless).stabilisingInputConductance() == nil)
    }

    @Test("Poisson and heat matrices: tau matches the Theory article's 27 us and 0.08 us at GBW = 10 MHz")
    func poissonAndHeatTiming() throws {
        let n = 64
        let poisson = try ProblemAnalysis(problem: Problem(operation: .inv, matrix: tridiagonal(n, sub: -1, diagonal: 2, sup: -1)))
        // 4 bits: s_A = 1/7 programs tridiag(-1, 2, -1) exactly as 7 A (levels -7, 14).
        #expect(poisson.mapping.quantisationError.maxAbsEntry == 0)
        let lambdaA = 2 - 2 * cos(Double.pi / Double(n + 1))
        let r = try #require(poisson.mapping.inputConductanceRatio)
        // Rayleigh: lambda_min(D^-1 7A) lies between 7 lambda_min(A) / max D and / min D,
        // with D_i = 28 + r inside, 21 + r on the two boundary rows.
        let lambdaM = poisson.stability.minRealEigenvalue
        #expect(lambdaM >= 7 * lambdaA / (28 + r) && lambdaM <= 7 * lambdaA / (21 + r),
                "lambda_min(M) \(lambdaM) outside [\(7 * lambdaA / (28 + r)), \(7 * lambdaA / (21 + r))]")
        let tau = try #require(poisson.timeConstantSeconds)
        // The Theory article, "Settling time": tau ~ 27 us (lambda_min(M) ~ pi^2 / (4 N^2)).
        #expect(tau > 26e-6 && tau < 28e-6, "Poisson tau \(tau) s")
        expectClose(try #require(poisson.settlingSeconds), tau * 8 * log(2.0), relative: 1e-14, "settling to 8 bits")

        let heat = try ProblemAnalysis(problem: Problem(operation: .inv, matrix: tridiagonal(n, sub: -1, diagonal: 3, sup: -1)))
        let heatTau = try #require(heat.timeConstantSeconds)
        // I + T = tridiag(-1, 3, -1) is programmed exactly as 5 (I + T) (levels -5, 15); row
        // conductance 25 + r inside, 20 + r on the boundary rows, so
        // lambda_min(M) is in [5 lambda_min / (25 + r), 5 lambda_min / (20 + r)], lambda_min = 3 - 2 cos(pi/65).
        // The Theory article's ~0.08 us ("Settling time") is the G_in -> 0 limit (lambda_min(M) ~ 1/5).
        let heatLambdaA = 3 - 2 * cos(Double.pi / Double(n + 1))
        let heatR = try #require(heat.mapping.inputConductanceRatio)
        let heatLambdaM = heat.stability.minRealEigenvalue
        #expect(heatLambdaM >= 5 * heatLambdaA / (25 + heatR) && heatLambdaM <= 5 * heatLambdaA / (20 + heatR),
                "heat lambda_min(M) \(heatLambdaM), r \(heatR)")
        expectClose(heatTau, 1 / (2 * Double.pi * 10e6 * heatLambdaM), relative: 1e-14, "heat tau")
        #expect(heatTau > 0.07e-6 && heatTau < 0.1e-6, "heat tau \(heatTau) s, independent of N like the Theory article's 0.08 us")
    }

    @Test("GINV is stable on the right polarity and unstable on the wrong one; MVM always stable")
    func ginvPolarityAndMvm() throws {
        let x = randomMatrix(rows: 6, columns: 3, seed: 11)
        let mapping = try Mapping(Problem(operation: .ginv, matrix: x, vector: Array(repeating: 1, count: 6)))
        let right = try mapping.stability()
        let wrong = try mapping.stability(wrongPolarity: true)
        #expect(right.isStable && right.eigenvalues.allSatisfy { $0.imaginary == 0 || abs($0.imaginary) < 1e-12 })
        #expect(!wrong.isStable)
        expectClose(wrong.minRealEigenvalue, -right.eigenvalues.last!.real, relative: 1e-12)
        let mvm = try Mapping(Problem(operation: .mvm, matrix: randomMatrix(rows: 5, columns: 7, seed: 12)))
        let s = try mvm.stability()
        #expect(s.isStable && s.eigenvalues.allSatisfy { $0.real > 0 && $0.real < 1 })
    }

    @Test("EIG is selective with G_lambda between lambda_2 and lambda_1, not below lambda_2")
    func eigSelectivity() throws {
        let a = Matrix(rows: 8, columns: 8) { i, j in 1 / Double(1 + abs(i - j)) } // symmetric, positive
        let selective = try Mapping(Problem(operation: .eig, matrix: a))
        let s = try selective.stability()
        #expect(s.isStable, "\(s.eigenvalues)")
        #expect(s.timingRate! > 0)
        let levels = try selective.levels.eigenvalues().map(\.real).sorted(by: >)
        var tooLow = MappingParameters()
        tooLow.feedbackConductanceRatio = (levels[1] + levels[2]) / 2
        #expect(try !Mapping(Problem(operation: .eig, matrix: a), parameters: tooLow).stability().isStable)
    }
}

@Suite("Loop poles with op-amp inverters")
struct LoopPoleTests {
    @Test("Fast ideal-gain inverters recover the first-order M")
    func firstOrderLimit() throws {
        let a = MappingTests.mixedSignSPD()
        let mapping = try Mapping(Problem(operation: .inv, matrix: a))
        let m = try mapping.stability()
        let poles = try #require(mapping.loopPoles(openLoopGain: .infinity, inverterBandwidthRatio: 1e7))
        // With W = -V instantly, the V block is dV/dt = -M V; the error is O(1/b) = 1e-7 relative.
        expectClose(poles.slowestRate, m.minRealEigenvalue, relative: 1e-5, "slowest pole vs lambda_min(M)")
        let slow = try #require(mapping.loopPoles(openLoopGain: 1e4))
        #expect(slow.isStable, "SPD with GBW/2 inverters: \(slow.poles.prefix(3))")
    }

    @Test("A block-diagonal array has the loop poles of its blocks, in any order of rows")
    func blocks() throws {
        // Two copies of the counter-example and a lone row, interleaved: the poles are those
        // of each block on its own, twice for the repeated block.
        let c = StabilityTests.counterExample
        let n = 5
        let order = [0, 2, 4, 1, 3]  // position -> (block, index): 0,1 first copy, 2,3 second, 4 the lone row
        func entry(_ i: Int, _ k: Int) -> Double {
            let (bi, bk) = (order[i], order[k])
            if bi == 4 || bk == 4 { return bi == bk ? 3 : 0 }
            guard bi / 2 == bk / 2 else { return 0 }
            return c[bi % 2, bk % 2]
        }
        let a = Matrix(rows: n, columns: n, entry: entry)
        let parameters = MappingParameters(dac: ConverterParameters(bits: nil), inputConductanceRatio: 5)
        let whole = try #require(try Mapping(Problem(operation: .inv, matrix: a, vector: Array(repeating: 1, count: n)),
                                             parameters: parameters).loopPoles(openLoopGain: 1e4))
        let pair = try #require(try Mapping(Problem(operation: .inv, matrix: c, vector: [1, 1]), parameters: parameters)
            .loopPoles(openLoopGain: 1e4))
        #expect(whole.poles.count == 2 * n)
        // The repeated block's poles appear twice among the whole array's.
        for pole in pair.poles {
            let matches = whole.poles.filter { abs($0.real - pole.real) + abs($0.imaginary - pole.imaginary) < 1e-6 * abs(pole.real) }
            #expect(matches.count >= 2, "\(pole) in \(whole.poles)")
        }
        #expect(whole.isStable == pair.isStable)
    }

    @Test("The counter-example with GBW/2 inverters needs G_in well above the first-order 2 G0")
    func counterExampleWithInverters() throws {
        let problem = try Problem(operation: .inv, matrix: StabilityTests.counterExample, vector: [1, 1])
        let mapping = try Mapping(problem, parameters: MappingParameters(dac: ConverterParameters(bits: nil), inputConductanceRatio: 5))
        #expect(try mapping.stability().isStable)
        let at5 = try #require(mapping.loopPoles(openLoopGain: 1e4))
        #expect(!at5.isStable, "poles at G_in = 5 G0: \(at5.poles)")
        let fix = try #require(mapping.stabilisingInputConductanceWithInverters(openLoopGain: 1e4))
        // The boundary computed here without an eigen-solver: the 4x4 loop's characteristic
        // polynomial (Faddeev-LeVerrier) and Routh-Hurwitz, bisected in r.
        let q = [[-1.0, 2], [-10, 3]]
        func stable(_ r: Double) -> Bool { Hurwitz.invLoopIsStable(levels: q, inputConductanceRatio: r, openLoopGain: 1e4) }
        #expect(!stable(5) && stable(1000))
        let boundary = Hurwitz.boundary(low: 5, high: 1000, stable: stable)
        print("counter-example, inverters at GBW/2, A0 = 1e4: boundary G_in = \(fix.thresholdRatio) G0 (Routh-Hurwitz \(boundary)), suggested \(fix.suggestedRatio)")
        // The inverters' pole moves the boundary well above the first-order 2 G0.
        #expect(boundary > 5 * StabilityTests.firstOrderBoundary(mapping.levels), "boundary \(boundary)")
        #expect(fix.thresholdRatio >= boundary * (1 - 1e-9) && fix.thresholdRatio <= boundary * 1.001,
                "threshold \(fix.thresholdRatio), Routh-Hurwitz boundary \(boundary)")
        #expect(Hurwitz.isSuggestion(fix.suggestedRatio, forBoundary: boundary), "suggested \(fix.suggestedRatio) for a boundary at \(boundary)")
        // The poles (LAPACK) and Routh-Hurwitz agree either side of the boundary and over a log grid.
        for r in [boundary / 1.001, boundary * 1.001, fix.suggestedRatio] + (0...30).map({ pow(10, Double($0) / 10) }) {
            let poles = try #require(mapping.loopPoles(openLoopGain: 1e4, inputConductanceRatio: r))
            #expect(poles.isStable == stable(r), "G_in = \(r) G0: poles \(poles.isStable), Routh-Hurwitz \(stable(r))")
        }
        #expect(try #require(mapping.loopPoles(openLoopGain: 1e4, inputConductanceRatio: fix.suggestedRatio)).isStable)
    }
}

@Suite("Routh-Hurwitz, the tests' own stability criterion")
struct HurwitzTests {
    @Test("known polynomials and matrices")
    func known() {
        // (s + 1)^4 is stable; s^4 + s^3 + s^2 + s + 1 has the 5th roots of unity but 1 (Re cos 72 deg > 0).
        #expect(Hurwitz.isHurwitz([1, 4, 6, 4, 1]))
        #expect(!Hurwitz.isHurwitz([1, 1, 1, 1, 1]))
        // s^2 + 0 s + 1 (marginal) and s^2 - s + 1 are not; s + 2 is.
        #expect(!Hurwitz.isHurwitz([1, 0, 1]) && !Hurwitz.isHurwitz([1, -1, 1]) && Hurwitz.isHurwitz([1, 2]))
        // (s + 1)(s + 2)(s^2 - 0.1 s + 4): positive coefficients, but roots at 0.05 +- 2j.
        #expect(!Hurwitz.isHurwitz([1, 2.9, 5.7, 11.8, 8]))
        // ... and (s + 1)(s + 2)(s^2 + 0.1 s + 4) is stable.
        #expect(Hurwitz.isHurwitz([1, 3.1, 6.3, 12.2, 8]))
        // det(sI - J) of a triangular J is the product of (s - J_ii).
        let p = Hurwitz.characteristicPolynomial([[-1, 5, 7], [0, -2, 3], [0, 0, -3]])
        #expect(p == [1, 6, 11, 6])
        #expect(Hurwitz.isHurwitz(p))
        #expect(!Hurwitz.isHurwitz(Hurwitz.characteristicPolynomial([[-1, 0], [0, 0.5]])))
    }
}
