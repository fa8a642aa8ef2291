import Scaffold
import Testing

/// The `beanstalk:` section of gantry.yml.
@Suite struct AppSpecBeanstalkTests {
    static let head = "name: results\nimage: registry.example.com/news/results\nbase: localhost/gantry/apache-wsgi:latest\n"

    @Test func theSectionIsReadWithItsDefaults() throws {
        let spec = try AppSpec.parse(yaml: Self.head + """
            beanstalk:
              format: v2
              bucket: news-eb
              key: auth/registry.json
              volumes:
                - {host: /var/app/current/static, container: /app/static}
              sidecars:
                - {name: proxy, image: "nginx:1.25", ports: ["80:8080", "443"], mounts: ["static:/srv/static"]}
            """, file: "gantry.yml")
        #expect(spec.beanstalk.format == "v2")
        #expect(spec.beanstalk.volumes.first?.name == "static")
        let proxy = try #require(spec.beanstalk.sidecars.first)
        #expect(proxy.memory == 128)
        #expect(proxy.ports.map { [$0.host, $0.container] } == [[80, 8080], [443, 443]])
        #expect(try AppSpec.parse(yaml: Self.head, file: "gantry.yml").beanstalk == BeanstalkSpec())
    }

    @Test(arguments: [
        ("beanstalk:\n  format: v4\n", "gantry.yml:5: 'beanstalk.format': expected v1"),
        ("beanstalk:\n  memroy: 256\n", "gantry.yml:5: 'beanstalk.memroy': unknown key"),
        ("beanstalk:\n  sidecars:\n    - {name: p, image: nginx, mounts: [\"cache:/c\"]}\n", "'beanstalk.sidecars[0].mounts[0]': names volume \"cache\""),
        ("beanstalk:\n  bucket: b\n", "'beanstalk': give both bucket and key"),
        ("beanstalk:\n  sidecars:\n    - {name: p, image: \"Nginx\"}\n", "'beanstalk.sidecars[0].image'"),
    ])
    func mistakesNameTheFileLineAndKey(section: String, message: String) {
        #expect(throws: SpecError.self) { try AppSpec.parse(yaml: Self.head + section, file: "gantry.yml") }
        do {
            _ = try AppSpec.parse(yaml: Self.head + section, file: "gantry.yml")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }
}
