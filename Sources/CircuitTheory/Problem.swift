import Reference
/// The five operations of the closed-loop crossbar (<doc:Theory#Operations-MVM-INV-GINV-EIG-block>).
public enum CrossbarOperation: String, CaseIterable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Open-loop matrix-vector multiplication y = A x (TIA readout); A may be rectangular.
    case mvm
    /// Closed-loop inversion x = A^-1 b; A square.
    case inv
    /// Generalised inverse, least squares x = (X^T X)^-1 X^T y; X is N x M with N > M.
    case ginv
    /// Dominant eigenvector of a square A (regenerative loop): the eigenvalue of largest real part.
    case eig
    /// Schur complement y = (D - C A^-1 B) u of a square matrix [[A, B], [C, D]] with A of size
    /// n1 x n1 (the block form of <doc:Theory#Block>).
    case block

    public var description: String { rawValue }

    /// What the problem's vector means for this operation.
    public var vectorName: String {
        switch self {
        case .mvm: "x"
        case .inv: "b"
        case .ginv: "y"
        case .eig: "none"
        case .block: "u"
        }
    }
}

/// What the user wants computed: an operation, its matrix and its vector, checked for shape
/// and finiteness on construction.
public struct Problem: Sendable, Hashable {
    public let operation: CrossbarOperation
    /// A (INV, MVM, EIG) or the data matrix X (GINV).
    public let matrix: Matrix
    /// b (INV), x (MVM), y (GINV), u (block); empty for EIG.
    public let vector: [Double]
    /// Block only: n1, the size of the leading block A of [[A, B], [C, D]]; nil otherwise.
    public let blockSize: Int?

    /// - Parameters:
    ///   - operation: what to compute.
    ///   - matrix: A (INV, MVM, EIG, block) or the data matrix X (GINV).
    ///   - vector: b (INV), x (MVM), y (GINV) or u (block); empty for EIG.
    ///   - blockSize: for `.block`, n1 (default: half the matrix, rounded down).
    /// - Throws: ``MappingError`` when the shapes do not suit `operation`, an entry is NaN or
    ///   infinite, the matrix is all zeros or the vector is all zeros.
    public init(operation: CrossbarOperation, matrix: Matrix, vector: [Double], blockSize: Int? = nil) throws(MappingError) {
        guard !matrix.isEmpty else { throw .matrixShape(operation: operation, shape: matrix.shape, requirement: "at least one entry") }
        var split: Int?
        switch operation {
        case .block:
            guard matrix.isSquare, matrix.rows >= 2 else {
                throw .matrixShape(operation: operation, shape: matrix.shape, requirement: "a square matrix of size 2 or more")
            }
            let n1 = blockSize ?? matrix.rows / 2
            guard n1 >= 1, n1 < matrix.rows else {
                throw .invalidParameter(name: "the block size n1", value: "\(n1)", requirement: "between 1 and \(matrix.rows - 1)")
            }
            split = n1
        case .inv, .eig:
            guard matrix.isSquare else { throw .matrixShape(operation: operation, shape: matrix.shape, requirement: "a square matrix") }
        case .ginv:
            guard matrix.rows > matrix.columns else {
                throw .matrixShape(operation: operation, shape: matrix.shape, requirement: "more rows than columns (N x M with N > M)")
            }
        case .mvm:
            break
        }
        do { try matrix.checkFinite() } catch { throw .linearAlgebra(error) }
        guard matrix.maxAbsEntry > 0 else { throw .zeroMatrix }
        try Problem.checkMagnitudes(matrix.storage, what: "the matrix") { k in "(\(k % matrix.rows + 1), \(k / matrix.rows + 1))" }
        if operation == .eig {
            guard vector.isEmpty else { throw .vectorNotUsed(operation: operation) }
        } else {
            let expected = operation == .mvm ? matrix.columns : operation == .block ? matrix.rows - (split ?? 0) : matrix.rows
            guard vector.count == expected else { throw .vectorLength(operation: operation, expected: expected, found: vector.count) }
            if let k = vector.firstNonFiniteIndex { throw .nonFiniteVector(index: k + 1, value: vector[k]) }
            guard vector.normInfinity > 0 else { throw .zeroVector(operation: operation) }
            try Problem.checkMagnitudes(vector, what: "the vector \(operation.vectorName)") { k in "\(k + 1)" }
        }
        self.operation = operation
        self.matrix = matrix
        self.vector = vector
        self.blockSize = split
    }

    /// Entries a double-precision reference can work with: no subnormal number (below
    /// 2.2e-308 its precision is gone) and nothing so large that products of two entries
    /// overflow (|x| <= 1e150). Outside these the LAPACK answer itself is wrong, and the
    /// verdict would blame the circuit.
    static let largestMagnitude = 1e150

    static func checkMagnitudes(_ values: [Double], what: String, position: (Int) -> String) throws(MappingError) {
        for (k, x) in values.enumerated() where x != 0 && (x.isSubnormal || abs(x) > largestMagnitude) {
            throw .magnitudeOutOfRange(what: what, position: position(k), value: x, largest: largestMagnitude)
        }
    }

    /// The problem with the documented default vector: all ones of the right length (empty for EIG).
    public init(operation: CrossbarOperation, matrix: Matrix, blockSize: Int? = nil) throws(MappingError) {
        try self.init(operation: operation, matrix: matrix,
                      vector: Problem.defaultVector(operation: operation, matrix: matrix, blockSize: blockSize),
                      blockSize: blockSize)
    }

    /// The default right-hand side when the user gives none: all ones (b for INV, x for MVM,
    /// y for GINV, u for block), empty for EIG.
    public static func defaultVector(operation: CrossbarOperation, matrix: Matrix, blockSize: Int? = nil) -> [Double] {
        switch operation {
        case .inv, .ginv: Array(repeating: 1, count: matrix.rows)
        case .mvm: Array(repeating: 1, count: matrix.columns)
        case .eig: []
        case .block: Array(repeating: 1, count: max(0, matrix.rows - (blockSize ?? matrix.rows / 2)))
        }
    }
}

extension Problem {
    /// Refuses an INV or GINV problem whose matrix is singular (rank deficient) to double
    /// precision, kappa_2 >= 1 / (n eps) from its singular values (largest first): the
    /// answer the circuit is judged against would itself be noise.
    public func requireInvertible(singularValues: [Double]) throws(MappingError) {
        guard operation == .inv || operation == .ginv else { return }
        let limit = 1 / (Double(max(matrix.rows, matrix.columns)) * Double.ulpOfOne)
        let kappa = Matrix.conditionNumber(singularValues: singularValues)
        if !(kappa < limit) { throw .singularMatrix(operation: operation, conditionNumber: kappa, limit: limit) }
    }

    /// ``requireInvertible(singularValues:)`` from the matrix's own singular values.
    public func requireInvertible() throws(MappingError) {
        guard operation == .inv || operation == .ginv else { return }
        let values: [Double]
        do { values = try matrix.singularValues() } catch { throw .linearAlgebra(error) }
        try requireInvertible(singularValues: values)
    }
}

/// What can go wrong between a problem and its mapping onto the hardware.
public enum MappingError: Error, CustomStringConvertible, Hashable, Sendable {
    case matrixShape(operation: CrossbarOperation, shape: Shape, requirement: String)
    case vectorLength(operation: CrossbarOperation, expected: Int, found: Int)
    case vectorNotUsed(operation: CrossbarOperation)
    case zeroMatrix
    case zeroVector(operation: CrossbarOperation)
    case nonFiniteVector(index: Int, value: Double)
    case invalidParameter(name: String, value: String, requirement: String)
    case noRegenerativeMode(String)
    case zeroSolution(operation: CrossbarOperation)
    case inputBelowResolution(inputScale: Double, lsbVolts: Double)
    case singularAfterQuantisation(bits: Int?, detail: String)
    /// The matrix itself is singular to double precision: no circuit computes its inverse
    /// (or least-squares answer), whatever its cells.
    case singularMatrix(operation: CrossbarOperation, conditionNumber: Double, limit: Double)
    /// An entry double precision cannot compute with: subnormal, or large enough that
    /// products overflow.
    case magnitudeOutOfRange(what: String, position: String, value: Double, largest: Double)
    case linearAlgebra(LinearAlgebraError)

    public var description: String {
        switch self {
        case let .matrixShape(operation, shape, requirement):
            return "\(operation) needs \(requirement), the matrix is \(shape)"
        case let .vectorLength(operation, expected, found):
            return "\(operation) needs a vector \(operation.vectorName) of \(expected) entries to fit the matrix, got \(found)"
        case let .vectorNotUsed(operation):
            return "\(operation) takes no right-hand side; leave the vector out"
        case .zeroMatrix:
            return "the matrix is all zeros: nothing to map onto conductances"
        case let .zeroVector(operation):
            return "the vector \(operation.vectorName) is all zeros: the answer is zero and no output scale can be chosen"
        case let .nonFiniteVector(index, value):
            return "non-finite entry \(value) at position \(index) of the vector"
        case let .invalidParameter(name, value, requirement):
            return "\(name) = \(value) is invalid: it must be \(requirement)"
        case let .noRegenerativeMode(reason):
            return "eig cannot select a dominant eigenvector: \(reason)"
        case let .zeroSolution(operation):
            return "the \(operation) solution is exactly zero, so no output scale can be chosen"
        case let .inputBelowResolution(inputScale, lsbVolts):
            return "every DAC input rounds to zero: fitting the outputs into the swing needs \(inputScale) units per volt, and the DAC LSB is \(lsbVolts) V; lower G_in / G0 (or the feedback ratio) or raise the DAC bits"
        case let .singularMatrix(operation, kappa, limit):
            let what = operation == .ginv ? "rank deficient" : "singular"
            let number = kappa.isFinite ? String(format: "%.3g", kappa) : "infinite"
            return "the matrix is \(what): kappa_2 = \(number) >= 1/(n eps) = \(String(format: "%.3g", limit)), so \(operation) has no answer a circuit (or LAPACK) can compute; check the matrix"
        case let .magnitudeOutOfRange(what, position, value, largest):
            let why = value.isSubnormal ? "is subnormal (below \(Double.leastNormalMagnitude)), where double precision has no digits left"
                : "is beyond \(largest) in magnitude, where products of entries overflow double precision"
            return "entry \(position) of \(what), \(value), \(why); rescale the problem"
        case let .singularAfterQuantisation(bits, detail):
            let cells = bits.map { "quantised to \($0) magnitude bits" } ?? "as programmed"
            return "the matrix \(cells) is singular (\(detail)); raise the cell bits or rescale the problem"
        case let .linearAlgebra(error):
            return error.description
        }
    }
}
