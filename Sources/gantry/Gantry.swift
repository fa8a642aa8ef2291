import ArgumentParser
import Foundation

/// The `gantry` command: ships small WSGI web apps as container images.
struct Gantry: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "gantry",
        abstract: "Ship small web apps as container images, with or without a Docker daemon.",
        version: version,
        subcommands: [
            BaseCommand.self,
            InitCommand.self,
            DevCommand.self,
            BuildCommand.self,
            PushCommand.self,
            PullCommand.self,
            CopyCommand.self,
            ImagesCommand.self,
            InspectCommand.self,
            RmiCommand.self,
            PruneCommand.self,
            LoginCommand.self,
            LogoutCommand.self,
            BeanstalkCommand.self,
            VersionCommand.self,
        ]
    )
}

@main
enum Main {
    static func main() async {
        let command: ParsableCommand
        do {
            command = try Gantry.parseAsRoot()
        } catch {
            Gantry.exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            // '--help' after a subcommand parses as the help command, whose run throws to ask for the help text.
            if Gantry.exitCode(for: error).isSuccess { Gantry.exit(withError: error) }
            // One line naming the problem and the fix; the errors' descriptions say both.
            Terminal.error("\(error)")
            Foundation.exit(1)
        }
    }
}
