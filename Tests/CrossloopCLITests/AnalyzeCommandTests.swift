import TestSupport
import Foundation
import Testing

/// End-to-end tests of `crossloop analyze`: the built binary, its output, JSON and exit codes.
@Suite("crossloop analyze")
struct AnalyzeCommandTests: CLISuite {
    /// A = [[-1, 2], [-10, 3]] (Matrix Market array files are column-major).
    static let counterExample = "%%MatrixMarket matrix array real general\n2 2\n-1\n-10\n2\n3\n"
    /// Its levels at 4 bits: s_A = 1 programs the small integers exactly.
    static let levels = [[-1.0, 2], [-10, 3]]

    /// The first-order boundary, in closed form: det(M) = det(A) / (D1 D2) > 0, so M is
    /// stable iff trace(M) = -1 / (3 + r) + 3 / (13 + r) > 0, i.e. r > 2.
    static let firstOrderBoundary: Double = {
        let q = levels
        let s1 = abs(q[0][0]) + abs(q[0][1]), s2 = abs(q[1][0]) + abs(q[1][1])
        return -(q[0][0] * s2 + q[1][1] * s1) / (q[0][0] + q[1][1])
    }()

    /// The number after `--gin-ratio ` in `text`.
    func suggestedRatio(in text: String) throws -> Double {
        let after = try #require(text.components(separatedBy: "--gin-ratio ").dropFirst().first, "no --gin-ratio in:\n\(text)")
        return try #require(Double(after.prefix { !$0.isWhitespace }), "unreadable --gin-ratio in:\n\(text)")
    }

    @Test("The counter-example at G_in = G0: unstable, exit 4, the fix suggested, tau null in JSON")
    func unstable() throws {
        let dir = try directory(["A.mtx": Self.counterExample])
        let result = try CLIRunner.run(["analyze", "--matrix", "A.mtx", "--gin-ratio", "1", "--json", "out.json"], in: dir)
        #expect(result.status == 4, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("unstable: an eigenvalue of M has real part -0.01786 <= 0"))
        // The suggested fix: the closed-form boundary r = 2, a 25 % margin, two digits.
        #expect(abs(Self.firstOrderBoundary - 2) < 1e-15)
        let printed = try suggestedRatio(in: result.stdout)
        #expect(Hurwitz.isSuggestion(printed, forBoundary: Self.firstOrderBoundary), "suggested \(printed) for a boundary at 2")
        let j = try json(dir.appendingPathComponent("out.json"))
        #expect(value(j, "stability.stable") as? Bool == false)
        // D = diag(4, 14): Re lambda(M) = trace / 2 = (-1/4 + 3/14) / 2 = -1/56.
        let minReal = try #require(value(j, "stability.minRealEigenvalue") as? Double)
        #expect(abs(minReal + 1.0 / 56) < 1e-12)
        #expect(value(j, "stability.tauSeconds") is NSNull)
        #expect(value(j, "stability.settlingSeconds") is NSNull)
        #expect(value(j, "stability.suggestedInputConductanceRatio") as? Double == printed)
        let boundary = try #require(value(j, "stability.boundaryInputConductanceRatio") as? Double)
        #expect(boundary >= Self.firstOrderBoundary && boundary <= 1.001 * Self.firstOrderBoundary, "boundary \(boundary)")
    }

    @Test("The counter-example at G_in = 5 G0: stable, exit 0, tau and settling as the theory says")
    func stable() throws {
        let dir = try directory(["A.mtx": Self.counterExample])
        let result = try CLIRunner.run(["analyze", "--matrix", "A.mtx", "--gin-ratio", "5", "--gbw", "10e6", "--gain", "1e4",
                                        "--json", "out.json"], in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        let j = try json(dir.appendingPathComponent("out.json"))
        #expect(value(j, "stability.stable") as? Bool == true)
        // D = diag(8, 18): Re lambda = (-1/8 + 3/18) / 2 = 1/48; tau = 48 / (2 pi 1e7).
        let tau = try #require(value(j, "stability.tauSeconds") as? Double)
        let expectedTau = 48 / (2 * Double.pi * 1e7)
        #expect(abs(tau - expectedTau) <= 1e-12 * expectedTau)
        let settling = try #require(value(j, "stability.settlingSeconds") as? Double)
        #expect(abs(settling - expectedTau * 8 * log(2.0)) <= 1e-12 * settling)
        // kappa_2: A^T A = [[101, -32], [-32, 13]], s^2 = 57 +- sqrt(2960).
        let kappa = ((57 + 2960.0.squareRoot()) / (57 - 2960.0.squareRoot())).squareRoot()
        let reported = try #require(value(j, "conditionNumber") as? Double)
        #expect(abs(reported - kappa) <= 1e-12 * kappa)
        let relative = try #require(value(j, "errorBound.relative") as? Double)
        #expect(relative > 0 && relative < 1)
        // Stable to first order, but not once the inverters' pole at GBW/2 is modelled: the
        // verdict (and exit status) follow M, and the output warns.
        #expect(value(j, "stability.withOpAmpInverters.stable") as? Bool == false)
        let warning = try #require(result.stdout.split(separator: "\n").first { $0.contains("warning: unstable, the inverters' pole at GBW/2 is not in M; --gin-ratio ") },
                                   "no inverter warning in:\n\(result.stdout)")
        // Where that boundary is, computed here: Routh-Hurwitz on the 4x4 loop (V, W) with
        // A0 = 1e4 and inverters at GBW/2, bisected in G_in.
        func stable(_ r: Double) -> Bool { Hurwitz.invLoopIsStable(levels: Self.levels, inputConductanceRatio: r, openLoopGain: 1e4) }
        #expect(!stable(5), "Routh-Hurwitz agrees the loop with inverters is unstable at G_in = 5 G0")
        let boundary = Hurwitz.boundary(low: 5, high: 1e4, stable: stable)
        let suggested = try suggestedRatio(in: String(warning))
        #expect(Hurwitz.isSuggestion(suggested, forBoundary: boundary), "suggested \(suggested) for a boundary at \(boundary)")
        #expect(stable(suggested))
        #expect(value(j, "stability.withOpAmpInverters.suggestedInputConductanceRatio") as? Double == suggested)
        let reportedBoundary = try #require(value(j, "stability.withOpAmpInverters.boundaryInputConductanceRatio") as? Double)
        #expect(reportedBoundary >= boundary * (1 - 1e-9) && reportedBoundary <= 1.001 * boundary,
                "boundary \(reportedBoundary), Routh-Hurwitz \(boundary)")
        #expect(warning.contains("(boundary \(String(format: "%.4g", reportedBoundary)) G0)"), "\(warning)")
    }

    @Test("The human output states every parameter with its unit")
    func statesParameters() throws {
        let dir = try directory(["A.mtx": Self.counterExample])
        let out = try CLIRunner.run(["analyze", "--matrix", "A.mtx", "--gin-ratio", "5"], in: dir).stdout
        for fragment in ["4 magnitude bits", "sign by two arrays", "G0 = 10 uS", "100 kOhm",
                         "G_in = 5 G0 = 50 uS per row (from --gin-ratio)", "8 bits, LSB 3.937 mV, range +-500 mV",
                         "+-500 mV about the reference", "80 %", "= 400 mV", "A0 = 1e+04 V/V (80 dB)", "GBW = 10 MHz",
                         "kappa_2 = 6.553", "tau", "763.9 ns", "to 8 bits", "equivalent bits"] {
            #expect(out.contains(fragment), "missing '\(fragment)' in:\n\(out)")
        }
    }

    @Test("Other operations: mvm, ginv with a CSV right-hand side, eig", arguments: [
        (["--op", "mvm"], "A.csv"),
        (["--op", "ginv", "--rhs", "y.csv"], "X.csv"),
        (["--op", "eig"], "S.mtx"),
    ])
    func operations(flags: [String], matrix: String) throws {
        let dir = try directory([
            "A.csv": "1,2,3\n-4,5,6\n",
            "X.csv": "1 0\n1 1\n1 2\n1 3\n",
            "y.csv": "1\n3\n4\n4\n",
            "S.mtx": "%%MatrixMarket matrix coordinate real symmetric\n3 3 5\n1 1 4\n2 1 1\n2 2 3\n3 2 1\n3 3 2\n",
        ])
        let result = try CLIRunner.run(["analyze", "--matrix", matrix, "--json", "out.json"] + flags, in: dir)
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let j = try json(dir.appendingPathComponent("out.json"))
        #expect(value(j, "stability.stable") as? Bool == true)
        if flags.contains("ginv") {
            // Hand-solved line fit (see ReferenceTests): x = (1.5, 1.0).
            let ideal = try #require(value(j, "reference.ideal") as? [Double])
            #expect(abs(ideal[0] - 1.5) < 1e-13 && abs(ideal[1] - 1.0) < 1e-13)
        }
    }

    @Test("Invalid input exits 2 with one clear line on stderr", arguments: [
        (["--matrix", "missing.mtx"], "error: missing.mtx: cannot read the file: no such file"),
        (["--matrix", "bad.mtx"], "error: bad.mtx:3: index out of range: (3, 1) in a 2x2 matrix (indices are 1-based)"),
        (["--matrix", "A.mtx", "--op", "solve"], "error: unknown operation 'solve': pass --op inv, mvm, ginv, eig or block"),
        (["--matrix", "A.mtx", "--bits", "17"], "error: --bits 17: it must be a whole number from 1 to 16, or 0 for continuous conductances"),
        (["--matrix", "A.mtx", "--bits", "2.5"], "error: --bits 2.5: it must be a whole number from 1 to 16, or 0 for continuous conductances"),
        (["--matrix", "A.mtx", "--gin-ratio", "-1"], "error: --gin-ratio -1: it must be above 0 and at most 1meg"),
        (["--matrix", "A.mtx", "--gbw", "10MHz"], "error: --gbw 10MHz: \"10MHz\": SPICE reads M as milli; write 10megHz for mega or 10mHz for milli"),
        (["--matrix", "A.mtx", "--gbw", "1e-30"], "error: --gbw 1e-30: it must be from 1k to 1T Hz"),
        (["--matrix", "A.mtx", "--gain", "1"], "error: --gain 1: it must be above 1 and at most 1T V/V"),
        (["--matrix", "A.mtx", "--op", "mvm", "--gin-ratio", "2"], "error: --gin-ratio applies to inv and ginv only; drop it for mvm"),
        (["--matrix", "A.mtx", "--op", "eig", "--rhs", "b3.csv"], "error: eig takes no right-hand side: drop --rhs"),
        (["--matrix", "A.mtx", "--rhs", "b3.csv"], "error: A.mtx: inv needs a vector b of 2 entries to fit the matrix, got 3"),
        (["--matrix", "rect.csv"], "error: rect.csv: inv needs a square matrix, the matrix is 2x3"),
        // kappa_2 of an exactly singular matrix is rounding noise (it differs between BLAS
        // kernels): "*" stands for it.
        (["--matrix", "singular.csv"], "error: singular.csv: the matrix is singular: kappa_2 = * >= 1/(n eps) = 2.25e+15, so inv has no answer a circuit (or LAPACK) can compute; check the matrix"),
        // Invertible (det = -0.0094), but its 4-bit levels [[15, 5], [6, 2]] are not.
        (["--matrix", "quantised.csv"], "error: quantised.csv: the matrix quantised to 4 magnitude bits is singular (pivot 2 is zero); raise the cell bits or rescale the problem"),
    ])
    func invalidInput(arguments: [String], message: String) throws {
        let dir = try directory([
            "A.mtx": Self.counterExample,
            "bad.mtx": "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n",
            "b3.csv": "1\n2\n3\n",
            "rect.csv": "1,2,3\n4,5,6\n",
            "singular.csv": "1,2\n2,4\n",
            "quantised.csv": "1,0.34\n0.41,0.13\n",
        ])
        let result = try CLIRunner.run(["analyze"] + arguments, in: dir)
        #expect(result.status == 2, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        let parts = message.components(separatedBy: "*")
        #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix(parts[0])
                && result.stderr.trimmingCharacters(in: .newlines).hasSuffix(parts.last!), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
