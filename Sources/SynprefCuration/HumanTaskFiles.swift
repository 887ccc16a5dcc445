import Foundation
import SynprefCore
import SynprefData

/// Human verification without the annotation app: tasks out to a JSON lines file, answers
/// back in.
///
/// Out, one line per task the annotator now holds (leased to them for `lease` seconds):
/// `{"task_id", "annotator", "lease_expires_at", "conversation": [{"role", "content"}...],
/// "response_1", "response_2", "attributes": {...} | null}` — the two responses in an order
/// drawn from the project's seed and the task, so the stored label is not given away.
///
/// In, one line per answer: `{"task_id": int, "annotator": string, "verdict": "response_1" |
/// "response_2" | "cannot_determine", "note"?: string}`. Every line is checked first (errors
/// name file, line and field); then each answer is recorded with its task's completion in
/// one transaction. An answer for a task the annotator does not hold (answered already,
/// lease run out, leased to someone else) is refused with the reason and nothing of it is
/// recorded; the other answers are.
public struct HumanTaskFiles: Sendable {
    public let verification: HumanVerification

    public init(verification: HumanVerification) { self.verification = verification }

    /// True when response_1 is the stored rejected response.
    func swapped(taskID: Int64) -> Bool {
        var rng = KeyedRandom(seed: UInt64(verification.project.config.seed), key: "human task \(taskID)")
        return rng.next() & 1 == 1
    }

    /// Claims up to `limit` tasks for `annotator` and writes them to `path` (atomically).
    /// Returns how many were written.
    public func export(annotator: String, limit: Int, lease: TimeInterval, to path: String) async throws -> Int {
        let store = verification.project.store
        let tasks = try await store.claim(queue: verification.queue, worker: annotator, limit: limit, lease: lease)
        let writer = try AtomicLineWriter(path: path)
        do {
            let formatter = ISO8601DateFormatter()
            for t in tasks {
                guard let id = t.pairID, let pair = try await store.pair(id: id) else { continue }
                let (r1, r2) = swapped(taskID: t.id) ? (pair.rejected, pair.chosen) : (pair.chosen, pair.rejected)
                var o: JSONObject = ["task_id": .integer(Int(t.id)), "annotator": .string(annotator),
                                     "lease_expires_at": .string(formatter.string(from: t.leaseExpiresAt))]
                o["conversation"] = .array(pair.context.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] })
                o["response_1"] = .string(r1.content)
                o["response_2"] = .string(r2.content)
                o["attributes"] = pair.attributes.map { a in
                    ["task_category": .string(a.taskCategory), "objectivity": .string(a.objectivity.rawValue),
                     "controversiality": .string(a.controversiality.rawValue), "desired_attributes": .string(a.desiredAttributes),
                     "annotation_guideline": .string(a.annotationGuideline)]
                } ?? .null
                try writer.write(JSONValue.object(o).serialized())
            }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        return tasks.count
    }

    public struct ImportReport: Sendable {
        public var recorded = 0
        /// Answers refused because the annotator no longer holds the task, with the reason.
        public var refused: [String] = []
    }

    /// Reads and checks every answer in `path`, then records them.
    public func importAnswers(path: String) async throws -> ImportReport {
        struct Answer { var line: Int, taskID: Int64, annotator: String, verdict: String, note: String? }
        let reader: LineReader
        do { reader = try LineReader(path: path) } catch {
            throw CurationError.input(file: path, reason: "cannot read (\(error))")
        }
        var answers: [Answer] = []
        while let (number, bytes) = try reader.nextLine() {
            if LineReader.isBlank(bytes) { continue }
            let where_ = "\(path):\(number)"
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch { throw CurationError.input(file: where_, reason: "not valid JSON: \(error)") }
            do {
                let o = try JSONFields(value, path: "", known: ["task_id", "annotator", "verdict", "note"])
                guard let id = try o.int("task_id", min: 1) else { throw o.issue("task_id", "missing; copy it from the task line") }
                guard let annotator = try o.string("annotator") else { throw o.issue("annotator", "missing; the name the tasks were exported for") }
                guard let verdict = try o.choice("verdict", ["response_1", "response_2", "cannot_determine"]) else {
                    throw o.issue("verdict", "missing; \"response_1\", \"response_2\" or \"cannot_determine\"")
                }
                answers.append(Answer(line: number, taskID: Int64(id), annotator: annotator, verdict: verdict, note: try o.string("note")))
            } catch let issue as FieldIssue {
                throw CurationError.input(file: where_, reason: issue.description)
            }
        }
        var report = ImportReport()
        let store = verification.project.store
        for a in answers {
            guard let task = try await store.task(id: a.taskID), task.queue == verification.queue, let pairID = task.pairID else {
                report.refused.append("\(path):\(a.line): task \(a.taskID) is not a human-verification task of project \(verification.project.name)")
                continue
            }
            let verdict: HumanVerdict
            switch a.verdict {
            case "cannot_determine": verdict = .cannotDetermine
            case "response_1": verdict = swapped(taskID: a.taskID) ? .rejectedBetter : .chosenBetter
            default: verdict = swapped(taskID: a.taskID) ? .chosenBetter : .rejectedBetter
            }
            let work = WorkTask(id: a.taskID, queue: task.queue, pairID: pairID, kind: task.kind, payload: task.payload, requiredWorkers: 1,
                                attempts: 0, maxAttempts: 0, worker: a.annotator, leaseExpiresAt: Date())
            do {
                try await verification.record(task: work, annotator: .human(a.annotator), verdict: verdict, note: a.note)
                report.recorded += 1
            } catch StoreError.leaseLost {
                let claims = try await store.claims(taskID: a.taskID)
                let mine = claims.last { $0.worker == a.annotator }
                let why: String
                switch mine?.state {
                case nil: why = "it was never given to \(a.annotator)" + (claims.isEmpty ? "" : " (it is \(claims.last!.worker)'s)")
                case .done?: why = "\(a.annotator) answered it already"
                case .expired?, .leased?: why = "\(a.annotator)'s lease ran out (export tasks again to get new ones)"
                case .released?: why = "\(a.annotator) gave it back"
                }
                report.refused.append("\(path):\(a.line): task \(a.taskID): not recorded: \(why)")
            }
        }
        return report
    }
}
