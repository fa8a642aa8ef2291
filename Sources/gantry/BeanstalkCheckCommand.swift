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
        let text = try BeanstalkCheckCommand.read(file)
        let report = Dockerrun.check(try OrderedJSON.parse(text, file: file))
        for problem in report.problems {
            FileHandle.standardError.write(Data("\(file): \(problem)\n".utf8))
        }
        if !report.errors.isEmpty { throw BeanstalkError.checkFailed(file: file, errors: report.errors.count) }
        let warnings = report.problems.count
        let version = report.version.map { "version \($0.rawValue.dropFirst())" } ?? "no version"
        Terminal.say("\(file): \(version), fits \(report.platform)" + (warnings > 0 ? "; \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
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
