import Reports
import Characterization
import Sweeps
import Specification
import Foundation
import CircuitTheory
import Reference
import Testing
import Verification
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Verdict reports")
struct ReportTests {
    @Test("JSON carries the documented keys and parses")
    func json() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(6, seed: 61))
        let verdict = try await Verifier.solve(problem, SolveSpecification(), engine: SharedEngine.engine)
        let text = VerdictReport.json(verdict, crossloopVersion: "test").text()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        func value(_ path: String) -> Any? {
            var current: Any? = object
            for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
            return current
        }
        #expect((value("solution") as? [Double])?.count == 6)
        #expect((value("reference.ideal") as? [Double])?.count == 6)
        #expect(value("metrics.relativeError") is Double)
        #expect(value("metrics.equivalentBits") is Double)
        #expect(value("stability.stable") as? Bool == true)
        #expect(value("settling.predictedSeconds") is Double)
        #expect(value("settling.measuredSeconds") is NSNull)
        #expect(value("engine.ngspiceVersion") is String)
        #expect(value("engine.solver") is String)
        #expect(value("engine.seconds") is Double)
        #expect(value("verdict.pass") as? Bool == verdict.passed)
        #expect((value("design.values") as? [[String: Any]])?.isEmpty == false)
    }

    @Test("JUnit XML is well-formed with one testcase per check")
    func junit() async throws {
        let problem = try Problem(operation: .inv, matrix: TestMatrices.wellConditioned(6, seed: 62))
        let verdict = try await Verifier.solve(problem, SolveSpecification(), engine: SharedEngine.engine)
        let xml = VerdictReport.junit(verdict, suiteName: "solve <inv> & \"quotes\"")
        let delegate = CountingDelegate()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(delegate.elements["testcase"] == verdict.checks.count)
        #expect(delegate.elements["testsuite"] == 1)
        #expect(delegate.elements["skipped", default: 0] == verdict.checks.filter { $0.status == .skipped }.count)
    }

    @Test("non-finite numbers become null and the text is deterministic")
    func jsonValue() {
        let value = JSONValue.object([("a", .number(.infinity)), ("b", .numbers([1, 2.5, .nan])), ("c", .string("q\"\n"))])
        #expect(value.text() == "{\n  \"a\": null,\n  \"b\": [1, 2.5, null],\n  \"c\": \"q\\\"\\n\"\n}\n")
    }
}

final class CountingDelegate: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
    }
}
