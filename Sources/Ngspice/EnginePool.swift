import Foundation
import Netlist

/// Runs many decks over N engines, each on its own library copy and thread.
///
/// Results come back in the order of the inputs. A failing run does not stop the others:
/// `run` returns one `Result` per deck, and `map` rethrows the first error after all work
/// has finished or been cancelled.
public final class EnginePool: Sendable {
    public let engines: [NgspiceEngine]

    /// Default size: one engine per core.
    public static var defaultSize: Int { ProcessInfo.processInfo.activeProcessorCount }

    public init(size: Int = EnginePool.defaultSize, configuration: EngineConfiguration = EngineConfiguration()) throws {
        precondition(size >= 1, "an engine pool needs at least one engine")
        engines = try (0..<size).map { _ in try NgspiceEngine(configuration: configuration) }
    }

    public var size: Int { engines.count }

    /// Applies `body` to every item, each call given an engine of its own for its duration.
    public func map<Item: Sendable, Output: Sendable>(
        _ items: [Item],
        _ body: @escaping @Sendable (NgspiceEngine, Item) async throws -> Output
    ) async throws -> [Output] {
        let results = await mapResults(items, body)
        return try results.map { try $0.get() }
    }

    /// Like `map`, keeping each item's success or failure.
    public func mapResults<Item: Sendable, Output: Sendable>(
        _ items: [Item],
        _ body: @escaping @Sendable (NgspiceEngine, Item) async throws -> Output
    ) async -> [Result<Output, Error>] {
        let queue = WorkQueue(count: items.count)
        return await withTaskGroup(of: [(Int, Result<Output, Error>)].self) { group in
            for engine in engines.prefix(max(1, min(engines.count, items.count))) {
                group.addTask {
                    var done: [(Int, Result<Output, Error>)] = []
                    while let index = queue.next() {
                        if Task.isCancelled {
                            done.append((index, .failure(CancellationError())))
                            continue
                        }
                        do {
                            done.append((index, .success(try await body(engine, items[index]))))
                        } catch {
                            done.append((index, .failure(error)))
                        }
                    }
                    return done
                }
            }
            var ordered = [Result<Output, Error>?](repeating: nil, count: items.count)
            for await batch in group {
                for (index, result) in batch { ordered[index] = result }
            }
            return ordered.map { $0 ?? .failure(CancellationError()) }
        }
    }

    /// Runs each deck on the next free engine.
    public func run(_ decks: [Deck], _ request: RunRequest = RunRequest()) async -> [Result<SimulationResult, Error>] {
        await mapResults(decks) { engine, deck in try await engine.run(deck, request) }
    }
}

/// Hands out indices 0..<count once each, to whichever worker asks first.
final class WorkQueue: @unchecked Sendable {  // Safe: `cursor` behind `lock`.
    private let lock = NSLock()
    private var cursor = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard cursor < count else { return nil }
        defer { cursor += 1 }
        return cursor
    }
}
