import Testing
@testable import Scaffold

/// A complete, valid base.yml used as the starting point of the error cases.
let validBaseYAML = """
name: demo
version: 2
description: Demo base for tests
suite: bookworm
from: debian:bookworm-slim
packages:
  - apache2
  - libapache2-mod-wsgi-py3
files:
  - src: files/entry.sh
    dest: /usr/local/bin/entry
    mode: "0755"
  - src: files/site.conf
    dest: /etc/apache2/sites-available/site conf.conf
run:
  - a2ensite site
env:
  LANG: C.UTF-8
  PRICE: "$5 \\"cheap\\""
user: www-data
workdir: /app
mount: /app
port: 8080
stop_signal: SIGWINCH
cmd: ["/usr/local/bin/entry"]
logs: /var/log/apache2
dev_env:
  GANTRY_RELOAD: "1"
labels:
  org.example.team: news apps
"""

@Suite("base.yml parsing")
struct BaseSpecTests {
    @Test("a complete base.yml reads into every field")
    func parsesEveryField() throws {
        let spec = try BaseSpec.parse(yaml: validBaseYAML, file: "base.yml")
        #expect(spec.name == "demo")
        #expect(spec.version == 2)
        #expect(spec.suite == "bookworm")
        #expect(spec.from == "debian:bookworm-slim")
        #expect(spec.packages == ["apache2", "libapache2-mod-wsgi-py3"])
        #expect(spec.files == [
            .init(source: "files/entry.sh", destination: "/usr/local/bin/entry", mode: 0o755),
            .init(source: "files/site.conf", destination: "/etc/apache2/sites-available/site conf.conf", mode: 0o644),
        ])
        #expect(spec.run == ["a2ensite site"])
        #expect(spec.env == [KeyValue(key: "LANG", value: "C.UTF-8"), KeyValue(key: "PRICE", value: "$5 \"cheap\"")])
        #expect(spec.user == "www-data")
        #expect(spec.workdir == "/app")
        #expect(spec.mount == "/app")
        #expect(spec.port == 8080)
        #expect(spec.stopSignal == "SIGWINCH")
        #expect(spec.cmd == ["/usr/local/bin/entry"])
        #expect(spec.logs == "/var/log/apache2")
        #expect(spec.devEnv == [KeyValue(key: "GANTRY_RELOAD", value: "1")])
        #expect(spec.labels == [KeyValue(key: "org.example.team", value: "news apps")])
    }

    @Test("optional keys may be left out")
    func optionalKeysDefault() throws {
        let yaml = """
        name: tiny
        version: 1
        description: tiny
        suite: bookworm
        from: debian:bookworm-slim
        user: nobody
        workdir: /app
        mount: /app
        port: 80
        stop_signal: SIGTERM
        cmd: [sleep, infinity]
        """
        let spec = try BaseSpec.parse(yaml: yaml, file: "base.yml")
        #expect(spec.packages.isEmpty && spec.files.isEmpty && spec.run.isEmpty && spec.env.isEmpty)
        #expect(spec.logs == nil && spec.devEnv.isEmpty && spec.labels.isEmpty)
    }

    /// Each case replaces one line of the valid file and names the line and key the error must point at.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let replace: String
        let with: String
        let line: Int?
        let key: String?
        let mentions: String
        var testDescription: String { "\(key ?? "syntax"): \(mentions)" }
    }

    static let errorCases: [ErrorCase] = [
        .init(replace: "port: 8080", with: "port: 80a", line: 23, key: "port", mentions: "1 to 65535"),
        .init(replace: "port: 8080", with: "port: 70000", line: 23, key: "port", mentions: "1 to 65535"),
        .init(replace: "user: www-data", with: "usr: www-data", line: 20, key: "usr", mentions: "unknown key"),
        .init(replace: "    mode: \"0755\"", with: "    mode: \"0799\"", line: 12, key: "files[0].mode", mentions: "octal"),
        .init(replace: "  - src: files/entry.sh", with: "  - src: ../entry.sh", line: 10, key: "files[0].src", mentions: "inside the spec's folder"),
        .init(replace: "    dest: /usr/local/bin/entry", with: "    dest: usr/local/bin/entry", line: 11, key: "files[0].dest", mentions: "absolute"),
        .init(replace: "mount: /app", with: "mount: app", line: 22, key: "mount", mentions: "absolute"),
        .init(replace: "  - apache2", with: "  - Apache2", line: 7, key: "packages[0]", mentions: "Debian package"),
        .init(replace: "stop_signal: SIGWINCH", with: "stop_signal: winch", line: 24, key: "stop_signal", mentions: "SIGWINCH"),
        .init(replace: "cmd: [\"/usr/local/bin/entry\"]", with: "cmd: []", line: 25, key: "cmd", mentions: "at least"),
        .init(replace: "cmd: [\"/usr/local/bin/entry\"]", with: "cmd: {a: b}", line: 25, key: "cmd", mentions: "expected a list"),
        .init(replace: "  LANG: C.UTF-8", with: "  2LANG: C.UTF-8", line: 18, key: "env.2LANG", mentions: "environment variable"),
        .init(replace: "name: demo", with: "name: Demo", line: 1, key: "name", mentions: "lowercase"),
        .init(replace: "version: 2", with: "version: two", line: 2, key: "version", mentions: "integer"),
        .init(replace: "packages:", with: "packages: apache2", line: 6, key: "packages", mentions: "expected a list"),
        .init(replace: "  - a2ensite site", with: "  - \"a\\nb\"", line: 16, key: "run[0]", mentions: "single line"),
        .init(replace: "suite: bookworm", with: "suite: [bookworm", line: nil, key: nil, mentions: "invalid YAML"),
        .init(replace: "port: 8080", with: "port: 8080\nport: 8081", line: 23, key: "port", mentions: "twice"),
    ]

    @Test("each mistake in base.yml names its line and key", arguments: errorCases)
    func errorsNameLineAndKey(_ errorCase: ErrorCase) throws {
        #expect(validBaseYAML.contains(errorCase.replace))
        let yaml = validBaseYAML.replacingOccurrences(of: errorCase.replace, with: errorCase.with)
        let error = try #require(throws: SpecError.self) { try BaseSpec.parse(yaml: yaml, file: "base/base.yml") }
        #expect(error.file == "base/base.yml")
        if let line = errorCase.line { #expect(error.line == line) } else { #expect(error.line != nil) }
        #expect(error.key == errorCase.key)
        #expect(error.description.contains(errorCase.mentions), "\(error.description)")
        #expect(!error.description.contains("\n"))
    }

    @Test("a missing required key says which key to add")
    func missingKeyIsNamed() throws {
        let yaml = validBaseYAML.replacingOccurrences(of: "workdir: /app\n", with: "")
        let error = try #require(throws: SpecError.self) { try BaseSpec.parse(yaml: yaml, file: "base.yml") }
        #expect(error.key == "workdir")
        #expect(error.description.contains("missing; add"))
    }

    @Test("an empty file and a non-mapping are refused")
    func emptyAndScalarDocuments() throws {
        let empty = try #require(throws: SpecError.self) { try BaseSpec.parse(yaml: "", file: "base.yml") }
        #expect(empty.description.contains("empty"))
        let scalar = try #require(throws: SpecError.self) { try BaseSpec.parse(yaml: "just text", file: "base.yml") }
        #expect(scalar.description.contains("expected a mapping"))
    }
}
