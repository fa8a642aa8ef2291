import ArgumentParser
import Beanstalk
import Foundation

/// `gantry beanstalk check [FILE]`: validates a Dockerrun file as Beanstalk reads it.
struct BeanstalkCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a Dockerrun.aws.json and explain each problem in Beanstalk's terms.",
        discussion: "Exits non-zero when Beanstalk would reject the file; warnings are printed and exit zero."
    )

    @Argument(help: "The file to check.")
    var file = Dockerrun.fileName

    func run() async throws {
        let (_, report, version) = try Self.checked(file)
        let warnings = report.problems.count
        Terminal.say("\(file): version \(version.rawValue.dropFirst()), fits \(report.platform)"
                     + (warnings > 0 ? "; \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
    }

    /// Reads, parses and checks a Dockerrun file, printing each problem on stderr.
    /// - Returns: its text, the report (warnings only) and its version.
    /// - Throws: `BeanstalkError.checkFailed` when it has errors, and the reading and parsing errors.
    static func checked(_ file: String) throws -> (text: String, report: DockerrunReport, version: DockerrunVersion) {
        let text = try read(file)
        let report = Dockerrun.check(try OrderedJSON.parse(text, file: file))
        for problem in report.problems {
            FileHandle.standardError.write(Data("\(file): \(problem)\n".utf8))
        }
        // A missing or unknown version is itself an error, so a file without errors has one.
        guard report.errors.isEmpty, let version = report.version else {
            throw BeanstalkError.checkFailed(file: file, errors: max(1, report.errors.count))
        }
        return (text, report, version)
    }

    /// The text of a file, or an error naming it.
    static func read(_ path: String) throws(BeanstalkError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path)
                ? "it is not readable; fix its permissions"
                : "no such file; write one with 'gantry beanstalk' or name the file to check"
            throw .cannotRead(path: path, reason: reason)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
