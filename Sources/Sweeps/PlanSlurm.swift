import Foundation
import Reports

/// A plan on a SLURM cluster: a job array with one task per case, each running the same
/// binary on that case alone (`crossloop check PLAN --case i --out DIR`) and leaving its
/// record in `DIR/cases/i.json`; the submitting command waits for the array and reports from
/// the records as a local run does. A task that leaves no record (it crashed, timed out or
/// was cancelled) is an error case naming its log.
public enum PlanSlurm {
    public static func recordPath(_ directory: String, _ index: Int) -> String { "\(directory)/cases/\(index).json" }
    static func scriptPath(_ directory: String) -> String { "\(directory)/slurm/check.sbatch" }

    /// The batch script of the array: task i runs case i.
    static func script(planPath: String, cases: Int, directory: String, partition: String?, timeLimit: String?, binary: String) -> String {
        SlurmBackend.arrayScript(command: "check", about: "task i runs case i of \(cases)", tasks: cases,
                                 log: "\(directory)/slurm/case-%a-job-%A.out", partition: partition, timeLimit: timeLimit,
                                 run: "\(SlurmBackend.quote(binary)) check \(SlurmBackend.quote(planPath)) --case \"${SLURM_ARRAY_TASK_ID}\" --out \(SlurmBackend.quote(directory))")
    }

    /// Writes the script and submits the array; the records of an earlier run in `directory`
    /// are removed first, so that only this run's count. Returns the job id.
    public static func submit(_ plan: VerificationPlan, planPath: String, directory: String, partition: String?,
                              timeLimit: String?, binary: String) throws(SweepError) -> String {
        let plan_ = URL(fileURLWithPath: planPath).standardizedFileURL.path
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        for sub in ["cases", "slurm"] {
            do { try FileManager.default.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true) } catch {
                throw .io(path: "\(folder)/\(sub)", reason: "cannot create: \(error.localizedDescription)")
            }
        }
        for index in plan.cases.indices { try? FileManager.default.removeItem(atPath: recordPath(folder, index)) }
        let script = scriptPath(folder)
        try write(self.script(planPath: plan_, cases: plan.cases.count, directory: folder, partition: partition,
                              timeLimit: timeLimit, binary: binary), to: script)
        let job = try SlurmBackend.command("sbatch", ["--parsable", script]).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ";").first.map(String.init) ?? ""
        guard !job.isEmpty else { throw .scheduler("sbatch returned no job id") }
        return job
    }

    /// Whether any task of `job` is still pending or running.
    public static func queued(_ job: String) -> Bool {
        !SlurmBackend.queued(jobs: [job]).isEmpty
    }

    /// Saves case `index`'s record (what a task does).
    public static func save(_ record: PlanCaseRecord, directory: String, index: Int) throws(SweepError) {
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        do { try FileManager.default.createDirectory(atPath: "\(folder)/cases", withIntermediateDirectories: true) } catch {
            throw .io(path: "\(folder)/cases", reason: "cannot create: \(error.localizedDescription)")
        }
        try write(record.json.text(), to: recordPath(folder, index))
    }

    /// The record case `index` left, if any.
    public static func record(directory: String, index: Int) throws(SweepError) -> PlanCaseRecord? {
        let path = recordPath(URL(fileURLWithPath: directory).standardizedFileURL.path, index)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        do throws(SweepError) {
            let tree: JSONValue
            do { tree = try JSONValue.parse(text) } catch { throw SweepError.invalidSpec("\(error)") }
            return try PlanCaseRecord(json: tree)
        } catch {
            throw .io(path: path, reason: error.description)
        }
    }

    /// Every case's record; a case without one is an error naming the task's log.
    public static func collect(_ plan: VerificationPlan, directory: String) throws(SweepError) -> [PlanCaseRecord] {
        let folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/slurm")) ?? []
        var records: [PlanCaseRecord] = []
        for (index, item) in plan.cases.enumerated() {
            if let record = try record(directory: folder, index: index) {
                records.append(record)
                continue
            }
            let log = logs.filter { $0.hasPrefix("case-\(index)-job-") }.sorted { SlurmBackend.jobNumber($0) < SlurmBackend.jobNumber($1) }.last
            let last = log.flatMap { try? String(contentsOfFile: "\(folder)/slurm/\($0)", encoding: .utf8) }?
                .split(separator: "\n").last.map(String.init)
            let message = "the SLURM task of case \(index) left no result"
                + (log.map { " (its log \(folder)/slurm/\($0)\(last.map { ": \($0)" } ?? ""))" } ?? " and no log: it did not run")
            records.append(PlanCaseRecord(missing: item.name, plan: plan.name, message: message))
        }
        return records
    }

    static func write(_ text: String, to path: String) throws(SweepError) {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
