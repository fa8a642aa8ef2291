import Beanstalk
import Foundation
import Testing

/// Writing each version canonically, reading it back, and reading what Beanstalk accepts.
@Suite struct DockerrunRoundTripTests {
    /// Writes the golden file instead of comparing when GANTRY_UPDATE_GOLDEN is set; such a run
    /// fails, since comparing with what it just wrote proves nothing: run again without it to check.
    static func compare(_ text: String, golden name: String) throws {
        if ProcessInfo.processInfo.environment["GANTRY_UPDATE_GOLDEN"] != nil {
            try Data(text.utf8).write(to: DockerrunFixtures.folder.appendingPathComponent(name))
            Issue.record("golden \(name) rewritten; run again without GANTRY_UPDATE_GOLDEN")
        }
        #expect(text == (try DockerrunFixtures.golden(name)))
    }

    @Test(arguments: DockerrunVersion.allCases)
    func writingMatchesTheGoldenFile(version: DockerrunVersion) throws {
        try Self.compare(Dockerrun.make(version, DockerrunFixtures.settings).rendered(), golden: "\(version.rawValue).json")
    }

    @Test(arguments: DockerrunVersion.allCases)
    func goldenFileReadsBackToTheSameModelAndBytes(version: DockerrunVersion) throws {
        let text = try DockerrunFixtures.golden("\(version.rawValue).json")
        let read = try Dockerrun(parsing: text, file: "golden")
        #expect(read == Dockerrun.make(version, DockerrunFixtures.settings))
        #expect(read.rendered() == text)
        #expect(Dockerrun.check(read.json).problems.isEmpty)
    }

    @Test func canonicalTextHasTwoSpaceIndentAndATrailingNewline() throws {
        let text = Dockerrun.make(.v1, DockerrunFixtures.settings).rendered()
        #expect(text.hasPrefix("{\n  \"AWSEBDockerrunVersion\": \"1\",\n  \"Image\": {\n    \"Name\": "))
        #expect(text.hasSuffix("}\n") && !text.hasSuffix("\n\n"))
    }

    @Test func versionsAndPortsAreReadAsNumbersOrStrings() throws {
        let numbers = try Dockerrun(parsing: #"{"AWSEBDockerrunVersion": 1, "Image": {"Name": "nginx"}, "Ports": [{"ContainerPort": 80, "HostPort": 8080}]}"#, file: "a")
        let strings = try Dockerrun(parsing: #"{"AWSEBDockerrunVersion": "1", "Image": {"Name": "nginx"}, "Ports": [{"ContainerPort": "80", "HostPort": "8080"}]}"#, file: "b")
        #expect(numbers == strings)
        guard case .v1(let document) = numbers else { Issue.record("not read as version 1"); return }
        #expect(document.ports?.first?.containerPort == 80 && document.ports?.first?.hostPort == 8080)
        let two = try Dockerrun(parsing: #"{"AWSEBDockerrunVersion": "2", "containerDefinitions": []}"#, file: "c")
        #expect(two.version == .v2)
        #expect(two.rendered().contains("\"AWSEBDockerrunVersion\": 2,"))
    }

    @Test func unknownECSFieldsAreKeptInTheirOrderAfterTheKnownOnes() throws {
        let text = """
            {"containerDefinitions": [{"cpu": 128, "name": "app", "image": "nginx", "memory": 128,
              "healthCheck": {"command": ["CMD", "true"], "interval": 30}, "ulimits": []}],
             "AWSEBDockerrunVersion": 2, "x-note": "kept"}
            """
        let read = try Dockerrun(parsing: text, file: "f")
        let written = read.rendered()
        let again = try Dockerrun(parsing: written, file: "f")
        #expect(again == read)
        guard case .v2(let document) = read else { Issue.record("not read as version 2"); return }
        #expect(document.containerDefinitions[0].extras.map(\.key) == ["cpu", "healthCheck", "ulimits"])
        #expect(document.extras.map(\.key) == ["x-note"])
        let memory = try #require(written.range(of: "\"memory\": 128"))
        let cpu = try #require(written.range(of: "\"cpu\": 128"))
        #expect(memory.lowerBound < cpu.lowerBound)
        #expect(written.contains("\"interval\": 30"))
    }

    @Test func anUpdateGivenAsABooleanIsWrittenAsTheStringBeanstalkHonours() throws {
        let read = try Dockerrun(parsing: #"{"AWSEBDockerrunVersion": "1", "Image": {"Name": "nginx", "Update": false}, "Ports": [{"ContainerPort": "80"}]}"#, file: "f")
        #expect(read.rendered().contains("\"Update\": \"false\""))
    }

    @Test func stringsWithQuotesControlCharactersAndNonASCIISurviveARoundTrip() throws {
        let value = "a \"quoted\" \\ path/with\tτab\u{01} and é"
        let json = OrderedJSON.object([OrderedJSON.Member("AWSEBDockerrunVersion", "3"), OrderedJSON.Member("x", .string(value))])
        let parsed = try OrderedJSON.parse(json.rendered(), file: "f")
        #expect(parsed["x"] == .string(value))
        #expect(json.rendered().contains("path/with\\t"))
        #expect(try OrderedJSON.parse(#"{"s": "\u00e9\ud83d\ude00"}"#, file: "f")["s"] == .string("é😀"))
    }

    @Test func aWrongTypeIsReportedAtItsKeyPath() {
        #expect(throws: BeanstalkError.invalidDockerrun(file: "f", path: "containerDefinitions[0].links", problem: "expected a list of strings, found the string \"app\"")) {
            try Dockerrun(parsing: #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "links": "app"}]}"#, file: "f")
        }
    }

    @Test(arguments: [
        ("{\n  \"AWSEBDockerrunVersion\": \"1\",\n  \"Image\": {\"Name\": \"nginx\",}\n}", 3, 29),
        ("{\n  \"AWSEBDockerrunVersion\": \"1\"\n  \"Ports\": []\n}", 3, 3),
        ("{\"a\": tru}", 1, 7),
        ("{\"a\": \"é\" x}", 1, 11),
        ("", 1, 1),
        ("{\"a\": [1, 2,]}", 1, 13),
        ("{\"a\": \"unterminated", 1, 20),
    ])
    func malformedJSONNamesTheLineAndColumn(text: String, line: Int, column: Int) {
        do {
            _ = try OrderedJSON.parse(text, file: "Dockerrun.aws.json")
            Issue.record("parsed malformed JSON")
        } catch {
            guard case .malformedJSON(let file, let foundLine, let foundColumn, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(file == "Dockerrun.aws.json")
            #expect(foundLine == line && foundColumn == column, "\(error)")
            #expect(error.description.hasPrefix("Dockerrun.aws.json:\(line):\(column): invalid JSON: "))
        }
    }
}
