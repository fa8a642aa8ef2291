import Archive
import ArgumentParser
import Registry

/// `gantry version`: gantry's version and the C libraries it runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show gantry's version and its libcurl and libarchive.")
    func run() throws {
        Terminal.say("gantry \(Gantry.version)")
        Terminal.say(LibCurl.version)
        Terminal.say(LibArchive.versionDetails)
    }
}
