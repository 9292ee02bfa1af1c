import Reports
import Specification
import Circuits
import Foundation
import Ngspice
import CircuitTheory
import Reference
import Verification
import Workloads

/// One engine pool for every workload test: two engines (one per core of the test machine),
/// shared so that no test creates its own.
enum SharedPool {
    static let pool: EnginePool = {
        do { return try EnginePool(size: 2) } catch { fatalError("libngspice is required for these tests: \(error)") }
    }()
}

extension SolveSpecification {
    /// Ideal fidelity, .op, with the given cell and converter bits (nil: continuous / ideal).
    static func workload(cellBits: Int?, converterBits: Int? = 8, fidelity: Fidelity = .ideal,
                         analysis: AnalysisKind = .op) -> SolveSpecification {
        var mapping = MappingParameters()
        mapping.cell = CellFormat(magnitudeBits: cellBits)
        mapping.dac = ConverterParameters(bits: converterBits)
        mapping.adc = ConverterParameters(bits: converterBits)
        return SolveSpecification(mapping: mapping, circuit: DesignParameters(fidelity: fidelity), analysis: analysis)
    }
}

/// Wall-clock seconds of `body`.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = DispatchTime.now()
    let value = try await body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
}
