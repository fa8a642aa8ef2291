import Beanstalk
import Testing

/// `Dockerrun.check`: one case per problem of issue 6, each naming its key path.
@Suite struct DockerrunCheckTests {
    static func problems(_ text: String) throws -> [DockerrunProblem] {
        Dockerrun.check(try OrderedJSON.parse(text, file: "f")).problems
    }

    static let v1Ports = #""Ports": [{"ContainerPort": "8080"}]"#
    static let image = #""Image": {"Name": "nginx:1.25"}"#

    /// A file, the one problem it must produce, its key path and a word of its message.
    @Test(arguments: [
        ("missing version", #"{\#(image), \#(v1Ports)}"#, DockerrunProblem.Severity.error, "AWSEBDockerrunVersion", "missing"),
        ("unknown version", #"{"AWSEBDockerrunVersion": "4", \#(image), \#(v1Ports)}"#, .error, "AWSEBDockerrunVersion", "not a version"),
        ("v1 without Image", #"{"AWSEBDockerrunVersion": "1", \#(v1Ports)}"#, .error, "Image", "missing"),
        ("v1 without Ports", #"{"AWSEBDockerrunVersion": "1", \#(image)}"#, .error, "Ports", "missing"),
        ("v1 with empty Ports", #"{"AWSEBDockerrunVersion": "1", \#(image), "Ports": []}"#, .error, "Ports", "empty"),
        ("v1 without ContainerPort", #"{"AWSEBDockerrunVersion": "1", \#(image), "Ports": [{"HostPort": "80"}]}"#, .error, "Ports[0].ContainerPort", "missing"),
        ("v1 port out of range", #"{"AWSEBDockerrunVersion": "1", \#(image), "Ports": [{"ContainerPort": 70000}]}"#, .error, "Ports[0].ContainerPort", "out of range"),
        ("Update as a boolean", #"{"AWSEBDockerrunVersion": "1", "Image": {"Name": "nginx", "Update": true}, \#(v1Ports)}"#, .warning, "Image.Update", "only honours the string"),
        ("v1 image that does not parse", #"{"AWSEBDockerrunVersion": "1", "Image": {"Name": "News/App:latest"}, \#(v1Ports)}"#, .error, "Image.Name", "not an image reference"),
        ("v2 keys in a v1 file", #"{"AWSEBDockerrunVersion": "1", \#(image), \#(v1Ports), "containerDefinitions": []}"#, .error, "containerDefinitions", "version 2"),
        ("v2 without memory", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64}, {"name": "b", "image": "nginx"}]}"#, .error, "containerDefinitions[1].memory", "memoryReservation"),
        ("v2 duplicate container names", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64}, {"name": "a", "image": "nginx", "memory": 64}]}"#, .error, "containerDefinitions[1].name", "unique"),
        ("v2 link to an unknown container", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64, "links": ["db:database"]}]}"#, .error, "containerDefinitions[0].links[0]", "not the name of a container"),
        ("v2 mount of an undefined volume", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64, "mountPoints": [{"sourceVolume": "static", "containerPath": "/srv"}]}]}"#, .error, "containerDefinitions[0].mountPoints[0].sourceVolume", "not defined in volumes"),
        ("v2 host port out of range", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64, "portMappings": [{"hostPort": 0, "containerPort": 80}]}]}"#, .error, "containerDefinitions[0].portMappings[0].hostPort", "out of range"),
        ("v2 image that does not parse", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx:", "memory": 64}]}"#, .error, "containerDefinitions[0].image", "not an image reference"),
        ("v2 without containers", #"{"AWSEBDockerrunVersion": 2}"#, .error, "containerDefinitions", "at least one container"),
        ("v2 authentication spelt as v1", #"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 64}], "authentication": {"Bucket": "b", "key": "k"}}"#, .error, "authentication.bucket", "not \"Bucket\""),
        ("v3 with containers", #"{"AWSEBDockerrunVersion": "3", "Image": {"Name": "nginx"}}"#, .warning, "Image", "docker-compose.yml"),
    ])
    func eachProblemIsNamedAtItsKeyPath(
        name: String, text: String, severity: DockerrunProblem.Severity, path: String, words: String
    ) throws {
        let problems = try Self.problems(text)
        #expect(problems.count == 1, "\(name): \(problems)")
        let problem = try #require(problems.first, "\(name): no problem found")
        #expect(problem.severity == severity, "\(name)")
        #expect(problem.path == path, "\(name)")
        #expect(problem.message.contains(words), "\(name): \(problem.message)")
        #expect(problem.description == "\(severity.rawValue): \(path): \(problem.message)")
    }

    @Test(arguments: [
        (#"{"AWSEBDockerrunVersion": 1, "Image": {"Name": "nginx", "Update": "false"}, "Ports": [{"ContainerPort": 80}]}"#, DockerrunVersion.v1, "Docker platform"),
        (#"{"AWSEBDockerrunVersion": "2", "containerDefinitions": [{"name": "a", "image": "nginx", "memoryReservation": 64}]}"#, .v2, "ECS platform"),
        (#"{"AWSEBDockerrunVersion": "3"}"#, .v3, "docker-compose.yml"),
    ])
    func aValidFileHasNoProblemsAndNamesItsPlatformBranch(text: String, version: DockerrunVersion, platform: String) throws {
        let report = Dockerrun.check(try OrderedJSON.parse(text, file: "f"))
        #expect(report.problems.isEmpty)
        #expect(report.version == version)
        #expect(report.platform.contains(platform))
    }

    @Test func aFileThatIsNotAnObjectIsOneError() throws {
        let report = Dockerrun.check(try OrderedJSON.parse("[1]", file: "f"))
        #expect(report.errors.count == 1 && report.version == nil)
    }
}
