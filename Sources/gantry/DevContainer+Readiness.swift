import Engines
import Foundation

/// Why a dev container did not come up, with the end of its log for the user.
struct DevStartFailure: Error {
    /// The one-line error.
    let error: GantryError
    /// The container's last log lines.
    let log: String
}

extension DevContainer {
    /// How many log lines a failure shows: enough for a Python traceback.
    static let failureLogLines = 60

    /// Waits until the app answers HTTP on `hostPort`, bounded by `limit` and by a number of attempts.
    ///
    /// Probes every 50 ms for the first 3 s, then every 250 ms; meanwhile
    /// checks once a second that the container still runs.
    ///
    /// - Returns: the first answer below 500.
    /// - Throws: `DevStartFailure` when the container exits, the app never
    ///   answers, or its first answer is a server error (an app that fails
    ///   on import answers 500); `CancellationError` when cancelled.
    func waitUntilAnswering(hostPort: Int, limit: Duration) async throws -> HTTPAnswer {
        enum Outcome: Sendable {
            case answered(HTTPAnswer)
            case exited(Int)
            case gaveUp(String)
        }
        let probe = HTTPProbe(port: hostPort)
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        let fastUntil = clock.now + .seconds(3)
        let seconds = Int(limit.components.seconds)
        let maxAttempts = 60 + 5 * seconds
        let engine = self.engine, name = self.name

        let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask {
                var lastReason = "nothing tried"
                var attempt = 0
                while attempt < maxAttempts, clock.now < deadline {
                    attempt += 1
                    do {
                        let left = deadline - clock.now
                        return .answered(try await probe.get(timeout: min(.seconds(5), max(.milliseconds(100), left))))
                    } catch {
                        lastReason = "\(error)"
                    }
                    try await Task.sleep(for: clock.now < fastUntil ? .milliseconds(50) : .milliseconds(250))
                }
                return .gaveUp("\(attempt) attempts; last: \(lastReason)")
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                while true {
                    // An engine hiccup is not the app's failure; the probe's bounds still hold.
                    let found: ContainerState?
                    do {
                        found = try await engine.containerState(name)
                    } catch {
                        try await Task.sleep(for: .seconds(1))
                        continue
                    }
                    guard let state = found else { return .exited(-1) }
                    if !state.running && state.status != "created" && state.status != "configured" {
                        return .exited(state.exitCode)
                    }
                    try await Task.sleep(for: .seconds(1))
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
        try Task.checkCancellation()

        switch outcome {
        case .answered(let answer) where answer.status < 500:
            return answer
        case .answered(let answer):
            let log = await recentLog()
            throw DevStartFailure(error: .failedFirstRequest(app: app.name, status: answer.status, exception: Self.exception(in: log)), log: log)
        case .exited(let status):
            throw DevStartFailure(error: .exitedBeforeAnswering(app: app.name, status: status), log: await recentLog())
        case .gaveUp(let reason):
            throw DevStartFailure(error: .noAnswer(app: app.name, url: probe.url, seconds: seconds, reason: reason), log: await recentLog())
        }
    }

    /// The container's last log lines, or a note saying why there are none.
    func recentLog() async -> String {
        do {
            return try await engine.logs(name, tail: Self.failureLogLines)
        } catch {
            return "(no log: \(error))"
        }
    }

    /// The last Python exception line in a log (`RuntimeError: boom`), without
    /// Apache's `[time] [module:level] [pid]` prefixes.
    static func exception(in log: String) -> String? {
        for line in log.split(whereSeparator: \.isNewline).reversed() {
            var text = Substring(line)
            while text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                text = text[text.index(after: close)...].drop(while: \.isWhitespace)
            }
            if text.range(of: #"^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception|Exit|Interrupt)(: .*)?$"#, options: .regularExpression) != nil {
                return String(text)
            }
        }
        return nil
    }
}
