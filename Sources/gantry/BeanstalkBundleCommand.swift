import ArgumentParser
import Beanstalk
import Foundation
import Scaffold

#if canImport(Glibc)
import Glibc
#endif

/// `gantry beanstalk bundle`: packs the app's Elastic Beanstalk source bundle.
struct BeanstalkBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Pack an Elastic Beanstalk source bundle (zip) with Dockerrun.aws.json at its root.",
        discussion: """
            The zip holds Dockerrun.aws.json (the app folder's, checked first, else one written as \
            'gantry beanstalk' would), .ebextensions/ and .platform/ (hooks need a #! line), \
            docker-compose.yml for version 3, beanstalk.include of gantry.yml and --include paths; \
            .ebignore leaves paths out. No Dockerfile unless --include-dockerfile: with one, \
            Beanstalk builds instead of pulling. Reproducible (sorted, dated SOURCE_DATE_EPOCH or \
            1980-01-01) and at most 500 MB.
            """
    )

    @OptionGroup var dockerrun: DockerrunOptions

    @Option(help: "The zip to write (replaced if it exists); default: APP.zip.")
    var out: String?

    @Option(name: .customLong("dockerrun"), help: "The Dockerrun file to pack; default: Dockerrun.aws.json when the app folder has one.")
    var dockerrunFile: String?

    @Option(help: "Another path of the app folder to pack (repeatable).")
    var include: [String] = []

    @Flag(name: .customLong("include-dockerfile"), help: "Pack the Dockerfile, so that Beanstalk builds the image on the instance.")
    var includeDockerfile = false

    func run() async throws {
        let spec = try AppSpec.load(fromDirectory: ".")
        let text: String
        let version: DockerrunVersion
        let source: String
        if let file = dockerrunFile ?? (FileManager.default.fileExists(atPath: Dockerrun.fileName) ? Dockerrun.fileName : nil) {
            (text, _, version) = try BeanstalkCheckCommand.checked(file)
            source = "from \(file)"
        } else {
            let made = try AppDockerrun.make(spec: spec, options: dockerrun)
            text = made.dockerrun.rendered()
            version = made.dockerrun.version
            source = "written for \(made.image)"
            for note in made.notes { Terminal.note(note) }
        }
        var bundle = SourceBundle(appDirectory: ".", dockerrun: text, version: version)
        bundle.includeDockerfile = includeDockerfile
        bundle.includes = spec.beanstalk.include + include
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Int64.init), epoch >= bundle.modificationTime {
            bundle.modificationTime = epoch
        }
        // libarchive writes each entry's DOS time in local time: UTC makes the bytes the same everywhere.
        setenv("TZ", "UTC", 1)
        tzset()
        let path = out ?? "\(spec.name).zip"
        let summary = try bundle.write(to: path)
        for note in summary.notes { Terminal.warning(note) }
        Terminal.say("Wrote \(path) (\(summary.entries.count) entries, \(summary.size) bytes; \(Dockerrun.fileName) \(source))")
        Terminal.note("Upload it as a new application version: eb deploy, or aws elasticbeanstalk create-application-version with the zip in S3")
    }
}
