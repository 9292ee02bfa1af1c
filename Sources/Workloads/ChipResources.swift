import Reports
import Specification
import Circuits
import CircuitTheory
import Reference

/// The analogue resources of the chip a workload runs on (the Theory article, "The reference
/// design and its defaults": the reference design has two 64x64 arrays; neither figure is
/// hard-coded beyond these defaults).
public struct ChipResources: Sendable, Hashable, Codable {
    /// Rows = columns of one memory array, cells. Default 64.
    public var arraySize: Int
    /// Number of arrays. Default 2.
    public var arrayCount: Int

    public init(arraySize: Int = 64, arrayCount: Int = 2) {
        self.arraySize = arraySize
        self.arrayCount = arrayCount
    }

    public func validate() throws(WorkloadError) {
        guard (2...256).contains(arraySize) else {
            throw .invalidParameter(name: "arraySize", value: "\(arraySize)", requirement: "between 2 and 256 cells")
        }
        guard (1...64).contains(arrayCount) else {
            throw .invalidParameter(name: "arrayCount", value: "\(arrayCount)", requirement: "between 1 and 64")
        }
    }

    /// Arrays one primitive on `matrix` occupies: two when the two-array sign scheme must hold
    /// negative and positive entries, else one.
    public func arraysNeeded(for matrix: Matrix, sign: SignScheme) -> Int {
        guard sign == .twoArrays else { return 1 }
        let hasNegative = matrix.storage.contains { $0 < 0 }
        let hasPositive = matrix.storage.contains { $0 > 0 }
        return hasNegative && hasPositive ? 2 : 1
    }

    public var designValues: [DesignValue] {
        [DesignValue("chip.arraySize", Double(arraySize), "", "rows = columns of one memory array (cells)"),
         DesignValue("chip.arrayCount", Double(arrayCount), "", "memory arrays on the chip")]
    }
}

/// The analogue primitives the core executes.
public enum PrimitiveKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Closed-loop x = A^-1 b on one tile.
    case inv
    /// Open-loop y = A x on one tile.
    case mvm
    /// Dominant eigenvector of one tile.
    case eig

    /// The crossbar operation whose circuit executes this primitive.
    public var operation: CrossbarOperation {
        switch self {
        case .inv: .inv
        case .mvm: .mvm
        case .eig: .eig
        }
    }
}

/// What the core did, by kind: analogue primitives, conversions, digital glue, array
/// programming and time. Energy per operation is not published for the reference chip, so
/// these counts are what a designer multiplies by the energies of their own technology.
public struct OperationCounts: Sendable, Hashable, Codable {
    /// Simulated analogue primitives by kind.
    public var inv = 0, mvm = 0, eig = 0
    /// Primitives not run because the tile or its input was exactly zero (the result is zero).
    public var skippedZero = 0
    /// DAC conversions (one per input line driven) and ADC conversions (one per output read).
    public var dacConversions = 0, adcConversions = 0
    /// Digital glue between primitives: additions/subtractions, multiplications,
    /// divisions and square roots, in double precision.
    public var digitalAdds = 0, digitalMultiplies = 0, digitalDivides = 0
    /// Arrays (re)programmed and cells written, when a primitive needs a matrix that is not
    /// resident on the chip's arrays (least recently used arrays are overwritten).
    public var arrayProgrammings = 0, cellsWritten = 0
    /// Primitives whose matrix was already resident.
    public var residentHits = 0
    /// Analogue time: settling of each primitive to the ADC's bits (predicted from M at .op,
    /// measured at .tran; growth to half the swing for EIG), seconds, summed as if sequential.
    public var analogueSeconds = 0.0
    /// ngspice's own load + run time, seconds (wall clock of the simulator, summed).
    public var simulatorSeconds = 0.0
    /// Primitives whose own verdict failed a check (accuracy, clipping, stability, settling).
    public var failedChecks = 0

    public init() {}

    public var primitives: Int { inv + mvm + eig }

    /// The simulated primitives of one kind.
    public subscript(kind: PrimitiveKind) -> Int {
        get {
            switch kind {
            case .inv: inv
            case .mvm: mvm
            case .eig: eig
            }
        }
        set {
            switch kind {
            case .inv: inv = newValue
            case .mvm: mvm = newValue
            case .eig: eig = newValue
            }
        }
    }

    public static func + (a: OperationCounts, b: OperationCounts) -> OperationCounts {
        var c = OperationCounts()
        c.inv = a.inv + b.inv; c.mvm = a.mvm + b.mvm; c.eig = a.eig + b.eig
        c.skippedZero = a.skippedZero + b.skippedZero
        c.dacConversions = a.dacConversions + b.dacConversions
        c.adcConversions = a.adcConversions + b.adcConversions
        c.digitalAdds = a.digitalAdds + b.digitalAdds
        c.digitalMultiplies = a.digitalMultiplies + b.digitalMultiplies
        c.digitalDivides = a.digitalDivides + b.digitalDivides
        c.arrayProgrammings = a.arrayProgrammings + b.arrayProgrammings
        c.cellsWritten = a.cellsWritten + b.cellsWritten
        c.residentHits = a.residentHits + b.residentHits
        c.analogueSeconds = a.analogueSeconds + b.analogueSeconds
        c.simulatorSeconds = a.simulatorSeconds + b.simulatorSeconds
        c.failedChecks = a.failedChecks + b.failedChecks
        return c
    }

    /// (name, value, description) rows for reports.
    public var rows: [(String, String, String)] {
        [("INV", "\(inv)", "closed-loop solves simulated"),
         ("MVM", "\(mvm)", "open-loop products simulated"),
         ("EIG", "\(eig)", "eigenvector loops simulated"),
         ("skipped (zero)", "\(skippedZero)", "primitives on an all-zero tile or input, not run"),
         ("DAC conversions", "\(dacConversions)", "input lines driven"),
         ("ADC conversions", "\(adcConversions)", "outputs read"),
         ("digital adds", "\(digitalAdds)", "additions and subtractions (double)"),
         ("digital multiplies", "\(digitalMultiplies)", "multiplications (double)"),
         ("digital divides", "\(digitalDivides)", "divisions and square roots (double)"),
         ("array programmings", "\(arrayProgrammings)", "arrays written with a new matrix"),
         ("cells written", "\(cellsWritten)", "cells programmed"),
         ("resident hits", "\(residentHits)", "primitives whose matrix was already on the arrays"),
         ("analogue time", engineering(analogueSeconds, unit: "s"), "settling of every primitive, summed"),
         ("simulator time", String(format: "%.3f s", simulatorSeconds), "ngspice load + run, summed"),
         ("failed primitive checks", "\(failedChecks)", "primitives whose own verdict failed a check")]
    }
}

/// One simulated (or skipped) primitive, for reports.
public struct PrimitiveRecord: Sendable, Hashable, Codable {
    public var index: Int
    public var kind: PrimitiveKind
    /// Where in the algorithm (`rbi/L1/A11`, `kalman/step 12/S^-1 column 1`).
    public var label: String
    public var phase: String
    public var rows: Int
    public var columns: Int
    /// Relative 2-norm error against the exact answer of this primitive's own problem.
    public var relativeError: Double
    /// The primitive's first-order error budget (relative).
    public var predictedError: Double
    public var analogueSeconds: Double
    public var passed: Bool
    /// The checks of this primitive's verdict that failed, with their details.
    public var failedChecks: [String]
}
