import Testing
@testable import Scaffold

let validAppYAML = """
name: election-results
image: registry.example.com/news/election-results
base: localhost/gantry/apache-wsgi:latest
port: 8080
mount: /app
env:
  DJANGO_SETTINGS_MODULE: results.settings
  DEBUG: "false"
"""

@Suite("gantry.yml")
struct AppSpecTests {
    @Test("a valid gantry.yml reads into every field")
    func parsesEveryField() throws {
        let spec = try AppSpec.parse(yaml: validAppYAML, file: "gantry.yml")
        #expect(spec.name == "election-results")
        #expect(spec.image == "registry.example.com/news/election-results")
        #expect(spec.base == "localhost/gantry/apache-wsgi:latest")
        #expect(spec.port == 8080)
        #expect(spec.mount == "/app")
        #expect(spec.env == [KeyValue(key: "DJANGO_SETTINGS_MODULE", value: "results.settings"), KeyValue(key: "DEBUG", value: "false")])
    }

    @Test("port, mount and env have defaults")
    func defaults() throws {
        let spec = try AppSpec.parse(yaml: "name: a\nimage: localhost:5000/a\nbase: debian\n", file: "gantry.yml")
        #expect(spec.port == 8080 && spec.mount == "/app" && spec.env.isEmpty)
    }

    @Test("what init renders reads back unchanged")
    func renderedRoundTrips() throws {
        let spec = AppSpec(name: "maps", image: "localhost:5000/maps", base: "localhost/gantry/static:latest", port: 8080, mount: "/srv/app",
                           env: [KeyValue(key: "FLAG", value: "yes"), KeyValue(key: "QUOTE", value: "a \"b\": c")])
        #expect(try AppSpec.parse(yaml: spec.rendered(), file: "gantry.yml") == spec)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let replace: String
        let with: String
        let line: Int
        let key: String
        let mentions: String
        var testDescription: String { "\(key): \(mentions)" }
    }

    static let errorCases: [ErrorCase] = [
        .init(replace: "port: 8080", with: "port: 0", line: 4, key: "port", mentions: "1 to 65535"),
        .init(replace: "port: 8080", with: "port: http", line: 4, key: "port", mentions: "1 to 65535"),
        .init(replace: "mount: /app", with: "mount: /app/../etc", line: 5, key: "mount", mentions: "'..'"),
        .init(replace: "mount: /app", with: "mounts: /app", line: 5, key: "mounts", mentions: "unknown key"),
        .init(replace: "name: election-results", with: "name: Election Results", line: 1, key: "name", mentions: "lowercase"),
        .init(replace: "image: registry.example.com/news/election-results", with: "image: registry.example.com/news/election-results:v1",
              line: 2, key: "image", mentions: "without a tag"),
        .init(replace: "image: registry.example.com/news/election-results", with: "image: [a, b]", line: 2, key: "image", mentions: "expected a string"),
        .init(replace: "  DEBUG: \"false\"", with: "  DEBUG: [1]", line: 8, key: "env.DEBUG", mentions: "expected a string"),
        .init(replace: "env:\n  DJANGO_SETTINGS_MODULE: results.settings\n  DEBUG: \"false\"", with: "env: [A, B]", line: 6, key: "env", mentions: "expected a mapping"),
    ]

    @Test("each mistake in gantry.yml names its line and key", arguments: errorCases)
    func errorsNameLineAndKey(_ errorCase: ErrorCase) throws {
        #expect(validAppYAML.contains(errorCase.replace))
        let yaml = validAppYAML.replacingOccurrences(of: errorCase.replace, with: errorCase.with)
        let error = try #require(throws: SpecError.self) { try AppSpec.parse(yaml: yaml, file: "news/gantry.yml") }
        #expect(error.file == "news/gantry.yml")
        #expect(error.line == errorCase.line)
        #expect(error.key == errorCase.key)
        #expect(error.description.hasPrefix("news/gantry.yml:\(errorCase.line): '\(errorCase.key)': "))
        #expect(error.description.contains(errorCase.mentions), "\(error.description)")
    }

    @Test("layers.data reads into the data patterns; without it the defaults apply")
    func dataPatterns() throws {
        let spec = try AppSpec.parse(yaml: validAppYAML + "\nlayers:\n  data:\n    - results.sqlite3\n    - 'csv/**'\n", file: "gantry.yml")
        #expect(spec.declaredDataPatterns == ["results.sqlite3", "csv/**"])
        #expect(spec.dataPatterns == ["results.sqlite3", "csv/**"])
        let plain = try AppSpec.parse(yaml: validAppYAML, file: "gantry.yml")
        #expect(plain.declaredDataPatterns == nil)
        #expect(plain.dataPatterns == ["*.sqlite3", "*.sqlite", "*.db", "data/**"])
    }

    static let dataErrorCases: [(yaml: String, line: Int, key: String, mentions: String)] = [
        ("layers:\n  data: results.db\n", 10, "layers.data", "expected a list"),
        ("layers:\n  data:\n    - '[a-'\n", 11, "layers.data[0]", "not a valid pattern"),
        ("layers:\n  data:\n    - ok.db\n    - '!keep.db'\n", 12, "layers.data[1]", "exceptions"),
        ("layers:\n  data:\n    - ../shared/*.db\n", 11, "layers.data[0]", "inside the app folder"),
        ("layers:\n  code: [a]\n", 10, "layers.code", "unknown key"),
    ]

    @Test("a bad layers.data names its line and key", arguments: 0..<5)
    func dataPatternErrors(_ index: Int) throws {
        let errorCase = Self.dataErrorCases[index]
        let error = try #require(throws: SpecError.self) {
            try AppSpec.parse(yaml: validAppYAML + "\n" + errorCase.yaml, file: "gantry.yml")
        }
        #expect(error.line == errorCase.line, "\(error.description)")
        #expect(error.key == errorCase.key)
        #expect(error.description.contains(errorCase.mentions), "\(error.description)")
    }

    @Test("a missing base says what to add")
    func missingBase() throws {
        let yaml = validAppYAML.replacingOccurrences(of: "base: localhost/gantry/apache-wsgi:latest\n", with: "")
        let error = try #require(throws: SpecError.self) { try AppSpec.parse(yaml: yaml, file: "gantry.yml") }
        #expect(error.key == "base")
        #expect(error.description.contains("missing; add the base image"))
    }
}
