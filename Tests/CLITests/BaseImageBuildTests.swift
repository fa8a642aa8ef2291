import Foundation
import Testing

/// The proof the base templates work: what `gantry base init` writes builds
/// with podman, and the image serves an app mounted at /app.
@Suite struct BaseImageBuildTests {
    static let templates = ["apache-wsgi", "static"]

    @Test func baseTemplatesListsEveryTemplateWithADescription() async throws {
        let output = try await gantry("base", "templates").check()
        var descriptions: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard let name = fields.first else { continue }
            descriptions[String(name)] = fields.dropFirst().first?.trimmingCharacters(in: .whitespaces) ?? ""
        }
        for template in Self.templates {
            let description = try #require(descriptions[template], "no line for \(template) in:\n\(output.stdout)")
            #expect(!description.isEmpty, "\(template) has no description")
        }
    }

    @Test(arguments: templates)
    func initializedTemplateBuildsWithPodmanAndServesTheMountedApp(template: String) async throws {
        let podman = try Podman.require()
        let clock = ContinuousClock()
        var start = clock.now
        try await debianSlim()
        print("\(template): debian:bookworm-slim ready after \(clock.now - start)")

        try await withTemporaryDirectory { root in
            let spec = root.appendingPathComponent("base")
            let app = root.appendingPathComponent("app")
            try await gantry("base", "init", spec.path, "--template", template).check()
            for written in ["base.yml", "Dockerfile"] {
                #expect(FileManager.default.fileExists(atPath: spec.appendingPathComponent(written).path))
            }

            let tag = "gantry-test/\(template):\(uniqueName("build"))"
            defer { podman.removeImage(tag) }
            start = clock.now
            // --layers=false: no cached intermediate images that other tests' builds of the same
            // steps would reuse, so removing this image afterwards cannot pull layers from under them.
            try await withPodmanBuildLock {
                try await podman.checked("build", "--pull=never", "--layers=false", "--tag", tag, spec.path, timeout: .seconds(1200))
            }
            print("\(template): podman build took \(clock.now - start)")

            let marker = uniqueName("answer")
            try Self.writeSampleApp(for: template, saying: marker, into: app)
            let name = uniqueName(template)
            defer { podman.removeContainer(name) }
            let port = try freeLoopbackPort()
            try await podman.checked(
                "run", "--detach", "--name", name,
                "--volume", "\(app.path):/app", "--publish", "127.0.0.1:\(port):8080", tag)

            let url = try #require(URL(string: "http://127.0.0.1:\(port)/"))
            let answer: HTTPAnswer
            do {
                answer = try await waitForHTTP(url, within: .seconds(90), isAlive: { await podman.isRunning(name) })
            } catch {
                Issue.record("\(error)\n--- logs of \(name) ---\n\(await podman.logs(name))")
                return
            }
            #expect(answer.status == 200)
            #expect(answer.body.contains(marker), "the answer was:\n\(answer.body)")
        }
    }

    /// The smallest app each template serves: a WSGI callable, or a page.
    static func writeSampleApp(for template: String, saying marker: String, into app: URL) throws {
        switch template {
        case "apache-wsgi":
            try app.write(
                """
                def application(environ, start_response):
                    body = b"\(marker)\\n"
                    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
                    return [body]

                """, to: "wsgi.py")
        default:
            try app.write("<!doctype html>\n<p>\(marker)</p>\n", to: "index.html")
        }
    }
}
