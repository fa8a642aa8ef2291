import Engines
import Foundation
import Testing

/// The `run` command line gantry gives both engines.
@Suite struct RunOptionsTests {
    @Test func argumentsAreDetachedWithMountPortEnvironmentUserAndLabelsInAStableOrder() throws {
        let options = RunOptions(
            image: "localhost/gantry/apache-wsgi:latest", name: "gantry-news",
            mounts: [.init(hostPath: "/home/ann/news", containerPath: "/app")],
            ports: [.init(hostPort: 8000, containerPort: 8080)],
            environment: ["GANTRY_RELOAD": "1", "DJANGO_DEBUG": "true"],
            user: "1000:1000", labels: ["io.gantry.app": "news"], relabelMounts: false)
        #expect(try options.arguments() == [
            "run", "--detach", "--name", "gantry-news",
            "--volume", "/home/ann/news:/app",
            "--publish", "127.0.0.1:8000:8080",
            "--env", "DJANGO_DEBUG=true", "--env", "GANTRY_RELOAD=1",
            "--user", "1000:1000",
            "--label", "io.gantry.app=news",
            "localhost/gantry/apache-wsgi:latest",
        ])
    }

    @Test func neverAsksForATerminal() throws {
        let arguments = try RunOptions(image: "img", relabelMounts: false).arguments()
        #expect(arguments == ["run", "--detach", "img"])
        #expect(!arguments.contains { $0 == "-t" || $0 == "-it" || $0 == "--tty" || $0 == "--interactive" })
    }

    @Test func mountsAreRelabelledForSELinuxAndCanBeReadOnly() throws {
        let options = RunOptions(
            image: "img", mounts: [.init(hostPath: "/src", containerPath: "/app"), .init(hostPath: "/data", containerPath: "/data", readOnly: true)],
            relabelMounts: true)
        #expect(try options.arguments() == ["run", "--detach", "--volume", "/src:/app:z", "--volume", "/data:/data:ro,z", "img"])
    }

    @Test func aHostPathWithAColonIsRefusedByName() {
        let options = RunOptions(image: "img", mounts: [.init(hostPath: "/home/ann/a:b", containerPath: "/app")])
        #expect(throws: EngineError.unsupportedMountPath("/home/ann/a:b")) { try options.arguments() }
    }
}
