import Testing
@testable import Scaffold

@Suite("Dockerfile rendering")
struct DockerfileRenderingTests {
    @Test("the rendered Dockerfile has every instruction in build order")
    func rendersInOrder() throws {
        let spec = try BaseSpec.parse(yaml: validBaseYAML, file: "base.yml")
        let dockerfile = DockerfileRenderer.render(spec)
        let expected = #"""
        # Rendered by gantry from base.yml (template demo, version 2).
        # Edit base.yml, then run 'gantry base render' to write this file again.
        FROM debian:bookworm-slim
        ENV LANG="C.UTF-8" \
            PRICE="\$5 \"cheap\""
        RUN apt-get update \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends apache2 libapache2-mod-wsgi-py3 \
         && rm -rf /var/lib/apt/lists/*
        COPY ["files/entry.sh", "/usr/local/bin/entry"]
        COPY ["files/site.conf", "/etc/apache2/sites-available/site conf.conf"]
        RUN chmod 0755 /usr/local/bin/entry \
         && chmod 0644 '/etc/apache2/sites-available/site conf.conf'
        RUN a2ensite site
        WORKDIR /app
        USER www-data
        EXPOSE 8080
        STOPSIGNAL SIGWINCH
        VOLUME ["/app"]
        LABEL org.opencontainers.image.description="Demo base for tests" \
            io.gantry.template="demo" \
            io.gantry.template.version="2" \
            io.gantry.mount="/app" \
            io.gantry.port="8080" \
            io.gantry.logs="/var/log/apache2" \
            io.gantry.dev-env="{\"GANTRY_RELOAD\":\"1\"}" \
            org.example.team="news apps"
        CMD ["/usr/local/bin/entry"]

        """#
        #expect(dockerfile == expected)
    }

    @Test("a spec without packages or files renders no RUN for them")
    func omitsEmptySteps() throws {
        let yaml = validBaseYAML
            .replacingOccurrences(of: "packages:\n  - apache2\n  - libapache2-mod-wsgi-py3\n", with: "")
            .replacingOccurrences(of: "files:\n  - src: files/entry.sh\n    dest: /usr/local/bin/entry\n    mode: \"0755\"\n  - src: files/site.conf\n    dest: /etc/apache2/sites-available/site conf.conf\n", with: "")
        let dockerfile = DockerfileRenderer.render(try BaseSpec.parse(yaml: yaml, file: "base.yml"))
        #expect(!dockerfile.contains("apt-get"))
        #expect(!dockerfile.contains("COPY"))
        #expect(!dockerfile.contains("chmod"))
    }

    @Test("JSON strings escape quotes, backslashes and control characters")
    func jsonEscaping() {
        #expect(DockerfileRenderer.json(["a\"b", "c\\d", "e\nf", "\u{1}"]) == #"["a\"b", "c\\d", "e\nf", "\u0001"]"#)
    }

    @Test("shell quoting leaves plain words alone and quotes the rest")
    func shellQuoting() {
        #expect(DockerfileRenderer.shellQuoted("/usr/bin/x") == "/usr/bin/x")
        #expect(DockerfileRenderer.shellQuoted("it's here") == #"'it'\''s here'"#)
    }
}

@Suite("shipped templates")
struct ShippedTemplateTests {
    @Test("gantry ships apache-wsgi (the default) and static")
    func templateNames() {
        #expect(BaseTemplate.names == ["apache-wsgi", "static"])
        #expect(BaseTemplate.defaultName == "apache-wsgi")
    }

    @Test("every shipped template parses and has every file it copies", arguments: BaseTemplate.names)
    func templateIsComplete(_ name: String) throws {
        let template = try BaseTemplate.named(name)
        #expect(template.spec.name == name)
        #expect(template.spec.port == 8080)
        #expect(template.spec.mount == "/app")
        #expect(template.spec.stopSignal == "SIGWINCH")
        #expect(template.spec.user != "root" && template.spec.user != "0")
        for copy in template.spec.files {
            #expect(template.files.contains { $0.path == copy.source })
        }
        #expect(!template.appFiles.isEmpty)
        let plan = template.basePlan()
        #expect(plan.entries.contains { $0.path == "Dockerfile" })
        #expect(!plan.entries.contains { $0.path.hasPrefix("app/") })
    }

    @Test("apache-wsgi runs mod_wsgi in daemon mode with the app on the python path")
    func apacheWSGIConfig() throws {
        let template = try BaseTemplate.named("apache-wsgi")
        let conf = try #require(template.files.first { $0.path == "files/gantry.conf" })
        let text = String(decoding: conf.contents, as: UTF8.self)
        #expect(text.contains("WSGIDaemonProcess"))
        #expect(text.contains("python-path=/app"))
        #expect(text.contains("WSGIApplicationGroup %{GLOBAL}"))
        #expect(text.contains("Alias /static/"))
        #expect(template.spec.devEnv == [KeyValue(key: "GANTRY_RELOAD", value: "1")])
        #expect(template.spec.packages.contains("libapache2-mod-wsgi-py3"))
    }

    @Test("an unknown template name lists the ones there are")
    func unknownTemplate() {
        #expect(throws: ScaffoldError.unknownTemplate("django", available: ["apache-wsgi", "static"])) {
            try BaseTemplate.named("django")
        }
    }
}
