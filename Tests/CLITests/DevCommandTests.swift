import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gantry dev` and `gantry dev stop` against real podman and docker, on the
/// apache-wsgi base built by `gantry base build --builder ENGINE`.
///
/// Serialized: the edit test holds the reload to 2 s, which two cores
/// starting several containers at once cannot promise.
@Suite(.engineFixtures, .serialized) struct DevCommandTests {
    /// An app scaffolded by `gantry init` on this run's base, whose page
    /// also shows the text of a module it imports (`message.py`).
    struct App {
        let name: String
        let directory: URL
        var container: String { "gantry-\(name)" }

        func setMessage(_ text: String) throws {
            try directory.write("TEXT = \(pythonString(text))\n", to: "message.py")
        }

        private func pythonString(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }

    /// Scaffolds an app in `root`, adds the module to its wsgi.py, and runs
    /// `body`; the app's container is removed afterwards however `body` ends.
    func withApp<Result>(
        _ purpose: String, engine: TestEngine, in root: URL, message: String = "first", base: String? = nil,
        _ body: (App) async throws -> Result
    ) async throws -> Result {
        let image: String
        if let base {
            image = base
        } else {
            image = try await EngineFixtures.shared.baseImage(for: engine)
        }
        let name = "t-\(purpose)-\(UUID().uuidString.prefix(6).lowercased())"
        let directory = root.appendingPathComponent(name)
        try await engine.gantry(["init", name, "--base", image, "--directory", directory.path]).check()
        let app = App(name: name, directory: directory)
        try app.setMessage(message)
        let wsgi = directory.appendingPathComponent("wsgi.py")
        var script = try String(contentsOf: wsgi, encoding: .utf8)
        let heading = "<h1>Hello from {escape(NAME)}</h1>"
        try #require(script.contains(heading), "the scaffold's wsgi.py changed:\n\(script)")
        // PAGE is made at import: a new text shows only if the reload monitor restarts the app process.
        script = "import message\n" + script.replacingOccurrences(of: heading, with: heading + "\n<p>{escape(message.TEXT)}</p>")
        try Data(script.utf8).write(to: wsgi)
        do {
            let result = try await body(app)
            await engine.removeContainer(app.container)
            return result
        } catch {
            await engine.removeContainer(app.container)
            throw error
        }
    }

    @Test(arguments: TestEngine.names)
    func detachedDevServesTheAppAndAnEditedModuleWithoutRestartingTheContainer(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("edit", engine: engine, in: root) { app in
                let port = try freeLoopbackPort()
                let clock = ContinuousClock()
                let start = clock.now
                let started = try await engine.gantry(
                    ["dev", "--detach", "--engine", engine.name, "--port", String(port)], in: app.directory)
                print("\(engine.name): gantry dev --detach returned after \(clock.now - start)")
                try started.check()
                #expect(started.stdout.contains("Serving \(app.name) at http://127.0.0.1:\(port)"), "\(started.excerpt)")

                let url = try #require(URL(string: "http://127.0.0.1:\(port)/"))
                let first = try await waitForHTTP(url, within: .seconds(10))
                #expect(first.status == 200)
                #expect(first.body.contains("Hello from \(app.name)"), "the answer was:\n\(first.body)")
                #expect(first.body.contains("<p>first</p>"), "the answer was:\n\(first.body)")
                let before = try #require(try await engine.container(app.container))

                try app.setMessage("second")
                let edited = clock.now
                // A request that meets the app process restarting waits for the new one, or fails; both count as not yet.
                var seen = first
                var attempts = 0
                // About a second when the machine is idle (scripts/bench and the README's figure); the
                // bound leaves room for a CI machine running the other suites at the same time.
                while !seen.body.contains("<p>second</p>"), clock.now - edited < .seconds(6), attempts < 120 {
                    attempts += 1
                    try await Task.sleep(for: .milliseconds(50))
                    let left = max(.milliseconds(100), .seconds(6) - (clock.now - edited))
                    if let answer = try? await waitForHTTP(url, within: left, attempts: 1) { seen = answer }
                }
                let took = clock.now - edited
                let log = seen.body.contains("<p>second</p>") ? "" : await engine.logs(app.container)
                #expect(seen.body.contains("<p>second</p>"), "after \(took) the page still said:\n\(seen.body)\n\(log)")
                #expect(took <= .seconds(6), "the edit took \(took) to show")
                print("\(engine.name): the edited module was served after \(took)")
                let after = try #require(try await engine.container(app.container))
                #expect(after == before, "the container was restarted: \(before) became \(after)")

                let stopped = try await engine.gantry(["dev", "stop", "--engine", engine.name], in: app.directory).check()
                #expect(stopped.stdout.contains("Stopped and removed \(app.container)"), "\(stopped.excerpt)")
                #expect(try await engine.container(app.container) == nil)

                let again = try await engine.gantry(["dev", "stop", "--engine", engine.name], in: app.directory).check()
                #expect(again.stdout.contains("\(app.name) is not running"), "\(again.excerpt)")
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func foregroundDevStopsAndRemovesTheContainerOnSIGINT(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("sigint", engine: engine, in: root) { app in
                let port = try freeLoopbackPort()
                let dev = try BackgroundProcess(
                    try gantryBinary(), ["dev", "--engine", engine.name, "--port", String(port)],
                    environment: engine.gantryEnvironment, in: app.directory)
                do {
                    try await dev.waitForOutput(containing: "Serving \(app.name) at http://127.0.0.1:\(port)", within: .seconds(90))
                    let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(10))
                    #expect(answer.status == 200)
                    #expect(try await engine.container(app.container)?.running == true)

                    let clock = ContinuousClock()
                    let start = clock.now
                    dev.signal(SIGINT)
                    let status = await dev.waitForExit(within: .seconds(30))
                    let gone = try await engine.waitUntilGone(app.container, within: .seconds(5))
                    print("\(engine.name): gantry dev exited \(status.map(String.init) ?? "-") \(clock.now - start) after SIGINT")
                    #expect(status == 0, "gantry dev did not exit 0 after SIGINT:\n\(dev.excerpt)")
                    #expect(gone, "\(app.container) is still there after SIGINT:\n\(dev.excerpt)")
                    #expect(dev.stderr.contains("Stopped and removed \(app.container)"), "\(dev.excerpt)")
                    // The log was followed: the probe's request is in Apache's access log.
                    #expect(dev.stdout.contains("\"GET / HTTP/1.0\" 200"), "\(dev.excerpt)")
                } catch {
                    Issue.record("\(error)\n\(dev.excerpt)")
                }
                await dev.terminate()
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func appThatRaisesOnImportMakesDevFailWithTheTraceback(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("broken", engine: engine, in: root) { app in
                try app.directory.write("raise RuntimeError(\"broken on purpose 4711\")\n", to: "message.py")
                let port = try freeLoopbackPort()
                let result = try await engine.gantry(
                    ["dev", "--engine", engine.name, "--port", String(port)], in: app.directory)
                #expect(result.status != 0)
                #expect(!result.stdout.contains("Serving"), "\(result.excerpt)")
                #expect(result.stderr.contains("Traceback (most recent call last)"), "\(result.excerpt)")
                #expect(result.stderr.contains("/app/message.py"), "\(result.excerpt)")
                let lastLine = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
                #expect(lastLine.hasPrefix("gantry: error: \(app.name) answered its first request with HTTP 500: RuntimeError: broken on purpose 4711"), "\(result.excerpt)")
                #expect(try await engine.waitUntilGone(app.container, within: .seconds(5)), "the failed container was left behind")
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func busyHostPortIsRefusedNamingThePort(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("port", engine: engine, in: root) { app in
                let listener = try ListeningSocket()
                let result = try await engine.gantry(
                    ["dev", "--detach", "--engine", engine.name, "--port", String(listener.port)], in: app.directory)
                #expect(result.status != 0)
                #expect(result.stderr.contains("gantry: error: port \(listener.port) on 127.0.0.1 is already in use"), "\(result.excerpt)")
                #expect(try await engine.container(app.container) == nil, "a container was started anyway")
                listener.close()
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func secondDevForARunningAppSaysItIsAlreadyRunningAndLeavesItAlone(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("twice", engine: engine, in: root) { app in
                let port = try freeLoopbackPort()
                try await engine.gantry(["dev", "--detach", "--engine", engine.name, "--port", String(port)], in: app.directory).check()
                let before = try #require(try await engine.container(app.container))

                let second = try await engine.gantry(["dev", "--detach", "--engine", engine.name], in: app.directory)
                #expect(second.status != 0)
                #expect(second.stderr.contains(
                    "gantry: error: \(app.name) is already running at http://127.0.0.1:\(port); stop it with 'gantry dev stop'"),
                    "\(second.excerpt)")
                #expect(try await engine.container(app.container) == before)
                let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(10))
                #expect(answer.status == 200)
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func aStoppedContainerLeftByAnEarlierRunIsReplaced(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("stale", engine: engine, in: root) { app in
                let port = try freeLoopbackPort()
                let arguments = ["dev", "--detach", "--engine", engine.name, "--port", String(port)]
                try await engine.gantry(arguments, in: app.directory).check()
                let first = try #require(try await engine.container(app.container))
                try await engine.checked("stop", "--time", "1", app.container)
                #expect(try await engine.container(app.container)?.running == false)

                let again = try await engine.gantry(arguments, in: app.directory)
                #expect(again.status == 0, "\(again.excerpt)")
                let second = try #require(try await engine.container(app.container))
                #expect(second.running)
                #expect(second.id != first.id)
                let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(10))
                #expect(answer.status == 200)
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func aBaseOnlyInGantrysStoreIsLoadedIntoTheEngine(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        let reference = try await EngineFixtures.shared.storeOnlyBase()
        #expect(try await engine.run(["image", "inspect", reference]).status != 0, "\(engine.name) has \(reference) already")
        try await withTemporaryDirectory { root in
            try await withApp("store", engine: engine, in: root, base: reference) { app in
                let port = try freeLoopbackPort()
                let result = try await engine.gantry(
                    ["dev", "--detach", "--engine", engine.name, "--port", String(port)], in: app.directory)
                await engine.removeContainer(app.container)
                let names = try await engine.run(["image", "inspect", "--format", "{{json .RepoTags}}", reference])
                await engine.removeImage(reference)
                #expect(names.stdout.contains(reference), "\(names.excerpt)")
                #expect(!names.stdout.contains(EngineFixtures.storeDirectory.lastPathComponent), "named after the store's folder: \(names.stdout)")
                #expect(result.status == 0, "\(result.excerpt)")
                #expect(result.stderr.contains("\(reference) is not in \(engine.name); loading it from gantry's store"), "\(result.excerpt)")
                #expect(result.stdout.contains("Serving \(app.name) at http://127.0.0.1:\(port)"), "\(result.excerpt)")
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func rememberedLabelsOfAnotherImageAreCorrectedBeforeServing(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        try await withTemporaryDirectory { root in
            try await withApp("memory", engine: engine, in: root) { app in
                let home = root.appendingPathComponent("gantry-home")
                let base = try await EngineFixtures.shared.baseImage(for: engine)
                // What gantry would remember of a base that published port 9999 and was since rebuilt.
                let memory = #"{"\#(engine.name) \#(base)": {"id": "0000", "labels": {"io.gantry.port": "9999", "io.gantry.mount": "/elsewhere"}}}"#
                try root.write(memory, to: "gantry-home/dev/base-images.json")
                let port = try freeLoopbackPort()
                let result = try await engine.gantry(
                    ["dev", "--detach", "--engine", engine.name, "--port", String(port)], in: app.directory,
                    environment: ["GANTRY_HOME": home.path])
                #expect(result.status == 0, "\(result.excerpt)")
                #expect(result.stderr.contains("\(base) changed since gantry last ran it"), "\(result.excerpt)")
                let answer = try await waitForHTTP(try #require(URL(string: "http://127.0.0.1:\(port)/")), within: .seconds(10))
                #expect(answer.body.contains("<p>first</p>"), "\(answer.body)")
                let remembered = try String(contentsOf: home.appendingPathComponent("dev/base-images.json"), encoding: .utf8)
                #expect(!remembered.contains("9999"), "the memory still holds the old labels:\n\(remembered)")
            }
        }
    }

    @Test(arguments: TestEngine.names)
    func baseBuildLabelsTheImageWithWhatDevReads(engineName: String) async throws {
        let engine = try await TestEngine.require(engineName)
        let base = try await EngineFixtures.shared.baseImage(for: engine)
        let labels = try await engine.checked("image", "inspect", "--format", "{{json .Config.Labels}}", base)
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(labels.stdout.utf8))
        #expect(decoded["io.gantry.mount"] == "/app")
        #expect(decoded["io.gantry.port"] == "8080")
        #expect(decoded["io.gantry.template"] == "apache-wsgi")
        #expect(decoded["io.gantry.dev-env"] == #"{"GANTRY_RELOAD":"1"}"#)
    }
}

/// A socket listening on a free port of 127.0.0.1 for as long as it lives.
final class ListeningSocket {
    let port: Int
    private let fd: Int32

    init() throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            closeSocket(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    private var closed = false

    /// Stops listening; also the last use that keeps it alive until then.
    func close() {
        guard !closed else { return }
        closed = true
        closeSocket(fd)
    }

    deinit { close() }
}

/// `close(2)`, out of reach of `ListeningSocket.close()`.
private func closeSocket(_ fd: Int32) {
    _ = close(fd)
}
